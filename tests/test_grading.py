"""End-to-end tests of the ``cs231n`` course-staff tool on a generated mini course
(``mini_course.py``): release, check, submit, references, grade and the
Gradescope bundle. Adversarial submissions are in ``test_grading_attacks.py``."""
import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cs231n.grading import cli, nbmeta
from cs231n.grading.release import build_release
from cs231n.grading.limits import Limits
from cs231n.grading.sandbox import Sandbox, _can_unshare_user, is_root
from cs231n.grading.submission import build_submission
from mini_course import (FULL, HIDDEN_POINTS, NB, NB_POINTS, PY, make_course, make_notebook,
                         notebook, py, results, zip_files)

LIMIT_ARGS = ["--cell-timeout", "60", "--notebook-timeout", "180", "--memory-mb", "2000"]
ISOLATION = [pytest.param("user", id="user-of-its-own", marks=pytest.mark.skipif(
                 not is_root(), reason="a user of its own needs root (CI runs as root)")),
             pytest.param("namespaces", id="namespaces", marks=pytest.mark.skipif(
                 not _can_unshare_user(), reason="this kernel does not allow user namespaces")),
             pytest.param("none", id="plain-processes")]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("course") / "repo")
    release = root / "build" / "release"
    build_release(root, release)
    refs = root / "build" / "references"
    assert cli.main(["references", "--repo", str(root), "--out", str(refs), *LIMIT_ARGS]) == 0
    return root, release, refs


# -- release, check, submit --------------------------------------------------------

def test_release_strips_solutions_and_ships_no_hidden_probes(course):
    root, release, _ = course
    files = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
    assert files == {"README.md", "Makefile", "requirements.txt", "setup.py", "pyproject.toml",
                     "datasets/get_datasets.sh", "cs231n/__init__.py",
                     "cs231n/mathops.py", "cs231n/helpers.py", "cs231n/record.py",
                     "cs231n/grading/__init__.py", "cs231n/grading/release_manifest.json",
                     "notebooks/00_demo.ipynb"}
    readme, make = (release / "README.md").read_text(), (release / "Makefile").read_text()
    assert "# mini" not in readme and "make check" in readme and "`cs231n/mathops.py`: `add`, `mul`, `square`" in readme
    assert "\ncheck:" in make and "\nsubmit:" in make and "test" not in make
    assert "pytest" not in (release / "requirements.txt").read_text()
    src = (release / PY).read_text()
    assert "### BEGIN SOLUTION" not in src and "out = a + b" not in src
    assert src.count("raise NotImplementedError") == 3
    nb = nbmeta.read(release / NB)
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")
    graded = [c for c in nb.cells if nbmeta.is_graded(c)]
    assert len(graded) == 4 and all(c.metadata["nbgrader"]["locked"] for c in graded)


def test_references_hold_the_solutions_values_and_probe_outputs(course):
    _, _, refs = course
    manifest = json.loads((refs / "manifest.json").read_text())
    assert manifest["dataset"] in ("offline", "cifar10")
    assert {g: c["points"] for g, c in manifest["notebooks"][NB].items()} == NB_POINTS
    assert sorted(p["name"] for p in manifest["probes"]) == [f"mathops.{n}" for n in sorted(HIDDEN_POINTS)]
    assert sorted(p.name for p in (refs / "notebooks" / "00_demo").iterdir()) == \
        sorted(f"{g}.npz" for g in NB_POINTS)


def test_check_prints_a_table_of_graded_cells_and_warns_about_edited_checks(course, capsys, tmp_path):
    root, release, _ = course
    student = tmp_path / "student"
    shutil.copytree(release, student)
    nb = nbmeta.read(student / NB)
    nb.cells[3].source = "pass"
    nbmeta.write(nb, student / NB)
    assert cli.main(["check", "00_demo", "--root", str(student), *LIMIT_ARGS]) == 1
    out = capsys.readouterr().out
    assert "check 'check_add' was edited" in out
    assert "check_mul" in out and "NotImplementedError: TODO (cs231n/mathops.py, mul)" in out
    # check_k fails because the stubbed cell above it raised: the root cause is named.
    assert ("AssertionError: k should be 3 (the first failure above it: cell 3 (k_choice) raised "
            "NotImplementedError: TODO (00_demo.ipynb, k_choice)") in out
    assert "2 / 7 points from the public checks" in out  # the edited check passes here only
    assert cli.main(["check", "00_demo.ipynb", "--root", str(student), "--save", *LIMIT_ARGS]) == 1
    assert nbmeta.was_executed(nbmeta.read(student / NB))


