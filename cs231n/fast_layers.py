"""Fast convolution and max pooling, with the same results as the naive layers.

Convolution is a matrix product once the input patches are laid out as
columns (im2col): with ``cols`` of shape (C*HH*WW, N*H'*W') and the filters
flattened to ``w_flat`` (F, C*HH*WW),

    forward:   out   = w_flat @ cols                  (F, N*H'*W')
    backward:  dw    = dout_flat @ cols.T             (F, C*HH*WW)
               dcols = w_flat.T @ dout_flat           (C*HH*WW, N*H'*W'), then col2im -> dx

(see ``cs231n/im2col.py`` for the column layout). These three products are the
floor of any im2col design; the rest is moving data.

Two implementations, same results:

- compiled (``cs231n/im2col_cython.pyx``): the batch is shared out over
  threads (``cs231n/parallel.py``), and each thread runs ONE compiled loop over
  its images, without the GIL: im2col of one image into a small buffer that
  stays in the core's cache, the product straight into that image's output
  (the bias added while it is in cache), and in the backward pass the same
  columns rebuilt for dw and ``w_flat.T @ dout`` sent back through col2im for
  dx. The products call the BLAS that NumPy itself uses (found by
  ``cs231n/blas.py``), held at one thread per worker. If that BLAS cannot be
  found, the compiled im2col/col2im run on the whole batch with NumPy's
  products (``conv_forward_im2col``).
  For stride 1 with "same" width, im2col fills each row of columns with one
  long copy.
  Max pooling is a direct loop that records, in the forward pass, where each
  window's maximum is and scatters the gradient there in the backward pass.
- NumPy (``cs231n/im2col.py``): whole-batch im2col with strided views; max
  pooling by a reshape when the windows tile the input, by im2col otherwise.

The compiled path is used when the extension is built. If it is not, importing
this module warns ONCE and everything runs on the NumPy path. Set the
environment variable ``CS231N_DISABLE_EXTENSION=1`` (before importing) to force
the NumPy path, or switch at run time with ``use_extension(False)``.

Max pooling gradient and ties: the whole upstream gradient of a window goes to
its FIRST maximum in row-major order (the entry ``np.argmax`` picks), exactly
as ``max_pool_backward_naive`` does; both paths follow this rule.

Dtypes: float32 and float64 are computed in that dtype (mixed inputs are
promoted: float32 only if x, w and b are all float32 or narrower); other
inputs are converted to float64. Inputs may be non-contiguous views.
"""
import os
import warnings

import numpy as np

from cs231n import im2col as _np_im2col
from cs231n import parallel

__all__ = [
    "conv_forward_fast", "conv_backward_fast",
    "max_pool_forward_fast", "max_pool_backward_fast",
    "conv_forward_im2col", "conv_backward_im2col",
    "max_pool_forward_reshape", "max_pool_backward_reshape",
    "max_pool_forward_im2col", "max_pool_backward_im2col",
    "extension_available", "use_extension", "backend",
]

DISABLE_ENV = "CS231N_DISABLE_EXTENSION"


class ExtensionNotBuiltWarning(RuntimeWarning):
    """The compiled extension could not be imported; the NumPy path is used."""


def _load_extension():
    """(module or None, why not)."""
    if os.environ.get(DISABLE_ENV, "").strip().lower() not in ("", "0", "false", "no"):
        return None, f"disabled by the environment variable {DISABLE_ENV}"
    try:
        from cs231n import im2col_cython
    except ImportError as exc:
        reason = f"{type(exc).__name__}: {exc}"
        warnings.warn(
            "cs231n.im2col_cython is not built, so the fast layers run on the (slower) "
            f"pure-NumPy path ({reason}). Build it with `make install` or "
            "`python -m pip install --no-build-isolation -e .` from the repository root.",
            ExtensionNotBuiltWarning, stacklevel=3)
        return None, reason
    return im2col_cython, None


