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

__all__ = ["array", "shape", "integer", "sizes", "number", "probability", "choice", "float_dtype", "float_type",
           "output_size", "conv", "pool", "image_shape", "conv_pool_shape", "affine", "norm", "dropout", "groups", "labels", "scores_labels",
           "LabelTypeError", "trained", "data", "images", "test_data", "distances", "labelled", "linear_loss", "sgd",
           "recurrent", "tokens", "temporal_affine", "temporal_scores"]


class LabelTypeError(TypeError, ValueError):
    """Labels that are not integers: a TypeError, and a ValueError as the classifiers always raised."""


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


def sizes(**named):
    """The values of `named` as ints, each a positive integer: sizes(hidden_dim=h, num_classes=c)."""
    return [integer(name, value) for name, value in named.items()]


def number(name, value, positive=True):
    """float(value) if it is a finite number, > 0 (positive) or >= 0 (not positive)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    if not ok or value < 0 or (positive and value == 0):
        kind = "positive" if positive else "non-negative"
        raise ValueError(f"{name} must be a finite {kind} number, got {value!r}")
    return float(value)


def probability(name, p):
    """p if it is a keep probability in (0, 1]."""
    if not isinstance(p, numbers.Real) or not 0 < p <= 1:
        raise ValueError(f"{name} is the keep probability and must be in (0, 1], got {p!r}")
    return p


def choice(name, value, options):
    """value if it is one of options."""
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return value


def float_dtype(*arrays):
    """float32 if every array is float32 or a narrower float, else float64."""
    dt = np.result_type(*[np.asarray(a).dtype for a in arrays])
    return np.dtype(np.float32 if dt.kind == "f" and dt.itemsize <= 4 else np.float64)


def float_type(dtype):
    """np.dtype(dtype) if it is a float type."""
    dtype = np.dtype(dtype)
    if not np.issubdtype(dtype, np.floating):
        raise TypeError(f"dtype must be a float type such as np.float32 or np.float64, got {dtype}")
    return dtype


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


def image_shape(input_dim):
    """input_dim as a tuple (C, H, W) of positive integers."""
    if np.shape(input_dim) != (3,):
        raise ValueError(f"input_dim must be (C, H, W), got {input_dim!r}")
    return tuple(sizes(**dict(zip(("C", "H", "W"), input_dim))))


def conv_pool_shape(input_dim, filter_size, conv_param, pool_param):
    """(H', W'): the size of an image of shape input_dim (C, H, W) after a convolution with
    filter_size x filter_size filters and conv_param, then a max pool with pool_param."""
    C, H, W = image_shape(input_dim)
    stride, pad = _param(conv_param, "conv_param", "stride", 1), _param(conv_param, "conv_param", "pad", 0)
    H_conv = output_size("conv (height)", H, filter_size, pad, stride)
    W_conv = output_size("conv (width)", W, filter_size, pad, stride)
    return pool((1, C, H_conv, W_conv), pool_param, what="max pool after the conv")[3:]


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
    p = probability("dropout_param['p']", dropout_param.get("p"))
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
        raise LabelTypeError(f"labels {name} must be integers, got dtype {y.dtype}")
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


def trained(model, value):
    """value (what a model's train() stores), or a ValueError if the model has not been trained."""
    if value is None:
        raise ValueError(f"this {type(model).__name__} has not been trained: call train(X, y) first")
    return value


def data(X, D=None, of="{D} are expected"):
    """X as an array of N >= 1 examples of real numbers, of shape (N, D), or (N, *D) for a tuple D.

    `of` says what fixes D, for the error when X has the wrong number of features:
    "X has 6 features per example but " + of.format(D=D), e.g. of="W has {D} rows".
    """
    X = np.asarray(X)
    each = D if isinstance(D, tuple) else ("D" if D is None else D,)
    if X.ndim != 1 + len(each) or (isinstance(D, tuple) and X.shape[1:] != D):
        hint = " (flatten images first: X.reshape(N, -1))" if X.ndim > 2 and len(each) == 1 else ""
        raise ValueError(f"X must have shape (N, {', '.join(map(str, each))}), got shape {X.shape}{hint}")
    if isinstance(D, numbers.Integral) and X.shape[1] != D:
        raise ValueError(f"X has {X.shape[1]} features per example but {of.format(D=D)}")
    if X.shape[0] == 0:
        raise ValueError("X holds no examples (N = 0)")
    return _real("X", X)


def images(imgs, name="imgs"):
    """imgs as an array of shape (N, H, W, 3) or (N, H, W, 1) (colour) or (N, H, W) (grayscale)."""
    imgs = np.asarray(imgs)
    if imgs.ndim not in (3, 4) or (imgs.ndim == 4 and imgs.shape[-1] not in (1, 3)):
        raise ValueError(f"{name} must have shape (N, H, W, 3) (colour) or (N, H, W) (grayscale), "
                         f"got shape {imgs.shape}")
    return _real(name, imgs)


def _real(name, a):
    if not np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.complexfloating):
        raise TypeError(f"{name} must hold real numbers, got dtype {a.dtype}")
    return a


def test_data(model, X, X_train):
    """X as for data(), with as many features as the training data X_train that a trained
    model memorised (a ValueError if X_train is None: the model has not been trained)."""
    D = trained(model, X_train).shape[1]
    return data(X, D, "the training data has {D}")


