"""Accuracy rules: the grader scores recorded weights with its own model code.

A student's kernel could report any accuracy; so for a training target the
kernel records the trained parameters, and the grader rebuilds the model from
the solution's classes (this package, never the submitted one), loads those
parameters, and scores the solution's recorded inputs (``x``, ``y``: values
with the ``"input"`` rule, read from the reference, not from the submission).
"""
from __future__ import annotations

import importlib
import inspect
import math

import numpy as np

MAX_CONFIG_INT = 100_000
BATCH = 500


class ModelError(ValueError):
    """The recorded model does not fit the grader's class; the message is the grader's own."""


def _members(flat: dict, name: str) -> dict[str, np.ndarray]:
    """The entries recorded under ``name/``, keyed by what follows the slash."""
    return {k[len(name) + 1:]: v for k, v in flat.items() if k.startswith(name + "/")}


def _config(flat: dict, name: str, cls) -> dict:
    """Constructor keyword arguments recorded under ``name``: numbers and strings only."""
    allowed = set(inspect.signature(cls.__init__).parameters) - {"self", "dtype"}
    kwargs = {}
    for key, arr in _members(flat, name).items():
        top = key.split("/", 1)[0]
        if top == "dtype":  # the grader scores in the dtype of the data
            continue
        if top not in allowed:
            raise ModelError(f"config: an entry is not a parameter of {cls.__name__}")
        if "/" in key:  # a list such as hidden_dims: key/0, key/1, ...
            kwargs.setdefault(top, {})[int(key.split("/", 1)[1])] = arr
        else:
            kwargs[top] = arr
    out = {}
    for k, v in kwargs.items():
        if isinstance(v, dict):
            out[k] = [_scalar(v[i]) for i in sorted(v)]
        elif np.ndim(v) == 1:
            out[k] = [_scalar(x) for x in v]
        else:
            out[k] = _scalar(v)
    return out


def _scalar(a):
    a = np.asarray(a)
    if a.ndim != 0:
        raise ModelError("config: expected a number or a string")
    v = a.item()
    if isinstance(v, str):
        if len(v) > 64:
            raise ModelError("config: string too long")
        return v
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        if abs(v) > MAX_CONFIG_INT:
            raise ModelError("config: number too large")
        return v
    if isinstance(v, float) and math.isfinite(v):
        return v
    raise ModelError("config: not a finite number")


def _model_scores(rule: dict, name: str, student: dict, x: np.ndarray):
    path = str(rule["model"])
    if not path.startswith("cs231n."):
        raise ModelError("model must be a class of the cs231n package")
    module, cls_name = path.rsplit(".", 1)
    cls = getattr(importlib.import_module(module), cls_name)
    cfg = _config(student, rule["config"], cls) if rule.get("config") else {}
    dtype = x.dtype if x.dtype.kind == "f" else np.float64
    if "dtype" in inspect.signature(cls.__init__).parameters:
        cfg["dtype"] = dtype
    model = cls(**cfg)
    params = _members(student, name)
    if set(params) != set(model.params):
        raise ModelError("parameters: not the names the model has")
    for key, want in model.params.items():
        got = params[key]
        if got.shape != want.shape or got.dtype.kind != "f":
            raise ModelError(f"parameter {key}: expected shape {want.shape}")
        model.params[key] = got.astype(want.dtype)
    _load_state(model, _members(student, rule["state"]) if rule.get("state") else {})
    return np.concatenate([np.asarray(model.loss(x[i:i + BATCH])) for i in range(0, len(x), BATCH)])


def _load_state(model, state: dict) -> None:
    """Batch normalization running statistics: state/<layer>/running_mean and running_var."""
    bn = getattr(model, "bn_params", None)
    for key, arr in state.items():
        layer, stat = key.split("/", 1)
        if bn is None or stat not in ("running_mean", "running_var") or not 0 <= int(layer) < len(bn):
            raise ModelError("state: unexpected entry")
        bn[int(layer)][stat] = np.asarray(arr, dtype=np.float64)


def accuracy_verdict(name: str, student: dict, reference: dict, rule: dict) -> str | None:
    """None when the recorded model reaches the rule's accuracy on the reference's data."""
    dataset = rule.get("dataset", "cifar10")
    need = float(rule.get(dataset, rule.get("cifar10", 1.0)))
    x, y = reference[rule["x"]], reference[rule["y"]]
    kind = rule["accuracy"]
    try:
        if kind == "linear":
            w = student.get(name)
            if w is None or w.ndim != 2 or w.shape[0] != x.reshape(len(x), -1).shape[1] \
                    or w.dtype.kind != "f":
                return f"{name}: expected a weight matrix with {x.reshape(len(x), -1).shape[1]} rows"
            scores = x.reshape(len(x), -1) @ w
        elif kind == "model":
            scores = _model_scores(rule, name, student, x)
        else:
            return f"{name}: unknown accuracy rule"
    except ModelError as e:
        return f"{name}: the recorded model cannot be evaluated: {e}"
    except Exception as e:  # noqa: BLE001 - messages of other errors may quote recorded strings
        return f"{name}: the recorded model cannot be evaluated ({type(e).__name__})"
    if scores.shape != (len(y), scores.shape[-1]) or not np.all(np.isfinite(scores)):
        return f"{name}: the model's scores are not finite"
    acc = float(np.mean(np.argmax(scores, axis=1) == y))
    if acc >= need:
        return None
    return f"{name}: accuracy {acc:.3f} on the grader's data, below the target {need:.3f}"
