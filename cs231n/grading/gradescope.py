"""Gradescope output: results.json, a readable report, a class CSV, the autograder bundle."""
from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from pathlib import Path

from .grade import GradeResult
from .release import EXCLUDE_NAMES, EXCLUDE_PATTERNS


def results_json(r: GradeResult) -> dict:
    """Gradescope's autograder results format (score, tests[], ...)."""
    return {
        "score": round(r.score, 4),
        "execution_time": round(r.seconds, 2),
        "output": summary_text(r),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [
            {"name": t.name, "score": round(t.score, 4), "max_score": t.max_score,
             "output": t.output, "visibility": t.visibility,
             "execution_time": round(t.execution_time, 3)}
            for t in r.tests
        ],
    }


def summary_text(r: GradeResult) -> str:
    lines = [f"Score: {r.score:g} / {r.max_score:g}"]
    if r.rejected:
        lines.append("Submission refused: " + r.rejected)
    lines += [f"- {n}" for n in r.notes if not n.startswith("grader error")]
    if any(n.startswith("grader error") for n in r.notes):
        lines.append("- the grader hit an internal error; course staff have the details")
    return "\n".join(lines)


def report_text(r: GradeResult) -> str:
    width = max([len(t.name) for t in r.tests] + [8])
    out = [f"Submission: {r.name}", f"Score: {r.score:g} / {r.max_score:g}   "
           f"(graded in {r.seconds:.1f} s)", ""]
    out.append(f"{'item':<{width}}  {'points':>11}  result")
    out.append("-" * (width + 30))
    for t in r.tests:
        out.append(f"{t.name:<{width}}  {t.score:>5g} / {t.max_score:<3g}  {t.output}")
    if r.notes:
        out += ["", "Notes:"] + [f"- {n}" for n in r.notes]
    return "\n".join(out) + "\n"


def write_results(r: GradeResult, out: Path) -> Path:
    """Write results.json at ``out`` and the report beside it; return the report's path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results_json(r), indent=1) + "\n")
    report = out.with_name(out.stem + "_report.txt")
    report.write_text(report_text(r))
    return report


def write_summary_csv(results: list[GradeResult], path: Path) -> None:
    """One row per submission, one column per question (in first-seen order)."""
    columns: list[str] = []
    for r in results:
        for t in r.tests:
            if t.name not in columns:
                columns.append(t.name)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["submission", "score", "max_score", *columns, "notes"])
    for r in results:
        by = {t.name: t.score for t in r.tests}
        w.writerow([r.name, f"{r.score:g}", f"{r.max_score:g}",
                    *[f"{by[c]:g}" if c in by else "" for c in columns],
                    " | ".join(n.splitlines()[0] for n in r.notes)])
    Path(path).write_text(buf.getvalue())


# -- autograder bundle ----------------------------------------------------------

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
AG="${AUTOGRADER_ROOT:-/autograder}"
if [ -z "${AUTOGRADER_PYTHON:-}" ]; then
  apt-get update -q && apt-get install -y -q python3 python3-venv python3-dev build-essential
  python3 -m venv "$AG/venv"
  "$AG/venv/bin/python" -m pip install --quiet --upgrade pip
  # What grading needs and nothing more (no JupyterLab, no test tools).
  "$AG/venv/bin/python" -m pip install --quiet -r "$AG/source/requirements-grader.txt"
fi
PY="${AUTOGRADER_PYTHON:-$AG/venv/bin/python}"
cd "$AG/source"
"$PY" setup.py --quiet build_ext --inplace
# CIFAR-10, when the bundle has it, goes where student code may read it.
if [ -d "$AG/source/data/cifar-10-batches-py" ]; then
  mkdir -p "$AG/data"
  rm -rf "$AG/data/cifar-10-batches-py"
  mv "$AG/source/data/cifar-10-batches-py" "$AG/data/"
  chmod -R a+rX "$AG/data"
fi
# The solution, the references and the grader are root's alone: student code,
# which runs as a user of its own, can read none of it.
chmod -R go-rwx "$AG/source"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this, as root, for every submission.
set -uo pipefail
AG="${{AUTOGRADER_ROOT:-/autograder}}"
PY="${{AUTOGRADER_PYTHON:-$AG/venv/bin/python}}"
mkdir -p "$AG/results"
chmod -R go-rwx "$AG/source"
cd "$AG/source"
# The dataset the references were built on: CIFAR-10 if the bundle brought it, else the offline one.
if [ -d "$AG/data/cifar-10-batches-py" ]; then
  export CS231N_DATA_DIR="$AG/data/cifar-10-batches-py"
else
  export CS231N_OFFLINE=1
fi
PYTHONPATH="$AG/source" "$PY" -m cs231n.grading.cli grade "$AG/submission" \\
    --repo "$AG/source" --release "$AG/source/release" --references "$AG/source/references" \\
    --out "$AG/results/results.json" --require-isolation {limits}
status=$?
if [ ! -s "$AG/results/results.json" ]; then
  # The grader itself failed: say so instead of leaving Gradescope without results.
  printf '{{"score": 0, "output": "The autograder failed (exit %s); course staff have been told.", "tests": []}}\\n' "$status" \\
    > "$AG/results/results.json"
fi
"""