def _connect_gemm(ext):
    """Give the extension NumPy's own sgemm/dgemm; (True, None) or (False, why not)."""
    from cs231n import blas
    found, reason = blas.find_gemm()
    if found is None:
        return False, reason
    ext.set_gemm(*found)
    # One small product against NumPy's: a wrong guess about the library
    # would show here, before any real layer uses it.
    rng = np.random.default_rng(0)
    for dt in (np.float32, np.float64):
        x = rng.standard_normal((2, 2, 4, 5)).astype(dt)
        w_flat = rng.standard_normal((3, 2 * 3 * 3)).astype(dt)
        out = np.empty((2, 3, 20), dtype=dt)
        ext.conv_forward_images(x, w_flat, np.zeros(3, dt), out,
                                np.empty((1, 18, 20), dt), 0, 2, 3, 3, 1, 1)
        cols = ext.im2col_cython(x, 3, 3, 1, 1)
        expected = (w_flat @ cols).reshape(3, 2, 20).transpose(1, 0, 2)
        if not np.allclose(out, expected, rtol=1e-4, atol=1e-4):
            ext.set_gemm(0, 0, False)
            return False, "a test product through NumPy's BLAS came out wrong"
    return True, None


_ext, _ext_problem = _load_extension()
_use_ext = _ext is not None
# With the extension built, the convolution runs image by image in compiled
# code that calls NumPy's BLAS directly (see conv_forward_fast); if that BLAS
# cannot be found, the compiled im2col is used with NumPy's products instead.
_gemm_ok, _gemm_problem = _connect_gemm(_ext) if _ext is not None else (False, _ext_problem)


def extension_available():
    """True when the compiled extension was imported."""
    return _ext is not None


def use_extension(enabled=True):
    """Choose the compiled path (True) or the NumPy path (False) for later calls.

    Returns the previous setting. Asking for the compiled path when it is not
    available raises RuntimeError (with the reason).
    """
    global _use_ext
    previous = _use_ext
    if enabled and _ext is None:
        raise RuntimeError(f"the compiled extension is not available ({_ext_problem})")
    _use_ext = bool(enabled)
    return previous


def backend():
    """'cython' or 'numpy': the path the fast layers use right now."""
    return "cython" if _use_ext else "numpy"


# ----------------------------------------------------------------------------- checks

def _as_array(name, a, ndim=None):
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(a).__name__}")
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {a.shape}")
    return a


def _int_param(params, key, what, minimum):
    if key not in params:
        raise ValueError(f"{what} needs the key {key!r}, got keys {sorted(params)}")
    value = params[key]
    if isinstance(value, bool) or int(value) != value or value < minimum:
        kind = "positive" if minimum > 0 else "non-negative"
        raise ValueError(f"{what}[{key!r}] must be a {kind} integer, got {value!r}")
    return int(value)


def _out_size(what, size, field, pad, stride):
    span = size + 2 * pad - field
    if span < 0:
        raise ValueError(f"{what}: the window ({field}) is larger than the padded input "
                         f"({size + 2 * pad})")
    if span % stride:
        raise ValueError(f"{what}: output size 1 + ({size} + 2*{pad} - {field}) / {stride} = "
                         f"{1 + span / stride:g} is not an integer; change the stride or "
                         f"the padding")
    return 1 + span // stride


def _float_dtype(*arrays):
    dt = np.result_type(*[a.dtype for a in arrays])
    if dt.kind == "f" and dt.itemsize <= 4:
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def _conv_setup(x, w, b, conv_param):
    """Validate a convolution; return (dtype, stride, pad, out_h, out_w)."""
    _as_array("x", x, 4)
    _as_array("w", w, 4)
    b = _as_array("b", b)
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"conv: x has {x.shape[1]} channels but the filters w {w.shape} "
                         f"expect {w.shape[1]}")
    if b.shape != (w.shape[0],):
        raise ValueError(f"conv: b must have shape ({w.shape[0]},), one bias per filter, "
                         f"got {b.shape}")
    if not isinstance(conv_param, dict):
        raise TypeError(f"conv_param must be a dict, got {type(conv_param).__name__}")
    stride = _int_param(conv_param, "stride", "conv_param", 1)
    pad = _int_param(conv_param, "pad", "conv_param", 0)
    out_h = _out_size("conv (height)", x.shape[2], w.shape[2], pad, stride)
    out_w = _out_size("conv (width)", x.shape[3], w.shape[3], pad, stride)
    return _float_dtype(x, w, b), stride, pad, out_h, out_w