def test_submit_refuses_missing_or_unexecuted_and_lists_what_it_included(course, tmp_path, capsys):
    root, release, _ = course
    student = tmp_path / "student"
    shutil.copytree(release, student)
    assert cli.main(["submit", "--root", str(student), "--out", str(tmp_path / "s.zip")]) == 1
    assert f"{NB}: was never executed" in capsys.readouterr().err
    assert cli.main(["submit", "--root", str(student), "--out", str(tmp_path / "p.zip"), "--partial"]) == 0
    assert f"warning: {NB}: was never executed" in capsys.readouterr().out
    shutil.copy(root / NB, student / "notebooks")
    assert cli.main(["submit", "--root", str(student), "--out", str(tmp_path / "s.zip")]) == 0
    with zipfile.ZipFile(tmp_path / "s.zip") as zf:
        assert sorted(zf.namelist()) == [PY, NB]


# -- grading ---------------------------------------------------------------------

def _class(root: Path, release: Path, folder: Path) -> dict:
    """Honest submissions: name -> expected score."""
    folder.mkdir()
    build_submission(root, folder / "solution.zip")
    expected = {"solution": FULL}
    zip_files(folder / "untouched.zip", {NB: (release / NB).read_text(), PY: (release / PY).read_text()})
    expected["untouched"] = 0
    partial = (release / PY).read_text().replace(
        "raise NotImplementedError('TODO (cs231n/mathops.py, add): Return a + b.')", "out = a + b")
    assert partial != (release / PY).read_text()
    zip_files(folder / "partial.zip", {NB: notebook(), PY: partial})
    expected["partial"] = NB_POINTS["check_add"] + NB_POINTS["check_k"] + HIDDEN_POINTS["add"]
    # Only the notebook: the package stays the release's stubs.
    zip_files(folder / "notebook_only.zip", {"00_demo.ipynb": notebook()})
    expected["notebook_only"] = NB_POINTS["check_k"]
    # Right in the notebook's cases, wrong in general: the probes catch it.
    zip_files(folder / "special_cases.zip", {NB: notebook(), PY: py(add="a * 0 + 3.75")})
    expected["special_cases"] = FULL - HIDDEN_POINTS["add"]
    return expected


@pytest.mark.parametrize("isolate", ISOLATION)
def test_grade_a_class_gives_full_marks_zero_and_exactly_the_parts_done(course, tmp_path, isolate):
    root, release, refs = course
    expected = _class(root, release, tmp_path / "class")
    out = tmp_path / "grades"
    args = ["grade", str(tmp_path / "class"), "--repo", str(root), "--release", str(release),
            "--references", str(refs), "--out", str(out), "--jobs", "2", *LIMIT_ARGS]
    assert cli.main(args + ["--sandbox", isolate]) == 0
    scores = {name: results(out / name / "results.json")["score"] for name in expected}
    assert scores == expected
    for name in expected:
        res = results(out / name / "results.json")
        assert sum(t["max_score"] for t in res["tests"]) == FULL
        assert all(set(t) >= {"name", "score", "max_score", "output", "visibility"} for t in res["tests"])
    rows = {r["submission"]: r for r in csv.DictReader((out / "summary.csv").open())}
    assert rows["partial"]["00_demo.ipynb: check_add"] == "2"
    assert rows["partial"]["00_demo.ipynb: check_mul"] == "0"
    special = results(out / "special_cases" / "results.json")
    add = next(t for t in special["tests"] if t["name"] == "hidden: mathops.add")
    assert add["output"].startswith("failed: out: largest relative error")


