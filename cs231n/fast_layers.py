"""Fast convolution and max pooling: the results of the naive layers in layers.py, much sooner.

Design. Convolution is a matrix product once the input patches are laid out as
columns (im2col, ``cs231n/im2col.py``): with ``cols`` (C*HH*WW, N*H'*W') and
``w_flat = w.reshape(F, -1)``, out = ``w_flat @ cols``, dw = ``dout_flat @ cols.T``,
and col2im adds ``w_flat.T @ dout_flat`` onto dx: three products, the floor of any
im2col design. One of two paths is chosen at import. The compiled one
(``cs231n/im2col_cython.pyx``) gives each core a range of images (``parallel.py``,
BLAS at one thread each) and loops over them without the GIL, one image's columns
in cache at a time, products by SciPy's BLAS; it pools with a direct loop. The
NumPy path, the readable reference the compiled one is tested against, does one
im2col of the whole batch and one product per pass, and pools by a reshape (or
im2col); it runs, after ONE warning that says why, when the extension is not built
or ``CS231N_DISABLE_EXTENSION=1`` is set. Both compute in float32 if every input is
float32 or narrower, else float64, and give a pooling window's gradient to its
first maximum (row-major), as the naive layer does.
"""
import os
import warnings

import numpy as np

from cs231n import _checks, parallel
from cs231n.im2col import col2im_strided, im2col_strided

__all__ = ["conv_forward_fast", "conv_backward_fast", "max_pool_forward_fast",
           "max_pool_backward_fast", "conv_forward_strides", "conv_backward_strides",
           "conv_forward_im2col", "conv_backward_im2col", "conv_forward_cython",
           "conv_backward_cython", "max_pool_forward_cython", "max_pool_backward_cython",
           "max_pool_forward_numpy", "max_pool_backward_numpy", "max_pool_forward_reshape",
           "max_pool_backward_reshape", "max_pool_forward_im2col", "max_pool_backward_im2col",
           "extension_available", "backend", "ExtensionNotBuiltWarning"]

DISABLE_ENV = "CS231N_DISABLE_EXTENSION"


class ExtensionNotBuiltWarning(RuntimeWarning):
    """The fast layers run on their NumPy path; the message says why."""


def _load_extension():
    """(the compiled module or None, why not); warns once when it is None."""
    why = f"{DISABLE_ENV}={os.environ.get(DISABLE_ENV)} is set"
    if os.environ.get(DISABLE_ENV, "").strip().lower() in ("", "0", "false", "no"):
        try:
            from cs231n import im2col_cython
            return im2col_cython, None
        except ImportError as exc:
            why = (f"the extension cs231n.im2col_cython is not built ({exc}); build it with "
                   "`make install` or `python -m pip install --no-build-isolation -e .`")
    warnings.warn(f"cs231n.fast_layers runs on its slower NumPy path: {why}",
                  ExtensionNotBuiltWarning, stacklevel=3)
    return None, why


_ext, _why_numpy = _load_extension()


def extension_available():
    """True when the compiled path is used (chosen once, at import)."""
    return _ext is not None


def backend():
    """'cython' or 'numpy': the path of the fast layers, chosen once, at import."""
    return "numpy" if _ext is None else "cython"


def _compiled():
    if _ext is None:
        raise RuntimeError(f"the compiled path is not available: {_why_numpy}")
    return _ext


# ----------------------------------------------------------------------------- NumPy path

def conv_forward_im2col(x, w, b, conv_param):
    """Convolution forward pass on the NumPy path: ONE im2col of the whole batch, ONE
    product. x (N, C, H, W), w (F, C, HH, WW), b (F,), conv_param {'stride', 'pad'} give
    out (N, F, H', W') and cache (x, w, b, conv_param, cols), cols (C*HH*WW, N*H'*W')."""
    stride, pad, H_out, W_out = _checks.conv(x, w, b, conv_param)
    dt, (F, _, HH, WW) = _checks.float_dtype(x, w, b), w.shape
    cols = im2col_strided(x.astype(dt, copy=False), HH, WW, pad, stride)
    out = w.reshape(F, -1).astype(dt, copy=False) @ cols + np.asarray(b, dt)[:, None]
    out = out.reshape(F, x.shape[0], H_out, W_out).transpose(1, 0, 2, 3)   # (N, F, H', W')
    return np.ascontiguousarray(out), (x, w, b, conv_param, cols)


