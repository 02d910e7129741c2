"""``cs231n check`` (a student's feedback) and ``cs231n release --validate`` (staff).

Both run notebooks with the same runner the grader uses, but in an ordinary
process on the user's own machine: ``check`` reports what each graded cell's
asserts said (feedback: the grade itself is decided by comparing recorded
values, see ``grade.py``); ``validate`` records the values of the solution
and of the student version and judges both as the grader would.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import nbmeta
from .limits import Limits

RUNNER = Path(__file__).with_name("runner.py")


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    cols = list(zip(*([headers] + rows))) if rows else [[h] for h in headers]
    widths = [max(len(str(x)) for x in col) for col in cols]

    def fmt(r):
        return "  ".join(str(x).ljust(w) for x, w in zip(r, widths)).rstrip()
    return "\n".join([fmt(headers), "  ".join("-" * w for w in widths)] + [fmt(r) for r in rows])


def resolve_notebooks(root: Path, names: list[str]) -> list[Path]:
    """Notebook paths from arguments (paths, or names inside root/notebooks); all if none."""
    if not names:
        return sorted((root / "notebooks").glob("[0-9]*.ipynb"))
    out = []
    for n in names:
        p = Path(n)
        cands = [p, root / p, root / "notebooks" / p.name]
        if p.suffix != ".ipynb":
            cands += [root / "notebooks" / f"{p.name}.ipynb"]
        for cand in cands:
            if cand.is_file():
                out.append(cand.resolve())
                break
        else:
            raise FileNotFoundError(f"{n}: no such notebook")
    return out


def run_runner(mode: str, spec: dict, pythonpath: Path, timeout: float) -> subprocess.CompletedProcess:
    """Run ``runner.py MODE`` in an ordinary process (no sandbox), ``pythonpath`` first on the path.

    For code that is trusted or runs on its owner's machine: a student's
    ``check``, the solution when references are built.
    """
    with tempfile.TemporaryDirectory(prefix="cs231n-run-") as tmp:
        spec_path = Path(tmp) / "spec.json"
        spec_path.write_text(json.dumps(spec))
        env = dict(os.environ, PYTHONPATH=str(pythonpath), MPLBACKEND="Agg",
                   JUPYTER_PLATFORM_DIRS="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
        return subprocess.run([sys.executable, str(RUNNER), mode, str(spec_path)], cwd=tmp,
                              env=env, capture_output=True, timeout=timeout)


def run_local(nb_path: Path, pythonpath: Path, limits: Limits, record_dir: Path | None = None) -> dict:
    """Execute a notebook with the grader's runner in an ordinary process; its report."""
    with tempfile.TemporaryDirectory(prefix="cs231n-record-") as tmp:
        rec = record_dir or Path(tmp)
        proc = run_runner("notebook", limits.notebook_spec(nb_path, rec), pythonpath, limits.hard_timeout)
    try:
        return json.loads(proc.stdout)
    except ValueError:
        return {"cells": {}, "notes": ["the notebook could not be run: " +
                                       (proc.stderr.decode(errors="replace").strip().splitlines() or ["?"])[-1]]}


def graded_rows(nb, report: dict) -> list[tuple[str, float, str, str]]:
    """(grade_id, points, status, what went wrong) of each graded cell, in order.

    A check that fails on a name an earlier cell should have defined (or is not
    run at all) names that earlier cell and why it failed: the root cause.
    """
    rows, first_failure = [], None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        c = report.get("cells", {}).get(str(i), {"status": "not run", "error": ""})
        error = c.get("error", "") or c["status"]
        if nbmeta.is_graded(cell):
            if c["status"] != "ok" and first_failure is not None:
                k, cause = first_failure
                label = f"cell {k + 1}" + (f" ({nbmeta.grade_id(nb.cells[k])})"
                                           if nbmeta.grade_id(nb.cells[k]) else "")
                if error.startswith(("NameError", "AttributeError", "not run")):
                    error = f"needs {label}, which raised {cause}"
                elif not error.startswith("NotImplementedError"):  # a stub is its own cause
                    error = f"{error} (the first failure above it: {label} raised {cause})"
            rows.append((nbmeta.grade_id(cell), nbmeta.points(cell), c["status"], error))
        if c["status"] != "ok" and first_failure is None:
            first_failure = (i, error)
    return rows


