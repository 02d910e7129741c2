"""Notebooks as stored in the repository: executed, with outputs, and clean to open.

``cs231n execute NOTEBOOK...`` runs a notebook top to bottom (nbclient) and
writes it back with its outputs, in the form JupyterLab itself would save, so
that opening it changes nothing and it is not marked modified:

- the kernelspec is the one ipykernel installs (JupyterLab rewrites any other
  ``display_name`` as soon as the kernel starts, which dirties the notebook);
- no widget state (progress bars store their final state as plain output,
  see ``cs231n/progress.py``) and no per-cell execution timestamps.

``problems(nb)`` lists what a stored notebook must not contain: absolute paths
of the machine that ran it, live-widget outputs, and the metadata above. The
tests run it on every notebook in ``notebooks/``.
"""
from __future__ import annotations

import getpass
import re
import time
from pathlib import Path

import nbformat

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# Absolute paths as they appear in tracebacks, warnings and prints: a folder a
# machine's files live under, followed by a path component.
_ABS_PATH = re.compile(r"(?<![\w.~/-])(/(?:home|Users|root|work|tmp|var|opt|usr|srv|mnt|private)/[\w.~-]+"
                       r"|[A-Za-z]:\\(?:Users|home)\\)")


def normalise(nb) -> None:
    """Make ``nb`` what JupyterLab would save after opening it: see the module docstring."""
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.metadata.pop("collapsed", None)  # nbformat 3 leftovers JupyterLab drops


def _texts(output):
    if output.get("output_type") == "stream":
        yield output.get("text", "")
    elif output.get("output_type") == "error":
        yield from output.get("traceback", [])
    for mime, value in output.get("data", {}).items():
        if mime.startswith("text/") and isinstance(value, str):
            yield value


def problems(nb, user: str | None = None) -> list[str]:
    """What is wrong with ``nb`` as a stored notebook, one line each (empty when nothing)."""
    user = user or getpass.getuser()
    found = []
    if nb.metadata.get("kernelspec") != KERNELSPEC:
        found.append(f"kernelspec is {nb.metadata.get('kernelspec')}, not {KERNELSPEC}: "
                     "JupyterLab would rewrite it on opening")
    if "widgets" in nb.metadata:
        found.append("widget state stored in the notebook's metadata")
    for i, cell in enumerate(nb.cells):
        if "execution" in cell.metadata:
            found.append(f"cell {i}: execution timestamps in its metadata")
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                found.append(f"cell {i}: a live widget output (a viewer shows its first state only)")
            for text in _texts(output):
                m = _ABS_PATH.search(text)
                if m:
                    found.append(f"cell {i}: an absolute path of the machine in its output: {m.group(0)}")
                elif user not in ("", "root") and re.search(rf"\b{re.escape(user)}\b", text):
                    found.append(f"cell {i}: the user name {user!r} in its output")
    return found


def execute(path: Path, timeout: float = 1800.0) -> float:
    """Run the notebook at ``path`` in its own folder and store it with its outputs; returns seconds.

    The file is only written when every cell ran: a failing run leaves it as it was.
    """
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=False,
                            record_timing=False, resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    normalise(nb)
    left = problems(nb)
    if left:
        raise RuntimeError(f"{path.name} ran but would be stored with: " + "; ".join(left))
    nbformat.write(nb, str(path))
    return seconds
