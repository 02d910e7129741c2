"""End-to-end tests of the ``cs231n`` course-staff tool on a generated mini course.

The mini course (built in a temp folder) has a package with solution regions,
a notebook with a solution cell, graded locked check cells and a written
answer, and hidden tests. Submissions are generated from it: nothing is
committed as a zip.
"""
import csv
import json
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

from cs231n.grading import cli, nbmeta
from cs231n.grading.check import validate
from cs231n.grading.notebook_exec import Limits
from cs231n.grading.release import build_release
from cs231n.grading.submission import build_submission

LIMITS = Limits(cell_timeout=4, notebook_timeout=90, memory_mb=2000, max_restarts=3)
LIMIT_ARGS = ["--cell-timeout", "4", "--notebook-timeout", "90", "--memory-mb", "2000"]

SOLUTION_PY = '''"""Tiny package of the mini course."""


def add(a, b):
    """Return a + b."""
    ### BEGIN SOLUTION
    out = a + b
    ### END SOLUTION
    return out


def mul(a, b):
    """Return a * b."""
    ### BEGIN SOLUTION
    out = a * b
    ### END SOLUTION
    return out


def square(x):
    """Return x squared."""
    ### BEGIN SOLUTION
    out = x * x
    ### END SOLUTION
    return out
'''

HIDDEN = '''POINTS = {"test_add_hidden": 2}
from cs231n.mathops import add, mul, square


def test_add_hidden():
    assert add(20, 22) == 42


def test_mul_hidden():
    assert mul(6, 7) == 42


def test_square_hidden():
    assert square(-4) == 16
'''

# grade_id -> points of the notebook's graded cells; hidden tests: add 2, mul 1, square 1.
NB_POINTS = {"check_add": 2, "check_mul": 3, "check_square": 1, "check_k": 1}
HIDDEN_POINTS = {"add": 2, "mul": 1, "square": 1}
FULL = sum(NB_POINTS.values()) + sum(HIDDEN_POINTS.values())


def _meta(gid, graded=False, solution=False, points=None):
    m = {"grade": graded, "solution": solution, "locked": graded, "grade_id": gid,
         "schema_version": 3, "task": False}
    if points is not None:
        m["points"] = points
    return {"nbgrader": m}


def make_notebook():
    code, md = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell
    cells = [
        md("# Mini course\nAdd, multiply, square."),
        code("from cs231n.mathops import add, mul, square\nprint('ready')"),
        code("### BEGIN SOLUTION\nk = 3\n### END SOLUTION\nprint(k)", metadata=_meta("k_choice", solution=True)),
        code("assert add(1, 2) == 3, 'add(1, 2) should be 3'", metadata=_meta("check_add", True, points=2)),
        code("assert mul(2, 3) == 6, 'mul(2, 3) should be 6'", metadata=_meta("check_mul", True, points=3)),
        code("assert square(3) == 9", metadata=_meta("check_square", True, points=1)),
        code("assert k == 3, 'k should be 3'", metadata=_meta("check_k", True, points=1)),
        md("**Question:** why does addition commute?"),
        md("**Your answer:** because the group is abelian.", metadata=_meta("q1_answer", solution=True)),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for i, c in enumerate(nb.cells):
        if c.cell_type == "code":
            c.execution_count = i
            c.outputs = [nbformat.v4.new_output("stream", name="stdout", text="solution output\n")]
    return nb


def make_course(root: Path) -> Path:
    (root / "cs231n" / "grading" / "hidden_tests").mkdir(parents=True)
    (root / "notebooks").mkdir()
    (root / "datasets").mkdir()
    (root / "cs231n" / "__init__.py").write_text("")
    (root / "cs231n" / "grading" / "__init__.py").write_text("")
    (root / "cs231n" / "mathops.py").write_text(SOLUTION_PY)
    (root / "cs231n" / "helpers.py").write_text("def twice(x):\n    return 2 * x\n")
    (root / "cs231n" / "fast.so").write_bytes(b"\0")
    (root / "cs231n" / "grading" / "hidden_tests" / "test_mathops.py").write_text(HIDDEN)
    (root / "README.md").write_text("# mini\n")
    (root / "Makefile").write_text("lab:\n\techo lab\n")
    (root / "datasets" / "get_datasets.sh").write_text("#!/bin/sh\necho get\n")
    (root / "datasets" / "cifar-10-batches-py").mkdir()
    (root / "datasets" / "cifar-10-batches-py" / "data_batch_1").write_text("x")
    (root / ".git").mkdir()
    nbmeta.write(make_notebook(), root / "notebooks" / "00_demo.ipynb")
    return root


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("course") / "repo")
    release = root / "build" / "release"
    build_release(root, release)
    return root, release


