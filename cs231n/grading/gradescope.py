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
# Gradescope runs this once when it builds the autograder image.
set -euo pipefail
apt-get update -q && apt-get install -y -q python3 python3-venv python3-dev build-essential
cd /autograder/source
python3 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --quiet --upgrade pip
/autograder/venv/bin/python -m pip install --quiet -r requirements.txt
/autograder/venv/bin/python -m pip install --quiet --no-build-isolation --no-deps -e .
/autograder/venv/bin/python -c "import cs231n.im2col_cython"
# Real CIFAR-10 if the image has network access; otherwise the offline dataset is used.
bash datasets/get_datasets.sh || echo "CIFAR-10 not downloaded: grading uses the offline dataset"
# Build the student version once; every submission is graded on top of it.
/autograder/venv/bin/cs231n release --out /autograder/release
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission.
set -uo pipefail
mkdir -p /autograder/results
cd /autograder/source
/autograder/venv/bin/cs231n grade /autograder/submission \\
    --repo /autograder/source --release /autograder/release \\
    --out /autograder/results/results.json {extra}
status=$?
if [ ! -s /autograder/results/results.json ]; then
  # The grader itself failed: say so instead of leaving Gradescope without results.
  printf '{{"score": 0, "output": "The autograder failed (exit %s); course staff have been told.", "tests": []}}\\n' "$status" \\
    > /autograder/results/results.json
fi
"""


def build_autograder(repo: Path, out: Path, extra_args: str = "") -> list[str]:
    """Zip setup.sh, run_autograder and the solution sources (with hidden tests).

    Gradescope unpacks the bundle into /autograder/source, runs setup.sh there
    once, and runs run_autograder for every submission.
    """
    from .release import COPY_DIRS, COPY_FILES
    repo = Path(repo)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    names = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (("setup.sh", SETUP_SH),
                           ("run_autograder", RUN_AUTOGRADER.format(extra=extra_args))):
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100755 << 16)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text)
            names.append(name)
        for rel in COPY_FILES:
            if (repo / rel).is_file():
                zf.write(repo / rel, rel)
                names.append(rel)
        for d in COPY_DIRS:
            for root, dirs, files in os.walk(repo / d):
                rr = Path(root).relative_to(repo).as_posix()
                dirs[:] = sorted(x for x in dirs if x not in EXCLUDE_NAMES)
                for f in sorted(files):
                    rel = f"{rr}/{f}"
                    parts = rel.split("/")
                    if any(p in EXCLUDE_NAMES for p in parts) or \
                            any(Path(f).match(p) for p in EXCLUDE_PATTERNS):
                        continue
                    zf.write(repo / rel, rel)
                    names.append(rel)
    return names