def distances(model, dists, y_train, k):
    """(dists, k): dists an array (num_test, num_train) of finite distances to the training
    points whose labels y_train a trained model memorised, and k in 1..num_train."""
    num_train, dists = len(trained(model, y_train)), np.asarray(dists)
    if dists.ndim != 2 or dists.shape[1] != num_train:
        raise ValueError(f"dists must have shape (num_test, {num_train}), got shape {dists.shape}")
    if not np.all(np.isfinite(dists)):
        raise ValueError("dists contains NaN or infinite values")
    if integer("k", k) > num_train:
        raise ValueError(f"k = {k} is more than the {num_train} training points")
    return dists, int(k)


def labelled(X, y, D=None, num_classes=None, of="{D} are expected", name="y"):
    """(X, y) as arrays: X as for data(), y as for labels() (or None)."""
    X = data(X, D, of)
    return X, None if y is None else labels(y, X.shape[0], num_classes, name)


def linear_loss(W, X, y, reg):
    """A linear classifier's loss inputs: W (D, C), X (N, D), labels y (N,) in 0..C-1 and
    reg >= 0. Returns W, X, y as arrays."""
    W = array("W", np.asarray(W), 2)
    number("reg", reg, positive=False)
    return (W,) + labelled(X, y, len(W), W.shape[1], "W has {D} rows; they must match (did you forget "
                                                        "the bias column?)")


def sgd(X, y, learning_rate, num_iters, batch_size, W=None, num_classes=None, of="W has {D} rows", **more):
    """A training loop's inputs: X, y as for labelled(), with as many features as the first
    weight matrix W (D, H) has rows when the model has one; learning_rate > 0; num_iters >= 0
    and batch_size >= 1 integers; `more` named numbers, reg >= 0 and the others > 0.
    Returns X, y, num_iters, batch_size."""
    number("learning_rate", learning_rate)
    for name, value in more.items():
        number(name, value, positive=name != "reg")
    X, y = labelled(X, y, None if W is None else len(W), num_classes, of)
    return X, y, integer("num_iters", num_iters, 0), integer("batch_size", batch_size)


# ---------------------------------------------------------------------------
# Recurrent layers and captions (rnn_layers.py, classifiers/rnn.py)
# ---------------------------------------------------------------------------


def recurrent(x, h, Wx, Wh, b, gates=1, what="rnn_step_forward", c=None):
    """A recurrent layer's inputs: x (N, D) for one step or (N, T, D) for a sequence, the
    hidden state h (N, H) (and the cell state c (N, H) of an LSTM step), Wx (D, gates * H),
    Wh (H, gates * H) and b (gates * H,), with gates = 1 (vanilla RNN) or 4 (LSTM).
    Returns (N, D, H)."""
    array("x", x)
    array("Wx", Wx, 2)
    array("Wh", Wh, 2)
    if x.ndim not in (2, 3):
        raise ValueError(f"{what}: x must have shape (N, D) for one step or (N, T, D) for a sequence, "
                         f"got shape {x.shape}")
    N, D = x.shape[0], x.shape[-1]
    H = Wh.shape[0]
    where = "" if gates == 1 else f" ({gates} gates of H = {H} units)"
    if Wh.shape != (H, gates * H):
        raise ValueError(f"{what}: Wh must have shape (H, {gates} H){where}, got {Wh.shape}")
    if Wx.shape != (D, gates * H):
        raise ValueError(f"{what}: Wx must have shape ({D}, {gates * H}) to match x's D = {D}{where}, "
                         f"got {Wx.shape}")
    if np.shape(b) != (gates * H,):
        raise ValueError(f"{what}: b must have shape ({gates * H},), got {np.shape(b)}")
    for name, state in (("h", h), ("c", c)):
        if state is not None and np.shape(state) != (N, H):
            raise ValueError(f"{what}: the {'hidden' if name == 'h' else 'cell'} state must have shape "
                             f"({N}, {H}) (N examples, H units), got {np.shape(state)}")
    return N, D, H


def tokens(x, V, name="x", what="word_embedding_forward"):
    """x as an integer array whose entries are word indices in 0..V-1."""
    x = np.asarray(x)
    if x.size and not np.issubdtype(x.dtype, np.integer):
        raise TypeError(f"{what}: {name} must hold integer word indices, got dtype {x.dtype}")
    if x.size and (x.min() < 0 or x.max() >= V):
        raise ValueError(f"{what}: word indices must lie in 0..{V - 1} (a vocabulary of {V} words), "
                         f"got {name} from {x.min()} to {x.max()}")
    return x


def temporal_affine(x, w, b):
    """A temporal affine layer's inputs: x (N, T, D), w (D, M), b (M,). Returns (N, T, D, M)."""
    array("x", x, 3)
    array("w", w, 2)
    if x.shape[2] != w.shape[0]:
        raise ValueError(f"temporal_affine_forward: x has D = {x.shape[2]} but w has shape {w.shape}")
    if np.shape(b) != (w.shape[1],):
        raise ValueError(f"temporal_affine_forward: b must have shape ({w.shape[1]},), got {np.shape(b)}")
    return x.shape + (w.shape[1],)


def temporal_scores(x, y, mask):
    """A temporal softmax loss's inputs: scores x (N, T, V), targets y (N, T) in 0..V-1 and
    mask (N, T). Returns y and mask (as booleans) as arrays."""
    array("x", x, 3)
    N, T, V = x.shape
    y, mask = np.asarray(y), np.asarray(mask)
    if y.shape != (N, T) or mask.shape != (N, T):
        raise ValueError(f"temporal_softmax_loss: y and mask must have shape ({N}, {T}) to match the "
                         f"scores x {x.shape}, got {y.shape} and {mask.shape}")
    return tokens(y, V, "y", "temporal_softmax_loss"), mask.astype(bool)