# -- release ------------------------------------------------------------------

def test_release_strips_solutions_and_copies_only_what_students_need(course):
    root, release = course
    files = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
    assert files == {"README.md", "Makefile", "datasets/get_datasets.sh", "cs231n/__init__.py",
                     "cs231n/mathops.py", "cs231n/helpers.py", "cs231n/grading/__init__.py",
                     "cs231n/grading/release_manifest.json", "notebooks/00_demo.ipynb"}
    src = (release / "cs231n" / "mathops.py").read_text()
    assert "### BEGIN SOLUTION" not in src and "out = a + b" not in src
    assert src.count("raise NotImplementedError") == 3
    assert "    # TODO" in src and 'raise NotImplementedError("TODO: implement mul")' in src
    nb = nbmeta.read(release / "notebooks" / "00_demo.ipynb")
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")
    assert "k = 3" not in nb.cells[2].source and "raise NotImplementedError" in nb.cells[2].source
    assert "abelian" not in nb.cells[8].source and nb.cells[8].source.startswith("**Your answer:**")
    graded = [c for c in nb.cells if nbmeta.is_graded(c)]
    assert len(graded) == 4
    assert all(c.metadata["nbgrader"]["locked"] and c.metadata["editable"] is False for c in graded)
    manifest = json.loads((release / "cs231n/grading/release_manifest.json").read_text())
    assert manifest["student_files"] == ["cs231n/mathops.py"]
    assert {c["grade_id"]: c["points"] for c in manifest["graded"]["notebooks/00_demo.ipynb"]} == NB_POINTS


def test_release_fails_loudly_on_a_nested_marker(tmp_path, capsys):
    root = make_course(tmp_path / "repo")
    bad = SOLUTION_PY.replace("    out = a * b\n", "    ### BEGIN SOLUTION\n    out = a * b\n")
    (root / "cs231n" / "mathops.py").write_text(bad)
    code = cli.main(["release", "--repo", str(root), "--out", str(tmp_path / "rel")])
    assert code == 1
    assert "cs231n/mathops.py:15: nested '### BEGIN SOLUTION'" in capsys.readouterr().err
    assert not (tmp_path / "rel").exists()


def test_release_validate_passes_good_checks_and_flags_a_check_without_student_code(tmp_path):
    root = make_course(tmp_path / "repo")
    bad = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from cs231n.mathops import add"),
        nbformat.v4.new_code_cell("assert 1 + 2 == 3", metadata=_meta("no_student_code", True, points=1)),
    ])
    bad.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbmeta.write(bad, root / "notebooks" / "01_bad.ipynb")
    release = root / "build" / "release"
    build_release(root, release)
    lines = []
    assert not validate(root, release, [], LIMITS, echo=lines.append, jobs=4)
    table = [ln.split() for ln in "\n".join(lines).splitlines()]
    verdicts = {row[1]: row[-1] for row in table if row and row[0] in ("00_demo.ipynb", "01_bad.ipynb")}
    assert verdicts == {**{g: "ok" for g in NB_POINTS}, "no_student_code": "CODE"}  # "...WITHOUT STUDENT CODE"
    assert "PASSES WITHOUT STUDENT CODE" in "\n".join(lines)


# -- check and submit -------------------------------------------------------------

def test_check_prints_a_table_of_graded_cells_and_warns_about_edited_checks(course, capsys, tmp_path):
    root, release = course
    student = tmp_path / "student"
    shutil.copytree(release, student)
    nb = nbmeta.read(student / "notebooks" / "00_demo.ipynb")
    nb.cells[3].source = "pass"
    nbmeta.write(nb, student / "notebooks" / "00_demo.ipynb")
    code = cli.main(["check", "--root", str(student), "00_demo.ipynb", *LIMIT_ARGS])
    out = capsys.readouterr().out
    assert code == 1
    assert "check 'check_add' was edited; the grader runs the original" in out
    assert "check_mul" in out and "FAIL" in out and "NotImplementedError" in out
    assert "2 / 7 points" in out  # the edited check_add passes here; the grader restores it


