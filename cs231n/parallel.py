"""Split a layer's work over threads, one BLAS thread each.

The compiled convolution (``cs231n/fast_layers.py``) spends its time in two
kinds of work: matrix products, which OpenBLAS already spreads over every
core, and copies (im2col, col2im), which run on one core. On a 2-core
machine the copies then cost as much as a third of a forward/backward pass.
Giving each thread its own group of images instead, with BLAS held at one
thread while they run, puts the copies on every core as well, and each
thread's products work on one image's columns, which stay in its core's cache.
The threads are not pinned to cores: measured against pinned ones (README,
Benchmarks), unpinned threads were as fast or faster, and pinning hurts as
soon as another program holds one of the cores.

``run(fn, groups)`` calls ``fn(group)`` for every group, in parallel when there
is more than one, and returns the results in order. ``thread_count()`` says how
many groups are worth making: as many threads as BLAS itself would use, so a
limit set with ``OPENBLAS_NUM_THREADS`` / ``OMP_NUM_THREADS`` or threadpoolctl
also limits the layers, and ``1`` means "no threads at all".

The compiled loop runs without the GIL, so the threads really run at the same
time. Without the
``threadpoolctl`` package (which finds and sets the BLAS thread count) the
layers simply run on the calling thread.
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

try:
    import threadpoolctl
except ImportError:                       # optional: without it, no threads
    threadpoolctl = None

# Set CS231N_THREADS=1 to keep the layers on the calling thread whatever BLAS does.
THREADS_ENV = "CS231N_THREADS"

_lock = threading.Lock()
_pool = None
_pool_pid = None
_pool_workers = 0
_blas = None


def _blas_libraries():
    """threadpoolctl controllers of the loaded BLAS libraries (found once)."""
    global _blas
    if _blas is None:
        if threadpoolctl is None:
            _blas = []
        else:
            import numpy  # noqa: F401  (BLAS is loaded with NumPy; make sure it is)
            _blas = threadpoolctl.ThreadpoolController().select(user_api="blas").lib_controllers
    return _blas


def thread_count():
    """How many threads the layers may use: BLAS's own thread count (all cores
    unless limited), or the CS231N_THREADS environment variable if set."""
    env = os.environ.get(THREADS_ENV, "").strip()
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise ValueError(f"{THREADS_ENV} must be a positive integer, got {env!r}") from None
    libs = _blas_libraries()
    if not libs:
        return 1
    return max(1, min(lib.get_num_threads() for lib in libs))


def _executor(workers):
    """A thread pool (re-created in a forked child, whose copy has no threads)."""
    global _pool, _pool_pid, _pool_workers
    if _pool is None or _pool_pid != os.getpid() or _pool_workers < workers:
        _pool_workers = max(workers, os.cpu_count() or 1)
        _pool = ThreadPoolExecutor(max_workers=_pool_workers, thread_name_prefix="cs231n")
        _pool_pid = os.getpid()
    return _pool


def run(fn, groups):
    """[fn(g) for g in groups], the groups in parallel threads with BLAS at one
    thread each; exceptions raised by fn propagate to the caller."""
    groups = list(groups)
    if len(groups) <= 1:
        return [fn(g) for g in groups]
    libs = _blas_libraries()
    with _lock:                 # one parallel region at a time: BLAS's setting is global
        saved = [lib.get_num_threads() for lib in libs]
        for lib in libs:
            lib.set_num_threads(1)
        try:
            return list(_executor(len(groups)).map(fn, groups))
        finally:
            for lib, n in zip(libs, saved):
                lib.set_num_threads(n)


def split(n_items, parts):
    """Split range(n_items) into at most `parts` contiguous (start, stop) runs
    of nearly equal length (no empty runs)."""
    parts = max(1, min(parts, n_items))
    bounds = [n_items * k // parts for k in range(parts + 1)]
    return [(bounds[k], bounds[k + 1]) for k in range(parts)]
