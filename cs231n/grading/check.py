"""Run notebooks' graded cells in a fresh kernel and print a table (``cs231n check``)
and compare solution and release cell by cell (``cs231n release --validate``)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import nbmeta
from .notebook_exec import Limits, NotebookResult, run_in_subprocess


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
        for cand in (p, root / p, root / "notebooks" / p.name):
            if cand.is_file():
                out.append(cand.resolve())
                break
        else:
            raise FileNotFoundError(f"{n}: no such notebook")
    return out


def run(nb_path: Path, pythonpath: Path, limits: Limits, workdir: Path | None = None) -> NotebookResult:
    return run_in_subprocess(nb_path, nb_path.parent, str(pythonpath), limits, workdir=workdir)


def check(root: Path, names: list[str], limits: Limits, echo=print) -> bool:
    """Run each notebook and print question, points, pass/fail, first error line."""
    from .release import load_manifest, source_hash
    manifest = load_manifest(root) or {}
    rows, earned, total, ok = [], 0.0, 0.0, True
    for nb_path in resolve_notebooks(root, names):
        echo(f"running {nb_path.name} in a fresh kernel ...")
        known = {c["grade_id"]: c.get("sha256") for c in
                 manifest.get("graded", {}).get(f"notebooks/{nb_path.name}", [])}
        present = {}
        for cell in nbmeta.read(nb_path).cells:
            if nbmeta.is_graded(cell):
                present.setdefault(nbmeta.grade_id(cell), source_hash(cell.source))
        for gid, digest in known.items():
            if gid not in present:
                echo(f"  warning: check {gid!r} was deleted; the grader will put it back")
            elif digest and present[gid] != digest:
                echo(f"  warning: check {gid!r} was edited; the grader runs the original")
        res = run(nb_path, root, limits)
        graded = res.graded()
        if not graded:
            echo(f"  {nb_path.name}: no graded cells")
        for c in graded:
            total += c.points
            earned += c.points if c.passed else 0
            ok &= c.passed
            rows.append([nb_path.name, c.grade_id, f"{c.points:g}",
                         "pass" if c.passed else "FAIL", "" if c.passed else c.error])
        for n in res.notes:
            echo(f"  note: {n}")
    echo(format_table(["notebook", "question", "points", "result", "what went wrong"], rows))
    echo(f"\n{earned:g} / {total:g} points from the public checks")
    return ok


def validate(repo: Path, release: Path, names: list[str], limits: Limits, echo=print,
             jobs: int = 2) -> bool:
    """Every graded cell must pass on the solution and fail on the release's stubs.

    Each notebook runs twice (solution, student version), ``jobs`` runs at a time.
    """
    rows, good = [], True
    sol_paths = resolve_notebooks(repo, names)
    echo(f"validating {len(sol_paths)} notebook(s) on the solution and on the student version ...")
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [(p, pool.submit(run, p, repo, limits),
                    pool.submit(run, release / "notebooks" / p.name, release, limits))
                   for p in sol_paths]
        for sol_path, sol_f, stub_f in futures:
            sol = {c.grade_id: c for c in sol_f.result().graded()}
            stub = {c.grade_id: c for c in stub_f.result().graded()}
            ids = [g.grade_id for g in nbmeta.graded_cells(nbmeta.read(sol_path), str(sol_path))]
            if not ids:
                echo(f"  {sol_path.name}: no graded cells")
            for gid in ids:
                s, r = sol.get(gid), stub.get(gid)
                s_ok = bool(s and s.passed)
                r_fails = bool(r and not r.passed)
                verdict = "ok" if s_ok and r_fails else (
                    "SOLUTION FAILS" if not s_ok else "PASSES WITHOUT STUDENT CODE")
                good &= verdict == "ok"
                rows.append([sol_path.name, gid, f"{s.points:g}" if s else "?",
                             "pass" if s_ok else "FAIL: " + (s.error if s else "not run"),
                             "fails" if r_fails else "PASSES", verdict])
    echo(format_table(["notebook", "graded cell", "points", "solution", "student version", "verdict"], rows))
    return good
