"""Shapes and input checks: the one place where the package says what a wrong input is.

Every layer (``layers.py``), fast layer (``fast_layers.py``), im2col function
(``im2col.py``, ``im2col_cython.pyx``) and classifier starts with ONE call into
this module, which checks its inputs and returns the sizes it needs, e.g.
``stride, pad, H_out, W_out = _checks.conv(x, w, b, conv_param)``. So the
output-size rule of a sliding window is written once, every error is worded
once, and a student's function body is only the computation. Errors are
``TypeError`` for the wrong kind of object and ``ValueError`` for a wrong
shape or value; each names the argument and shows what it got.
"""
import numbers

import numpy as np

__all__ = ["array", "shape", "integer", "number", "choice", "float_dtype", "output_size", "conv", "pool",
           "affine", "norm", "dropout", "groups", "labels", "scores_labels"]


def array(name, a, ndim=None):
    """`a` itself if it is a NumPy array (with `ndim` dimensions when given)."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(a).__name__}")
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {a.shape}")
    return a


def integer(name, value, minimum=1):
    """int(value) if it is a whole number >= minimum (not a bool)."""
    whole = isinstance(value, numbers.Real) and not isinstance(value, bool) and int(value) == value
    if not whole or value < minimum:
        kind = {0: "a non-negative integer", 1: "a positive integer"}.get(minimum,
                                                                         f"an integer >= {minimum}")
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return int(value)


def number(name, value, positive=True):
    """float(value) if it is a finite number, > 0 (positive) or >= 0 (not positive)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    if not ok or value < 0 or (positive and value == 0):
        kind = "positive" if positive else "non-negative"
        raise ValueError(f"{name} must be a finite {kind} number, got {value!r}")
    return float(value)


def choice(name, value, options):
    """value if it is one of options."""
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return value


def float_dtype(*arrays):
    """float32 if every array is float32 or a narrower float, else float64."""
    dt = np.result_type(*[np.asarray(a).dtype for a in arrays])
    return np.dtype(np.float32 if dt.kind == "f" and dt.itemsize <= 4 else np.float64)


def output_size(what, size, field, pad, stride):
    """Positions of a window of width `field` sliding with step `stride` over
    `size` pixels plus `pad` zeros on each side: 1 + (size + 2 pad - field) / stride.

    A ValueError when the window does not fit or does not tile exactly.
    """
    span = size + 2 * pad - field
    if span < 0:
        raise ValueError(f"{what}: the window ({field}) is larger than the padded input "
                         f"({size + 2 * pad})")
    if span % stride:
        raise ValueError(f"{what}: output size 1 + ({size} + 2*{pad} - {field}) / {stride} = "
                         f"{1 + span / stride:g} is not an integer; change the stride or the padding")
    return 1 + span // stride


def _param(params, name, key, minimum):
    if not isinstance(params, dict):
        raise TypeError(f"{name} must be a dict, got {type(params).__name__}")
    if key not in params:
        raise ValueError(f"{name} needs the key {key!r}, got keys {sorted(params)}")
    return integer(f"{name}[{key!r}]", params[key], minimum)


def shape(name, a, expected, what):
    """`a` if it is an array of shape `expected`."""
    array(name, a, len(expected))
    if a.shape != tuple(expected):
        raise ValueError(f"{what}: {name} must have shape {tuple(expected)}, got {a.shape}")
    return a


def conv(x, w, b, conv_param, dout=None, what="conv"):
    """A convolution's inputs: x (N, C, H, W), w (F, C, HH, WW), b (F,),
    conv_param {'stride', 'pad'}, and dout (N, F, H', W') when given.

    Returns (stride, pad, H', W').
    """
    array("x", x, 4)
    array("w", w, 4)
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"{what}: x has {x.shape[1]} channels but the filters w {w.shape} "
                         f"expect {w.shape[1]}")
    if np.shape(b) != (w.shape[0],):
        raise ValueError(f"{what}: b must have shape ({w.shape[0]},), one bias per filter, "
                         f"got {np.shape(b)}")
    stride = _param(conv_param, "conv_param", "stride", 1)
    pad = _param(conv_param, "conv_param", "pad", 0)
    H_out = output_size(f"{what} (height)", x.shape[2], w.shape[2], pad, stride)
    W_out = output_size(f"{what} (width)", x.shape[3], w.shape[3], pad, stride)
    if dout is not None:
        shape("dout", dout, (x.shape[0], w.shape[0], H_out, W_out), what)
    return stride, pad, H_out, W_out


