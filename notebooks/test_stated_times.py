"""Each notebook's stated running time agrees with the time nbval just measured,
relative to the other notebooks of the same run.

Collected after the notebooks (pytest collects a folder in name order), so the
times of this run are there. Not a timed test: a machine that is twice as slow
as the one the statements were measured on makes every notebook twice as slow,
so each notebook's measured / stated ratio is compared with the median ratio
of the run, and the test fails only when one notebook is off the others by
more than a factor of 3 (10 s of slack, scaled alike, for starting a
kernel). A notebook that grew without its statement stands out; a busy machine
does not. Skips when fewer than three notebooks ran. The end of the run prints
every notebook's figures and marks those more than 50% off
(``notebooks/conftest.py``); ``cs231n execute --record-from
build/notebook-seconds.json`` records new ones.
"""
import statistics

import pytest

from cs231n.data_utils import dataset_info
from cs231n.grading import course as course_mod
from cs231n.grading.stored import REPO_ROOT, stated_seconds

FACTOR, SLACK = 3.0, 10.0


def off_the_others(measured, stated):
    """Notebooks whose measured / stated ratio is off the run's median ratio by more than FACTOR."""
    speed = statistics.median(measured[s] / stated[s] for s in measured)   # this machine, this run
    return [s for s in sorted(measured)
            if measured[s] > FACTOR * speed * stated[s] + SLACK * speed
            or speed * stated[s] > FACTOR * measured[s] + SLACK * speed]


def test_off_the_others_ignores_a_slow_machine_and_finds_a_grown_notebook():
    stated = {"a": 40, "b": 60, "c": 10, "d": 150}
    assert off_the_others({s: 3 * t for s, t in stated.items()}, stated) == []
    assert off_the_others({"a": 40, "b": 60, "c": 10, "d": 600}, stated) == ["d"]
    assert off_the_others({"a": 40, "b": 60, "c": 14, "d": 150}, stated) == []   # a kernel's start-up


def test_each_notebook_runs_about_as_long_as_it_says(notebook_seconds):
    if len(notebook_seconds) < 3:
        pytest.skip("fewer than three notebooks ran under nbval in this session")
    course, offline = course_mod.load(REPO_ROOT), not dataset_info().is_cifar10
    stated = {stem: stated_seconds(course, stem, offline) for stem in notebook_seconds}
    wrong = off_the_others(notebook_seconds, stated)
    assert not wrong, ("these notebooks' running times are off the others' (update course.toml and the "
                       "first cell: 'cs231n execute --record-time', or --record-from "
                       "build/notebook-seconds.json):\n" + "\n".join(
                           f"{s}: says about {stated[s]} s, ran in {notebook_seconds[s]:.0f} s" for s in wrong))
