"""The course staff's commands: release, references, grade, autograder, execute.

They are not in a student's release; ``cli.py`` adds them when this module is there.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from . import course as course_mod, references
from .course import CourseError
from .markers import MarkerError
from .references import ReferenceError
from .manifest import load_manifest
from .release import HIDDEN_DIR, ReleaseError, build_release
from .cli import _limits, _limits_args


def _hidden_dir(repo: Path, a) -> Path | None:
    d = Path(a.hidden_tests) if getattr(a, "hidden_tests", None) else repo / HIDDEN_DIR
    return d if d.is_dir() else None


def prepare_grading(repo: Path, work: Path, a, echo=print) -> tuple[Path, Path]:
    """The release and the references to grade against: given, or built from the solution."""
    if a.release:
        release = Path(a.release).resolve()
        if load_manifest(release) is None:
            raise FileNotFoundError(f"{release}: not a student version written by 'cs231n release'")
    else:
        release = work / "release"
        build_release(repo, release, check_imports=False,
                      assignment=a.assignment)
    if a.references:
        refs = Path(a.references).resolve()
        if not (refs / "manifest.json").is_file():
            raise FileNotFoundError(f"{refs}: no references here (build them with 'cs231n references')")
    else:
        refs = work / "references"
        m = load_manifest(release)
        references.build(repo, m["notebooks"], m["graded"], refs, _hidden_dir(repo, a),
                         _limits(a), echo=echo, only=_assignment_hidden(repo, a.assignment))
    return release, refs


def _assignment_hidden(repo: Path, name: str | None):
    a = course_mod.load(repo).assignment(name)
    return None if a is None else a.hidden


def cmd_release(a) -> int:
    repo = Path(a.repo).resolve()
    out = Path(a.out) if a.out else repo / "build" / "release"
    m = build_release(repo, out, assignment=a.assignment)
    print(f"student version written to {out}")
    print(f"  notebooks: {len(m['notebooks'])}, files with TODO regions: {len(m['student_files'])}, "
          f"graded cells: {sum(len(v) for v in m['graded'].values())}")
    for w in m.get("warnings", []):
        print(f"  warning: {w}")
    if a.nbgrader:
        from .nbgrader_course import write_course
        course_dir = write_course(repo, out, m, Path(a.nbgrader), a.assignment or "assignment")
        print(f"nbgrader course folder written to {course_dir}: run `nbgrader generate_assignment "
              f"{a.assignment or 'assignment'}` there")
    if not a.validate:
        return 0
    from .check import validate
    ok = validate(repo, out.resolve(), a.notebooks, _limits(a), jobs=a.jobs)
    print("validation passed" if ok else "validation FAILED")
    return 0 if ok else 1


def _submissions(path: Path) -> tuple[list[Path], bool]:
    """(submissions, is_batch): a zip, a submission folder, or a folder of zips."""
    if path.is_dir():
        zips = sorted(p for p in path.iterdir() if p.suffix == ".zip" and p.is_file())
        has_content = (any(path.rglob("*.ipynb")) or (path / "cs231n").is_dir())
        if len(zips) > 1 or (zips and not has_content):
            return zips, len(zips) > 1
    return [path], False


ISOLATION_WARNING = """\
WARNING: student code will run as you, in plain processes: it could read the solution
and the references and change files the grader reads. Verdicts are still reached
outside student processes, but grade untrusted work as root (a container, or Gradescope
with 'cs231n autograder'), where namespaces are allowed, or pass --require-isolation
to refuse this."""
NAMESPACES_NOTE = ("note: not root: student code runs as you, in namespaces of its own: it cannot see "
                   "the grader's files or processes, but could write your other files")


def cmd_grade(a) -> int:
    from .gradescope import report_text, write_results, write_summary_csv
    from .grade import Options, grade_many

    from .grade import sandbox_available, sandbox_kind
    kind = "none" if a.no_isolation else a.sandbox
    if not sandbox_available(kind):
        if a.require_isolation:
            print("cs231n grade: refused: --require-isolation, and student code could only run "
                  "as you in plain processes here (run as root, or where namespaces are allowed)",
                  file=sys.stderr)
            return 2
        print(ISOLATION_WARNING, file=sys.stderr)
    elif not sandbox_kind(kind)[0]:
        print(NAMESPACES_NOTE, file=sys.stderr)
    repo = Path(a.repo).resolve()
    work = Path(a.work).resolve() if a.work else Path(tempfile.mkdtemp(prefix="cs231n-grade-"))
    work.mkdir(parents=True, exist_ok=True)
    os.chmod(work, 0o700)
    out = Path(a.out or ("grades" if Path(a.submission).is_dir() else "results.json")).resolve()
    try:
        release, refs = prepare_grading(repo, work, a)
        opts = Options(release=release, references=refs, repo=repo, limits=_limits(a),
                       sandbox=kind,
                       max_bytes=int(a.max_size_mb * (1 << 20)),
                       protect=[out if out.suffix != ".json" else out.parent, work])
        subs, batch = _submissions(Path(a.submission))
        if not subs:
            print(f"{a.submission}: nothing to grade", file=sys.stderr)
            return 2
        results = grade_many(subs, work / "submissions", opts, jobs=a.jobs, progress=batch)
        if not batch:
            r = results[0]
            out = Path(a.out or "results.json")
            report = write_results(r, out)
            print(report_text(r))
            print(f"wrote {out} and {report}")
            return 0
        out_dir = Path(a.out or "grades")
        for r in results:
            write_results(r, out_dir / r.name / "results.json")
        write_summary_csv(results, out_dir / "summary.csv")
        for r in results:
            print(f"{r.name:<30} {r.score:>7g} / {r.max_score:g}" + ("   REFUSED" if r.rejected else ""))
        print(f"wrote {out_dir}/summary.csv and {out_dir}/<submission>/results.json")
        return 0
    finally:
        if not a.keep_work and not a.work:
            shutil.rmtree(work, ignore_errors=True)


def cmd_references(a) -> int:
    repo = Path(a.repo).resolve()
    with tempfile.TemporaryDirectory(prefix="cs231n-release-") as tmp:
        a.release, a.references = None, None
        release = Path(tmp) / "release"
        build_release(repo, release, check_imports=False,
                      assignment=a.assignment)
        m = load_manifest(release)
        references.build(repo, m["notebooks"], m["graded"], Path(a.out), _hidden_dir(repo, a),
                         _limits(a), only=_assignment_hidden(repo, a.assignment))
    print(f"wrote the references to {a.out}")
    return 0


def cmd_autograder(a) -> int:
    from .gradescope import build_autograder
    names = build_autograder(Path(a.repo).resolve(), Path(a.out), a.assignment, _limits(a),
                             cifar10=Path(a.cifar10) if a.cifar10 else None)
    print(f"wrote {a.out} ({len(names)} files): setup.sh, run_autograder, the grader, the "
          "release and the references; upload it as the Gradescope autograder")
    return 0


def cmd_execute(a) -> int:
    from cs231n.data_utils import dataset_info
    from .stored import execute, record_running_time
    if a.record_from:
        import json
        measured = json.loads(Path(a.record_from).read_text())
        for stem, seconds in measured["seconds"].items():
            line = record_running_time(Path(a.repo).resolve(), stem, seconds, measured["offline"])
            print(f"{stem}: {seconds:.0f} s {'offline' if measured['offline'] else 'with CIFAR-10'}  {line}")
        return 0
    if not a.notebooks:
        print("cs231n execute: name the notebooks to run (or give --record-from JSON)", file=sys.stderr)
        return 2
    offline = not dataset_info().is_cifar10
    store = not offline and not a.times_only
    if a.output_dir:
        Path(a.output_dir).mkdir(parents=True, exist_ok=True)
    for nb in a.notebooks:
        print(f"{nb}: running on {'the offline dataset' if offline else 'CIFAR-10'} ...", flush=True)
        seconds = execute(Path(nb), timeout=a.timeout, store=store,
                          out=Path(a.output_dir) if a.output_dir else None)
        where = (f", written to {a.output_dir}" if a.output_dir else
                 ", stored with its outputs" if store else "")
        print(f"{nb}: ran in {seconds:.0f} s{where}", flush=True)
        if a.record_time:
            line = record_running_time(Path(a.repo).resolve(), Path(nb).stem, seconds, offline)
            print(f"  course.toml and the first cell: {line or 'time recorded'}")
    return 0


def add_commands(sub, repo_default: str) -> None:
    """The staff's subcommands, added to ``cs231n``'s parser."""
    r = sub.add_parser("release", help="write the student version (TODO stubs, no outputs)")
    r.add_argument("--out", help="output folder (default REPO/build/release)")
    r.add_argument("--repo", default=repo_default, help="solution repository (default %(default)s)")
    r.add_argument("--assignment", help="the assignment of course.toml to release (default: every notebook)")
    r.add_argument("--nbgrader", metavar="DIR",
                   help="also write an nbgrader course folder for the assignment into DIR")
    r.add_argument("--validate", action="store_true",
                   help="then run graded cells on the solution (must pass) and on the stubs (must fail)")
    r.add_argument("--jobs", type=int, default=2, help="with --validate: notebook runs at a time")
    r.add_argument("notebooks", nargs="*", help="with --validate: only these notebooks (default: all)")
    _limits_args(r)
    r.set_defaults(func=cmd_release)

    g = sub.add_parser("grade", help="grade a submission (zip or folder) or a folder of zips")
    g.add_argument("submission")
    g.add_argument("--out", help="results.json (one submission, default results.json) or a "
                   "folder (a class, default grades/)")
    g.add_argument("--assignment", help="the assignment of course.toml to grade (default: every notebook)")
    g.add_argument("--jobs", type=int, default=1, help="submissions graded at once")
    g.add_argument("--repo", default=repo_default, help="solution repository (default %(default)s)")
    g.add_argument("--release", help="prebuilt student version (default: built from --repo)")
    g.add_argument("--references", help="prebuilt references (default: built by running the solution)")
    g.add_argument("--hidden-tests", help=f"hidden probes folder (default REPO/{HIDDEN_DIR})")
    g.add_argument("--work", help="work folder (default: a temporary folder, removed afterwards)")
    g.add_argument("--keep-work", action="store_true", help="keep the temporary work folder")
    g.add_argument("--max-size-mb", type=float, default=200.0, help="unpacked size limit per submission")
    g.add_argument("--require-isolation", action="store_true",
                   help="refuse to grade unless student code can run as a user of its own (root)")
    g.add_argument("--sandbox", choices=["auto", "user", "namespaces", "none"], default="auto",
                   help="where student code runs: a user of its own (root), namespaces of its own "
                   "(any user, where the kernel allows), plain processes (warns); default: the best there is")
    g.add_argument("--no-isolation", action="store_true", help="the same as --sandbox none")
    _limits_args(g)
    g.set_defaults(func=cmd_grade)

    f = sub.add_parser("references", help="run the solution and store what the grader compares with")
    f.add_argument("--out", required=True, help="folder to write")
    f.add_argument("--assignment", help="the assignment of course.toml (default: every notebook)")
    f.add_argument("--repo", default=repo_default)
    f.add_argument("--hidden-tests", help=f"hidden probes folder (default REPO/{HIDDEN_DIR})")
    _limits_args(f)
    f.set_defaults(func=cmd_references)

    b = sub.add_parser("autograder", help="build the Gradescope autograder bundle of an assignment")
    b.add_argument("--out", default="autograder.zip")
    b.add_argument("--assignment", help="the assignment of course.toml (default: every notebook)")
    b.add_argument("--repo", default=repo_default)
    b.add_argument("--cifar10", metavar="DIR", help="grade on CIFAR-10 from DIR, packed into the bundle "
                   "(default: the offline dataset)")
    _limits_args(b, cell=300.0, notebook=900.0, mem=2048)
    b.set_defaults(func=cmd_autograder)

    e = sub.add_parser("execute", help="run notebooks top to bottom and store them with their outputs, "
                       "clean to open in JupyterLab")
    e.add_argument("notebooks", nargs="*", help="notebook files (e.g. notebooks/01_knn.ipynb)")
    e.add_argument("--record-from", metavar="JSON", help="instead of running anything, record the times "
                   "nbval measured in the last test run (build/notebook-seconds.json)")
    e.add_argument("--timeout", type=float, default=1800.0, help="seconds per cell (default %(default)s)")
    e.add_argument("--record-time", action="store_true", help="write the measured running time into "
                   "course.toml and the notebook's first cell (seconds, or seconds_offline offline)")
    e.add_argument("--times-only", action="store_true", help="run without storing the outputs "
                   "(offline runs never store theirs: the stored notebooks show CIFAR-10)")
    e.add_argument("--output-dir", help="write the executed notebooks here instead of over the "
                   "originals (e.g. to read an offline run's outputs)")
    e.add_argument("--repo", default=repo_default)
    e.set_defaults(func=cmd_execute)


ERRORS = (MarkerError, ReleaseError, ReferenceError, CourseError)