def test_grade_builds_release_and_references_when_not_given(course, tmp_path):
    root, _, _ = course
    sub = tmp_path / "submission"
    (sub / "notebooks").mkdir(parents=True)
    (sub / "cs231n").mkdir()
    nbmeta.write(make_notebook(), sub / NB)
    (sub / PY).write_text(py(square="x + x"))
    (sub / "cs231n" / "helpers.py").write_text("raise SystemExit('not allowed to change this')\n")
    out = tmp_path / "res" / "results.json"
    assert cli.main(["grade", str(sub), "--repo", str(root), "--out", str(out), *LIMIT_ARGS]) == 0
    res = results(out)
    assert res["score"] == FULL - NB_POINTS["check_square"] - HIDDEN_POINTS["square"]
    report = (tmp_path / "res" / "results_report.txt").read_text()
    assert "check_square      0 / 1    failed: no values recorded" in report
    assert "(the check cell raised an error in the grader's run)" in report


def test_require_isolation_refuses_to_grade_as_an_ordinary_user(course, tmp_path, capsys):
    root, release, refs = course
    args = ["grade", str(root), "--repo", str(root), "--release", str(release), "--references",
            str(refs), "--out", str(tmp_path / "r.json"), "--require-isolation", "--no-isolation"]
    assert cli.main(args) == 2
    assert "refused" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


# -- Gradescope ------------------------------------------------------------------------

@pytest.mark.skipif(not is_root(), reason="the bundle grades as root, like Gradescope (CI runs as root)")
def test_autograder_bundle_grades_in_gradescopes_layout_as_root(course, tmp_path):
    root, release, _ = course
    bundle = tmp_path / "autograder.zip"
    assert cli.main(["autograder", "--repo", str(root), "--out", str(bundle), *LIMIT_ARGS]) == 0
    ag = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        zf.extractall(ag / "source")
    assert {"setup.sh", "run_autograder", "requirements-grader.txt", "cs231n/mathops.py",
            "release/notebooks/00_demo.ipynb", "references/manifest.json"} <= names
    assert not any(n.startswith("tests/") or n.endswith(".so") or "cifar-10" in n for n in names)
    req = (ag / "source" / "requirements-grader.txt").read_text()
    assert "jupyterlab" not in req and "pytest" not in req
    env = dict(os.environ, AUTOGRADER_ROOT=str(ag), AUTOGRADER_PYTHON=sys.executable)
    for f in ("setup.sh", "run_autograder"):
        os.chmod(ag / "source" / f, 0o755)
    setup = subprocess.run(["bash", str(ag / "source" / "setup.sh")], env=env, capture_output=True, text=True)
    assert setup.returncode == 0, setup.stderr
    scores = {}
    for name, files in {"solution": {NB: (root / NB).read_text(), PY: (root / PY).read_text()},
                        "untouched": {NB: (release / NB).read_text(), PY: (release / PY).read_text()}}.items():
        sub = ag / "submission"
        shutil.rmtree(sub, ignore_errors=True)
        for rel, text in files.items():
            (sub / rel).parent.mkdir(parents=True, exist_ok=True)
            (sub / rel).write_text(text)
        shutil.rmtree(ag / "results", ignore_errors=True)
        subprocess.run(["bash", str(ag / "source" / "run_autograder")], env=env, check=True,
                       capture_output=True, timeout=600)
        scores[name] = results(ag / "results" / "results.json")["score"]
    assert scores == {"solution": FULL, "untouched": 0}
    mode = (ag / "source").stat().st_mode
    assert mode & 0o077 == 0, "the solution, references and grader must be root's alone"
    # As in a container that allows no private mounts: the student user, by file
    # permissions alone, can read none of the solution, the references or the probes.
    box = Sandbox(Limits(memory_mb=2000), slot=7)
    box.mounts_ok = False
    try:
        targets = [ag / "source" / PY, ag / "source" / "references" / "manifest.json",
                   ag / "source" / "cs231n" / "grading" / "grade.py", ag / "source" / "course.toml"]
        probe = 'for f; do head -c1 "$f" >/dev/null 2>&1 && echo "READ $f"; done; echo done'
        run = box.run(["/bin/sh", "-c", probe, "sh", *map(str, targets)], timeout=60)
        assert b"done" in run.stdout  # the probe ran as the student user
        assert run.returncode == 0 and b"READ" not in run.stdout, run.stdout
    finally:
        box.close()


