"""The grading tool on this repository: the release is clean and notebook 00 validates.

Only the cheapest real notebook is executed (on the offline dataset), twice: on
the solution and on the student version.
"""
import json

from cs231n.grading import markers, nbmeta
from cs231n.grading.check import validate
from cs231n.grading.notebook_exec import Limits
from cs231n.grading.release import build_release, default_repo

REPO = default_repo()


def test_release_of_this_repository_has_no_solutions_and_validates_notebook_00(tmp_path, monkeypatch):
    monkeypatch.delenv("CS231N_DATA_DIR", raising=False)
    out = tmp_path / "release"
    manifest = build_release(REPO, out)
    assert not (out / "cs231n" / "grading" / "hidden_tests").exists()
    assert not list(out.rglob("*.so")) and not (out / ".git").exists()
    for rel in manifest["student_files"]:
        assert not markers.has_markers((out / rel).read_text()), rel
    for rel in manifest["notebooks"]:
        nb = nbmeta.read(out / rel)
        for cell in nb.cells:
            assert not markers.has_markers(cell.source) or not cell.source.lstrip().startswith("###")
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None
        assert json.dumps(manifest["graded"][rel])
    lines = []
    ok = validate(REPO, out, ["00_preprocessing.ipynb"],
                  Limits(cell_timeout=300, notebook_timeout=600, memory_mb=8192), echo=lines.append)
    assert ok, "\n".join(lines)


def test_hidden_tests_pass_on_the_solution_and_fail_on_the_release(tmp_path):
    from cs231n.grading import hidden
    folder = REPO / "cs231n" / "grading" / "hidden_tests"
    out = tmp_path / "release"
    build_release(REPO, out, check_imports=False)
    limits = Limits(memory_mb=4096)
    on_solution = hidden.run_all(folder, REPO, tmp_path / "s1", limits, timeout=120, jobs=3)
    on_release = hidden.run_all(folder, out, tmp_path / "s2", limits, timeout=120, jobs=3)
    assert len(on_solution) >= 5
    assert [r.test.name for r in on_solution if not r.passed] == [], [r.output for r in on_solution]
    assert [r.test.name for r in on_release if r.passed] == []
    assert all("NotImplementedError" in r.output for r in on_release), [r.output for r in on_release]