def _pool_setup(x, pool_param):
    """Validate a max pool; return (pool_height, pool_width, stride, out_h, out_w)."""
    _as_array("x", x, 4)
    if not isinstance(pool_param, dict):
        raise TypeError(f"pool_param must be a dict, got {type(pool_param).__name__}")
    ph = _int_param(pool_param, "pool_height", "pool_param", 1)
    pw = _int_param(pool_param, "pool_width", "pool_param", 1)
    stride = _int_param(pool_param, "stride", "pool_param", 1)
    out_h = _out_size("max pool (height)", x.shape[2], ph, 0, stride)
    out_w = _out_size("max pool (width)", x.shape[3], pw, 0, stride)
    return ph, pw, stride, out_h, out_w


def _check_dout(dout, expected, what):
    _as_array("dout", dout, 4)
    if dout.shape != tuple(expected):
        raise ValueError(f"{what}: dout must have shape {tuple(expected)}, got {dout.shape}")


# ----------------------------------------------------------------------------- convolution

def conv_forward_im2col(x, w, b, conv_param):
    """Convolution forward pass as ONE im2col and ONE matrix product over the
    whole batch (the textbook version; compiled im2col when available).

    Inputs: x (N, C, H, W), w (F, C, HH, WW), b (F,), conv_param {'stride', 'pad'}.
    Returns out (N, F, H', W') and cache (x, w, b, conv_param, cols) with
    cols (C*HH*WW, N*H'*W').
    """
    dt, stride, pad, out_h, out_w = _conv_setup(x, w, b, conv_param)
    N, F, HH, WW = x.shape[0], w.shape[0], w.shape[2], w.shape[3]
    x = np.asarray(x, dtype=dt)
    if _use_ext:
        cols = _ext.im2col_cython(x, HH, WW, pad, stride)
    else:
        cols = _np_im2col.im2col_strided(x, HH, WW, pad, stride)
    w_flat = np.asarray(w, dtype=dt).reshape(F, -1)
    res = w_flat @ cols                                             # (F, N*H'*W')
    res += np.asarray(b, dtype=dt)[:, None]
    out = res.reshape(F, N, out_h, out_w).transpose(1, 0, 2, 3)
    out = np.ascontiguousarray(out)
    return out, (x, w, b, conv_param, cols)


def conv_backward_im2col(dout, cache):
    """Backward pass of conv_forward_im2col.

    Inputs: dout (N, F, H', W'), cache from conv_forward_im2col.
    Returns dx (N, C, H, W), dw (F, C, HH, WW), db (F,).
    """
    x, w, b, conv_param, cols = cache
    dt, stride, pad, out_h, out_w = _conv_setup(x, w, b, conv_param)
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _check_dout(dout, (N, F, out_h, out_w), "conv_backward_im2col")
    dout = np.asarray(dout, dtype=dt)
    db = dout.sum(axis=(0, 2, 3))
    dout_flat = dout.transpose(1, 0, 2, 3).reshape(F, -1)          # (F, N*H'*W')
    dw = (cols @ dout_flat.T).T.reshape(w.shape)                  # = dout_flat @ cols.T, faster in OpenBLAS
    dcols = np.asarray(w, dtype=dt).reshape(F, -1).T @ dout_flat   # (C*HH*WW, N*H'*W')
    if _use_ext:
        dx = _ext.col2im_cython(dcols, N, C, H, W, HH, WW, pad, stride)
    else:
        dx = _np_im2col.col2im_strided(dcols, x.shape, HH, WW, pad, stride)
    return dx, dw, db


def conv_forward_fast(x, w, b, conv_param):
    """A fast implementation of the forward pass of a convolutional layer.

    Inputs:
    - x: input data, shape (N, C, H, W)
    - w: filter weights, shape (F, C, HH, WW)
    - b: biases, shape (F,)
    - conv_param: dict with 'stride' and 'pad' (zeros on each side of H and W)

    Returns a tuple of:
    - out: output data, shape (N, F, H', W') with H' = 1 + (H + 2 pad - HH) / stride,
      W' = 1 + (W + 2 pad - WW) / stride (a ValueError if not integers)
    - cache: for conv_backward_fast
    """
    if not (_use_ext and _gemm_ok):
        out, cache = conv_forward_im2col(x, w, b, conv_param)
        return out, ("im2col", cache)
    dt, stride, pad, out_h, out_w = _conv_setup(x, w, b, conv_param)
    N = x.shape[0]
    F, _, HH, WW = w.shape
    x = np.ascontiguousarray(x, dtype=dt)
    w_flat = np.ascontiguousarray(w, dtype=dt).reshape(F, -1)
    bias = np.ascontiguousarray(b, dtype=dt)
    K, P = w_flat.shape[1], out_h * out_w
    out = np.empty((N, F, P), dtype=dt)

    def forward(images):
        cols = np.empty((1, K, P), dtype=dt)          # this thread's columns, reused per image
        _ext.conv_forward_images(x, w_flat, bias, out, cols, *images, HH, WW, pad, stride)

    parallel.run(forward, parallel.split(N, parallel.thread_count()))
    return out.reshape(N, F, out_h, out_w), ("cython", (x, w_flat, w.shape, conv_param))


