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

Each notebook's first cell says how long it runs (``RUNNING_TIME``), with the
figures of its ``[notebooks.<stem>]`` entry in course.toml (``seconds`` with
CIFAR-10, ``seconds_offline`` with the offline dataset, measured on 2 cores).
"""
from __future__ import annotations

import getpass
import re
import time
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNNING_TIME = re.compile(r"\*\*Running time:\*\* about (\d+) s on a 2-core laptop with CIFAR-10, "
                          r"about (\d+) s offline\.")
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# Absolute paths as they appear in tracebacks, warnings and prints: a folder a
# machine's files live under, followed by a path component.
_ABS_PATH = re.compile(r"(?<![\w.~/-])(/(?:home|Users|root|work|tmp|var|opt|usr|srv|mnt|private)/[\w.~-]+"
                       r"|[A-Za-z]:\\(?:Users|home)\\)")


def stated_seconds(course, stem: str, offline: bool) -> int:
    """The running time course.toml states for notebook ``stem`` (with CIFAR-10, or offline)."""
    entry = course.notebooks.get(stem, {})
    key = "seconds_offline" if offline else "seconds"
    if key not in entry:
        raise KeyError(f"course.toml: [notebooks.{stem}] has no {key}")
    return int(entry[key])


def running_time_line(course, stem: str) -> str:
    """The line a notebook's first cell carries: its running time on both datasets."""
    return (f"**Running time:** about {stated_seconds(course, stem, False)} s on a 2-core laptop "
            f"with CIFAR-10, about {stated_seconds(course, stem, True)} s offline.")


def record_running_time(repo: Path, stem: str, seconds: float, offline: bool) -> str:
    """Write a measured running time into course.toml (``[notebooks.<stem>]``) and into the
    notebook's first cell; returns the new line. Rounded to 5 s: the statement is a guide."""
    key = "seconds_offline" if offline else "seconds"
    value = max(5, int(5 * round(seconds / 5)))
    toml = Path(repo) / "course.toml"
    text = toml.read_text(encoding="utf-8")
    header = f"[notebooks.{stem}]\n"
    if header not in text:
        raise KeyError(f"course.toml has no [notebooks.{stem}] entry")
    start = text.index(header) + len(header)
    end = text.find("\n[", start)
    end = len(text) if end < 0 else end + 1
    section = text[start:end]
    line = re.compile(rf"^{key} = \d+[^\n]*\n", re.M)
    if line.search(section):
        section = line.sub(f"{key} = {value}\n", section)
    else:  # after the section's last key, above the comments that introduce the next one
        keys = list(re.finditer(r"^\w+ = [^\n]*\n", section, re.M))
        at = keys[-1].end() if keys else 0
        section = section[:at] + f"{key} = {value}\n" + section[at:]
    toml.write_text(text[:start] + section + text[end:], encoding="utf-8")

    from . import course as course_mod
    course = course_mod.load(repo)
    if {"seconds", "seconds_offline"} - set(course.notebooks[stem]):
        return ""  # the other dataset's figure is still to be measured
    new = running_time_line(course, stem)
    path = Path(repo) / "notebooks" / f"{stem}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    first = nb.cells[0]
    first.source = (RUNNING_TIME.sub(new, first.source) if RUNNING_TIME.search(first.source)
                    else first.source.rstrip("\n") + "\n\n" + new)
    nbformat.write(nb, str(path))
    return new


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


def execute(path: Path, timeout: float = 1800.0, store: bool = True, out: Path | None = None) -> float:
    """Run the notebook at ``path`` in its own folder and store it with its outputs; returns seconds.

    The file is only written when every cell ran: a failing run leaves it as it was.
    ``store=False`` only measures (an offline run, whose outputs are not the ones to keep);
    ``out`` writes the executed copy there instead of over ``path``.
    """
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=False,
                            record_timing=False, resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    if out is not None:
        normalise(nb)
        nbformat.write(nb, str(Path(out) / path.name))
    if not store or out is not None:
        return seconds
    normalise(nb)
    left = problems(nb)
    if left:
        raise RuntimeError(f"{path.name} ran but would be stored with: " + "; ".join(left))
    nbformat.write(nb, str(path))
    return seconds
