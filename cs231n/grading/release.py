"""Write the student version of the course from the solution repository.

Solution regions in ``.py``/``.pyx`` files and notebook code cells become a TODO
comment and ``raise NotImplementedError``; written answers become a prompt;
outputs are cleared; graded cells are locked. A manifest
(``cs231n/grading/release_manifest.json``) records which files a student
changes and which cells are graded, for ``cs231n submit`` and ``cs231n grade``.
"""
from __future__ import annotations

import copy
import fnmatch
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from . import markers, nbmeta

# What a student needs, relative to the repository root.
COPY_FILES = [
    "README.md", "Makefile", "setup.py", "pyproject.toml", "requirements.txt",
    ".gitignore", "datasets/get_datasets.sh",
]
COPY_DIRS = ["cs231n", "notebooks", "benchmarks"]
EXCLUDE_NAMES = {".git", ".venv", "build", "dist", "__pycache__", ".ipynb_checkpoints",
                 ".pytest_cache", "data", "cifar-10-batches-py"}
EXCLUDE_PATTERNS = ["*.so", "*.c", "*.pyc", "*.pyd", "*.egg-info", "*.ckpt", "*.pkl"]
HIDDEN_TESTS = "cs231n/grading/hidden_tests"
HIDDEN_DIR = "tests/hidden"  # hidden probes: staff-only, never released
MANIFEST = "cs231n/grading/release_manifest.json"
ANSWER_PREFIX = "**Your answer:**"


class ReleaseError(RuntimeError):
    """The solution cannot be turned into a valid student version."""


def default_repo() -> Path:
    """The repository this package was installed from (editable install)."""
    return Path(__file__).resolve().parents[2]


def excluded(rel: str) -> bool:
    parts = rel.split("/")
    if any(p in EXCLUDE_NAMES for p in parts):
        return True
    if rel == HIDDEN_TESTS or rel.startswith(HIDDEN_TESTS + "/") or rel == MANIFEST:
        return True
    return any(fnmatch.fnmatch(parts[-1], pat) for pat in EXCLUDE_PATTERNS)


def source_files(repo: Path) -> list[str]:
    """Relative paths (posix) of every file the release is made from."""
    out = [f for f in COPY_FILES if (repo / f).is_file()]
    for d in COPY_DIRS:
        base = repo / d
        if not base.is_dir():
            continue
        for root, dirs, files in os.walk(base):
            rel_root = Path(root).relative_to(repo).as_posix()
            dirs[:] = sorted(x for x in dirs if not excluded(f"{rel_root}/{x}"))
            for name in sorted(files):
                rel = f"{rel_root}/{name}"
                if not excluded(rel) and not os.path.islink(os.path.join(root, name)):
                    out.append(rel)
    return out


def _is_package_source(rel: str) -> bool:
    """Package sources that may hold solution regions (the grading tool itself never does)."""
    return (rel.startswith("cs231n/") and rel.endswith((".py", ".pyx"))
            and not rel.startswith("cs231n/grading/"))


def release_notebook(nb, where: str):
    """Return the student version of a notebook (the input is not changed)."""
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb.cells):
        cw = f"{where}: cell {i}" + (f" ({nbmeta.grade_id(cell)})" if nbmeta.grade_id(cell) else "")
        src = cell.source
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
        if nbmeta.is_locked(cell):
            if markers.has_markers(src):
                raise ReleaseError(f"{cw}: a locked/graded cell contains a solution region")
            cell.metadata["nbgrader"]["locked"] = True
            cell.metadata["editable"] = False
            cell.metadata["deletable"] = False
        elif cell.cell_type == "code" and (markers.has_markers(src) or nbmeta.is_solution(cell)):
            todo = f"TODO ({Path(where).name}, {nbmeta.grade_id(cell) or f'cell {i}'}): " \
                   "write this part of the cell (the instructions are above it)"
            if not markers.has_markers(src):  # the whole cell is the solution
                src = f"{markers.BEGIN}\n{src}\n{markers.END}"
            cell.source = markers.strip_regions(src, cw, todo=todo)
        elif cell.cell_type == "markdown" and nbmeta.is_solution(cell):
            if markers.has_markers(src):
                cell.source = markers.strip_regions(src, cw, kind="markdown")
            else:
                cell.source = f"{ANSWER_PREFIX} {markers.ANSWER_PROMPT}"
        elif markers.has_markers(src):
            raise ReleaseError(f"{cw}: solution markers in a {cell.cell_type} cell that is not "
                               "a solution cell")
    return nb