def conv_backward_fast(dout, cache):
    """A fast implementation of the backward pass of a convolutional layer.

    Inputs:
    - dout: upstream derivatives, shape (N, F, H', W')
    - cache: from conv_forward_fast

    Returns a tuple of:
    - dx: gradient with respect to x, shape (N, C, H, W)
    - dw: gradient with respect to w, shape (F, C, HH, WW)
    - db: gradient with respect to b, shape (F,)
    """
    kind, cache = cache
    if kind == "im2col":
        return conv_backward_im2col(dout, cache)
    if not _gemm_ok:
        raise RuntimeError("this cache comes from the compiled path, which is not available")
    x, w_flat, w_shape, conv_param = cache
    stride, pad = int(conv_param["stride"]), int(conv_param["pad"])
    N, C, H, W = x.shape
    F, _, HH, WW = w_shape
    out_h = (H + 2 * pad - HH) // stride + 1
    out_w = (W + 2 * pad - WW) // stride + 1
    _check_dout(dout, (N, F, out_h, out_w), "conv_backward_fast")
    dt = x.dtype
    K, P = w_flat.shape[1], out_h * out_w
    dout = np.ascontiguousarray(dout, dtype=dt).reshape(N, F, P)
    dx = np.zeros((N, C, H, W), dtype=dt)

    def backward(images):
        """Fills dx for these images; returns their share of (dw.T, db)."""
        dw_t, db = np.zeros((K, F), dtype=dt), np.zeros(F, dtype=dt)
        cols, dcols = np.empty((1, K, P), dtype=dt), np.empty((1, K, P), dtype=dt)
        _ext.conv_backward_images(x, w_flat, dout, dx, dw_t, db, cols, dcols, *images,
                                  HH, WW, pad, stride)
        return dw_t, db

    parts = parallel.run(backward, parallel.split(N, parallel.thread_count()))
    dw_t, db = parts[0]
    for dw_part, db_part in parts[1:]:
        dw_t += dw_part
        db += db_part
    return dx, np.ascontiguousarray(dw_t.T).reshape(w_shape), db


# ----------------------------------------------------------------------------- max pooling

def _pool_dtype(x):
    return np.dtype(np.float32) if x.dtype == np.float32 else np.dtype(np.float64)


def _reshape_ok(x_shape, ph, pw, stride):
    """True when the windows tile the input exactly (no overlap, no gaps)."""
    return ph == pw == stride and x_shape[2] % ph == 0 and x_shape[3] % pw == 0


def max_pool_forward_reshape(x, pool_param):
    """Max pooling by a reshape, for square windows that tile the input
    (pool_height == pool_width == stride dividing H and W). NumPy only.

    Returns out (N, C, H', W') and cache (x_shape, pool_param, argmax), argmax
    (N, C, H', W') holding the offset i * pool_width + j of each window's first maximum.
    """
    ph, pw, stride, out_h, out_w = _pool_setup(x, pool_param)
    if not _reshape_ok(x.shape, ph, pw, stride):
        raise ValueError("max_pool_forward_reshape needs square windows that tile the input "
                         f"(pool_height == pool_width == stride dividing H and W), got "
                         f"{ph}x{pw} stride {stride} on {x.shape[2]}x{x.shape[3]}")
    N, C = x.shape[:2]
    x = np.asarray(x, dtype=_pool_dtype(x))
    win = x.reshape(N, C, out_h, ph, out_w, pw).transpose(0, 1, 2, 4, 3, 5)
    win = win.reshape(N, C, out_h, out_w, ph * pw)                 # copies once
    argmax = win.argmax(axis=-1)
    out = np.take_along_axis(win, argmax[..., None], axis=-1)[..., 0]
    return out, (x.shape, pool_param, argmax)


