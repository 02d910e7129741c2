"""The notebooks as stored in notebooks/: what a student sees before running anything.

They must open clean in JupyterLab (nothing it would rewrite), show no machine
(no absolute paths, no user name), show finished progress bars (no live widget
outputs), and say at the top how long they run, with course.toml's figures.
"""
import getpass
from pathlib import Path

import nbformat
import pytest

from cs231n.grading import course as course_mod
from cs231n.grading.stored import (KERNELSPEC, REPO_ROOT, RUNNING_TIME, normalise, problems,
                                   running_time_line)

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("*.ipynb"))
COURSE = course_mod.load(REPO_ROOT)


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 8


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_notebook_shows_no_machine_and_no_live_widgets(path):
    found = problems(nbformat.read(str(path), as_version=4))
    assert not found, f"{path.name} (store it with 'cs231n execute'):\n" + "\n".join(found)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_notebook_is_unchanged_by_reading_and_writing(path):
    raw = path.read_text(encoding="utf-8")
    nb = nbformat.reads(raw, as_version=4)
    normalise(nb)  # what JupyterLab would change on opening it
    assert nbformat.writes(nb) + "\n" == raw, f"{path.name} changes when read and written back"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_states_what_it_covers_and_how_long_it_runs(path):
    first = nbformat.read(str(path), as_version=4).cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert RUNNING_TIME.search(first.source), f"{path.name}: no running-time line in the first cell"
    assert running_time_line(COURSE, path.stem) in first.source, \
        f"{path.name}: the first cell's running time differs from course.toml's [notebooks.{path.stem}]"
    assert COURSE.notebooks[path.stem].get("about"), f"course.toml: [notebooks.{path.stem}] has no 'about'"


def test_every_notebook_belongs_to_an_assignment():
    listed = {nb for a in COURSE.assignments.values() for nb in a.notebooks}
    assert {p.stem for p in NOTEBOOKS} == listed


# ---- the checks themselves ------------------------------------------------

def _nb(outputs, kernelspec=KERNELSPEC):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(kernelspec)
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = outputs
    nb.cells.append(cell)
    return nb


@pytest.mark.parametrize("text", [
    "Dataset: CIFAR-10 from /work/shared/datasets/cifar-10-batches-py",
    "/home/alice/course/cs231n/layers.py:12: RuntimeWarning: overflow",
    "saved to /tmp/tmpab12/checkpoint.npz",
    r"C:\Users\alice\cs231n",
])
def test_problems_finds_absolute_paths(text):
    nb = _nb([nbformat.v4.new_output("stream", name="stdout", text=text)])
    assert any("absolute path" in p for p in problems(nb))


def test_problems_accepts_relative_paths_and_urls():
    text = ("Dataset: CIFAR-10 from datasets/cifar-10-batches-py; see "
            "https://www.cs.toronto.edu/~kriz/cifar.html and $CS231N_DATA_DIR/data_batch_1")
    nb = _nb([nbformat.v4.new_output("stream", name="stdout", text=text)])
    assert problems(nb, user="nobody-in-particular") == []


def test_problems_finds_the_user_name_widgets_and_a_rewritten_kernelspec():
    widget = nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "x", "version_major": 2, "version_minor": 0},
        "text/plain": "training:   0%|          | 0/980"})
    nb = _nb([widget, nbformat.v4.new_output("stream", name="stdout", text="run by alice today")],
             kernelspec={"display_name": "Python 3", "language": "python", "name": "python3"})
    found = " ".join(problems(nb, user="alice"))
    assert "widget" in found and "alice" in found and "kernelspec" in found


def test_user_name_check_uses_this_machine_user():
    assert getpass.getuser()  # problems() defaults to it; root is too common a word to look for


def test_record_running_time_writes_course_toml_and_the_first_cell(tmp_path):
    from cs231n.grading.stored import record_running_time
    toml = (REPO_ROOT / "course.toml").read_text()
    stem = NOTEBOOKS[-1].stem
    section = toml.index(f"[notebooks.{stem}]")
    # drop the offline figure, so that recording it must add the key back in this section
    start = toml.index("seconds_offline = ", section)
    (tmp_path / "course.toml").write_text(toml[:start] + toml[toml.index("\n", start) + 1:])
    (tmp_path / "notebooks").mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title\n\nWhat it covers.")])
    nbformat.write(nb, str(tmp_path / "notebooks" / f"{stem}.ipynb"))

    assert record_running_time(tmp_path, stem, 12.4, offline=False) == ""  # offline figure still missing
    line = record_running_time(tmp_path, stem, 33, offline=True)
    assert "about 10 s" in line and "about 35 s offline" in line
    recorded = course_mod.load(tmp_path).notebooks[stem]
    assert (recorded["seconds"], recorded["seconds_offline"]) == (10, 35)
    text = (tmp_path / "course.toml").read_text()
    after = text[text.index(f"[notebooks.{stem}]"):]
    assert after.index("seconds_offline = 35") < after.index("\n\n")  # inside the section, not below its comments
    first = nbformat.read(str(tmp_path / "notebooks" / f"{stem}.ipynb"), as_version=4).cells[0].source
    assert first.startswith("# Title") and first.endswith(line)