def conv_backward_im2col(dout, cache):
    """Backward pass of conv_forward_im2col: dout (N, F, H', W') and its cache give
    dx (N, C, H, W), dw (F, C, HH, WW), db (F,)."""
    x, w, b, conv_param, cols = cache
    stride, pad, _, _ = _checks.conv(x, w, b, conv_param, dout)
    F, _, HH, WW = w.shape
    dout_flat = dout.astype(cols.dtype, copy=False).transpose(1, 0, 2, 3).reshape(F, -1)
    dw = (cols @ dout_flat.T).T.reshape(w.shape)        # dout_flat @ cols.T, faster this way
    dcols = w.reshape(F, -1).astype(cols.dtype, copy=False).T @ dout_flat
    return col2im_strided(dcols, x.shape, HH, WW, pad, stride), dw, dout_flat.sum(axis=1)


def _tiles(x_shape, ph, pw, stride):     # windows that tile the input: no overlap, no gaps
    return ph == pw == stride and x_shape[2] % ph == 0 and x_shape[3] % pw == 0


def max_pool_forward_reshape(x, pool_param):
    """Max pooling by a reshape, for windows that tile x (N, C, H, W). Returns out
    (N, C, H', W') and cache (x_shape, pool_param, argmax), argmax (N, C, H', W')
    the offset i * pool_width + j of each window's first maximum (every path's cache)."""
    ph, pw, stride, H_out, W_out = _checks.pool(x, pool_param)
    if not _tiles(x.shape, ph, pw, stride):
        raise ValueError(f"max_pool_forward_reshape: {ph}x{pw} windows with stride {stride} "
                         f"do not tile the {x.shape[2]}x{x.shape[3]} input")
    N, C = x.shape[:2]
    win = x.astype(_checks.float_dtype(x), copy=False).reshape(N, C, H_out, ph, W_out, pw)
    win = win.transpose(0, 1, 2, 4, 3, 5).reshape(N, C, H_out, W_out, ph * pw)
    argmax = win.argmax(axis=-1)
    return np.take_along_axis(win, argmax[..., None], -1)[..., 0], (x.shape, pool_param, argmax)


def max_pool_backward_reshape(dout, cache):
    """Backward pass of max_pool_forward_reshape; returns dx (N, C, H, W)."""
    x_shape, pool_param, argmax = cache
    ph, pw, _, H_out, W_out = _checks.pool(x_shape, pool_param, dout)
    N, C = x_shape[:2]
    dwin = np.zeros((N, C, H_out, W_out, ph * pw), dtype=_checks.float_dtype(dout))
    np.put_along_axis(dwin, argmax[..., None], dout[..., None], axis=-1)
    return dwin.reshape(N, C, H_out, W_out, ph, pw).transpose(0, 1, 2, 4, 3, 5).reshape(x_shape)


def max_pool_forward_im2col(x, pool_param):
    """Max pooling through im2col, any window and stride; out and cache as above."""
    ph, pw, stride, H_out, W_out = _checks.pool(x, pool_param)
    N, C, H, W = x.shape
    x1 = x.astype(_checks.float_dtype(x), copy=False).reshape(N * C, 1, H, W)
    cols = im2col_strided(x1, ph, pw, 0, stride)                 # (ph*pw, N*C*H'*W')
    argmax = cols.argmax(axis=0)
    out = cols[argmax, np.arange(cols.shape[1])].reshape(N, C, H_out, W_out)
    return out, (x.shape, pool_param, argmax.reshape(N, C, H_out, W_out))


def max_pool_backward_im2col(dout, cache):
    """Backward pass of max_pool_forward_im2col; returns dx (N, C, H, W)."""
    x_shape, pool_param, argmax = cache
    ph, pw, stride, _, _ = _checks.pool(x_shape, pool_param, dout)
    N, C, H, W = x_shape
    dcols = np.zeros((ph * pw, dout.size), dtype=_checks.float_dtype(dout))
    dcols[argmax.ravel(), np.arange(dout.size)] = dout.ravel()
    return col2im_strided(dcols, (N * C, 1, H, W), ph, pw, 0, stride).reshape(x_shape)


def max_pool_forward_numpy(x, pool_param):
    """Max pooling on the NumPy path: by a reshape where the windows tile x, else by im2col."""
    tiles = _tiles(x.shape, *_checks.pool(x, pool_param)[:3])
    return (max_pool_forward_reshape if tiles else max_pool_forward_im2col)(x, pool_param)


def max_pool_backward_numpy(dout, cache):
    """Backward pass of max_pool_forward_numpy (or of any fast max pool: one cache format)."""
    tiles = _tiles(cache[0], *_checks.pool(cache[0], cache[1])[:3])
    return (max_pool_backward_reshape if tiles else max_pool_backward_im2col)(dout, cache)


# ----------------------------------------------------------------------------- compiled path

