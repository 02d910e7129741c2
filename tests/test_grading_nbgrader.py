"""nbgrader itself on a course written by ``cs231n release --nbgrader``: generate,
validate and autograde give the solution full marks and the stubs none.

nbgrader is an optional test dependency (requirements.txt installs it)."""
import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cs231n.grading import cli, nbmeta
from mini_course import NB, NB_POINTS, PY, make_course

pytest.importorskip("nbgrader", reason="nbgrader is an optional test dependency")
ENV = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")


def _nbgrader(course: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.executable).parent / "nbgrader"), *args], cwd=course, env=ENV,
                          capture_output=True, text=True, timeout=600)


def test_nbgrader_generates_validates_and_autogrades_the_released_course(tmp_path):
    repo = make_course(tmp_path / "repo")
    course = tmp_path / "nbgrader"
    assert cli.main(["release", "--repo", str(repo), "--out", str(tmp_path / "release"),
                     "--nbgrader", str(course)]) == 0
    gen = _nbgrader(course, "generate_assignment", "assignment", "--force")
    assert gen.returncode == 0, gen.stderr
    released = course / "release" / "assignment"
    assert (released / "00_demo.ipynb").is_file() and (released / PY).is_file()
    assert "raise NotImplementedError" in (released / PY).read_text()  # the package ships as stubs
    assert not (released / "tests").exists()

    # validate: the solution notebook passes with the solution package, the released one fails.
    env = dict(ENV, PYTHONPATH=str(repo))
    ok = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "validate", str(repo / NB)],
                        cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert "Success" in ok.stdout, ok.stdout + ok.stderr
    bad = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "validate",
                          str(released / "00_demo.ipynb")], cwd=released, env=ENV,
                         capture_output=True, text=True, timeout=300)
    assert "Success" not in bad.stdout

    # autograde: a student with the solution and a student who changed nothing.
    solution_nb = nbmeta.read(repo / NB)
    for student, solved in (("solver", True), ("idle", False)):
        sub = course / "submitted" / student / "assignment"
        shutil.copytree(released, sub)
        if solved:
            nb = nbmeta.read(released / "00_demo.ipynb")
            for cell, sol in zip(nb.cells, solution_nb.cells):
                if nbmeta.is_solution(cell) and cell.cell_type == "code":
                    cell.source = "\n".join(ln for ln in sol.source.splitlines()
                                            if not ln.strip().startswith("### "))
            nbmeta.write(nb, sub / "00_demo.ipynb")
            (sub / PY).write_text((repo / PY).read_text())
    auto = _nbgrader(course, "autograde", "assignment", "--force")
    assert auto.returncode == 0, auto.stderr
    assert _nbgrader(course, "export").returncode == 0
    rows = {r["student_id"]: r for r in csv.DictReader((course / "grades.csv").open())}
    assert float(rows["solver"]["score"]) == sum(NB_POINTS.values())
    assert float(rows["idle"]["score"]) == 0
    # The student's package was graded, not overwritten by the stubs of source/.
    graded_py = course / "autograded" / "solver" / "assignment" / PY
    assert "out = a + b" in graded_py.read_text() and "NotImplementedError" not in graded_py.read_text()
