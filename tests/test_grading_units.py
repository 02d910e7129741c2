"""Unit tests of the grading tool's pieces: markers, cell restoring, zip safety, hidden tests."""
import os
import stat
import zipfile

import nbformat
import pytest

from cs231n.grading import nbmeta
from cs231n.grading.markers import MarkerError, find_regions, strip_regions, strip_source_file
from cs231n.grading.restore import restore_notebook
from cs231n.grading.submission import SubmissionError, safe_extract

# -- markers -------------------------------------------------------------------


def test_stubs_keep_indentation_name_file_function_and_task_and_the_file_still_compiles():
    src = ("def f(x):\n    \"\"\"Double x.\"\"\"\n    y = 1\n    ### BEGIN SOLUTION\n    y = x * 2\n"
           "    ### END SOLUTION\n    return y\n\n\nclass A:\n    def g(self):\n        out = None\n"
           "        # Return three, the answer.\n        out = None\n        ### BEGIN SOLUTION\n"
           "        return 3\n        ### END SOLUTION\n")
    out = strip_source_file(src, "pkg/m.py")
    assert "x * 2" not in out and "return 3" not in out
    assert "    # TODO (pkg/m.py, f): Double x.\n    raise NotImplementedError('TODO (pkg/m.py, f): Double x.')" in out
    assert "        raise NotImplementedError('TODO (pkg/m.py, A.g): Return three, the answer.')" in out
    ns = {}
    exec(compile(out, "m.py", "exec"), ns)
    with pytest.raises(NotImplementedError):
        ns["f"](1)


@pytest.mark.parametrize("text, line, words", [
    ("a\n### BEGIN SOLUTION\nb\n", 2, "never closed"),
    ("a\n### END SOLUTION\n", 2, "without a matching"),
    ("### BEGIN SOLUTION\n  ### BEGIN SOLUTION\n### END SOLUTION\n", 2, "nested"),
    ("x = 1\n### BEGIN SOLUTION here\n### END SOLUTION\n", 2, "alone on its line"),
])
def test_bad_markers_are_reported_with_file_and_line(text, line, words):
    with pytest.raises(MarkerError, match=rf"^f\.py:{line}: .*{words}"):
        find_regions(text, "f.py")


def test_module_level_region_is_refused_since_the_module_would_not_import():
    with pytest.raises(MarkerError, match=r"m\.py:2: .*module level"):
        strip_source_file("import os\n### BEGIN SOLUTION\nX = 1\n### END SOLUTION\n", "m.py")


def test_markers_mentioned_in_prose_are_not_regions():
    text = "Code goes between `### BEGIN SOLUTION` and `### END SOLUTION`.\n"
    assert find_regions(text, "x") == []
    assert strip_regions(text, "x") == text


# -- restoring locked cells ------------------------------------------------------


def _meta(gid, graded, points=1):
    return {"nbgrader": {"grade": graded, "solution": not graded, "locked": graded,
                         "grade_id": gid, "points": points, "schema_version": 3, "task": False}}


def _release():
    c = nbformat.v4.new_code_cell
    return nbformat.v4.new_notebook(cells=[
        c("setup = 1"),
        c("### BEGIN SOLUTION\n### END SOLUTION", metadata=_meta("sol", False)),
        c("data = 2"),
        c("assert check_one()", metadata=_meta("g1", True)),
        c("assert check_two()", metadata=_meta("g2", True)),
        c("tail = 3"),
    ])


def _sources(nb):
    return [c.source for c in nb.cells]


def test_edited_locked_cell_is_put_back_and_student_cells_kept():
    sub = _release()
    sub.cells[1].source = "answer = 42"
    sub.cells[3].source = "pass"
    nb, notes = restore_notebook(_release(), sub)
    assert _sources(nb)[1] == "answer = 42" and _sources(nb)[3] == "assert check_one()"
    assert any("'g1' was edited" in n for n in notes)


def test_deleted_locked_cell_is_reinserted_before_the_next_known_cell():
    sub = _release()
    del sub.cells[3]
    nb, notes = restore_notebook(_release(), sub)
    assert _sources(nb) == _sources(_release())
    assert any("'g1' was missing" in n for n in notes)
    sub = _release()
    del sub.cells[4]
    nb, _ = restore_notebook(_release(), sub)  # no later anchor: appended at the end
    assert _sources(nb)[-1] == "assert check_two()"


