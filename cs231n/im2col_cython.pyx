# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled kernels for convolution and max pooling on (N, C, H, W) arrays.

im2col column layout (shared with the pure-NumPy twins in ``cs231n/im2col.py``)::

    cols.shape == (C * field_height * field_width, N * out_h * out_w)
    row    r = (c * field_height + i) * field_width + j       # filter tap (c, i, j)
    column q = (n * out_h + oh) * out_w + ow                  # image n, output pixel (oh, ow)
    cols[r, q] = x_padded[n, c, oh * stride + i, ow * stride + j]

Rows follow ``w.reshape(F, -1)``, so ``w.reshape(F, -1) @ cols`` is the
convolution, laid out as (F, N, out_h, out_w). The columns are image-major:
the block of image ``n`` is ``cols[:, n*P:(n+1)*P]`` with ``P = out_h*out_w``,
and every run over ``ow`` reads one row of ``x`` with a fixed step, so the copy
loops are long and simple. Zero padding is virtual: taps that fall outside the
image write 0 (im2col) or are dropped (col2im); no padded copy of ``x`` is made.

Besides the whole-batch functions ``im2col_cython`` / ``col2im_cython`` there are
batch-slice versions (``im2col_into``, ``col2im_add``) that fill or read a
(B, K, P) buffer for B consecutive images; ``cs231n/fast_layers.py`` uses them to
run the convolution a few images at a time with buffers that stay in cache.

Max pooling: ``max_pool_forward_cython`` returns the output and, for every
output, the offset ``i * pool_width + j`` of the maximum inside its window
(int32). Ties go to the FIRST maximum in row-major window order, as in the
naive loop version. ``max_pool_backward_cython`` sends each upstream gradient
to that position (overlapping windows add up).

