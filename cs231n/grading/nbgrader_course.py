"""``cs231n release --nbgrader DIR``: an nbgrader course folder for one assignment.

nbgrader processes notebooks only: it would copy the package as it finds it
(the solution, with the hidden tests if they were inside) and, when
autograding, overwrite a student's package files with the instructor's. So
the folder holds:

* ``source/<A>/``: the assignment's solution notebooks (nbgrader makes their
  student versions and reads their grading metadata) and, beside them, the
  *student* version of the package (stubs, no grader, no hidden probes, no
  references);
* ``nbgrader_config.py``: the course root, the assignment, its cell timeout,
  and ``exclude_overwriting`` for the package files students write, so that
  autograding runs their code, not the stubs.

Notebooks sit at the top of the assignment folder, next to ``cs231n/``, which
is how their ``import cs231n`` finds the package there.
"""
from __future__ import annotations

import shutil
from pathlib import Path

CONFIG = """\
# nbgrader course folder for assignment {name}, written by `cs231n release --nbgrader`.
c = get_config()
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_assignments = [dict(name={name!r})]
# Students write these files: autograding keeps theirs instead of the stubs in source/.
c.Autograde.exclude_overwriting = {{{name!r}: {student_files!r}}}
# Longest cell of these notebooks on 2 cores is about 90 s; leave room for slower machines.
c.ExecutePreprocessor.timeout = {timeout}
c.Execute.timeout = {timeout}
"""


def write_course(repo: Path, release: Path, manifest: dict, out: Path, name: str,
                 timeout: int = 900) -> Path:
    """Write the nbgrader course folder ``out`` from the solution and its release."""
    out = Path(out).resolve()
    src = out / "source" / name
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    for rel in manifest["notebooks"]:
        shutil.copy2(Path(repo) / rel, src / Path(rel).name)
    shutil.copytree(Path(release) / "cs231n", src / "cs231n")
    student_files = list(manifest["student_files"])
    (out / "nbgrader_config.py").write_text(CONFIG.format(
        root=str(out), name=name, student_files=student_files, timeout=timeout))
    return out