@pytest.mark.skipif(not is_root(), reason="the bundle grades as root, like Gradescope (CI runs as root)")
def test_autograder_bundle_with_cifar10_packs_it_and_grades_on_it(course, tmp_path):
    root, release, _ = course
    data = tmp_path / "cifar-10-batches-py"
    data.mkdir()
    (data / "batches.meta").write_bytes(b"stand-in")  # the mini course reads no data
    bundle = tmp_path / "a.zip"
    assert cli.main(["autograder", "--repo", str(root), "--out", str(bundle), "--cifar10", str(data),
                     *LIMIT_ARGS]) == 0
    ag = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(ag / "source")
        manifest = json.loads(zf.read("references/manifest.json"))
    assert manifest["dataset"] == "cifar10"
    env = dict(os.environ, AUTOGRADER_ROOT=str(ag), AUTOGRADER_PYTHON=sys.executable)
    env.pop("CS231N_DATA_DIR", None)
    setup = subprocess.run(["bash", str(ag / "source" / "setup.sh")], env=env, capture_output=True, text=True)
    assert setup.returncode == 0, setup.stderr
    assert (ag / "data" / "cifar-10-batches-py" / "batches.meta").is_file()
    for rel in (NB, PY):
        (ag / "submission" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / rel, ag / "submission" / rel)
    subprocess.run(["bash", str(ag / "source" / "run_autograder")], env=env, check=True,
                   capture_output=True, timeout=600)
    assert results(ag / "results" / "results.json")["score"] == FULL


def test_release_lint_refuses_names_only_a_stripped_region_defines(tmp_path, capsys):
    root = make_course(tmp_path / "repo")
    nb = make_notebook()
    # The solution cell defines k only inside its region, and a new cell uses it.
    nb.cells[2].source = "k = None\n### BEGIN SOLUTION\nk = 3\nextra = {'a': 1}\n### END SOLUTION\nprint(k)"
    nb.cells.insert(3, nbformat_code("print(extra['a'])"))
    nbmeta.write(nb, root / NB)
    assert cli.main(["release", "--repo", str(root), "--out", str(tmp_path / "rel")]) == 1
    err = capsys.readouterr().err
    assert "cell 4 uses extra, which only the TODO region of cell 3 defines" in err
    assert "uses k" not in err  # k has its skeleton above the region
    assert not (tmp_path / "rel").exists()
    nb.cells[2].source = "extra = {'a': None}  # skeleton\n" + nb.cells[2].source
    nbmeta.write(nb, root / NB)
    assert cli.main(["release", "--repo", str(root), "--out", str(tmp_path / "rel")]) == 0


def nbformat_code(src):
    import nbformat
    return nbformat.v4.new_code_cell(src)


def test_a_student_works_through_the_release_and_check_and_grade_agree_at_every_step(course, tmp_path, capsys):
    from mini_course import fill
    root, release, refs = course
    student = tmp_path / "student"
    shutil.copytree(release, student)
    steps = [(set(), 0), ({"add"}, 2), ({"add", "mul"}, 5), ({"add", "mul", "square"}, 6),
             ({"add", "mul", "square", "k_choice"}, 7)]
    for done, points in steps:
        fill(root, student, done)
        cli.main(["check", "--root", str(student), "--save", *LIMIT_ARGS])
        out = capsys.readouterr().out
        assert f"\n{points:g} / 7 points from the public checks" in out, (done, out)
        if not done:  # every failing row of the untouched release names a root cause
            rows = [ln for ln in out.splitlines() if "FAIL" in ln]
            assert len(rows) == 4 and all("NotImplementedError: TODO (" in ln for ln in rows), rows
    assert cli.main(["submit", "--root", str(student), "--out", str(tmp_path / "s.zip")]) == 0
    assert cli.main(["grade", str(tmp_path / "s.zip"), "--repo", str(root), "--release", str(release),
                     "--references", str(refs), "--out", str(tmp_path / "r.json"), *LIMIT_ARGS]) == 0
    assert results(tmp_path / "r.json")["score"] == FULL