def max_pool_backward_reshape(dout, cache):
    """Backward pass of max_pool_forward_reshape; returns dx (N, C, H, W)."""
    x_shape, pool_param, argmax = cache
    N, C, H, W = x_shape
    ph, pw = pool_param["pool_height"], pool_param["pool_width"]
    out_h, out_w = H // ph, W // pw
    _check_dout(dout, (N, C, out_h, out_w), "max_pool_backward_reshape")
    dwin = np.zeros((N, C, out_h, out_w, ph * pw), dtype=_pool_dtype(dout))
    np.put_along_axis(dwin, argmax[..., None], dout[..., None], axis=-1)
    dx = dwin.reshape(N, C, out_h, out_w, ph, pw).transpose(0, 1, 2, 4, 3, 5)
    return dx.reshape(N, C, H, W)


def max_pool_forward_im2col(x, pool_param):
    """Max pooling through im2col, for any window and stride. NumPy only.

    Returns out (N, C, H', W') and cache (x_shape, pool_param, argmax).
    """
    ph, pw, stride, out_h, out_w = _pool_setup(x, pool_param)
    N, C, H, W = x.shape
    x = np.asarray(x, dtype=_pool_dtype(x))
    cols = _np_im2col.im2col_strided(x.reshape(N * C, 1, H, W), ph, pw, 0, stride)
    argmax = cols.argmax(axis=0)                                   # (N*C*H'*W',)
    out = cols[argmax, np.arange(cols.shape[1])]
    return (out.reshape(N, C, out_h, out_w),
            (x.shape, pool_param, argmax.reshape(N, C, out_h, out_w)))


def max_pool_backward_im2col(dout, cache):
    """Backward pass of max_pool_forward_im2col; returns dx (N, C, H, W)."""
    x_shape, pool_param, argmax = cache
    N, C, H, W = x_shape
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    _check_dout(dout, argmax.shape, "max_pool_backward_im2col")
    dcols = np.zeros((ph * pw, dout.size), dtype=_pool_dtype(dout))
    dcols[argmax.ravel(), np.arange(dout.size)] = dout.ravel()
    dx = _np_im2col.col2im_strided(dcols, (N * C, 1, H, W), ph, pw, 0, stride)
    return dx.reshape(N, C, H, W)


def max_pool_forward_fast(x, pool_param):
    """A fast implementation of the forward pass for a max-pooling layer.

    Inputs:
    - x: input data, shape (N, C, H, W)
    - pool_param: dict with 'pool_height', 'pool_width', 'stride' (no padding)

    Returns a tuple of:
    - out: output data, shape (N, C, H', W'), H' = 1 + (H - pool_height) / stride,
      W' = 1 + (W - pool_width) / stride (a ValueError if not integers)
    - cache: for max_pool_backward_fast; it keeps, for every window, where its
      first maximum is (the entry that receives the gradient)
    """
    ph, pw, stride, out_h, out_w = _pool_setup(x, pool_param)
    if _use_ext:
        out, argmax = _ext.max_pool_forward_cython(np.asarray(x, dtype=_pool_dtype(x)),
                                                   ph, pw, stride)
        return out, ("cython", (x.shape, pool_param, argmax))
    if _reshape_ok(x.shape, ph, pw, stride):
        out, cache = max_pool_forward_reshape(x, pool_param)
        return out, ("reshape", cache)
    out, cache = max_pool_forward_im2col(x, pool_param)
    return out, ("im2col", cache)


def max_pool_backward_fast(dout, cache):
    """A fast implementation of the backward pass for a max-pooling layer.

    Inputs:
    - dout: upstream derivatives, shape (N, C, H', W')
    - cache: from max_pool_forward_fast

    Returns:
    - dx: gradient with respect to x, shape (N, C, H, W); each window's gradient
      goes to its first maximum (row-major), overlapping windows add up
    """
    kind, inner = cache
    if kind == "reshape":
        return max_pool_backward_reshape(dout, inner)
    if kind == "im2col":
        return max_pool_backward_im2col(dout, inner)
    if _ext is None:
        raise RuntimeError("this cache comes from the compiled path, which is not available")
    x_shape, pool_param, argmax = inner
    _check_dout(dout, argmax.shape, "max_pool_backward_fast")
    H, W = x_shape[2:]
    return _ext.max_pool_backward_cython(np.asarray(dout, dtype=_pool_dtype(dout)), argmax,
                                         H, W, pool_param["pool_height"],
                                         pool_param["pool_width"], pool_param["stride"])