def pool(x, pool_param, dout=None, what="max pool"):
    """A max pool's inputs: x (N, C, H, W) (or its shape), pool_param
    {'pool_height', 'pool_width', 'stride'}, and dout (N, C, H', W') when given.

    Returns (pool_height, pool_width, stride, H', W').
    """
    x_shape = x if isinstance(x, tuple) else array("x", x, 4).shape
    ph = _param(pool_param, "pool_param", "pool_height", 1)
    pw = _param(pool_param, "pool_param", "pool_width", 1)
    stride = _param(pool_param, "pool_param", "stride", 1)
    H_out = output_size(f"{what} (height)", x_shape[2], ph, 0, stride)
    W_out = output_size(f"{what} (width)", x_shape[3], pw, 0, stride)
    if dout is not None:
        shape("dout", dout, x_shape[:2] + (H_out, W_out), what)
    return ph, pw, stride, H_out, W_out


def affine(x, w, b):
    """An affine layer's inputs: x (N, d_1, ..., d_k), w (D, M), b (M,). Returns (N, D)."""
    array("x", x)
    array("w", w, 2)
    D = int(np.prod(x.shape[1:]))
    if D != w.shape[0]:
        raise ValueError(f"affine_forward: each example has {D} numbers but w has shape {w.shape}")
    if np.shape(b) != (w.shape[1],):
        raise ValueError(f"affine_forward: b must have shape ({w.shape[1]},), got {np.shape(b)}")
    return x.shape[0], D


def norm(x, gamma, beta, what, params=None, spatial_shape=None):
    """A normalization layer's inputs: x (N, D) with gamma, beta (D,); or, with
    spatial_shape, x (N, C, H, W) with gamma, beta of spatial_shape(C).
    With params (bn_param), also its 'mode'. Returns the mode or None."""
    array("x", x, 2 if spatial_shape is None else 4)
    expected = (x.shape[1],) if spatial_shape is None else spatial_shape(x.shape[1])
    if np.shape(gamma) != expected or np.shape(beta) != expected:
        raise ValueError(f"{what}: gamma and beta must have shape {expected}, "
                         f"got {np.shape(gamma)} and {np.shape(beta)}")
    return None if params is None else choice("bn_param['mode']", params.get("mode"),
                                              ("train", "test"))


def dropout(dropout_param):
    """(p, mode) of a dropout_param dict: p the keep probability in (0, 1]."""
    p = dropout_param.get("p")
    if not isinstance(p, numbers.Real) or not 0 < p <= 1:
        raise ValueError(f"dropout_param['p'] is the keep probability and must be in (0, 1], "
                         f"got {p!r}")
    return p, choice("dropout_param['mode']", dropout_param.get("mode"), ("train", "test"))


def groups(G, C, what="spatial_groupnorm_forward"):
    """G as an int, if it is a positive integer that divides the C channels."""
    G = integer("G", G)
    if C % G:
        raise ValueError(f"{what}: G={G} groups do not divide C={C} channels")
    return G


def labels(y, N, num_classes=None, name="y"):
    """y as an array of N integer class labels, each in 0..num_classes-1 (or >= 0)."""
    y = np.asarray(y)
    if y.shape != (N,):
        raise ValueError(f"{name} must have shape ({N},) to match X, got shape {y.shape}")
    if y.size and not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"labels {name} must be integers, got dtype {y.dtype}")
    if y.size and num_classes is not None and (y.min() < 0 or y.max() >= num_classes):
        raise ValueError(f"labels must lie in 0..{num_classes - 1} ({num_classes} classes), "
                         f"got {name} from {y.min()} to {y.max()}")
    if y.size and y.min() < 0:
        raise ValueError(f"labels must be non-negative integers, got {name} down to {y.min()}")
    return y


def scores_labels(x, y):
    """A loss layer's inputs: scores x (N, C) and labels y (N,). Returns y as an array."""
    array("x", x, 2)
    return labels(y, x.shape[0], x.shape[1])
