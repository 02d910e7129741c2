"""Grade submissions: rebuild each one on top of the release and run it under limits.

For one submission, inside its own work folder:

1. unpack it safely (``submission.unpack``); a refused zip scores 0 with the reason;
2. copy the release, then copy in only the files a student may change (the
   notebooks and the package files that have TODO regions in the release);
3. restore every locked cell from the release (``restore.restore_notebook``);
4. build the compiled extension if the student may change it (else reuse the
   grader's build), under the same limits;
5. execute each notebook in its own process (``notebook_exec``);
6. run the hidden tests against the submitted package (``hidden``);
7. score: a graded cell earns its points when the grader saw it execute
   without raising; a hidden test earns its points when it completed.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import hidden, nbmeta
from .notebook_exec import Limits, kernel_env, run_in_subprocess
from .release import load_manifest, student_files_of
from .restore import restore_notebook
from .submission import MAX_BYTES, SubmissionError, unpack


@dataclass
class Options:
    release: Path  # the student version (built from the repository)
    repo: Path | None = None  # the solution, for reusing its compiled extension
    hidden_tests: Path | None = None
    limits: Limits = field(default_factory=Limits)
    test_timeout: float = 120.0
    max_bytes: int = MAX_BYTES
    keep_executed: bool = True


@dataclass
class TestScore:
    name: str
    score: float
    max_score: float
    output: str
    visibility: str = "visible"
    execution_time: float = 0.0


@dataclass
class GradeResult:
    name: str
    tests: list[TestScore] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    rejected: str = ""

    @property
    def score(self) -> float:
        return sum(t.score for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.max_score for t in self.tests)


def expected_tests(opts: Options) -> list[TestScore]:
    """Every gradable item at zero: what a refused or broken submission gets."""
    m = load_manifest(opts.release) or {}
    tests = []
    for nb, cells in m.get("graded", {}).items():
        for c in cells:
            tests.append(TestScore(f"{Path(nb).name}: {c['grade_id']}", 0.0, c["points"],
                                   "not graded"))
    for t in hidden.discover(opts.hidden_tests) if opts.hidden_tests else []:
        tests.append(TestScore(t.label, 0.0, t.points, "not graded", "after_due_date"))
    return tests


def grade_submission(submission: Path, work: Path, opts: Options, name: str | None = None) -> GradeResult:
    """Grade one submission (zip or folder) using ``work`` as its only scratch space."""
    t0 = time.monotonic()
    name = name or Path(submission).name
    if name.endswith(".zip"):
        name = name[:-4]
    result = GradeResult(name)
    try:
        _grade(Path(submission), Path(work), opts, result)
    except SubmissionError as e:
        result.rejected = str(e)
        result.notes.append(str(e))
        result.tests = expected_tests(opts)
        for t in result.tests:
            t.output = "submission refused: " + str(e).splitlines()[0]
    except Exception as e:  # noqa: BLE001 - one bad submission must not stop a class
        result.notes.append(f"grader error: {type(e).__name__}: {e}\n{traceback.format_exc()}")
        result.tests = expected_tests(opts)
    result.seconds = round(time.monotonic() - t0, 2)
    return result


def _grade(submission: Path, work: Path, opts: Options, result: GradeResult) -> None:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    root = unpack(submission, work / "submitted", opts.max_bytes)
    course = work / "course"
    shutil.copytree(opts.release, course)
    notebooks, files = student_files_of(opts.release)

    for rel in files:
        src = _find(root, rel)
        if src is None:
            result.notes.append(f"{rel}: not in the submission; the release's stub is used")
        else:
            shutil.copyfile(src, course / rel)

    executed_dir = work / "executed"
    executed_dir.mkdir()
    to_run = []
    for rel in notebooks:
        release_nb = nbmeta.read(opts.release / rel)
        src = _find(root, rel)
        if src is None:
            result.notes.append(f"{rel}: not in the submission; graded cells score 0")
            nb = release_nb
        else:
            try:
                nb, notes = restore_notebook(release_nb, nbmeta.read(src))
                result.notes += [f"{rel}: {n}" for n in notes]
            except Exception as e:  # noqa: BLE001 - unreadable notebook
                result.notes.append(f"{rel}: unreadable notebook ({type(e).__name__}); "
                                    "graded cells score 0")
                nb = release_nb
        nbmeta.write(nb, course / rel)
        to_run.append(rel)

    _build_extensions(course, opts, result)

    for rel in to_run:
        graded_ids = {c["grade_id"]: c["points"] for c in
                      (load_manifest(opts.release) or {}).get("graded", {}).get(rel, [])}
        nb_path = course / rel
        save = executed_dir / Path(rel).name if opts.keep_executed else None
        res = run_in_subprocess(nb_path, nb_path.parent, str(course), opts.limits,
                                save_to=save, workdir=work)
        result.notes += [f"{rel}: {n}" for n in res.notes]
        if res.restarts:
            result.notes.append(f"{rel}: kernel restarted {res.restarts} time(s)")
        by_id = {c.grade_id: c for c in res.graded()}
        for gid, pts in graded_ids.items():
            c = by_id.get(gid)
            if c is None:
                result.tests.append(TestScore(f"{Path(rel).name}: {gid}", 0.0, pts, "not run"))
                continue
            ok = c.passed
            result.tests.append(TestScore(
                f"{Path(rel).name}: {gid}", pts if ok else 0.0, pts,
                "passed" if ok else f"failed: {c.error}", "visible", c.seconds))

    if opts.hidden_tests:
        for h in hidden.run_all(opts.hidden_tests, course, work / "hidden_scratch",
                                opts.limits, opts.test_timeout):
            result.tests.append(TestScore(h.test.label, h.test.points if h.passed else 0.0,
                                          h.test.points, h.output, "after_due_date",
                                          round(h.seconds, 3)))


def _find(root: Path, rel: str) -> Path | None:
    for cand in (root / rel, root / Path(rel).name):
        if cand.is_file() and not cand.is_symlink():
            return cand
    return None


def _build_extensions(course: Path, opts: Options, result: GradeResult) -> None:
    """Compile the course's .pyx files, reusing the grader's build when unchanged."""
    for pyx in sorted((course / "cs231n").glob("*.pyx")):
        ref = opts.repo / "cs231n" / pyx.name if opts.repo else None
        built = sorted(ref.parent.glob(pyx.stem + ".*.so")) if ref else []
        if ref and ref.is_file() and built and ref.read_bytes() == pyx.read_bytes():
            shutil.copy2(built[-1], pyx.parent / built[-1].name)
            continue
        code = ("import sys, numpy as np\nfrom Cython.Build import cythonize\n"
                "from setuptools import Extension, setup\n"
                f"ext = Extension('cs231n.{pyx.stem}', ['cs231n/{pyx.name}'], "
                "include_dirs=[np.get_include()])\n"
                "setup(ext_modules=cythonize([ext], language_level=3, quiet=True), "
                "script_args=['build_ext', '--inplace', '--build-temp', 'build_tmp'])\n")
        try:
            proc = subprocess.run(opts.limits.command([sys.executable, "-c", code]),
                                  cwd=str(course), env=kernel_env(None), capture_output=True,
                                  text=True, timeout=600)
            ok = proc.returncode == 0
            why = (proc.stderr.strip().splitlines() or ["?"])[-1]
        except subprocess.TimeoutExpired:
            ok, why = False, "timed out"
        if not ok:
            result.notes.append(f"cs231n/{pyx.name}: does not compile ({why}); "
                                "the package falls back to pure NumPy")


# -- a class -------------------------------------------------------------------

def grade_many(submissions: list[Path], work: Path, opts: Options, jobs: int = 1,
               progress: bool = True) -> list[GradeResult]:
    """Grade many submissions, ``jobs`` at a time; one failure never stops the batch."""
    from tqdm.auto import tqdm

    names = _unique_names(submissions)
    results: dict[int, GradeResult] = {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futs = {pool.submit(grade_submission, s, work / names[i], opts, names[i]): i
                for i, s in enumerate(submissions)}
        bar = tqdm(total=len(futs), desc="grading", unit="submission", disable=not progress)
        for fut in as_completed(futs):
            i = futs[fut]
            results[i] = fut.result()
            bar.set_postfix_str(f"{names[i]}: {results[i].score:g}/{results[i].max_score:g}")
            bar.update()
        bar.close()
    return [results[i] for i in range(len(submissions))]


def _unique_names(paths: list[Path]) -> list[str]:
    out, seen = [], {}
    for p in paths:
        n = p.name[:-4] if p.name.endswith(".zip") else p.name
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}-{seen[n]}")
    return out
