"""Staff-side pytest hooks for the notebooks (not part of a student's release).

nbval runs every cell of a notebook as one test item; this adds up the time of
each notebook's items. ``test_stated_times.py``, collected after the
notebooks, fails when a notebook's stated running time (course.toml) is off
the other notebooks' by more than a factor of 3, and the end of the run
prints every notebook's figures, marking those more than 50% off. The times
also go to ``build/notebook-seconds.json`` (with the dataset they ran on),
which ``cs231n execute --record-from`` turns into course.toml's figures and
each notebook's running-time line.
"""
import json
from collections import defaultdict
from pathlib import Path

import pytest

_SECONDS = defaultdict(float)  # notebook stem -> seconds of its cells in this session
_CELLS = defaultdict(int)      # notebook stem -> cells that ran
_FAILED = set()                # notebooks with a failing cell


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    if not path.endswith(".ipynb"):
        return
    stem = Path(path).stem
    _SECONDS[stem] += report.duration
    if report.when == "call":
        _CELLS[stem] += 1
    if report.failed:
        _FAILED.add(stem)


def _completed():
    return {stem: s for stem, s in _SECONDS.items() if stem not in _FAILED and _CELLS[stem]}


def _offline():
    from cs231n.data_utils import dataset_info
    return not dataset_info().is_cifar10


def pytest_sessionfinish(session):
    done = _completed()
    if not done:
        return
    out = Path(session.config.rootpath) / "build" / "notebook-seconds.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"offline": _offline(),
                               "seconds": {k: round(v, 1) for k, v in sorted(done.items())}}, indent=1) + "\n")


def pytest_terminal_summary(terminalreporter):
    done = _completed()
    if not done:
        return
    from cs231n.grading import course as course_mod
    from cs231n.grading.stored import REPO_ROOT, stated_seconds
    course, offline = course_mod.load(REPO_ROOT), _offline()
    tr = terminalreporter
    tr.section(f"notebook running times ({'offline dataset' if offline else 'CIFAR-10'})")
    off = 0
    for stem, measured in sorted(done.items()):
        stated = stated_seconds(course, stem, offline)
        flag = abs(stated - measured) > 0.5 * measured
        off += flag
        tr.write_line(f"{stem:28s} says about {stated:4d} s, ran in {measured:5.0f} s"
                      + ("   <- more than 50% off" if flag else ""))
    if off:
        tr.write_line("a busy machine runs slower; if the figures are off on a calm one, record them with "
                      "'cs231n execute --record-from build/notebook-seconds.json'")


@pytest.fixture
def notebook_seconds():
    """Seconds each notebook took under nbval in this session, for the notebooks that ran fully."""
    return _completed()
