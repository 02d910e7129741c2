"""Reading the nbgrader-compatible grading metadata of notebook cells."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

NB_VERSION = 4


@dataclass(frozen=True)
class GradedCell:
    grade_id: str
    points: float
    index: int  # position in the notebook it was read from


def read(path: str | Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=NB_VERSION)


def reads(text: str) -> nbformat.NotebookNode:
    return nbformat.reads(text, as_version=NB_VERSION)


def writes(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def write(nb: nbformat.NotebookNode, path: str | Path) -> None:
    nbformat.write(nb, str(path))


def nbgrader(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def grade_id(cell) -> str | None:
    gid = nbgrader(cell).get("grade_id")
    return str(gid) if gid else None


def is_graded(cell) -> bool:
    return cell.cell_type == "code" and bool(nbgrader(cell).get("grade"))


def is_solution(cell) -> bool:
    return bool(nbgrader(cell).get("solution"))


def is_locked(cell) -> bool:
    """Locked cells (graded checks and any cell marked locked) are restored by the grader."""
    meta = nbgrader(cell)
    return bool(meta.get("locked")) or (bool(meta.get("grade")) and not meta.get("solution"))


def points(cell) -> float:
    try:
        return float(nbgrader(cell).get("points", 0) or 0)
    except (TypeError, ValueError):
        return 0.0


def graded_cells(nb, where: str = "<notebook>") -> list[GradedCell]:
    """The graded cells of ``nb`` in order; duplicate grade_ids are an error."""
    seen: set[str] = set()
    out = []
    for i, cell in enumerate(nb.cells):
        if not is_graded(cell):
            continue
        gid = grade_id(cell)
        if not gid:
            raise ValueError(f"{where}: cell {i} is graded but has no grade_id")
        if gid in seen:
            raise ValueError(f"{where}: grade_id {gid!r} is used by more than one cell")
        seen.add(gid)
        out.append(GradedCell(gid, points(cell), i))
    return out


def was_executed(nb) -> bool:
    """True when at least one code cell carries an execution count."""
    return any(c.cell_type == "code" and c.get("execution_count") for c in nb.cells)