def build_release(repo: Path, out: Path, check_imports: bool = True,
                  only: list[str] | None = None) -> dict:
    """Write the student version of ``repo`` into ``out``; return the manifest.

    ``only``: stems of the notebooks to release (an assignment's); default all.
    """
    repo, out = Path(repo).resolve(), Path(out).resolve()
    if out == repo or repo in out.parents and not str(out.relative_to(repo)).startswith("build"):
        raise ReleaseError(f"refusing to write the release inside the sources: {out}")
    files = [f for f in source_files(repo) if only is None or not f.endswith(".ipynb")
             or not f.startswith("notebooks/") or Path(f).stem in only]
    # Transform everything in memory first, so a marker error leaves nothing half written.
    staged: dict[str, bytes] = {}
    student_files, notebooks, graded = [], [], {}
    for rel in files:
        src = repo / rel
        if _is_package_source(rel):
            text = src.read_text(encoding="utf-8")
            if markers.has_markers(text):
                text = markers.strip_source_file(text, rel)
                student_files.append(rel)
            staged[rel] = text.encode("utf-8")
        elif rel.endswith(".ipynb") and rel.startswith("notebooks/"):
            nb = nbmeta.read(src)
            rnb = release_notebook(nb, rel)
            cells = nbmeta.graded_cells(rnb, rel)
            notebooks.append(rel)
            graded[rel] = [{"grade_id": g.grade_id, "points": g.points,
                            "sha256": source_hash(rnb.cells[g.index].source)} for g in cells]
            staged[rel] = (nbformat_dumps(rnb)).encode("utf-8")
        else:
            staged[rel] = src.read_bytes()
    manifest = {"notebooks": notebooks, "student_files": student_files, "graded": graded}
    staged[MANIFEST] = (json.dumps(manifest, indent=1) + "\n").encode("utf-8")

    if out.exists():
        shutil.rmtree(out)
    for rel, data in staged.items():
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        if os.access(repo / rel, os.X_OK) and (repo / rel).is_file():
            dest.chmod(0o755)
    manifest["warnings"] = check_release_imports(out, repo) if check_imports else []
    return manifest


def source_hash(source: str) -> str:
    import hashlib
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def nbformat_dumps(nb) -> str:
    import nbformat
    return nbformat.writes(nb) + "\n"


def import_failures(root: Path) -> dict[str, str]:
    """Import every module of ``root``'s package in a fresh interpreter; name -> error."""
    mods = []
    for p in sorted((root / "cs231n").rglob("*.py")):
        parts = list(p.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if "hidden_tests" in parts or parts[-1].startswith("test_"):
            continue
        mods.append(".".join(parts))
    code = ("import importlib, json, warnings\nwarnings.simplefilter('ignore')\n"
            "bad = {}\n"
            f"for m in {mods!r}:\n"
            "    try:\n        importlib.import_module(m)\n"
            "    except Exception as e:\n        bad[m] = f'{type(e).__name__}: {e}'\n"
            "print(json.dumps(bad))\n")
    env = dict(os.environ, PYTHONPATH=str(root), MPLBACKEND="Agg")
    proc = subprocess.run([sys.executable, "-c", code], cwd=str(root), env=env,
                          capture_output=True, text=True, timeout=300)
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"cs231n": (proc.stderr.strip().splitlines() or ["import check failed"])[-1]}


def check_release_imports(root: Path, repo: Path | None = None) -> list[str]:
    """Raise ReleaseError if a released module fails to import where the solution's does.

    Returns warnings for modules that fail in the solution too (a problem of
    the solution, not of the release).
    """
    bad = import_failures(root)
    if not bad:
        return []
    also = import_failures(repo) if repo else {}
    mine = {m: e for m, e in bad.items() if m not in also}
    if mine:
        raise ReleaseError("released modules do not import:\n" +
                           "\n".join(f"  {m}: {e}" for m, e in mine.items()))
    return [f"{m} does not import in the solution either: {e}" for m, e in bad.items()]


def load_manifest(root: Path) -> dict | None:
    p = Path(root) / MANIFEST
    if p.is_file():
        return json.loads(p.read_text())
    return None


def student_files_of(root: Path) -> tuple[list[str], list[str]]:
    """(notebooks, package files a student changes) of a release or a solution tree."""
    root = Path(root)
    m = load_manifest(root)
    if m is not None:
        return list(m["notebooks"]), list(m["student_files"])
    notebooks, files = [], []
    for rel in source_files(root):
        if rel.startswith("notebooks/") and rel.endswith(".ipynb"):
            notebooks.append(rel)
        elif _is_package_source(rel):
            if markers.has_markers((root / rel).read_text(encoding="utf-8")):
                files.append(rel)
    return notebooks, files
