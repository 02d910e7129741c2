"""Hidden probes: the grader's own calls into a student's package, judged out of process.

A probe file (``tests/hidden/*.py`` in the solution repository, never released)
pairs functions by name::

    POINTS = {"affine": 2}          # default 1
    TOL = {"affine": 1e-7}          # relative error allowed on every output (default 1e-7)

    def inputs_affine(rng):         # the grader's inputs: numpy arrays from a seeded RandomState
        return {"x": rng.randn(3, 2, 5), ...}

    def probe_affine(x, w, b):      # runs in the student's sandbox: imports inside, returns arrays
        from cs231n.layers import affine_forward
        out, _ = affine_forward(x, w, b)
        return {"out": out}

When references are built, each probe runs on its inputs against the solution
and its outputs are stored; when a submission is graded, the same source runs
on the same inputs against the submitted package, in the sandbox, and the
grader compares the two sets of outputs (``verdict.judge``). The sandbox sees
a probe's calls and inputs, never the expected outputs.
"""
from __future__ import annotations

import importlib.util
import inspect
import textwrap
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_TOL = 1e-7


@dataclass(frozen=True)
class Probe:
    name: str        # "<file stem>.<probe name>"
    points: float
    tol: float
    function: str    # the probe function's name
    source: str      # its source, run in the sandbox
    inputs: dict     # name -> array

    @property
    def label(self) -> str:
        return f"hidden: {self.name}"


def discover(folder: Path | None, only: list[str] | None = None) -> list[Probe]:
    """The probes of every ``*.py`` in ``folder`` (or of the files named in ``only``, by stem).

    Probe files are staff code: imported here, in the grader, never in a sandbox.
    """
    if folder is None or not Path(folder).is_dir():
        return []
    probes = []
    for path in sorted(Path(folder).glob("*.py")):
        if only is not None and path.stem not in only:
            continue
        spec = importlib.util.spec_from_file_location(f"cs231n_hidden_{path.stem}", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        points, tols = getattr(mod, "POINTS", {}), getattr(mod, "TOL", {})
        for attr in sorted(vars(mod)):
            if not attr.startswith("probe_"):
                continue
            short = attr[len("probe_"):]
            make_inputs = getattr(mod, f"inputs_{short}", None)
            if make_inputs is None:
                raise ValueError(f"{path}: {attr} has no inputs_{short}")
            name = f"{path.stem}.{short}"
            rng = np.random.RandomState(zlib.crc32(name.encode()))
            inputs = {k: np.asarray(v) for k, v in make_inputs(rng).items()}
            source = textwrap.dedent(inspect.getsource(getattr(mod, attr)))
            probes.append(Probe(name, float(points.get(short, 1)), float(tols.get(short, DEFAULT_TOL)),
                                attr, source, inputs))
    return probes
