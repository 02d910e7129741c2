"""The release manifest: which notebooks and files a student works on, and the checks.

``cs231n release`` writes it (``cs231n/grading/release_manifest.json``);
``check``, ``submit`` and ``grade`` read it.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

MANIFEST = "cs231n/grading/release_manifest.json"


def load_manifest(root: Path) -> dict | None:
    p = Path(root) / MANIFEST
    if p.is_file():
        return json.loads(p.read_text())
    return None


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def student_files_of(root: Path) -> tuple[list[str], list[str]]:
    """(notebooks, package files a student changes) of a release or a solution tree."""
    root = Path(root)
    m = load_manifest(root)
    if m is not None:
        return list(m["notebooks"]), list(m["student_files"])
    notebooks, files = [], []
    from . import markers
    from .release import _is_package_source, source_files
    for rel in source_files(root):
        if rel.startswith("notebooks/") and rel.endswith(".ipynb"):
            notebooks.append(rel)
        elif _is_package_source(rel):
            if markers.has_markers((root / rel).read_text(encoding="utf-8")):
                files.append(rel)
    return notebooks, files
