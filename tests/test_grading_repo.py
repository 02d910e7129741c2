"""The grading tool on this repository: the release is clean, and the hidden
probes (``tests/hidden``) pass on the solution and fail on the release.

No notebook is executed: the probes run through the same runner the grader
uses to build references (``references.run_solution``), once against the
solution and once against the release.
"""
import pytest

from cs231n.grading import markers, nbmeta, probes, references, values
from cs231n.grading.cli import default_repo
from cs231n.grading.release import build_release
from cs231n.grading.verdict import judge

REPO = default_repo()
HIDDEN = REPO / "tests" / "hidden"


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "course"
    manifest = build_release(REPO, out)
    return out, manifest


def test_release_of_this_repository_has_no_solutions_tests_or_binaries(release):
    out, manifest = release
    assert manifest["student_files"] and manifest["notebooks"]
    assert not (out / "tests").exists()
    assert not (out / ".git").exists()
    assert not list(out.rglob("*.so"))
    assert not (out / "cs231n" / "grading" / "hidden_tests").exists()
    # A student product: no staff tooling, benchmarks or staff documents.
    assert not (out / "benchmarks").exists() and not (out / "course.toml").exists()
    grading = {p.name for p in (out / "cs231n" / "grading").iterdir()}
    assert grading == {"__init__.py", "cli.py", "check.py", "runner.py", "submission.py", "nbmeta.py",
                       "manifest.py", "limits.py", "release_manifest.json"}
    reqs = (out / "requirements.txt").read_text()
    assert all(r in reqs for r in ("numpy", "jupyterlab", "Cython", "setuptools", "wheel")) and "pytest" not in reqs
    readme = (out / "README.md").read_text()
    assert "make lab" in readme and "make check" in readme and "The repository is the solution" not in readme
    for rel in manifest["student_files"]:
        text = (out / rel).read_text()
        assert not markers.has_markers(text), rel
        assert "NotImplementedError" in text, rel
    for path in (out / "cs231n").rglob("*.py*"):
        if path.suffix in (".py", ".pyx"):
            assert not markers.has_markers(path.read_text()), path
    for rel in manifest["notebooks"]:
        nb = nbmeta.read(out / rel)
        for cell in nb.cells:
            assert not markers.has_markers(cell.source), (rel, cell.source[:80])
            assert "BEGIN SOLUTION" not in cell.source, (rel, "the text speaks of markers the release removed")
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, rel


def _run_probes(found, package_root, out_dir):
    """Run ``found`` against the package at ``package_root`` the way references.build does."""
    out_dir.mkdir(parents=True)
    spec = {"package_root": str(package_root), "out_dir": str(out_dir), "probes": []}
    for p in found:
        inputs = out_dir / f"{p.name}.inputs.npz"
        inputs.write_bytes(values.dump_npz(p.inputs))
        spec["probes"].append({"name": p.name, "function": p.function, "source": p.source,
                               "inputs": str(inputs)})
    return references.run_solution("probes", spec, package_root, timeout=120)["probes"]


def test_hidden_probes_pass_on_the_solution_and_fail_on_the_release(release, tmp_path):
    out, _ = release
    found = probes.discover(HIDDEN)
    names = [p.name for p in found]
    assert len(found) >= 9 and len(set(names)) == len(names)
    assert {n.split(".")[0] for n in names} == {"layers_a1", "layers_a2", "optim_classifiers", "autodiff", "features", "rnn"}

    on_solution = _run_probes(found, REPO, tmp_path / "solution")
    on_release = _run_probes(found, out, tmp_path / "release")
    assert sorted(on_solution) == sorted(on_release) == sorted(names)

    for p in found:
        assert on_solution[p.name]["status"] == "ok", (p.name, on_solution[p.name])
        want = values.read_values(tmp_path / "solution", f"{p.name}.npz")
        assert want, f"{p.name}: the solution recorded no outputs"
        rules = {k.split("/", 1)[0]: {"tol": p.tol} for k in want}
        assert judge(want, want, rules, "offline").passed, p.name
        for key in want:  # an output left at zeros fails: no reference output is all zeros
            zeroed = dict(want, **{key: want[key] * 0})
            assert not judge(zeroed, want, rules, "offline").passed, (p.name, key)

        info = on_release[p.name]
        assert info["status"] == "error" and info["error"].startswith("NotImplementedError"), (p.name, info)
        got = values.read_values(tmp_path / "release", f"{p.name}.npz")
        assert got is None, f"{p.name}: the release recorded outputs"
        assert not judge(got, want, rules, "offline").passed, p.name
