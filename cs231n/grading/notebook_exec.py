"""Execute a notebook cell by cell in a limited kernel and record what happened.

The kernel is started with resource limits (``resource.setrlimit`` in a
``preexec_fn``, inherited by anything the kernel starts): address space
(memory), CPU seconds, file size, no core dumps. Each cell has a wall-clock
timeout and the notebook has a total budget.

What a failure costs (the policy ``cs231n grade`` documents):

* a cell that raises (including ``MemoryError``) fails; execution goes on in
  the same kernel;
* a cell that times out or kills the kernel (``os._exit``, a segfault, the
  memory limit hit outside Python) fails; the kernel is restarted, the cells
  that had succeeded before are replayed in order to rebuild the state (their
  results are not counted again), and execution goes on with the next cell;
* after ``max_restarts`` restarts, or when the notebook's time budget is
  spent, the remaining cells are marked "not run".

The status of a cell is the kernel's execute-reply status; nothing the cell
prints is read. Run as ``python -m cs231n.grading.notebook_exec SPEC.json``
this module executes one notebook in its own process and writes the results as
JSON to stdout (the kernel's own stdout/stderr go to /dev/null, so code in the
kernel cannot write into that channel).
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import nbmeta

MB = 1 << 20


@dataclass
class Limits:
    cell_timeout: float = 600.0  # seconds per cell (wall clock)
    notebook_timeout: float = 3600.0  # seconds for the whole notebook
    memory_mb: int = 8192  # address-space limit of the kernel (and its children)
    max_restarts: int = 3
    file_size_mb: int = 2048

    def rlimits(self) -> dict[str, tuple[int, int]]:
        mem = int(self.memory_mb) * MB
        cpu = int(self.notebook_timeout * max(os.cpu_count() or 1, 1) + 60)
        fsize = int(self.file_size_mb) * MB
        return {"RLIMIT_AS": (mem, mem), "RLIMIT_CPU": (cpu, cpu + 5),
                "RLIMIT_FSIZE": (fsize, fsize), "RLIMIT_CORE": (0, 0)}

    def preexec(self):
        """A function for Popen(preexec_fn=...) that applies the limits in the child;
        the kernel manager passes it to the Popen that starts the kernel."""
        limits = self.rlimits()

        def apply():
            for name, value in limits.items():
                resource.setrlimit(getattr(resource, name), value)
        return apply

    def command(self, argv: list[str]) -> list[str]:
        """``argv`` wrapped so that the limits are applied before it is exec'd.

        Used from threaded code (a class graded with --jobs), where Popen's
        preexec_fn is not safe.
        """
        code = ("import json, os, resource, sys\n"
                "for k, v in json.loads(sys.argv[1]).items():\n"
                "    resource.setrlimit(getattr(resource, k), tuple(v))\n"
                "os.execv(sys.argv[2], sys.argv[2:])\n")
        return [sys.executable, "-c", code, json.dumps(self.rlimits()), *argv]


@dataclass
class CellResult:
    index: int
    grade_id: str | None
    points: float
    graded: bool
    status: str  # ok | error | timeout | died | not run
    error: str = ""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == "ok"


@dataclass
class NotebookResult:
    cells: list[CellResult] = field(default_factory=list)
    restarts: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def graded(self) -> list[CellResult]:
        return [c for c in self.cells if c.graded]

    def to_json(self) -> dict:
        return {"cells": [asdict(c) for c in self.cells], "restarts": self.restarts,
                "notes": self.notes, "seconds": self.seconds}

    @classmethod
    def from_json(cls, d: dict) -> "NotebookResult":
        return cls([CellResult(**c) for c in d["cells"]], d["restarts"], d["notes"], d["seconds"])


def first_line(text: str, limit: int = 300) -> str:
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()[:limit]
    return ""


ENV_KEEP = {"PATH", "HOME", "USER", "LOGNAME", "LANG", "TZ", "TMPDIR", "TERM", "VIRTUAL_ENV",
            "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "SYSTEMROOT"}
ENV_KEEP_PREFIXES = ("CS231N_", "LC_")


def kernel_env(pythonpath: str | None) -> dict:
    """The environment of code being graded: a short allow-list of the grader's
    variables (so tokens or passwords in the staff's shell don't reach student
    code), the dataset location, and ``pythonpath`` first on the module path."""
    env = {k: v for k, v in os.environ.items()
           if k in ENV_KEEP or k.startswith(ENV_KEEP_PREFIXES)}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    env["MPLBACKEND"] = "Agg"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    return env


def execute_notebook(nb, cwd: str, pythonpath: str | None, limits: Limits) -> NotebookResult:
    """Execute ``nb`` in place (outputs are written into it); see the module docstring."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    start = time.monotonic()
    deadline = start + limits.notebook_timeout
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
    res = {i: CellResult(i, nbmeta.grade_id(nb.cells[i]), nbmeta.points(nb.cells[i]),
                         nbmeta.is_graded(nb.cells[i]), "not run") for i in code}
    out = NotebookResult()
    succeeded: list[int] = []
    pos = 0
    env = kernel_env(pythonpath)

    def run(client, i):
        client.timeout = max(1, int(min(limits.cell_timeout, deadline - time.monotonic())))
        client.execute_cell(nb.cells[i], i)

    while pos < len(code):
        client = NotebookClient(
            nb, timeout=int(limits.cell_timeout), kernel_name="python3", allow_errors=False,
            interrupt_on_timeout=False, shutdown_kernel="immediate", startup_timeout=120,
            resources={"metadata": {"path": cwd}})
        restart = False
        kernel_pid = None
        try:
            with client.setup_kernel(cwd=cwd, env=env, preexec_fn=limits.preexec(),
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL):
                kernel_pid = _kernel_pid(client)
                for i in succeeded:  # rebuild the state after a restart
                    if time.monotonic() >= deadline:
                        break
                    try:
                        run(client, i)
                    except CellExecutionError:
                        pass
                while pos < len(code):
                    i = code[pos]
                    pos += 1
                    if time.monotonic() >= deadline:
                        pos -= 1
                        break
                    t0 = time.monotonic()
                    r = res[i]
                    try:
                        run(client, i)
                        r.status = "ok"
                        succeeded.append(i)
                    except CellExecutionError as e:
                        r.status, r.error = "error", first_line(f"{e.ename}: {e.evalue}")
                    except CellTimeoutError:
                        r.status = "timeout"
                        r.error = f"cell timed out after {client.timeout} s; kernel restarted"
                        restart = True
                    except DeadKernelError:
                        r.status = "died"
                        r.error = ("the kernel died (os._exit, crash, or out of memory); "
                                   "kernel restarted")
                        restart = True
                    r.seconds = round(time.monotonic() - t0, 3)
                    if restart:
                        break
        except (CellTimeoutError, DeadKernelError) as e:  # while replaying
            out.notes.append(f"kernel failed while rebuilding state after a restart: {e}")
            restart = False
            pos = len(code) + 1
        except Exception as e:  # noqa: BLE001 - the kernel would not start
            out.notes.append(f"kernel could not start: {first_line(e)}")
            pos = len(code) + 1
        finally:
            _kill_group(kernel_pid)
        if restart:
            out.restarts += 1
            if out.restarts > limits.max_restarts:
                out.notes.append(f"more than {limits.max_restarts} kernel restarts; "
                                 "remaining cells not run")
                break
        if time.monotonic() >= deadline:
            out.notes.append(f"notebook time budget of {limits.notebook_timeout:.0f} s spent; "
                             "remaining cells not run")
            break
    for r in res.values():
        if r.status == "not run" and not r.error:
            r.error = "not run (" + (out.notes[-1] if out.notes else "stopped") + ")"
    out.cells = [res[i] for i in code]
    out.seconds = round(time.monotonic() - start, 3)
    return out


