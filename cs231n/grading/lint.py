"""The release lint: what a student's release must not contain, and what it must define.

``lint(repo, staged, kept)`` looks at the release in memory, before it is
written, and returns every problem found (``cs231n release`` then refuses):

* a released notebook cell uses a name that only a stripped TODO region of an
  earlier cell defines (the student would meet a NameError, and have to
  guess names and keys): put a skeleton above the region;
* solution markers left in any file (and, as a warning, a distinctive line of
  a TODO region's code that also stands elsewhere in the release);
* staff-only files (tests, hidden probes, benchmarks, the course file, the
  grader, build products) or the path of the machine that built it.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from . import markers

STAFF_ONLY = re.compile(r"^(tests/|benchmarks/|course\.toml$|\.git/|build/|.*\.(so|c|pyc|pyd)$|"
                        r"(.*/)?__pycache__/|cs231n/grading/(?!(__init__|cli|check|runner|submission|"
                        r"nbmeta|manifest|limits)\.py$|release_manifest\.json$))")
MIN_DISTINCT = 28  # a solution line this long (stripped) must not appear in the release


def _parse(src: str):
    src = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in src.splitlines())
    try:
        return ast.parse(src)
    except SyntaxError:
        return None


def _stored(tree) -> set[str]:
    out = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            out.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            out.update((a.asname or a.name).split(".")[0] for a in n.names)
    return out


def _loaded(tree) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def undefined_names(solution_nb, released_nb, where: str) -> list[str]:
    """Names a released cell uses that only a stripped region of an earlier cell defines."""
    problems, region_only = [], {}
    for i, (sol, rel) in enumerate(zip(solution_nb.cells, released_nb.cells)):
        if sol.cell_type != "code":
            continue
        rtree, stree = _parse(rel.source), _parse(sol.source)
        if rtree is None:
            continue
        by_cell: dict[int, list[str]] = {}
        for name in sorted((_loaded(rtree) - _stored(rtree)) & set(region_only)):
            by_cell.setdefault(region_only[name], []).append(name)
        for k, names in sorted(by_cell.items()):
            problems.append(f"{where}: cell {i + 1} uses {', '.join(names)}, which only the TODO region "
                            f"of cell {k + 1} defines: put a skeleton above that region (the names, "
                            "keys or shapes, the values left to the student)")
        out = _stored(rtree)
        for name in (_stored(stree) if stree else set()) - out:
            region_only.setdefault(name, i)
        for name in out:
            region_only.pop(name, None)
    return problems


def solution_lines(text: str, where: str) -> set[str]:
    """Distinctive lines of code inside the regions of ``text``."""
    lines = text.splitlines()
    out = set()
    for r in markers.find_regions(text, where):
        for ln in lines[r.begin + 1:r.end]:
            s = ln.strip()
            if len(s) >= MIN_DISTINCT and not s.startswith("#"):
                out.add(s)
    return out


def lint(repo: Path, staged: dict[str, bytes], secret_lines: set[str],
         notebooks: dict) -> tuple[list[str], list[str]]:
    """(problems, warnings) of the release ``staged`` (relative path -> bytes).

    A line of a stubbed region that also stands elsewhere in the release is a
    warning, not a problem: code shared on purpose (a later notebook repeating
    an earlier step) looks the same as an answer given away.
    """
    problems, warnings = [], []
    for (sol, rel_nb, where) in notebooks.values():
        problems += undefined_names(sol, rel_nb, where)
    home = str(Path.home())
    machine = [p for p in {str(Path(repo).resolve()), home} if len(p) > 1]
    for rel, data in sorted(staged.items()):
        if STAFF_ONLY.match(rel):
            problems.append(f"{rel}: staff-only, must not be released")
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if markers.has_markers(text) or "### BEGIN SOLUTION" in text:
            problems.append(f"{rel}: solution markers left in the release")
        for p in machine:
            if p in text:
                problems.append(f"{rel}: contains a path of the machine that built the release ({p})")
        leaked = [ln for ln in secret_lines if ln in text]
        if leaked:
            warnings.append(f"{rel}: repeats a line of a TODO region: {sorted(leaked)[0]!r}")
    return problems, warnings