def conv_forward_cython(x, w, b, conv_param):
    """Convolution forward pass on the compiled path, images shared out over threads.
    Returns out (N, F, H', W') and cache (x, w, b, conv_param), converted to one dtype."""
    stride, pad, H_out, W_out = _checks.conv(x, w, b, conv_param)
    dt, ext = _checks.float_dtype(x, w, b), _compiled()
    x, w, b = (np.ascontiguousarray(a, dtype=dt) for a in (x, w, b))
    N, (F, _, HH, WW) = x.shape[0], w.shape
    out = np.empty((N, F, H_out * W_out), dtype=dt)
    parts = parallel.split(N, parallel.thread_count())
    parallel.run(lambda n: ext.conv_forward(x, w.reshape(F, -1), b, out, *n, HH, WW, pad, stride), parts)
    return out.reshape(N, F, H_out, W_out), (x, w, b, conv_param)


def conv_backward_cython(dout, cache):
    """Backward pass of conv_forward_cython; returns dx (N, C, H, W), dw (F, C, HH, WW), db (F,)."""
    x, w, b, conv_param = cache
    stride, pad, _, _ = _checks.conv(x, w, b, conv_param, dout)
    N, (F, _, HH, WW), ext = x.shape[0], w.shape, _compiled()
    dout = np.ascontiguousarray(dout, dtype=x.dtype).reshape(N, F, -1)
    dx, w_flat = np.empty_like(x), w.reshape(F, -1)       # each thread writes its images
    def images(part):     # fills dx for these images; returns their share of (dw.T, db)
        dw_t, db = np.zeros(w_flat.T.shape, x.dtype), np.zeros(F, x.dtype)
        ext.conv_backward(x, w_flat, dout, dx, dw_t, db, *part, HH, WW, pad, stride)
        return dw_t, db
    parts = parallel.run(images, parallel.split(N, parallel.thread_count()))
    dw_t, db = sum(p[0] for p in parts), sum(p[1] for p in parts)
    return dx, np.ascontiguousarray(dw_t.T).reshape(w.shape), db


def max_pool_forward_cython(x, pool_param):
    """Max pooling on the compiled path; returns out and a cache like max_pool_forward_reshape's."""
    ph, pw, stride, _, _ = _checks.pool(x, pool_param)
    xc = np.ascontiguousarray(x, dtype=_checks.float_dtype(x))
    out, argmax = _compiled().max_pool_forward(xc, ph, pw, stride)
    return out, (x.shape, pool_param, argmax)


def max_pool_backward_cython(dout, cache):
    """Backward pass of max_pool_forward_cython; returns dx (N, C, H, W)."""
    x_shape, pool_param, argmax = cache
    ph, pw, stride, _, _ = _checks.pool(x_shape, pool_param, dout)
    dout = np.ascontiguousarray(dout, dtype=_checks.float_dtype(dout))
    return _compiled().max_pool_backward(dout, argmax, *x_shape[2:], ph, pw, stride)


# ----------------------------------------------------------------------------- the fast layers

_paths = {"numpy": (conv_forward_im2col, conv_backward_im2col, max_pool_forward_numpy, max_pool_backward_numpy),
          "cython": (conv_forward_cython, conv_backward_cython, max_pool_forward_cython, max_pool_backward_cython)}
_conv_forward, _conv_backward, _pool_forward, _pool_backward = _paths[backend()]


def conv_forward_fast(x, w, b, conv_param):
    """A fast implementation of the forward pass of a convolutional layer.

    Inputs: x (N, C, H, W), filters w (F, C, HH, WW), biases b (F,), conv_param
    {'stride', 'pad'} (pad: zeros on each side of H and W).
    Returns out (N, F, H', W'), H' = 1 + (H + 2 pad - HH) / stride and W' = 1 +
    (W + 2 pad - WW) / stride (a ValueError if not integers), and a cache.
    """
    return _conv_forward(x, w, b, conv_param)


def conv_backward_fast(dout, cache):
    """A fast implementation of the backward pass of a convolutional layer: dout
    (N, F, H', W') and the cache of conv_forward_fast give dx (N, C, H, W),
    dw (F, C, HH, WW) and db (F,)."""
    return _conv_backward(dout, cache)


conv_forward_strides, conv_backward_strides = conv_forward_fast, conv_backward_fast  # CS231n's names


def max_pool_forward_fast(x, pool_param):
    """A fast implementation of the forward pass for a max-pooling layer: x (N, C, H, W)
    and pool_param {'pool_height', 'pool_width', 'stride'} (no padding) give out
    (N, C, H', W'), H' = 1 + (H - pool_height) / stride, W' = 1 + (W - pool_width) / stride
    (a ValueError if not integers), and a cache of where each window's first maximum is."""
    return _pool_forward(x, pool_param)


def max_pool_backward_fast(dout, cache):
    """A fast implementation of the backward pass for a max-pooling layer: dout
    (N, C, H', W') and the cache of max_pool_forward_fast give dx (N, C, H, W), each
    window's gradient at its first maximum (row-major), overlapping windows added up."""
    return _pool_backward(dout, cache)
