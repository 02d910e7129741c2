"""cs231n/parallel.py: splitting work over threads with BLAS at one thread each."""
import threading

import pytest

from cs231n import parallel


def test_split_covers_every_item_once_in_nearly_equal_runs():
    assert parallel.split(7, 3) == [(0, 2), (2, 4), (4, 7)]
    assert parallel.split(2, 5) == [(0, 1), (1, 2)]          # never an empty run
    assert parallel.split(5, 1) == [(0, 5)]
    for n in range(1, 30):
        for parts in range(1, 8):
            runs = parallel.split(n, parts)
            assert [i for a, b in runs for i in range(a, b)] == list(range(n))
            lengths = [b - a for a, b in runs]
            assert min(lengths) >= 1 and max(lengths) - min(lengths) <= 1


def test_run_returns_results_in_order_and_uses_threads():
    names = []

    def work(group):
        names.append(threading.current_thread().name)
        return group * 10

    assert parallel.run(work, [1, 2, 3]) == [10, 20, 30]
    assert all(name.startswith("cs231n") for name in names)
    names.clear()
    assert parallel.run(work, [4]) == [40]                   # one group: the calling thread
    assert names == [threading.current_thread().name]


def test_run_propagates_errors_and_restores_the_blas_thread_count():
    libs = parallel._blas_libraries()
    before = [lib.get_num_threads() for lib in libs]
    seen = []

    def work(group):
        seen.append([lib.get_num_threads() for lib in libs])
        if group == 1:
            raise ValueError("bad group")
        return group

    with pytest.raises(ValueError, match="bad group"):
        parallel.run(work, [0, 1])
    assert all(counts == [1] * len(libs) for counts in seen)   # BLAS at one thread inside
    assert [lib.get_num_threads() for lib in libs] == before   # and restored after


def test_thread_count_follows_the_environment(monkeypatch):
    monkeypatch.setenv("CS231N_THREADS", "3")
    assert parallel.thread_count() == 3
    monkeypatch.setenv("CS231N_THREADS", "0")
    assert parallel.thread_count() == 1
    monkeypatch.setenv("CS231N_THREADS", "many")
    with pytest.raises(ValueError, match="CS231N_THREADS"):
        parallel.thread_count()
    monkeypatch.delenv("CS231N_THREADS")
    assert parallel.thread_count() >= 1


def test_workers_may_run_on_every_cpu():
    """Workers are not pinned: the scheduler may move one off a core that
    another program holds (pinned workers were measured no faster)."""
    import os
    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("no CPU affinity on this system")
    cpus = os.sched_getaffinity(0)
    barrier = threading.Barrier(2)

    def where(_):
        barrier.wait(timeout=10)            # both workers alive at once
        return os.sched_getaffinity(0)

    assert parallel.run(where, [0, 1]) == [cpus, cpus]
