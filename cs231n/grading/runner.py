"""The student side of grading: run a notebook, or hidden probes, and report as data.

Runs inside a sandbox (``sandbox.py``) as the sandbox user, so nothing it
prints is trusted: the grader reads from it only values files (compared in the
grader's own process) and, for feedback, the executed notebook and each cell's
status. It imports nothing from the package under test.

``python runner.py notebook SPEC_JSON``: execute the notebook cell by cell in a
fresh kernel (``CS231N_RECORD_DIR`` set, so check cells record their values),
with a timeout per cell and a budget per notebook; a cell that times out or
kills the kernel is followed by a restart that replays the cells that had
succeeded. Outputs are capped per cell and per notebook. Prints one JSON
document: the cells' statuses and the executed notebook.

``python runner.py probes SPEC_JSON``: for each hidden probe, call its function
(source given in the spec) on its inputs (an npz file) and save what it
returns to ``<out_dir>/<name>.npz``; a probe that raises saves nothing.
"""
import json
import os
import sys
import time

MAX_RESTARTS_NOTE = "more than {n} kernel restarts: the remaining cells were not run"


# -- notebooks ----------------------------------------------------------------

def _client_class():
    from nbclient import NotebookClient

    class CappedClient(NotebookClient):
        """Keeps at most ``cell_cap`` bytes of output per cell, ``notebook_cap`` in all."""
        cell_cap = 64 << 10
        notebook_cap = 1 << 20
        kept = 0
        _cell_bytes = {}

        def output(self, outs, msg, display_id, cell_index):
            size = len(json.dumps(msg.get("content", {}), default=str))
            used = self._cell_bytes.get(cell_index, 0)
            if used + size > self.cell_cap or self.kept + size > self.notebook_cap:
                if used <= self.cell_cap:
                    self._cell_bytes[cell_index] = self.cell_cap + 1
                    from nbformat.v4 import new_output
                    outs.append(new_output("stream", name="stderr",
                                           text="[grader: further output of this cell was cut]\n"))
                return None
            self._cell_bytes[cell_index] = used + size
            self.kept += size
            return super().output(outs, msg, display_id, cell_index)

    return CappedClient


def _code_cells(nb):
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]


def _first_line(text, limit=300):
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()[:limit]
    return ""


def run_notebook(spec):
    """Execute the notebook; return {"cells": {index: {...}}, "restarts": n, "notes": [...]}."""
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(spec["notebook"], as_version=4)
    client_cls = _client_class()
    client_cls.cell_cap = spec["cell_output_kb"] << 10
    client_cls.notebook_cap = spec["notebook_output_kb"] << 10
    deadline = time.monotonic() + spec["notebook_timeout"]
    cells = {i: {"status": "not run", "error": "", "seconds": 0.0} for i in _code_cells(nb)}
    todo = list(cells)
    succeeded, notes, restarts = [], [], 0

    def time_left():
        return deadline - time.monotonic()

    def execute(client, i):
        client.timeout = max(1, int(min(spec["cell_timeout"], time_left())))
        client.execute_cell(nb.cells[i], i)

    def replay(client):
        """After a restart: rerun the cells that had succeeded, to rebuild the state."""
        for i in succeeded:
            if time_left() <= 0:
                return
            try:
                execute(client, i)
            except CellExecutionError:
                pass

    def run_until_restart(client):
        """Run cells in order; return True when the kernel has to be restarted."""
        while todo and time_left() > 0:
            i = todo.pop(0)
            t0 = time.monotonic()
            cell = cells[i]
            try:
                execute(client, i)
                cell["status"] = "ok"
                succeeded.append(i)
            except CellExecutionError as e:
                cell["status"], cell["error"] = "error", _first_line(f"{e.ename}: {e.evalue}")
            except CellTimeoutError:
                cell["status"], cell["error"] = "timeout", f"timed out after {client.timeout} s"
            except DeadKernelError:
                cell["status"], cell["error"] = "died", "the kernel died (exit, crash or out of memory)"
            cell["seconds"] = round(time.monotonic() - t0, 3)
            if cell["status"] in ("timeout", "died"):
                return True
        return False

    env = dict(os.environ, CS231N_RECORD_DIR=spec["record_dir"])
    while todo and time_left() > 0:
        client = client_cls(nb, timeout=int(spec["cell_timeout"]), kernel_name="python3",
                            allow_errors=False, interrupt_on_timeout=False,
                            shutdown_kernel="immediate", startup_timeout=120,
                            resources={"metadata": {"path": spec["cwd"]}})
        try:
            with client.setup_kernel(cwd=spec["cwd"], env=env, stdin=-3, stdout=-3, stderr=-3):
                replay(client)
                restart = run_until_restart(client)
        except (CellTimeoutError, DeadKernelError) as e:
            notes.append(f"the kernel failed while replaying cells after a restart ({type(e).__name__})")
            break
        except Exception as e:  # noqa: BLE001 - the kernel would not start
            notes.append(f"the kernel could not start ({type(e).__name__})")
            break
        if not restart:
            break
        restarts += 1
        if restarts > spec["max_restarts"]:
            notes.append(MAX_RESTARTS_NOTE.format(n=spec["max_restarts"]))
            break
    if todo and time_left() <= 0:
        notes.append(f"the notebook's time budget of {spec['notebook_timeout']:.0f} s was spent: "
                     "the remaining cells were not run")
    return {"cells": {str(i): c for i, c in cells.items()}, "restarts": restarts, "notes": notes,
            "notebook": nbformat.writes(nb)}


# -- hidden probes --------------------------------------------------------------

def run_probes(spec):
    """Call each probe on its inputs; save the outputs of those that return."""
    import numpy as np
    sys.path.insert(0, spec["package_root"])
    done = {}
    for probe in spec["probes"]:
        name = probe["name"]
        t0 = time.monotonic()
        try:
            namespace = {"__name__": "hidden_probe"}
            exec(compile(probe["source"], f"<probe {name}>", "exec"), namespace)
            with np.load(probe["inputs"], allow_pickle=False) as f:
                inputs = {k: f[k] for k in f.files}
            result = namespace[probe["function"]](**inputs)
            flat = {k: np.asarray(v) for k, v in dict(result).items()}
            tmp = os.path.join(spec["out_dir"], f".{name}.tmp")
            with open(tmp, "wb") as f:
                np.savez(f, **flat)
            os.replace(tmp, os.path.join(spec["out_dir"], f"{name}.npz"))
            done[name] = {"status": "ok", "seconds": round(time.monotonic() - t0, 3)}
        except BaseException as e:  # noqa: BLE001 - the student's code may raise anything
            done[name] = {"status": "error", "error": _first_line(f"{type(e).__name__}: {e}"),
                          "seconds": round(time.monotonic() - t0, 3)}
    return {"probes": done}


def main(argv):
    mode, spec_path = argv[1], argv[2]
    with open(spec_path) as f:
        spec = json.load(f)
    out = run_notebook(spec) if mode == "notebook" else run_probes(spec)
    data = json.dumps(out).encode()
    # The kernel's output never comes here: kernels are started with stdout/stderr closed.
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