def check(root: Path, names: list[str], limits: Limits, echo=print, save: bool = False) -> bool:
    """Run each notebook and print question, points, pass/fail and what went wrong.

    ``save``: write the executed notebook back (what ``cs231n submit`` wants).
    """
    from .manifest import load_manifest, source_hash
    manifest = load_manifest(root) or {}
    rows, earned, total, ok = [], 0.0, 0.0, True
    for nb_path in resolve_notebooks(root, names):
        echo(f"running {nb_path.name} in a fresh kernel ...")
        nb = nbmeta.read(nb_path)
        known = {c["grade_id"]: c.get("sha256") for c in
                 manifest.get("graded", {}).get(f"notebooks/{nb_path.name}", [])}
        present = {}
        for cell in nb.cells:
            if nbmeta.is_graded(cell):
                present.setdefault(nbmeta.grade_id(cell), source_hash(cell.source))
        for gid, digest in known.items():
            if gid not in present:
                echo(f"  warning: check {gid!r} was deleted; the grader will put it back")
            elif digest and present[gid] != digest:
                echo(f"  warning: check {gid!r} was edited; the grader runs the original")
        report = run_local(nb_path, root, limits)
        graded = graded_rows(nb, report)
        if not graded:
            echo(f"  {nb_path.name}: no graded cells")
        for gid, pts, status, error in graded:
            passed = status == "ok"
            total += pts
            earned += pts if passed else 0
            ok &= passed
            rows.append([nb_path.name, gid, f"{pts:g}", "pass" if passed else "FAIL",
                         "" if passed else (error or status)])
        for n in report.get("notes", []):
            echo(f"  note: {n}")
        if save and isinstance(report.get("notebook"), str):
            nb_path.write_text(report["notebook"], encoding="utf-8")
            echo(f"  saved the executed notebook to {nb_path}")
    echo(format_table(["notebook", "question", "points", "result", "what went wrong"], rows))
    echo(f"\n{earned:g} / {total:g} points from the public checks "
         "(the grader compares the values each check records with the solution's)")
    return ok


def validate(repo: Path, release: Path, names: list[str], limits: Limits, echo=print,
             jobs: int = 2) -> bool:
    """Every graded cell must pass on the solution and fail on the release's stubs.

    Both versions run with recording on; the release's values are judged
    against the solution's as the grader would (with the rules of course.toml).
    """
    from . import course as course_mod, values
    from .references import dataset_name
    from .verdict import judge
    rules = course_mod.load(repo)
    dataset = dataset_name()
    rows, good = [], True
    sol_paths = resolve_notebooks(repo, names)
    echo(f"validating {len(sol_paths)} notebook(s) on the solution and on the student version ...")
    with tempfile.TemporaryDirectory(prefix="cs231n-validate-") as tmp:
        def both(p):
            rs, rr = Path(tmp) / f"{p.stem}.sol", Path(tmp) / f"{p.stem}.rel"
            rs.mkdir()
            rr.mkdir()
            return (run_local(p, repo, limits, rs), rs,
                    run_local(release / "notebooks" / p.name, release, limits, rr), rr)

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            runs = list(pool.map(both, sol_paths))
        for sol_path, (sol, rs, rel, rr) in zip(sol_paths, runs):
            nb = nbmeta.read(sol_path)
            status = {gid: st for gid, _, st, _ in graded_rows(nb, sol)}
            for g in nbmeta.graded_cells(nb, str(sol_path)):
                ref = values.read_values(rs, f"{g.grade_id}.npz")
                if status.get(g.grade_id) != "ok" or ref is None:
                    verdict = "SOLUTION FAILS" if status.get(g.grade_id) != "ok" else "RECORDS NOTHING"
                    rows.append([sol_path.name, g.grade_id, f"{g.points:g}", verdict, "", verdict])
                    good = False
                    continue
                v = judge(values.read_values(rr, f"{g.grade_id}.npz"), ref, rules.rules(g.grade_id), dataset)
                verdict = "ok" if not v.passed else "PASSES WITHOUT STUDENT CODE"
                good &= not v.passed
                rows.append([sol_path.name, g.grade_id, f"{g.points:g}", "pass",
                             "fails" if not v.passed else "PASSES", verdict])
    echo(format_table(["notebook", "graded cell", "points", "solution", "student version", "verdict"], rows))
    return good