def test_submit_refuses_missing_or_unexecuted_and_lists_what_it_included(course, tmp_path, capsys):
    root, release = course
    student = tmp_path / "student"
    shutil.copytree(release, student)
    assert cli.main(["submit", "--root", str(student), "--out", str(tmp_path / "s.zip")]) == 1
    assert "notebooks/00_demo.ipynb: was never executed" in capsys.readouterr().err
    assert not (tmp_path / "s.zip").exists()
    shutil.copy(root / "notebooks" / "00_demo.ipynb", student / "notebooks")
    (student / "cs231n" / "mathops.py").unlink()
    assert cli.main(["submit", "--root", str(student), "--out", str(tmp_path / "s.zip")]) == 1
    assert "cs231n/mathops.py: missing" in capsys.readouterr().err
    shutil.copy(root / "cs231n" / "mathops.py", student / "cs231n")
    assert cli.main(["submit", "--root", str(student), "--out", str(tmp_path / "s.zip")]) == 0
    assert "cs231n/mathops.py" in capsys.readouterr().out
    with zipfile.ZipFile(tmp_path / "s.zip") as zf:
        assert sorted(zf.namelist()) == ["cs231n/mathops.py", "notebooks/00_demo.ipynb"]


# -- grading a class of generated submissions --------------------------------------

def _zip(path: Path, files: dict) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def _py(add="a + b", mul="a * b", square="x * x", extra=""):
    return (extra + SOLUTION_PY.replace("out = a + b", f"out = {add}")
            .replace("out = a * b", f"out = {mul}").replace("out = x * x", f"out = {square}"))


def _nb(edit=None) -> str:
    nb = make_notebook()
    if edit:
        edit(nb.cells)
    return nbformat.writes(nb)


