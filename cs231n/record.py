"""Hand the values a check is about to the grader: ``record(grade_id, **values)``.

Every graded check cell of the notebooks ends with one ``record`` call. In your
own kernel it does nothing visible: the asserts above it are your feedback.
When ``cs231n grade`` runs the notebook, the values are saved as plain arrays
(``.npz``, no pickles, so nothing in them can run) and compared, in a separate
process that never runs your code, with the values the solution recorded at
the same place. So a check passes in the grade only when the values themselves
are right, whatever happened to the asserts.

What can be recorded: NumPy arrays and numbers (not object arrays), ``bool``,
``str``, and lists, tuples and dicts of those (dict keys become part of the
name: ``{"W1": ...}`` under ``params`` is stored as ``params/W1``).
"""
from __future__ import annotations

import os
import re
from typing import Any

import numpy as np

__all__ = ["record"]

RECORD_DIR_ENV = "CS231N_RECORD_DIR"
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def flatten(values: dict[str, Any], prefix: str = "") -> dict[str, np.ndarray]:
    """``{"params": {"W1": a}, "k": 3}`` -> ``{"params/W1": a, "k": array(3)}``.

    Raises TypeError for anything that is not numbers, strings or containers of them.
    """
    flat: dict[str, np.ndarray] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "/"))
        elif isinstance(value, (list, tuple)) and any(
                isinstance(v, (dict, list, tuple, np.ndarray)) for v in value):
            flat.update(flatten({str(i): v for i, v in enumerate(value)}, name + "/"))
        else:
            arr = np.asarray(value)
            if arr.dtype.kind not in "biufcU":
                raise TypeError(f"record: {name} is a {type(value).__name__} "
                                f"(dtype {arr.dtype}); record numbers, strings or arrays")
            flat[name] = arr
    return flat


def record(grade_id: str, **values: Any) -> None:
    """Save ``values`` under ``grade_id`` for the grader; a no-op outside grading.

    Args:
        grade_id: the ``grade_id`` of the check cell that calls this.
        **values: the values the check is about, e.g. ``dists=dists_two``.
    """
    folder = os.environ.get(RECORD_DIR_ENV)
    if not folder:
        return
    if not _NAME.match(grade_id):
        raise ValueError(f"record: bad grade_id {grade_id!r}")
    flat = flatten(values)
    tmp = os.path.join(folder, f".{grade_id}.tmp.npz")
    with open(tmp, "wb") as f:
        np.savez(f, **flat)
    os.replace(tmp, os.path.join(folder, f"{grade_id}.npz"))