All functions take float32 and float64 (a fused type), run their loops without
the GIL (in parallel when the extension is compiled with OpenMP), and check
their arguments with a clear ValueError / TypeError.
"""
import numpy as np
cimport numpy as cnp
from cython.parallel cimport prange

cnp.import_array()

ctypedef fused floating_t:
    float
    double


# ---------------------------------------------------------------- helpers

def _out_size(Py_ssize_t size, Py_ssize_t field, Py_ssize_t padding, Py_ssize_t stride,
              str name):
    if field <= 0:
        raise ValueError(f"window {name} must be positive, got {field}")
    if stride <= 0:
        raise ValueError(f"stride must be positive, got {stride}")
    if padding < 0:
        raise ValueError(f"padding must be non-negative, got {padding}")
    cdef Py_ssize_t span = size + 2 * padding - field
    if span < 0:
        raise ValueError(f"window {name} {field} is larger than the padded input {name} "
                         f"{size + 2 * padding}")
    if span % stride != 0:
        raise ValueError(f"(input {name} {size} + 2*pad {padding} - window {name} {field}) "
                         f"is not divisible by stride {stride}: the output size "
                         f"1 + {span}/{stride} is not an integer")
    return 1 + span // stride


def output_shape(Py_ssize_t H, Py_ssize_t W, Py_ssize_t field_height, Py_ssize_t field_width,
                 Py_ssize_t padding, Py_ssize_t stride):
    """(out_h, out_w) of a window sliding over a zero-padded (H, W) image, or a
    ValueError when the window does not tile it exactly."""
    return (_out_size(H, field_height, padding, stride, "height"),
            _out_size(W, field_width, padding, stride, "width"))


def _float_array(a, str name, Py_ssize_t ndim):
    a = np.asarray(a)
    if a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {a.shape}")
    if a.dtype != np.float32 and a.dtype != np.float64:
        raise TypeError(f"{name} must be float32 or float64, got {a.dtype}")
    return a


cdef inline void _valid_range(Py_ssize_t j, Py_ssize_t padding, Py_ssize_t stride,
                              Py_ssize_t W, Py_ssize_t out_w,
                              Py_ssize_t *lo, Py_ssize_t *hi) noexcept nogil:
    """Range [lo, hi) of output columns ow whose input column ow*stride + j - padding
    lies inside 0..W-1."""
    cdef Py_ssize_t a = 0, b = out_w
    if j < padding:
        a = (padding - j + stride - 1) // stride
    if (out_w - 1) * stride + j - padding >= W:
        if W - 1 + padding - j < 0:
            b = 0
        else:
            b = (W - 1 + padding - j) // stride + 1
    if a > out_w:
        a = out_w
    if b < a:
        b = a
    lo[0] = a
    hi[0] = b


# ---------------------------------------------------------------- im2col

cdef void _im2col_row(const floating_t[:, :, :, ::1] x, floating_t[:, :, :] cols,
                      Py_ssize_t r, Py_ssize_t n_start, Py_ssize_t fh, Py_ssize_t fw,
                      Py_ssize_t padding, Py_ssize_t stride,
                      Py_ssize_t out_h, Py_ssize_t out_w) noexcept nogil:
    """Row r (tap c, i, j) of the columns of images n_start .. n_start + B - 1."""
    cdef Py_ssize_t H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t c = r // (fh * fw)
    cdef Py_ssize_t i = (r // fw) % fh
    cdef Py_ssize_t j = r % fw
    cdef Py_ssize_t b, oh, ow, h, lo, hi, off = j - padding
    cdef floating_t *dst
    cdef const floating_t *src
    _valid_range(j, padding, stride, W, out_w, &lo, &hi)
    for b in range(cols.shape[0]):
        for oh in range(out_h):
            dst = &cols[b, r, oh * out_w]
            h = oh * stride + i - padding
            if h < 0 or h >= H:
                for ow in range(out_w):
                    dst[ow] = 0
                continue
            src = &x[n_start + b, c, h, 0]
            for ow in range(lo):
                dst[ow] = 0
            if stride == 1:
                for ow in range(lo, hi):
                    dst[ow] = src[ow + off]
            elif stride == 2:
                for ow in range(lo, hi):
                    dst[ow] = src[2 * ow + off]
            else:
                for ow in range(lo, hi):
                    dst[ow] = src[ow * stride + off]
            for ow in range(hi, out_w):
                dst[ow] = 0


cdef void _im2col_fill(const floating_t[:, :, :, ::1] x, floating_t[:, :, :] cols,
                       Py_ssize_t n_start, Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t padding,
                       Py_ssize_t stride, Py_ssize_t out_h, Py_ssize_t out_w) noexcept nogil:
    cdef Py_ssize_t r
    cdef Py_ssize_t K = cols.shape[1]
    for r in prange(K, schedule="static"):
        _im2col_row(x, cols, r, n_start, fh, fw, padding, stride, out_h, out_w)


# ---------------------------------------------------------------- col2im

cdef void _col2im_plane(const floating_t[:, :, :] cols, floating_t[:, :, :, ::1] x,
                        Py_ssize_t t, Py_ssize_t n_start, Py_ssize_t fh, Py_ssize_t fw,
                        Py_ssize_t padding, Py_ssize_t stride,
                        Py_ssize_t out_h, Py_ssize_t out_w) noexcept nogil:
    """Accumulate into plane t = b * C + c of images n_start.. every column entry
    that was copied from it (all taps (c, i, j), all output rows)."""
    cdef Py_ssize_t C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t b = t // C, c = t % C
    cdef Py_ssize_t i, j, r, oh, ow, h, lo, hi, off
    cdef const floating_t *src
    cdef floating_t *dst
    for i in range(fh):
        for j in range(fw):
            r = (c * fh + i) * fw + j
            off = j - padding
            _valid_range(j, padding, stride, W, out_w, &lo, &hi)
            for oh in range(out_h):
                h = oh * stride + i - padding
                if h < 0 or h >= H:
                    continue
                src = &cols[b, r, oh * out_w]
                dst = &x[n_start + b, c, h, 0]
                if stride == 1:
                    for ow in range(lo, hi):
                        dst[ow + off] += src[ow]
                elif stride == 2:
                    for ow in range(lo, hi):
                        dst[2 * ow + off] += src[ow]
                else:
                    for ow in range(lo, hi):
                        dst[ow * stride + off] += src[ow]


cdef void _col2im_fill(const floating_t[:, :, :] cols, floating_t[:, :, :, ::1] x,
                       Py_ssize_t n_start, Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t padding,
                       Py_ssize_t stride, Py_ssize_t out_h, Py_ssize_t out_w) noexcept nogil:
    cdef Py_ssize_t t
    cdef Py_ssize_t planes = cols.shape[0] * x.shape[1]
    for t in prange(planes, schedule="static"):
        _col2im_plane(cols, x, t, n_start, fh, fw, padding, stride, out_h, out_w)


# ---------------------------------------------------------------- Python API: im2col / col2im

def _check_slice(x, cols, Py_ssize_t n_start, int field_height, int field_width,
                 int padding, int stride):
    """Validate a (B, K, P) column buffer against images n_start.. of x."""
    N, C, H, W = x.shape
    out_h, out_w = output_shape(H, W, field_height, field_width, padding, stride)
    if cols.dtype != x.dtype:
        raise TypeError(f"cols has dtype {cols.dtype} but x has dtype {x.dtype}")
    B = cols.shape[0]
    expected = (B, C * field_height * field_width, out_h * out_w)
    if cols.shape != expected:
        raise ValueError(f"column buffer has shape {cols.shape}, expected {expected}")
    if n_start < 0 or n_start + B > N:
        raise ValueError(f"images {n_start}..{n_start + B - 1} are outside the batch of {N}")
    if not x.flags.c_contiguous:
        raise ValueError("x must be C-contiguous")
    if cols.strides[2] != cols.itemsize:
        raise ValueError("the last axis of the column buffer must be contiguous (stride of one item)")
    return out_h, out_w


def im2col_into(x, cols, Py_ssize_t n_start, int field_height, int field_width,
                int padding, int stride):
    """Write the columns of images n_start .. n_start + B - 1 of x into ``cols``.

    Inputs:
    - x: (N, C, H, W) C-contiguous float32/float64
    - cols: (B, C*HH*WW, out_h*out_w) buffer of x's dtype whose last axis is
      contiguous; ``cols[b]`` receives image ``n_start + b``
    - n_start: first image; field_height, field_width, padding, stride: the window
    """
    x = _float_array(x, "x", 4)
    cols = _float_array(cols, "cols", 3)
    out_h, out_w = _check_slice(x, cols, n_start, field_height, field_width, padding, stride)
    if x.dtype == np.float64:
        _im2col_fill[double](x, cols, n_start, field_height, field_width, padding, stride,
                             out_h, out_w)
    else:
        _im2col_fill[float](x, cols, n_start, field_height, field_width, padding, stride,
                            out_h, out_w)


def col2im_add(cols, x, Py_ssize_t n_start, int field_height, int field_width,
               int padding, int stride):
    """Add (+=) the columns of images n_start .. n_start + B - 1 back into x.

    Inputs:
    - cols: (B, C*HH*WW, out_h*out_w), last axis contiguous
    - x: (N, C, H, W) C-contiguous array of cols' dtype, updated in place
    """
    cols = _float_array(cols, "cols", 3)
    x = _float_array(x, "x", 4)
    out_h, out_w = _check_slice(x, cols, n_start, field_height, field_width, padding, stride)
    if x.dtype == np.float64:
        _col2im_fill[double](cols, x, n_start, field_height, field_width, padding, stride,
                             out_h, out_w)
    else:
        _col2im_fill[float](cols, x, n_start, field_height, field_width, padding, stride,
                            out_h, out_w)


def im2col_cython(x, int field_height, int field_width, int padding, int stride):
    """Patches of ``x`` as columns.

    Inputs:
    - x: (N, C, H, W) float32 or float64 (any strides; copied to C order if needed)
    - field_height, field_width: window size HH, WW
    - padding: zero padding on each side; stride: step of the window

    Returns cols: (C * HH * WW, N * out_h * out_w), same dtype as x, in the layout
    described in the module docstring.
    """
    x = np.ascontiguousarray(_float_array(x, "x", 4))
    N, C, H, W = x.shape
    out_h, out_w = output_shape(H, W, field_height, field_width, padding, stride)
    P = out_h * out_w
    cols = np.empty((C * field_height * field_width, N * P), dtype=x.dtype)
    if N > 0 and cols.size > 0:
        im2col_into(x, cols.reshape(-1, N, P).transpose(1, 0, 2), 0,
                    field_height, field_width, padding, stride)
    return cols


def col2im_cython(cols, int N, int C, int H, int W, int field_height, int field_width,
                  int padding, int stride):
    """Adjoint of :func:`im2col_cython`: adds every column entry back onto the
    input pixel it was copied from (overlapping windows add up; padding is dropped).

    Inputs:
    - cols: (C * HH * WW, N * out_h * out_w) float32 or float64
    - N, C, H, W: shape of the input x that produced the columns
    - field_height, field_width, padding, stride: as for im2col_cython

    Returns x: (N, C, H, W), same dtype as cols.
    """
    cols = _float_array(cols, "cols", 2)
    out_h, out_w = output_shape(H, W, field_height, field_width, padding, stride)
    P = out_h * out_w
    expected = (C * field_height * field_width, N * P)
    if cols.shape != expected:
        raise ValueError(f"cols has shape {cols.shape}, expected {expected} for x of shape "
                         f"{(N, C, H, W)} and a {field_height}x{field_width} window")
    x = np.zeros((N, C, H, W), dtype=cols.dtype)
    if N > 0 and cols.size > 0:
        cols3 = np.ascontiguousarray(cols).reshape(-1, N, P).transpose(1, 0, 2)
        col2im_add(cols3, x, 0, field_height, field_width, padding, stride)
    return x


# ---------------------------------------------------------------- max pooling

cdef void _pool_fwd_plane(const floating_t[:, :, :, ::1] x, floating_t[:, :, :, ::1] out,
                          int[:, :, :, ::1] arg, Py_ssize_t t, Py_ssize_t ph, Py_ssize_t pw,
                          Py_ssize_t stride) noexcept nogil:
    cdef Py_ssize_t C = x.shape[1], W = x.shape[3]
    cdef Py_ssize_t n = t // C, c = t % C
    cdef Py_ssize_t out_h = out.shape[2], out_w = out.shape[3]
    cdef Py_ssize_t oh, ow, i, j, best_k
    cdef floating_t best, v, a0, a1, b0, b1
    cdef const floating_t *row
    cdef const floating_t *row2
    cdef floating_t *o
    cdef int *k
    for oh in range(out_h):
        o = &out[n, c, oh, 0]
        k = &arg[n, c, oh, 0]
        if ph == 2 and pw == 2:
            row = &x[n, c, oh * stride, 0]
            row2 = row + W
            for ow in range(out_w):
                a0 = row[ow * stride]
                a1 = row[ow * stride + 1]
                b0 = row2[ow * stride]
                b1 = row2[ow * stride + 1]
                best = a0
                best_k = 0
                if a1 > best:
                    best = a1
                    best_k = 1
                if b0 > best:
                    best = b0
                    best_k = 2
                if b1 > best:
                    best = b1
                    best_k = 3
                o[ow] = best
                k[ow] = <int>best_k
        else:
            for ow in range(out_w):
                row = &x[n, c, oh * stride, ow * stride]
                best = row[0]
                best_k = 0
                for i in range(ph):
                    for j in range(pw):
                        v = row[i * W + j]
                        if v > best:
                            best = v
                            best_k = i * pw + j
                o[ow] = best
                k[ow] = <int>best_k


cdef void _pool_fwd(const floating_t[:, :, :, ::1] x, floating_t[:, :, :, ::1] out,
                    int[:, :, :, ::1] arg, Py_ssize_t ph, Py_ssize_t pw,
                    Py_ssize_t stride) noexcept nogil:
    cdef Py_ssize_t t
    for t in prange(x.shape[0] * x.shape[1], schedule="static"):
        _pool_fwd_plane(x, out, arg, t, ph, pw, stride)


cdef Py_ssize_t _pool_bwd_plane(const floating_t[:, :, :, ::1] dout,
                                const int[:, :, :, ::1] arg, floating_t[:, :, :, ::1] dx,
                                Py_ssize_t t, Py_ssize_t ph, Py_ssize_t pw, Py_ssize_t stride,
                                bint tiled) noexcept nogil:
    """Scatter one plane's gradient; returns how many argmax entries were
    outside the window (those are skipped, never written out of bounds)."""
    cdef Py_ssize_t C = dx.shape[1], H = dx.shape[2], W = dx.shape[3]
    cdef Py_ssize_t n = t // C, c = t % C
    cdef Py_ssize_t out_h = dout.shape[2], out_w = dout.shape[3]
    cdef Py_ssize_t oh, ow, h, w, kk, bad = 0
    cdef floating_t g
    cdef floating_t *row
    cdef floating_t *plane = &dx[n, c, 0, 0]
    cdef const floating_t *d
    cdef const int *k
    if tiled and ph == 2 and pw == 2:
        # Windows tile the image exactly: write every pixel once, no zeroing pass.
        for oh in range(out_h):
            d = &dout[n, c, oh, 0]
            k = &arg[n, c, oh, 0]
            row = plane + 2 * oh * W
            for ow in range(out_w):
                g = d[ow]
                kk = k[ow]
                row[2 * ow] = g if kk == 0 else 0
                row[2 * ow + 1] = g if kk == 1 else 0
                row[W + 2 * ow] = g if kk == 2 else 0
                row[W + 2 * ow + 1] = g if kk == 3 else 0
                if kk < 0 or kk > 3:
                    bad += 1
        return bad
    for h in range(H * W):
        plane[h] = 0
    for oh in range(out_h):
        d = &dout[n, c, oh, 0]
        k = &arg[n, c, oh, 0]
        for ow in range(out_w):
            kk = k[ow]
            if kk < 0 or kk >= ph * pw:
                bad += 1
                continue
            h = oh * stride + kk // pw
            w = ow * stride + kk % pw
            plane[h * W + w] += d[ow]
    return bad


cdef Py_ssize_t _pool_bwd(const floating_t[:, :, :, ::1] dout, const int[:, :, :, ::1] arg,
                          floating_t[:, :, :, ::1] dx, Py_ssize_t ph, Py_ssize_t pw,
                          Py_ssize_t stride, bint tiled) noexcept nogil:
    cdef Py_ssize_t t, bad = 0
    for t in prange(dx.shape[0] * dx.shape[1], schedule="static"):
        bad += _pool_bwd_plane(dout, arg, dx, t, ph, pw, stride, tiled)
    return bad


def max_pool_forward_cython(x, int pool_height, int pool_width, int stride):
    """Max pooling without padding.

    Inputs:
    - x: (N, C, H, W) float32 or float64 (copied to C order if needed)
    - pool_height, pool_width, stride: the window

    Returns a tuple:
    - out: (N, C, out_h, out_w), same dtype as x
    - argmax: (N, C, out_h, out_w) int32, offset i * pool_width + j of the first
      maximum inside each window
    """
    x = np.ascontiguousarray(_float_array(x, "x", 4))
    N, C, H, W = x.shape
    out_h, out_w = output_shape(H, W, pool_height, pool_width, 0, stride)
    out = np.empty((N, C, out_h, out_w), dtype=x.dtype)
    arg = np.empty((N, C, out_h, out_w), dtype=np.int32)
    if x.dtype == np.float64:
        _pool_fwd[double](x, out, arg, pool_height, pool_width, stride)
    else:
        _pool_fwd[float](x, out, arg, pool_height, pool_width, stride)
    return out, arg


def max_pool_backward_cython(dout, argmax, int H, int W, int pool_height, int pool_width,
                             int stride):
    """Gradient of max pooling: each dout entry goes to the input pixel that won
    its window (``argmax`` from the forward pass); overlapping windows add up.

    Inputs:
    - dout: (N, C, out_h, out_w) float32 or float64
    - argmax: (N, C, out_h, out_w) int32 from max_pool_forward_cython
    - H, W: input height and width; pool_height, pool_width, stride: the window

    Returns dx: (N, C, H, W), same dtype as dout.
    """
    dout = np.ascontiguousarray(_float_array(dout, "dout", 4))
    argmax = np.ascontiguousarray(argmax, dtype=np.int32)
    N, C = dout.shape[0], dout.shape[1]
    out_h, out_w = output_shape(H, W, pool_height, pool_width, 0, stride)
    if dout.shape != (N, C, out_h, out_w) or argmax.shape != dout.shape:
        raise ValueError(f"dout {dout.shape} and argmax {argmax.shape} must both have shape "
                         f"{(N, C, out_h, out_w)} for an input of size {H}x{W}")
    tiled = (pool_height == stride and pool_width == stride
             and out_h * stride == H and out_w * stride == W)
    dx = (np.empty if tiled and pool_height == 2 and pool_width == 2 else np.zeros)(
        (N, C, H, W), dtype=dout.dtype)
    if dout.dtype == np.float64:
        bad = _pool_bwd[double](dout, argmax, dx, pool_height, pool_width, stride, tiled)
    else:
        bad = _pool_bwd[float](dout, argmax, dx, pool_height, pool_width, stride, tiled)
    if bad:
        raise ValueError(f"argmax holds {bad} offsets outside the "
                         f"{pool_height}x{pool_width} pooling window")
    return dx
