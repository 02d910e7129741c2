"""Hidden tests: kept with the grader, run against a submitted package.

A hidden test file is ``test_*.py`` with module-level ``def test_*():``
functions that assert (plain functions; ``pytest.raises``/``approx`` may be
used). Points: an optional module-level literal ``POINTS = {"test_name": 2}``;
a test not listed is worth 1 point. Tests are discovered by reading the files
(never by importing them next to student code).

Each test runs in its own interpreter, in its own session, with the
submission's package first on ``sys.path`` and the same resource limits as a
notebook kernel, and a wall-clock timeout. It passes only if that process
writes back a random token the grader gave it, on a private pipe, after the
test function returned: an exit code alone (``os._exit(0)``) or anything
printed does not count.
"""
from __future__ import annotations

import ast
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .notebook_exec import Limits, _kill_group, first_line, kernel_env

_RUNNER = r"""
import os, sys, traceback
def _main():
    token = sys.stdin.readline().strip()
    sys.stdin.close()
    private = os.dup(1)
    os.set_inheritable(private, False)
    os.dup2(2, 1)
    try:
        import importlib.util
        spec = importlib.util.spec_from_file_location("hidden_test_module", sys.argv[1])
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        getattr(mod, sys.argv[2])()
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)
    sys.stderr.flush()
    os.write(private, (token + "\n").encode())
    os._exit(0)
_main()
"""


@dataclass(frozen=True)
class HiddenTest:
    path: str
    name: str
    points: float

    @property
    def label(self) -> str:
        return f"hidden: {Path(self.path).stem}::{self.name}"


@dataclass
class HiddenResult:
    test: HiddenTest
    passed: bool
    output: str
    seconds: float


def discover(folder: Path) -> list[HiddenTest]:
    folder = Path(folder).resolve()
    if not folder.is_dir():
        return []
    tests = []
    for path in sorted(folder.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        points: dict = {}
        for node in tree.body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "POINTS"):
                points = ast.literal_eval(node.value)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                tests.append(HiddenTest(str(path), node.name, float(points.get(node.name, 1))))
    return tests


def run_test(test: HiddenTest, package_root: Path, scratch: Path, limits: Limits,
             timeout: float) -> HiddenResult:
    """Run one hidden test against the package under ``package_root``."""
    token = secrets.token_hex(16)
    scratch.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    proc = subprocess.Popen(
        limits.command([sys.executable, "-c", _RUNNER, test.path, test.name]), cwd=str(scratch),
        env=kernel_env(str(package_root)), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate((token + "\n").encode(), timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        proc.communicate()
        return HiddenResult(test, False, f"timed out after {timeout:.0f} s", time.monotonic() - t0)
    finally:
        _kill_group(proc.pid)
    seconds = round(time.monotonic() - t0, 3)
    passed = proc.returncode == 0 and out.decode(errors="replace").strip() == token
    if passed:
        return HiddenResult(test, True, "passed", seconds)
    lines = [ln for ln in err.decode(errors="replace").splitlines() if ln.strip()]
    if proc.returncode is not None and proc.returncode < 0:
        why = f"killed by signal {-proc.returncode} (time or memory limit?)"
    elif lines:
        why = first_line(lines[-1])
    else:
        why = f"exited with code {proc.returncode} without finishing the test"
    return HiddenResult(test, False, "failed: " + why, seconds)


def run_all(folder: Path, package_root: Path, scratch: Path, limits: Limits,
            timeout: float, jobs: int = 1) -> list[HiddenResult]:
    """Run every hidden test of ``folder`` (``jobs`` at a time), in discovery order."""
    from concurrent.futures import ThreadPoolExecutor
    tests = discover(folder)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(lambda t: run_test(t, package_root, scratch, limits, timeout), tests))