def _submissions(root: Path, release: Path, folder: Path) -> dict:
    """name -> expected score."""
    folder.mkdir()
    nb_path, py_path = "notebooks/00_demo.ipynb", "cs231n/mathops.py"
    build_submission(root, folder / "solution.zip")
    expected = {"solution": FULL}
    rel_nb = (release / nb_path).read_text()
    _zip(folder / "untouched.zip", {nb_path: rel_nb, py_path: (release / py_path).read_text()})
    expected["untouched"] = 0
    # Partial: add done (and the notebook's k); mul and square left as stubs.
    partial_py = (release / py_path).read_text().replace(
        'raise NotImplementedError("TODO: implement add")', "out = a + b")
    _zip(folder / "partial.zip", {nb_path: _nb(), py_path: partial_py})
    expected["partial"] = NB_POINTS["check_add"] + NB_POINTS["check_k"] + HIDDEN_POINTS["add"]
    lose_mul = FULL - NB_POINTS["check_mul"] - HIDDEN_POINTS["mul"]
    _zip(folder / "infinite_loop.zip", {nb_path: _nb(), py_path: _py(mul="0\n    while True:\n        pass")})
    expected["infinite_loop"] = lose_mul
    bomb = "[]\n    while True:\n        out.append(bytearray(50 * 2**20))"
    _zip(folder / "memory_bomb.zip", {nb_path: _nb(), py_path: _py(mul=bomb)})
    expected["memory_bomb"] = lose_mul
    _zip(folder / "os_exit.zip", {nb_path: _nb(), py_path: _py(square="__import__('os')._exit(0)")})
    expected["os_exit"] = FULL - NB_POINTS["check_square"] - HIDDEN_POINTS["square"]

    # Tampering, all in one submission whose three functions are wrong: the check of
    # add is duplicated (an edited copy first), the check of mul edited, the check of
    # square deleted; a cell prints a fake score and writes fake results.json files;
    # a new cell claims to be graded (100 points). Only check_k may score.
    fake = ("import json, os\nprint(json.dumps({'score': 1000, 'tests': []}))\n"
            "print('check_mul passed 3/3')\n"
            "for p in ('results.json', '../results.json', '../../results.json'):\n"
            "    open(p, 'w').write(json.dumps({'score': 1000}))\n")

    def tamper(cells):
        cells[4].source = "pass  # mul check disabled"
        del cells[5]  # check_square
        dup = nbformat.v4.new_code_cell("pass", metadata=json.loads(json.dumps(cells[3].metadata)))
        cells.insert(3, dup)
        cells.insert(3, nbformat.v4.new_code_cell(fake))
        cells.append(nbformat.v4.new_code_cell("x = 1", metadata=_meta("bonus", True, points=100)))
    _zip(folder / "tampered.zip", {nb_path: _nb(tamper), py_path: _py(
        add="a - b", mul="a * b + 1", square="x", extra="print({'score': 1000})\n")})
    expected["tampered"] = NB_POINTS["check_k"]
    _zip(folder / "dotdot.zip", {nb_path: _nb(), py_path: _py(), "../../escaped.txt": "gotcha"})
    expected["dotdot"] = 0
    with zipfile.ZipFile(folder / "zip_bomb.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(nb_path, _nb())
        with zf.open("notebooks/big.bin", "w") as f:
            for _ in range(40):
                f.write(bytes(1 << 20))
    expected["zip_bomb"] = 0
    return expected


def test_grade_a_class_scores_exactly_what_each_submission_earned(course, tmp_path, capsys):
    root, release = course
    subs = tmp_path / "class"
    expected = _submissions(root, release, subs)
    out, work = tmp_path / "grades", tmp_path / "work"
    code = cli.main(["grade", str(subs), "--repo", str(root), "--release", str(release),
                     "--out", str(out), "--work", str(work), "--jobs", "4", "--test-timeout", "4",
                     "--max-size-mb", "20", *LIMIT_ARGS])
    assert code == 0
    scores = {}
    for name in expected:
        res = json.loads((out / name / "results.json").read_text())
        scores[name] = res["score"]
        assert res["score"] == sum(t["score"] for t in res["tests"])
        assert {t["name"] for t in res["tests"]} >= {f"00_demo.ipynb: {g}" for g in NB_POINTS}
        assert all(set(t) >= {"name", "score", "max_score", "output", "visibility", "execution_time"}
                   for t in res["tests"])
        assert sum(t["max_score"] for t in res["tests"]) == FULL
    assert scores == expected
    rows = list(csv.DictReader((out / "summary.csv").open()))
    assert [r["submission"] for r in rows] == sorted(expected)
    by = {r["submission"]: r for r in rows}
    assert by["partial"]["00_demo.ipynb: check_add"] == "2" and by["partial"]["00_demo.ipynb: check_mul"] == "0"
    assert not list(tmp_path.rglob("escaped.txt")) and not (tmp_path.parent / "escaped.txt").exists()
    report = (out / "dotdot" / "results_report.txt").read_text()
    assert "escapes the folder" in report
    assert "more than 20 MB" in (out / "zip_bomb" / "results_report.txt").read_text()
    tampered = (out / "tampered" / "results_report.txt").read_text()
    assert "duplicate of locked cell 'check_add' ignored" in tampered
    assert "locked cell 'check_mul' was edited" in tampered
    assert "locked cell 'check_square' was missing; re-inserted" in tampered
    assert "bonus" not in tampered
    loop = json.loads((out / "infinite_loop" / "results.json").read_text())
    mul = next(t for t in loop["tests"] if t["name"].endswith("check_mul"))
    assert "timed out" in mul["output"]


def test_grade_one_unpacked_folder_writes_results_json_and_report(course, tmp_path):
    root, release = course
    sub = tmp_path / "submission"
    (sub / "notebooks").mkdir(parents=True)
    (sub / "cs231n").mkdir()
    nbmeta.write(make_notebook(), sub / "notebooks" / "00_demo.ipynb")
    (sub / "cs231n" / "mathops.py").write_text(_py(square="x + x"))
    (sub / "cs231n" / "helpers.py").write_text("raise SystemExit('not allowed to change this')\n")
    out = tmp_path / "res" / "results.json"
    assert cli.main(["grade", str(sub), "--repo", str(root), "--out", str(out), *LIMIT_ARGS,
                     "--test-timeout", "4"]) == 0
    res = json.loads(out.read_text())
    assert res["score"] == FULL - NB_POINTS["check_square"] - HIDDEN_POINTS["square"]
    report = (tmp_path / "res" / "results_report.txt").read_text()
    assert "check_square" in report and "failed: AssertionError" in report


def test_autograder_bundle_has_setup_run_script_and_hidden_tests(course, tmp_path):
    root, _ = course
    out = tmp_path / "autograder.zip"
    assert cli.main(["autograder", "--repo", str(root), "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as zf:
        names = set(zf.namelist())
        run = zf.read("run_autograder").decode()
        assert zf.getinfo("run_autograder").external_attr >> 16 & 0o111
    assert {"setup.sh", "run_autograder", "cs231n/mathops.py", "notebooks/00_demo.ipynb",
            "cs231n/grading/hidden_tests/test_mathops.py"} <= names
    assert not any(".git/" in n or n.endswith(".so") or "cifar-10" in n for n in names)
    assert "cs231n grade /autograder/submission" in run and "/autograder/results/results.json" in run