def _kernel_pid(client):
    try:
        return client.km.provisioner.process.pid
    except AttributeError:
        return None


def _kill_group(pid):
    """Kill whatever is left of the kernel's process group (its own session)."""
    if not pid:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass


# -- running one notebook in its own process --------------------------------

def grader_pythonpath() -> str:
    """The folder holding the ``cs231n`` package that contains this grader."""
    return str(Path(__file__).resolve().parents[2])


def run_in_subprocess(notebook: Path, cwd: Path, pythonpath: str | None, limits: Limits,
                      save_to: Path | None = None, workdir: Path | None = None) -> NotebookResult:
    """Execute ``notebook`` in a separate process; never raises for what the notebook does."""
    spec = {"notebook": str(notebook), "cwd": str(cwd), "pythonpath": pythonpath,
            "limits": asdict(limits), "save_to": str(save_to) if save_to else None}
    env = dict(os.environ, PYTHONPATH=grader_pythonpath())
    # An empty folder as the worker's cwd: ``python -m`` puts the cwd first on
    # sys.path, and a course folder there would shadow the grader's package.
    run_dir = tempfile.mkdtemp(prefix="cs231n-exec-", dir=str(workdir) if workdir else None)
    hard = limits.notebook_timeout + (limits.max_restarts + 2) * 150
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cs231n.grading.notebook_exec", json.dumps(spec)],
            cwd=run_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, start_new_session=True)
        try:
            stdout, stderr = proc.communicate(timeout=hard)
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid)
            stdout, stderr = proc.communicate()
            return _all_failed(notebook, f"grading process killed after {hard:.0f} s")
        if proc.returncode != 0:
            return _all_failed(notebook, "grading process failed: " + first_line(
                stderr.strip().splitlines()[-1] if stderr.strip() else f"exit {proc.returncode}"))
        return NotebookResult.from_json(json.loads(stdout.strip().splitlines()[-1]))
    except (OSError, ValueError, KeyError, IndexError) as e:
        return _all_failed(notebook, f"grading process failed: {e}")
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


def _all_failed(notebook: Path, why: str) -> NotebookResult:
    try:
        nb = nbmeta.read(notebook)
    except Exception:  # noqa: BLE001 - an unreadable notebook scores nothing
        return NotebookResult(notes=[why])
    cells = [CellResult(i, nbmeta.grade_id(c), nbmeta.points(c), nbmeta.is_graded(c), "not run", why)
             for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
    return NotebookResult(cells, notes=[why])


def main(argv=None) -> int:
    spec = json.loads((argv or sys.argv[1:])[0])
    nb = nbmeta.read(spec["notebook"])
    result = execute_notebook(nb, spec["cwd"], spec["pythonpath"], Limits(**spec["limits"]))
    if spec.get("save_to"):
        nbmeta.write(nb, spec["save_to"])
    sys.stdout.write(json.dumps(result.to_json()) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
