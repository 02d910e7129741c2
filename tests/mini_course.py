"""A generated mini course for the grading tests: a package with solution regions,
a notebook whose graded checks record values, a written answer, hidden probes.

Submissions are generated from it (nothing is committed as a zip)."""
import json
import zipfile
from pathlib import Path

import nbformat

from cs231n.grading import nbmeta

RECORD_PY = (Path(__file__).resolve().parents[1] / "cs231n" / "record.py").read_text()

SOLUTION_PY = '''"""Tiny package of the mini course."""


def add(a, b):
    """Return a + b."""
    ### BEGIN SOLUTION
    out = a + b
    ### END SOLUTION
    return out


def mul(a, b):
    """Return a * b."""
    ### BEGIN SOLUTION
    out = a * b
    ### END SOLUTION
    return out


def square(x):
    """Return x squared."""
    ### BEGIN SOLUTION
    out = x * x
    ### END SOLUTION
    return out
'''

PROBES = '''"""Hidden probes of the mini course."""
POINTS = {"add": 2}


def inputs_add(rng):
    return {"a": rng.randn(4), "b": rng.randn(4)}


def probe_add(a, b):
    from cs231n.mathops import add
    return {"out": add(a, b)}


def inputs_mul(rng):
    return {"a": rng.randn(3), "b": rng.randn(3)}


def probe_mul(a, b):
    from cs231n.mathops import mul
    return {"out": mul(a, b)}


def inputs_square(rng):
    return {"x": rng.randn(5)}


def probe_square(x):
    from cs231n.mathops import square
    return {"out": square(x)}
'''

# grade_id -> points of the notebook's graded cells; hidden probes: add 2, mul 1, square 1.
NB_POINTS = {"check_add": 2, "check_mul": 3, "check_square": 1, "check_k": 1}
HIDDEN_POINTS = {"add": 2, "mul": 1, "square": 1}
FULL = sum(NB_POINTS.values()) + sum(HIDDEN_POINTS.values())
NB, PY = "notebooks/00_demo.ipynb", "cs231n/mathops.py"


def meta(gid, graded=False, solution=False, points=None):
    m = {"grade": graded, "solution": solution, "locked": graded and not solution, "grade_id": gid,
         "schema_version": 3, "task": False}
    if points is not None:
        m["points"] = points
    return {"nbgrader": m}


CHECKS = {
    "check_add": "r = add(1.5, 2.25)\nassert r == 3.75, 'add(1.5, 2.25) should be 3.75'\nrecord('check_add', r=r)",
    "check_mul": "r = mul(2.0, 3.5)\nassert r == 7.0, 'mul(2, 3.5) should be 7'\nrecord('check_mul', r=r)",
    "check_square": "r = square(3.0)\nassert r == 9.0\nrecord('check_square', r=r)",
    "check_k": "assert k == 3, 'k should be 3'\nrecord('check_k', k=k)",
}


def make_notebook():
    code, md = nbformat.v4.new_code_cell, nbformat.v4.new_markdown_cell
    cells = [
        md("# Mini course\nAdd, multiply, square."),
        code("from cs231n.mathops import add, mul, square\nfrom cs231n.record import record\nprint('ready')"),
        code("k = None  # your choice of k\n### BEGIN SOLUTION\nk = 3\n### END SOLUTION\nprint(k)",
             metadata=meta("k_choice", solution=True)),
        *[code(src, metadata=meta(gid, True, points=NB_POINTS[gid])) for gid, src in CHECKS.items()],
        md("**Question:** why does addition commute?"),
        md("**Your answer:** because the group is abelian.",
           metadata=meta("q1_answer", graded=True, solution=True, points=1)),  # graded by hand
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for i, c in enumerate(nb.cells):
        if c.cell_type == "code":
            c.execution_count = i
            c.outputs = [nbformat.v4.new_output("stream", name="stdout", text="solution output\n")]
    return nb


def make_course(root: Path) -> Path:
    for d in ("cs231n/grading", "notebooks", "datasets/cifar-10-batches-py", "tests/hidden", ".git"):
        (root / d).mkdir(parents=True, exist_ok=True)
    (root / "cs231n" / "__init__.py").write_text("")
    (root / "cs231n" / "grading" / "__init__.py").write_text("")
    (root / "cs231n" / "record.py").write_text(RECORD_PY)
    (root / PY).write_text(SOLUTION_PY)
    (root / "cs231n" / "helpers.py").write_text("def twice(x):\n    return 2 * x\n")
    (root / "cs231n" / "fast.so").write_bytes(b"\0")
    (root / "tests" / "hidden" / "mathops.py").write_text(PROBES)
    (root / "README.md").write_text("# mini\n")
    (root / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\n\n[project]\nname = "mini"\nversion = "0"\n'
        'dependencies = ["numpy", "nbclient"]\n\n[project.optional-dependencies]\n'
        'lab = ["jupyterlab"]\ntest = ["pytest"]\n\n[tool.setuptools.packages.find]\ninclude = ["cs231n*"]\n')
    (root / "Makefile").write_text("lab:\n\techo lab\n")
    (root / "datasets" / "get_datasets.sh").write_text("#!/bin/sh\necho get\n")
    (root / "datasets" / "cifar-10-batches-py" / "data_batch_1").write_text("x")
    nbmeta.write(make_notebook(), root / NB)
    return root


def zip_files(path: Path, files: dict) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def py(add="a + b", mul="a * b", square="x * x", extra=""):
    """The package with the given bodies (``extra`` runs when it is imported)."""
    return (extra + SOLUTION_PY.replace("out = a + b", f"out = {add}")
            .replace("out = a * b", f"out = {mul}").replace("out = x * x", f"out = {square}"))


def notebook(edit=None) -> str:
    nb = make_notebook()
    if edit:
        edit(nb.cells)
    return nbformat.writes(nb)


def code_cell(src):
    return nbformat.v4.new_code_cell(src)


def results(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def fill(solution_root: Path, student_root: Path, done: set) -> None:
    """Write into ``student_root`` the solution of the regions named in ``done``
    (package functions by name, notebook cells by grade_id), stubs elsewhere:
    a student who has done exactly that much."""
    from cs231n.grading import markers
    from cs231n.grading.release import release_notebook
    text = (solution_root / PY).read_text()
    (student_root / PY).write_text(markers.strip_source_file(text, PY, keep=lambda q: q in done))
    sol = nbmeta.read(solution_root / NB)
    rel = release_notebook(sol, NB)
    for s_cell, r_cell in zip(sol.cells, rel.cells):
        if nbmeta.grade_id(s_cell) in done and markers.has_markers(s_cell.source):
            r_cell.source = "\n".join(ln for ln in s_cell.source.splitlines()
                                      if not ln.strip().startswith("### "))
    nbmeta.write(rel, student_root / NB)