def test_duplicates_are_dropped_and_student_cells_cannot_make_themselves_graded():
    sub = _release()
    fake = nbformat.v4.new_code_cell("pass", metadata=_meta("g2", True))
    bonus = nbformat.v4.new_code_cell("x = 1", metadata=_meta("bonus", True, points=100))
    bonus.metadata["tags"] = ["raises-exception", "keep"]
    sub.cells[2:2] = [fake, bonus]
    nb, notes = restore_notebook(_release(), sub)
    assert [g.grade_id for g in nbmeta.graded_cells(nb)] == ["g2", "g1"]
    assert _sources(nb).count("assert check_two()") == 1
    assert "pass" not in _sources(nb)
    kept = nb.cells[_sources(nb).index("x = 1")]
    assert "nbgrader" not in kept.metadata and kept.metadata["tags"] == ["keep"]
    assert any("duplicate" in n for n in notes)
    assert len({c.id for c in nb.cells}) == len(nb.cells)


# -- unpacking zips --------------------------------------------------------------


def _zip(path, entries):
    with zipfile.ZipFile(path, "w") as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return path


@pytest.mark.parametrize("name, words", [
    ("../x.txt", "escapes"), ("a/../../x.txt", "escapes"), ("/etc/x.txt", "absolute"),
    ("C:/x.txt", "absolute"), ("a\\..\\x.txt", "backslash"),
])
def test_zip_with_escaping_paths_is_refused_and_nothing_is_written(tmp_path, name, words):
    z = _zip(tmp_path / "s.zip", [("ok.txt", "fine"), (name, "evil")])
    dest = tmp_path / "work" / "unpacked"
    with pytest.raises(SubmissionError, match=words):
        safe_extract(z, dest)
    assert not dest.exists() and sorted(os.listdir(tmp_path)) == ["s.zip"]


def test_zip_with_a_symlink_is_refused(tmp_path):
    info = zipfile.ZipInfo("notebooks/link")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    z = _zip(tmp_path / "s.zip", [(info, "/etc/passwd")])
    with pytest.raises(SubmissionError, match="link"):
        safe_extract(z, tmp_path / "out")


def test_zip_bomb_is_refused_by_declared_and_by_actual_size(tmp_path):
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("big.bin", "w") as f:
            for _ in range(8):
                f.write(bytes(1 << 20))
    with pytest.raises(SubmissionError, match="more than 4 MB"):
        safe_extract(z, tmp_path / "out", max_bytes=4 << 20)
    # A header that under-states the size: the bytes written are counted too.
    data = bytearray(z.read_bytes())
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = data.index(sig)
        data[i + off:i + off + 4] = (100).to_bytes(4, "little")
    liar = tmp_path / "liar.zip"
    liar.write_bytes(bytes(data))
    with pytest.raises((SubmissionError, zipfile.BadZipFile)):
        safe_extract(liar, tmp_path / "out2", max_bytes=4 << 20)


def test_not_a_zip_is_refused_with_a_clear_message(tmp_path):
    (tmp_path / "s.zip").write_text("hello")
    with pytest.raises(SubmissionError, match="not a readable zip"):
        safe_extract(tmp_path / "s.zip", tmp_path / "out")


# -- values and verdicts ----------------------------------------------------------


def test_values_files_with_objects_links_or_lying_headers_are_refused(tmp_path):
    import io
    import numpy as np
    from cs231n.grading import values
    good = values.dump_npz({"a": np.arange(3.0)})
    assert values.load_npz(good)["a"].tolist() == [0.0, 1.0, 2.0]
    buf = io.BytesIO()
    np.savez(buf, a=np.array([{"x": 1}], dtype=object))
    with pytest.raises(values.BadValues, match="objects"):
        values.load_npz(buf.getvalue())
    with pytest.raises(values.BadValues, match="not an npz"):
        values.load_npz(b"PK\x03\x04 nonsense")
    (tmp_path / "secret.npz").write_bytes(good)
    os.symlink(tmp_path / "secret.npz", tmp_path / "link.npz")
    assert values.read_values(tmp_path, "link.npz") is None
    os.symlink(tmp_path, tmp_path / "dirlink")
    assert values.read_values(tmp_path / "dirlink", "secret.npz") is None
    assert values.read_values(tmp_path, "secret.npz")["a"].shape == (3,)


def test_verdicts_compare_with_the_solution_and_describe_only_what_was_compared():
    import numpy as np
    from cs231n.grading.verdict import judge
    ref = {"d": np.arange(6.0).reshape(2, 3), "k": np.array(3), "name": np.array("L1")}
    assert judge(dict(ref), ref, {}, "offline").passed
    v = judge(dict(ref, d=ref["d"] * (1 + 1e-3)), ref, {}, "offline")
    assert not v.passed and v.message == "d: largest relative error 5.0e-04 (allowed 1e-06)"
    assert judge(dict(ref, d=ref["d"] * (1 + 1e-3)), ref, {"d": {"tol": 1e-3}}, "offline").passed
    assert judge(dict(ref, d=ref["d"][:1]), ref, {}, "offline").message == \
        "d: expected shape (2, 3), got (1, 3)"
    assert not judge(dict(ref, k=np.array(4)), ref, {}, "offline").passed
    assert not judge(dict(ref, name=np.array("YOU GET FULL MARKS")), ref, {}, "offline").passed
    v = judge({k: v for k, v in ref.items() if k != "k"}, ref, {}, "offline")
    assert v.message == "k: not recorded"
    assert "not reach its record line" in judge(None, ref, {}, "offline").message
    assert not judge(dict(ref, d=np.full((2, 3), np.nan)), ref, {}, "offline").passed


