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

from . import lint, markers, nbmeta
from .manifest import MANIFEST, source_hash

# What a student needs, relative to the repository root (README.md, Makefile and
# requirements.txt are the student's own, written from templates/).
COPY_FILES = ["setup.py", "pyproject.toml", ".gitignore", "datasets/get_datasets.sh"]
COPY_DIRS = ["cs231n", "notebooks"]
# The part of the grading tool a student uses (check, submit); the rest is staff-only.
STUDENT_GRADING = {"__init__.py", "cli.py", "check.py", "runner.py", "submission.py", "nbmeta.py",
                   "manifest.py", "limits.py"}
TEMPLATES = Path(__file__).with_name("templates")
EXCLUDE_NAMES = {".git", ".venv", "build", "dist", "__pycache__", ".ipynb_checkpoints",
                 ".pytest_cache", "data", "cifar-10-batches-py",
                 "saved"}  # cs231n/saved: what model.save() wrote (cs231n/compat.py)
EXCLUDE_PATTERNS = ["*.so", "*.c", "*.pyc", "*.pyd", "*.egg-info", "*.ckpt", "*.pkl",
                    "conftest.py", "test_*.py"]  # the staff's pytest files beside the notebooks
HIDDEN_DIR = "tests/hidden"  # hidden probes: staff-only, never released
ANSWER_PREFIX = "**Your answer:**"


class ReleaseError(RuntimeError):
    """The solution cannot be turned into a valid student version."""


def excluded(rel: str) -> bool:
    parts = rel.split("/")
    if any(p in EXCLUDE_NAMES for p in parts):
        return True
    if rel == MANIFEST:
        return True
    if rel.startswith("cs231n/grading/") and rel.split("/")[2] not in STUDENT_GRADING:
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
                  assignment: str | None = None) -> dict:
    """Write the student version of ``repo`` (of one assignment of course.toml) into ``out``.

    Returns the manifest (also written into the release).
    """
    from . import course as course_mod
    course = course_mod.load(repo)
    chosen = course.assignment(assignment)
    only = chosen.notebooks if chosen else None
    repo, out = Path(repo).resolve(), Path(out).resolve()
    if out == repo or repo in out.parents and not str(out.relative_to(repo)).startswith("build"):
        raise ReleaseError(f"refusing to write the release inside the sources: {out}")
    files = [f for f in source_files(repo) if only is None or not f.endswith(".ipynb")
             or not f.startswith("notebooks/") or Path(f).stem in only]
    # Transform everything in memory first, so a marker error leaves nothing half written.
    staged: dict[str, bytes] = {}
    student_files, notebooks, graded, owned = [], [], {}, {}
    secret: set[str] = set()  # distinctive lines of the regions that become stubs
    nb_pairs = {}
    for rel in files:
        src = repo / rel
        if _is_package_source(rel):
            text = src.read_text(encoding="utf-8")
            if markers.has_markers(text):
                keep, mine = _region_policy(course, chosen, rel, text)
                stripped = markers.strip_source_file(text, rel, keep=keep)
                if keep is None:
                    secret |= lint.solution_lines(text, rel)
                text = stripped
                if mine:
                    student_files.append(rel)
                    owned[rel] = mine
            staged[rel] = text.encode("utf-8")
        elif rel.endswith(".ipynb") and rel.startswith("notebooks/"):
            nb = nbmeta.read(src)
            rnb = release_notebook(nb, rel)
            nb_pairs[rel] = (nb, rnb, rel)
            for cell in nb.cells:
                if cell.cell_type == "code" and markers.has_markers(cell.source):
                    secret |= lint.solution_lines(cell.source, rel)
            cells = nbmeta.graded_cells(rnb, rel)
            notebooks.append(rel)
            graded[rel] = [{"grade_id": g.grade_id, "points": g.points,
                            "sha256": source_hash(rnb.cells[g.index].source)} for g in cells]
            staged[rel] = (nbformat_dumps(rnb)).encode("utf-8")
        else:
            staged[rel] = src.read_bytes()
    manifest = {"assignment": chosen.name if chosen else None, "notebooks": notebooks,
                "student_files": student_files, "graded": graded}
    staged[MANIFEST] = (json.dumps(manifest, indent=1) + "\n").encode("utf-8")
    staged.update(student_front_files(repo, course, chosen, notebooks, owned))
    problems, lint_warnings = lint.lint(repo, staged, secret, nb_pairs)
    if problems:
        raise ReleaseError("the release would not stand on its own:\n  " + "\n  ".join(problems))

    if out.exists():
        shutil.rmtree(out)
    for rel, data in staged.items():
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        if os.access(repo / rel, os.X_OK) and (repo / rel).is_file():
            dest.chmod(0o755)
    manifest["warnings"] = lint_warnings + (check_release_imports(out, repo) if check_imports else [])
    return manifest


def _region_policy(course, chosen, rel: str, text: str):
    """(keep, owned): which regions of ``rel`` stay as reference code, and the
    functions of the regions the chosen assignment's students write."""
    owners = markers.regions_by_owner(text, rel)
    if chosen is None or not course.has_owners():
        return None, list(dict.fromkeys(owners))
    who = {q: course.owner(rel, q) for q in owners}
    missing = sorted(q for q, a in who.items() if a is None)
    if missing:
        raise ReleaseError(f"{rel}: no assignment of course.toml owns the regions of "
                           f"{', '.join(missing)} (add them to an assignment's owns)")
    here = course.order(chosen.name)

    def keep(q):
        return chosen.earlier == "reference" and course.order(who[q]) < here

    return keep, [q for q in dict.fromkeys(owners) if who[q] == chosen.name]


def student_front_files(repo: Path, course, chosen, notebooks: list[str], owned: dict) -> dict:
    """The release's own README.md, Makefile and requirements.txt, from ``templates/``."""
    from string import Template
    title = chosen.title if chosen else "cs231n-notebooks: the student version"
    rows = []
    for rel in notebooks:
        info = course.notebooks.get(Path(rel).stem, {})
        secs = info.get("seconds")
        rows.append(f"| `{Path(rel).name}` | {info.get('about', '')} | "
                    f"{f'{max(1, round(secs / 60))} min' if secs else ''} |")
    todo = [f"- `{rel}`: " + ", ".join(f"`{f}`" for f in funcs) for rel, funcs in owned.items()]
    fill = {"title": title, "notebook_rows": "\n".join(rows), "todo_list": "\n".join(todo)}
    out = {name: Template((TEMPLATES / name).read_text()).substitute(fill).encode("utf-8")
           for name in ("README.md", "Makefile")}
    out["requirements.txt"] = student_requirements(repo).encode("utf-8")
    return out


def requirements(repo: Path, extras: tuple = ()) -> list[str]:
    """The package's dependencies (pyproject), those of ``extras``, and its build requirements."""
    from .course import tomllib
    data = tomllib.loads((Path(repo) / "pyproject.toml").read_text())
    optional = data["project"].get("optional-dependencies", {})
    deps = list(data["project"]["dependencies"]) + [d for e in extras for d in optional.get(e, [])]
    return list(dict.fromkeys(deps + list(data["build-system"]["requires"])))


def student_requirements(repo: Path) -> str:
    """What a student installs: the package's dependencies, JupyterLab and the build tools."""
    # wheel: pip builds the package without build isolation (the Makefile's way), and
    # setuptools needs it for that
    deps = requirements(repo, ("lab",)) + ["wheel"]
    return ("# What the notebooks need (then: pip install --no-build-isolation -e .)\n"
            + "\n".join(deps) + "\n")


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
        if parts[-1].startswith("test_"):
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