GRADER_SOURCES = ["setup.py", "pyproject.toml", "course.toml"]


def build_autograder(repo: Path, out: Path, assignment: str | None = None, limits=None,
                     cifar10: Path | None = None) -> list[str]:
    """Zip setup.sh, run_autograder, the grader's sources, the release and the references.

    Gradescope unpacks the bundle into /autograder/source, runs setup.sh there
    once, and run_autograder for every submission. References are built here,
    on the dataset the bundle grades on: the offline one, or CIFAR-10 from
    ``cifar10`` (then packed into the bundle), so grading never runs the
    solution's notebooks again.
    """
    import tempfile

    from . import references
    from .staff import _assignment_hidden
    from .manifest import load_manifest
    from .release import HIDDEN_DIR, build_release
    from .limits import Limits

    repo, out = Path(repo), Path(out)
    limits = limits or Limits(cell_timeout=300, notebook_timeout=900, memory_mb=2048)
    out.parent.mkdir(parents=True, exist_ok=True)
    names = []
    saved = {k: os.environ.get(k) for k in ("CS231N_OFFLINE", "CS231N_DATA_DIR")}
    if cifar10:
        os.environ.pop("CS231N_OFFLINE", None)
        os.environ["CS231N_DATA_DIR"] = str(Path(cifar10).resolve())
    else:
        os.environ["CS231N_OFFLINE"] = "1"
    try:
        with tempfile.TemporaryDirectory(prefix="cs231n-bundle-") as tmp, \
                zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            release = Path(tmp) / "release"
            build_release(repo, release, check_imports=False, assignment=assignment)
            m = load_manifest(release)
            refs = Path(tmp) / "references"
            hidden = repo / HIDDEN_DIR
            references.build(repo, m["notebooks"], m["graded"], refs, hidden if hidden.is_dir() else None,
                             limits, echo=lambda *_: None, only=_assignment_hidden(repo, assignment))
            lim = (f"--cell-timeout {limits.cell_timeout:g} --notebook-timeout {limits.notebook_timeout:g} "
                   f"--memory-mb {limits.memory_mb} --disk-mb {limits.disk_mb}")
            for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER.format(limits=lim)),
                               ("requirements-grader.txt", _grader_requirements(repo))):
                info = zipfile.ZipInfo(name)
                info.external_attr = (0o100755 << 16)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, text)
                names.append(name)
            for rel in GRADER_SOURCES:
                if (repo / rel).is_file():
                    zf.write(repo / rel, rel)
                    names.append(rel)
            # The grader that runs in the bundle is the one that built it (this
            # package), whatever the course repository holds under cs231n/grading.
            grader = Path(__file__).resolve().parent
            for base, prefix in ((repo / "cs231n", "cs231n"), (grader, "cs231n/grading"),
                                 (release, "release"), (refs, "references")):
                for p in sorted(base.rglob("*")):
                    rel = f"{prefix}/{p.relative_to(base).as_posix()}"
                    parts = rel.split("/")
                    if not p.is_file() or p.is_symlink() or any(x in EXCLUDE_NAMES for x in parts) \
                            or any(p.match(pat) for pat in EXCLUDE_PATTERNS) \
                            or (base != grader and rel.startswith("cs231n/grading/")) or rel in names:
                        continue
                    zf.write(p, rel)
                    names.append(rel)
            if cifar10:
                for p in sorted(Path(cifar10).iterdir()):
                    if p.is_file() and not p.is_symlink():
                        zf.write(p, f"data/cifar-10-batches-py/{p.name}")
                        names.append(f"data/cifar-10-batches-py/{p.name}")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return names


def _grader_requirements(repo: Path) -> str:
    """What grading needs: the package's run-time dependencies and its build requirements."""
    from .release import requirements
    return "\n".join(requirements(repo)) + "\n"