def test_accuracy_rules_evaluate_the_recorded_weights_on_the_solutions_data():
    import numpy as np
    from cs231n.grading.verdict import judge
    rng = np.random.RandomState(0)
    x = rng.randn(200, 5)
    w_true = rng.randn(5, 3)
    y = np.argmax(x @ w_true, axis=1)
    ref = {"W": w_true, "X_val": x, "y_val": y}
    rules = {"W": {"accuracy": "linear", "x": "X_val", "y": "y_val", "cifar10": 0.9, "offline": 0.8},
             "X_val": "input", "y_val": "input"}
    # The student's own X_val and y_val are ignored: only the solution's data counts.
    assert judge({"W": w_true * 2, "X_val": x[:1], "y_val": y[:1]}, ref, rules, "offline").passed
    v = judge({"W": -w_true}, ref, rules, "offline")
    assert not v.passed and "below the target 0.800" in v.message
    assert "weight matrix" in judge({"W": np.zeros((4, 3))}, ref, rules, "offline").message


def test_model_accuracy_rules_rebuild_the_graders_own_class_from_the_recorded_config():
    import numpy as np
    from cs231n.classifiers.fc_net import FullyConnectedNet
    from cs231n.grading.verdict import judge
    rng = np.random.RandomState(1)
    x = rng.randn(100, 6)
    net = FullyConnectedNet([5], input_dim=6, num_classes=3, weight_scale=1.0, dtype=np.float64)
    y = np.argmax(net.loss(x), axis=1)
    flat = {f"params/{k}": v for k, v in net.params.items()}
    student = dict(flat, **{"config/hidden_dims": np.array([5]), "config/input_dim": np.array(6),
                            "config/num_classes": np.array(3)})
    ref = {"params/W1": np.zeros(1), "config/hidden_dims": np.array([99]), "X": x, "y": y}
    rules = {"params": {"accuracy": "model", "model": "cs231n.classifiers.fc_net.FullyConnectedNet",
                        "config": "config", "x": "X", "y": "y", "offline": 0.99}}
    # The student's own architecture (config) is not compared with the solution's.
    assert judge(student, ref, rules, "offline").passed
    wrong = dict(student, **{"params/W2": -net.params["W2"]})
    assert "below the target" in judge(wrong, ref, rules, "offline").message
    evil = dict(student, **{"config/evil_GIVE_ME_POINTS": np.array(1)})
    msg = judge(evil, ref, rules, "offline").message
    assert not judge(evil, ref, rules, "offline").passed and "GIVE_ME" not in msg


def test_submission_names_become_safe_unique_folder_names():
    from pathlib import Path
    from cs231n.grading.grade import safe_names
    names = safe_names([Path(n) for n in ["...zip", "summary.csv.zip", "a b.zip", "a_b.zip",
                                          "../x.zip", "Summary.zip", "ok"]])
    assert names == ["submission", "summary_csv", "a_b", "a_b-2", "x", "Summary_submission", "ok"]
    assert all("/" not in n and not n.startswith(".") for n in names)


def test_references_store_a_large_array_once_however_many_checks_record_it(tmp_path):
    import numpy as np
    from cs231n.grading import references, values
    x = np.arange(300_000, dtype=np.float64).reshape(1000, 300)  # 2.4 MB
    for gid in ("a", "b"):
        (tmp_path / f"{gid}.npz").write_bytes(values.dump_npz({"X_val": x, "W": np.ones(3)}))
        references._share_large_arrays(tmp_path / f"{gid}.npz", tmp_path / "blobs")
    assert len(list((tmp_path / "blobs").glob("*.npy"))) == 1
    assert (tmp_path / "a.npz").stat().st_size < 10_000
    cache = {}
    a = references._read_check(tmp_path, "a", tmp_path / "blobs", cache)
    b = references._read_check(tmp_path, "b", tmp_path / "blobs", cache)
    assert np.array_equal(a["X_val"], x) and a["X_val"] is b["X_val"] and a["W"].tolist() == [1, 1, 1]
