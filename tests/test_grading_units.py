"""Unit tests of the grading tool's pieces: markers, cell restoring, zip safety, hidden tests."""
import os
import stat
import zipfile

import nbformat
import pytest

from cs231n.grading import hidden, nbmeta
from cs231n.grading.markers import MarkerError, find_regions, strip_regions, strip_source_file
from cs231n.grading.notebook_exec import Limits
from cs231n.grading.restore import restore_notebook
from cs231n.grading.submission import SubmissionError, safe_extract

# -- markers -------------------------------------------------------------------


def test_strip_keeps_indentation_and_the_file_still_compiles():
    src = ("def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    y = x * 2\n    ### END SOLUTION\n"
           "    return y\n\n\nclass A:\n    def g(self):\n        ### BEGIN SOLUTION\n"
           "        return 3\n        ### END SOLUTION\n")
    out = strip_source_file(src, "m.py")
    assert "x * 2" not in out and "return 3" not in out
    assert '    raise NotImplementedError("TODO: implement f")' in out
    assert '        raise NotImplementedError("TODO: implement g")' in out
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


# -- hidden tests ------------------------------------------------------------------


def test_hidden_tests_pass_only_when_the_test_function_returned(tmp_path):
    pkg = tmp_path / "pkg" / "cs231n"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "m.py").write_text(
        "import os, sys\n"
        "def good():\n    return 1\n"
        "def bad():\n    return 2\n"
        "def cheat():\n    print('passed'); sys.stdout.flush(); os._exit(0)\n"
        "def hang():\n    while True:\n        pass\n")
    tests = tmp_path / "hidden"
    tests.mkdir()
    (tests / "test_m.py").write_text(
        "POINTS = {'test_good': 3}\nfrom cs231n import m\n"
        "def test_good():\n    assert m.good() == 1\n"
        "def test_bad():\n    assert m.bad() == 1, 'bad() should return 1'\n"
        "def test_cheat():\n    m.cheat()\n    assert False\n"
        "def test_hang():\n    m.hang()\n")
    found = hidden.discover(tests)
    assert [(t.name, t.points) for t in found] == [
        ("test_good", 3), ("test_bad", 1), ("test_cheat", 1), ("test_hang", 1)]
    res = {r.test.name: r for r in hidden.run_all(tests, tmp_path / "pkg", tmp_path / "scratch",
                                                   Limits(memory_mb=2000), timeout=4)}
    assert res["test_good"].passed
    assert not res["test_bad"].passed and "bad() should return 1" in res["test_bad"].output
    assert not res["test_cheat"].passed
    assert not res["test_hang"].passed and "timed out" in res["test_hang"].output


def test_graded_code_sees_the_dataset_setting_but_not_the_graders_other_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_SECRET_TOKEN", "s3cret")
    monkeypatch.setenv("CS231N_DATA_DIR", "/data/cifar")
    tests = tmp_path / "hidden"
    tests.mkdir()
    (tests / "test_env.py").write_text(
        "import os\n"
        "def test_env():\n"
        "    assert 'GRADER_SECRET_TOKEN' not in os.environ\n"
        "    assert os.environ['CS231N_DATA_DIR'] == '/data/cifar'\n")
    (res,) = hidden.run_all(tests, tmp_path, tmp_path / "scratch", Limits(memory_mb=2000), timeout=30)
    assert res.passed, res.output
