"""Verdicts: compare the values a student's code recorded with the solution's.

This runs only in the grader's own process, on plain arrays (``values``), and
never imports or runs anything a student wrote. Every message is the grader's
own words about names the grader chose (the reference's value names), so no
student-made text reaches the results.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_TOL = 1e-6


@dataclass
class Verdict:
    passed: bool
    message: str


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """CS231n's relative error, the largest over the entries."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.size == 0:
        return 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
    if not np.all(np.isfinite(err)):
        both_nan = np.isnan(a) & np.isnan(b)
        if np.any(~np.isfinite(err) & ~both_nan):
            return float("inf")
        err = np.where(both_nan, 0.0, err)
    return float(err.max())


def _group(flat: dict[str, np.ndarray], name: str) -> dict[str, np.ndarray]:
    """The entries recorded under ``name``: itself, or ``name/...`` for a container."""
    return {k: v for k, v in flat.items() if k == name or k.startswith(name + "/")}


def _compare_array(key: str, got: np.ndarray | None, want: np.ndarray, rule: dict) -> str | None:
    """None when ``got`` passes for ``want``; else what is wrong."""
    if got is None:
        return f"{key}: not recorded"
    if got.shape != want.shape:
        return f"{key}: expected shape {want.shape}, got {got.shape}"
    if want.dtype.kind == "U" or got.dtype.kind == "U":
        if want.dtype.kind != got.dtype.kind or not np.array_equal(got, want):
            return f"{key}: not the expected value"
        return None
    if got.dtype.kind not in "biufc":
        return f"{key}: not a number"
    if "agree" in rule:
        frac = float(np.mean(got == want)) if want.size else 1.0
        need = float(rule["agree"])
        return None if frac >= need else f"{key}: {frac:.1%} of entries as expected (need {need:.0%})"
    if want.dtype.kind in "biu" and got.dtype.kind in "biu":
        if np.array_equal(got, want):
            return None
        return f"{key}: {int(np.sum(got != want))} of {want.size} entries differ from the expected values"
    if np.iscomplexobj(got) or np.iscomplexobj(want):
        return f"{key}: complex values"
    tol = float(rule.get("tol", DEFAULT_TOL))
    err = rel_error(got, want)
    if err <= tol:
        return None
    return f"{key}: largest relative error {err:.1e} (allowed {tol:.0e})"


def compare_value(name: str, student: dict, reference: dict, rule) -> str | None:
    """Compare one recorded value (possibly a container); None when it passes."""
    rule = {} if rule is None else ({"kind": rule} if isinstance(rule, str) else dict(rule))
    if rule.get("kind") == "input":
        return None
    if "accuracy" in rule:
        from .evaluate import accuracy_verdict
        return accuracy_verdict(name, student, reference, rule)
    want = _group(reference, name)
    got = _group(student, name)
    if set(got) - set(want):
        return f"{name}: has entries the solution's value does not have"
    for key in sorted(want):
        problem = _compare_array(key, got.get(key), want[key], rule)
        if problem:
            return problem
    return None


def judge(student: dict | None, reference: dict, rules: dict, dataset: str) -> Verdict:
    """The verdict of one check: every value the solution recorded must pass its rule."""
    if student is None:
        return Verdict(False, "no values recorded: the check cell did not reach its record line "
                              "(it raised, or did not run); run the notebook to see why")
    names = sorted({k.split("/", 1)[0] for k in reference})
    # What an accuracy rule reads besides the parameters (the student's model
    # configuration and state, the solution's data) is judged by that rule.
    used = {r[key] for r in rules.values() if isinstance(r, dict) and "accuracy" in r
            for key in ("config", "state", "x", "y") if r.get(key)}
    for name in names:
        if name in used and not rules.get(name):
            continue
        rule = rules.get(name)
        if isinstance(rule, dict):
            rule = dict(rule, dataset=dataset)
        try:
            problem = compare_value(name, student, reference, rule)
        except Exception as e:  # noqa: BLE001 - a malformed value fails, it never crashes grading
            problem = f"{name}: could not be evaluated ({type(e).__name__})"
        if problem:
            return Verdict(False, problem)
    return Verdict(True, "passed")
