"""Put a submitted notebook's locked cells back from the release, by grade_id.

* a locked cell the student edited is replaced by the release's cell;
* a locked cell the student deleted is re-inserted where it was: just before
  the next cell (in release order) whose grade_id is still there, or at the end;
* a second cell with the grade_id of a locked cell is dropped (duplicates);
* the student's other cells keep their source, but only solution cells of the
  release keep grading metadata, so a cell cannot make itself graded;
* tags that change how a cell is executed (``raises-exception``,
  ``skip-execution``) are removed from the student's cells.
"""
from __future__ import annotations

import copy
import uuid

from . import nbmeta

EXEC_TAGS = {"raises-exception", "skip-execution"}


def restore_notebook(release_nb, submitted_nb) -> tuple[object, list[str]]:
    """Return (the notebook to grade, notes on what was restored)."""
    notes: list[str] = []
    rel_cells = release_nb.cells
    locked = {nbmeta.grade_id(c): c for c in rel_cells if nbmeta.is_locked(c) and nbmeta.grade_id(c)}
    solution = {nbmeta.grade_id(c): c for c in rel_cells
                if nbmeta.is_solution(c) and not nbmeta.is_locked(c) and nbmeta.grade_id(c)}
    out = []
    seen: set[str] = set()
    for cell in submitted_nb.cells:
        cell = copy.deepcopy(cell)
        gid = nbmeta.grade_id(cell)
        if gid in locked:
            if gid in seen:
                notes.append(f"duplicate of locked cell {gid!r} ignored")
                continue
            seen.add(gid)
            original = locked[gid]
            if cell.get("source") != original.source or cell.cell_type != original.cell_type:
                notes.append(f"locked cell {gid!r} was edited; restored from the release")
            out.append(copy.deepcopy(original))
            continue
        meta = cell.setdefault("metadata", {})
        if gid in solution and gid not in seen:
            seen.add(gid)
            meta["nbgrader"] = copy.deepcopy(solution[gid].metadata["nbgrader"])
        else:
            meta.pop("nbgrader", None)
        tags = meta.get("tags")
        if isinstance(tags, list) and EXEC_TAGS & set(tags):
            meta["tags"] = [t for t in tags if t not in EXEC_TAGS]
        out.append(cell)

    # Re-insert deleted locked cells, walking the release backwards so each one
    # lands before the next cell of the release that is present.
    present = {nbmeta.grade_id(c) for c in out if nbmeta.grade_id(c)}
    for k in range(len(rel_cells) - 1, -1, -1):
        cell = rel_cells[k]
        gid = nbmeta.grade_id(cell)
        if gid not in locked or gid in present:
            continue
        anchor = None
        for later in rel_cells[k + 1:]:
            lg = nbmeta.grade_id(later)
            if lg and lg in present:
                anchor = lg
                break
        pos = len(out)
        if anchor is not None:
            pos = next(i for i, c in enumerate(out) if nbmeta.grade_id(c) == anchor)
        out.insert(pos, copy.deepcopy(cell))
        present.add(gid)
        notes.append(f"locked cell {gid!r} was missing; re-inserted")

    nb = copy.deepcopy(release_nb)
    nb.cells = out
    _unique_ids(nb)
    return nb, notes


def _unique_ids(nb) -> None:
    seen = set()
    for cell in nb.cells:
        cid = cell.get("id")
        if not cid or cid in seen:
            if "id" in cell or nb.nbformat_minor >= 5:
                cell["id"] = uuid.uuid4().hex[:12]
        seen.add(cell.get("id"))
