"""Hostile submissions against ``cs231n grade``, one or more per family of attack.

Each is graded in one batch with honest submissions. For every attack: no
points beyond its honest content, the honest submissions keep their scores,
nothing outside the work folder changes, no student process survives, and
results do not change after the grader exits. Isolation (a user of its own,
private mounts) needs root: CI runs as root; elsewhere those cases skip.
"""
import hashlib
import os
import time
from pathlib import Path

import nbformat
import pytest

from cs231n.grading import cli
from cs231n.grading.release import build_release
from cs231n.grading.sandbox import UID_BASE, is_root, processes_of
from mini_course import FULL, NB, NB_POINTS, PY, code_cell, make_course, notebook, py, results, zip_files

pytestmark = pytest.mark.skipif(not is_root(), reason="the attacks are graded isolated, which needs root "
                                                      "(CI runs as root)")
LIMITS = ["--cell-timeout", "20", "--notebook-timeout", "120", "--memory-mb", "2000", "--disk-mb", "300"]
WRONG = dict(add="a - b", mul="a * b + 1", square="x")
HONEST_K = NB_POINTS["check_k"]  # what the attackers' notebooks earn honestly (k = 3)


def _tree(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def _with_cells(*sources, at=3):
    def edit(cells):
        for s in reversed(sources):
            cells.insert(at, code_cell(s))
    return notebook(edit)


def _attacks(repo: Path, refs: Path, release: Path, out: Path) -> dict:
    """name -> (files, expected score)."""
    a = {}
    # Helpers redefined, numpy patched at import, an AST transformer that swallows
    # every failure, the record function replaced: the values are still wrong.
    cheat_cell = (
        "import numpy as np, ast\n"
        "np.allclose = lambda *a, **k: True\nnp.array_equal = lambda *a, **k: True\n"
        "rel_error = lambda *a: 0.0\n"
        "class Swallow(ast.NodeTransformer):\n"
        "    def visit_Module(self, node):\n"
        "        body = ast.Try(body=node.body, handlers=[ast.ExceptHandler(type=None, name=None,\n"
        "                       body=[ast.Pass()])], orelse=[], finalbody=[])\n"
        "        node.body = [body]\n        return ast.fix_missing_locations(node)\n"
        "get_ipython().ast_transformers.append(Swallow())\n"
        "import cs231n.record as R\n_real = R.record\n"
        "R.record = lambda gid, **v: _real(gid, **{k: 3.75 for k in v})\n"
        "record = R.record\n")
    a["rewired_kernel"] = ({NB: _with_cells(cheat_cell), PY: py(**WRONG, extra=(
        "import numpy\nnumpy.allclose = lambda *a, **k: True\n"))}, HONEST_K)
    # Values files replaced by links to the references (notebook and probes).
    link = (f"import os, glob\nd = os.environ.get('CS231N_RECORD_DIR') or ''\n"
            f"for f in glob.glob({str(refs)!r} + '/**/*.npz', recursive=True):\n"
            "    for name in (os.path.basename(f), os.path.basename(f).replace('.inputs', '')):\n"
            "        try:\n            os.symlink(f, os.path.join(d, name))\n"
            "        except OSError:\n            pass\n")
    a["linked_values"] = ({NB: _with_cells(link, at=len(nbformat.reads(notebook(), 4).cells)),
                           PY: py(**WRONG, extra="try:\n    exec(" + repr(link.replace(
                               "os.environ.get('CS231N_RECORD_DIR') or ''", "os.getcwd()")) +
                           ")\nexcept Exception:\n    pass\n")}, HONEST_K)
    # The solution, the references and the probes read from where the grader keeps them.
    steal = ("import glob\n_src = ''\n"
             f"for f in [{str(repo / PY)!r}] + glob.glob({str(refs)!r} + '/**', recursive=True):\n"
             "    try:\n        _src = open(f).read() if f.endswith('mathops.py') else _src\n"
             "    except OSError:\n        pass\n"
             "if 'def add' in _src:\n    exec(_src)\n")
    a["reads_the_solution"] = ({NB: notebook(), PY: py(**WRONG) + "\n" + steal}, HONEST_K)
    # Vandalism: rewrite what the grader reads, plant start-up files, kill the
    # grader, leave a process that rewrites the results after the grader exits.
    targets = [repo / PY, repo / "cs231n" / "grading" / "verdict.py", refs / "manifest.json",
               release / PY, repo / "tests" / "hidden" / "mathops.py", out / "summary.csv",
               Path.home() / ".ipython" / "profile_default" / "startup" / "00-pwn.py"]
    vandal = (
        "import os, signal, time\n"
        f"for t in {[str(t) for t in targets]!r} + [os.path.expanduser('~/.ipython/profile_default/startup/00.py'),\n"
        "          'sitecustomize.py', '../sitecustomize.py']:\n"
        "    try:\n        os.makedirs(os.path.dirname(os.path.abspath(t)), exist_ok=True)\n"
        "        open(t, 'w').write('POINTS = 1000\\n')\n"
        "    except OSError:\n        pass\n"
        "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(4)\n"
        f"        for p in [{str(out / 'vandal' / 'results.json')!r}, {str(out / 'summary.csv')!r}]:\n"
        "            try:\n                open(p, 'w').write('{\"score\": 1000}')\n"
        "            except OSError:\n                pass\n"
        "    os._exit(0)\n"
        "try:  # a forged report on the runner's own output\n"
        "    with open(f'/proc/{os.getppid()}/fd/1', 'w') as f:\n"
        "        f.write('{\"cells\": {\"3\": {\"status\": \"ok\"}}, \"notebook\": \"\"}')\n"
        "except OSError:\n    pass\n"
        "for sig_target in (os.getppid(), -1):\n"
        "    try:\n        os.kill(sig_target, signal.SIGKILL)\n    except OSError:\n        pass\n")
    a["vandal"] = ({NB: _with_cells(vandal), PY: py(**WRONG, extra="try:\n    exec(" + repr(vandal) +
                                                       ")\nexcept Exception:\n    pass\n")}, HONEST_K)
    # Floods after honest work: hundreds of MB printed, the disk filled, a fork bomb.
    flood = ("import os, sys\n"
             "for _ in range(200):\n    sys.stdout.write('x' * (1 << 20))\n"
             "try:\n    with open(os.path.join(os.environ['TMPDIR'], 'big'), 'wb') as f:\n"
             "        for _ in range(4096):\n            f.write(bytes(1 << 20))\n"
             "except OSError:\n    pass\n"
             "for i in range(20):\n    try:\n"
             "        with open(os.path.join(os.environ['TMPDIR'], f'f{i}'), 'wb') as f:\n"
             "            f.write(bytes(100 << 20))\n    except OSError:\n        pass\n"
             "while True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n")
    a["flood"] = ({NB: _with_cells(flood, at=len(nbformat.reads(notebook(), 4).cells)),
                   PY: (repo / PY).read_text()}, FULL)
    # Names that try to escape the output folder or clash with its files.
    for name in ("...", "summary.csv", "../../escape"):
        a[name] = ({NB: (repo / NB).read_text(), PY: (repo / PY).read_text()}, FULL)
    return a


def test_hostile_submissions_gain_nothing_and_harm_nobody(tmp_path):
    repo = make_course(tmp_path / "repo")
    release, refs = tmp_path / "release", tmp_path / "references"
    build_release(repo, release)
    assert cli.main(["references", "--repo", str(repo), "--out", str(refs), *LIMITS]) == 0
    subs, out, work = tmp_path / "subs", tmp_path / "grades", tmp_path / "work"
    subs.mkdir()
    attacks = _attacks(repo, refs, release, out)
    for name, (files, _) in attacks.items():
        zip_files(subs / f"{name.replace('/', '_')}.zip", files)
    for honest in ("honest_a", "honest_b"):
        zip_files(subs / f"{honest}.zip", {NB: (repo / NB).read_text(), PY: (repo / PY).read_text()})
    before = {"repo": _tree(repo), "release": _tree(release), "refs": _tree(refs)}
    home_startup = Path.home() / ".ipython" / "profile_default" / "startup"
    startup_before = sorted(home_startup.glob("*")) if home_startup.is_dir() else []

    assert cli.main(["grade", str(subs), "--repo", str(repo), "--release", str(release),
                     "--references", str(refs), "--out", str(out), "--work", str(work),
                     "--jobs", "2", *LIMITS]) == 0
    got = {p.parent.name: results(p)["score"] for p in out.glob("*/results.json")}
    snapshot = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert got["honest_a"] == FULL and got["honest_b"] == FULL
    for name in ("rewired_kernel", "linked_values", "reads_the_solution", "vandal", "flood"):
        assert got[name] <= attacks[name][1], (name, got[name])  # no more than its honest content
    assert got["flood"] == FULL  # and the flood after honest work keeps it
    assert sorted(n for n in got if n.startswith(("submission", "summary", "escape"))) == \
        ["escape", "submission", "summary_csv"]
    assert all(v == FULL for n, v in got.items() if n in ("submission", "summary_csv", "escape"))
    # Nothing the grader reads was changed, nothing landed outside the work folder.
    assert {"repo": _tree(repo), "release": _tree(release), "refs": _tree(refs)} == before
    assert (sorted(home_startup.glob("*")) if home_startup.is_dir() else []) == startup_before
    assert not (tmp_path / "escape").exists() and not (tmp_path.parent / "escape").exists()
    # No student process is left, and the results stay as written.
    assert processes_of(UID_BASE) == [] and processes_of(UID_BASE + 1) == []
    time.sleep(6)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == snapshot
    assert os.path.getsize(out / "flood" / "results.json") < 1 << 20
    assert "stopped: wrote more than 300 MB" in (out / "flood" / "results_report.txt").read_text()
