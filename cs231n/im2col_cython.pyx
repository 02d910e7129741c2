# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled im2col / col2im for convolution on (N, C, H, W) arrays.

Column layout (the same as the pure-NumPy twins in ``cs231n/im2col.py``)::

    cols.shape == (C * field_height * field_width, N * out_h * out_w)
    row    r = (c * field_height + i) * field_width + j       # filter tap (c, i, j)
    column q = (n * out_h + oh) * out_w + ow                  # image n, output pixel (oh, ow)
    cols[r, q] = x_padded[n, c, oh * stride + i, ow * stride + j]

Rows follow ``w.reshape(F, -1)`` so ``w_flat @ cols`` is the convolution. The
columns are image-major: the block of image ``n`` is ``cols[:, n*P:(n+1)*P]``
with ``P = out_h * out_w``, and inside it each run over ``ow`` reads a row
of ``x`` with a fixed stride, which keeps the copy loops simple and fast.
Zero padding is virtual: taps that fall outside the image write 0 (im2col)
or are dropped (col2im); no padded copy of ``x`` is made.

Every function accepts float32 and float64 (a fused type), releases the GIL in
its loops, and checks its arguments with a clear ValueError.
"""
import numpy as np
cimport numpy as cnp
cimport cython

cnp.import_array()

ctypedef fused floating_t:
    float
    double


cdef inline Py_ssize_t _out_size(Py_ssize_t size, Py_ssize_t field, Py_ssize_t padding,
                                 Py_ssize_t stride, str name) except -1:
    if field <= 0:
        raise ValueError(f"filter {name} must be positive, got {field}")
    if stride <= 0:
        raise ValueError(f"stride must be positive, got {stride}")
    if padding < 0:
        raise ValueError(f"padding must be non-negative, got {padding}")
    cdef Py_ssize_t span = size + 2 * padding - field
    if span < 0:
        raise ValueError(f"filter {name} {field} is larger than the padded input {name} "
                         f"{size + 2 * padding}")
    if span % stride != 0:
        raise ValueError(f"(input {name} {size} + 2*pad {padding} - filter {name} {field}) "
                         f"is not divisible by stride {stride}: the output size "
                         f"1 + {span}/{stride} is not an integer")
    return 1 + span // stride


def output_shape(Py_ssize_t H, Py_ssize_t W, Py_ssize_t field_height, Py_ssize_t field_width,
                 Py_ssize_t padding, Py_ssize_t stride):
    """(out_h, out_w) of a convolution/pooling window, or a ValueError."""
    return (_out_size(H, field_height, padding, stride, "height"),
            _out_size(W, field_width, padding, stride, "width"))


cdef void _im2col_images(const floating_t[:, :, :, ::1] x, floating_t[:, ::1] cols,
                         Py_ssize_t n_start, Py_ssize_t n_stop, Py_ssize_t col_offset,
                         Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t padding, Py_ssize_t stride,
                         Py_ssize_t out_h, Py_ssize_t out_w) noexcept nogil:
    """Write images n_start..n_stop-1 of x into cols, image n starting at column
    col_offset + (n - n_start) * out_h * out_w."""
    cdef Py_ssize_t C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t P = out_h * out_w
    cdef Py_ssize_t n, c, i, j, oh, ow, h, w, row, base, ow_lo, ow_hi
    cdef floating_t *dst
    cdef const floating_t *src
    for n in range(n_start, n_stop):
        base = col_offset + (n - n_start) * P
        for c in range(C):
            for i in range(fh):
                for j in range(fw):
                    row = (c * fh + i) * fw + j
                    # valid ow: 0 <= ow*stride + j - padding < W
                    ow_lo = 0
                    if j < padding:
                        ow_lo = (padding - j + stride - 1) // stride
                    ow_hi = out_w
                    if (out_w - 1) * stride + j - padding >= W:
                        if W - 1 + padding - j < 0:
                            ow_hi = 0
                        else:
                            ow_hi = (W - 1 + padding - j) // stride + 1
                    if ow_lo > out_w:
                        ow_lo = out_w
                    if ow_hi < ow_lo:
                        ow_hi = ow_lo
                    for oh in range(out_h):
                        dst = &cols[row, base + oh * out_w]
                        h = oh * stride + i - padding
                        if h < 0 or h >= H:
                            for ow in range(out_w):
                                dst[ow] = 0
                            continue
                        src = &x[n, c, h, 0]
                        for ow in range(ow_lo):
                            dst[ow] = 0
                        if stride == 1:
                            w = j - padding
                            for ow in range(ow_lo, ow_hi):
                                dst[ow] = src[ow + w]
                        else:
                            for ow in range(ow_lo, ow_hi):
                                dst[ow] = src[ow * stride + j - padding]
                        for ow in range(ow_hi, out_w):
                            dst[ow] = 0


cdef void _col2im_images(const floating_t[:, ::1] cols, floating_t[:, :, :, ::1] x,
                         Py_ssize_t n_start, Py_ssize_t n_stop, Py_ssize_t col_offset,
                         Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t padding, Py_ssize_t stride,
                         Py_ssize_t out_h, Py_ssize_t out_w) noexcept nogil:
    """Accumulate (+=) the columns of images n_start..n_stop-1 into x."""
    cdef Py_ssize_t C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t P = out_h * out_w
    cdef Py_ssize_t n, c, i, j, oh, ow, h, w, row, base, ow_lo, ow_hi
    cdef const floating_t *src
    cdef floating_t *dst
    for n in range(n_start, n_stop):
        base = col_offset + (n - n_start) * P
        for c in range(C):
            for i in range(fh):
                for j in range(fw):
                    row = (c * fh + i) * fw + j
                    ow_lo = 0
                    if j < padding:
                        ow_lo = (padding - j + stride - 1) // stride
                    ow_hi = out_w
                    if (out_w - 1) * stride + j - padding >= W:
                        if W - 1 + padding - j < 0:
                            ow_hi = 0
                        else:
                            ow_hi = (W - 1 + padding - j) // stride + 1
                    if ow_lo > out_w:
                        ow_lo = out_w
                    if ow_hi < ow_lo:
                        ow_hi = ow_lo
                    for oh in range(out_h):
                        h = oh * stride + i - padding
                        if h < 0 or h >= H:
                            continue
                        src = &cols[row, base + oh * out_w]
                        dst = &x[n, c, h, 0]
                        if stride == 1:
                            w = j - padding
                            for ow in range(ow_lo, ow_hi):
                                dst[ow + w] += src[ow]
                        else:
                            for ow in range(ow_lo, ow_hi):
                                dst[ow * stride + j - padding] += src[ow]


def _check_dtype(a, str name):
    if a.dtype != np.float32 and a.dtype != np.float64:
        raise TypeError(f"{name} must be float32 or float64, got {a.dtype}")


def im2col_cython(x, int field_height, int field_width, int padding, int stride):
    """Patches of ``x`` as columns.

    Inputs:
    - x: (N, C, H, W) float32 or float64 (any strides; copied to C order if needed)
    - field_height, field_width: filter size HH, WW
    - padding: zero padding on each side; stride: step of the window

    Returns cols: (C * HH * WW, N * out_h * out_w), same dtype as x, in the layout
    described in the module docstring.
    """
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must have 4 dimensions (N, C, H, W), got shape {x.shape}")
    _check_dtype(x, "x")
    x = np.ascontiguousarray(x)
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    out_h, out_w = output_shape(H, W, field_height, field_width, padding, stride)
    cols = np.empty((C * field_height * field_width, N * out_h * out_w), dtype=x.dtype)
    if x.dtype == np.float64:
        _im2col_d(x, cols, 0, N, 0, field_height, field_width, padding, stride, out_h, out_w)
    else:
        _im2col_f(x, cols, 0, N, 0, field_height, field_width, padding, stride, out_h, out_w)
    return cols


def col2im_cython(cols, int N, int C, int H, int W, int field_height, int field_width,
                  int padding, int stride):
    """Adjoint of :func:`im2col_cython`: sums every column entry back onto the
    input pixel it was copied from (overlapping windows add up; padding is dropped).

    Inputs:
    - cols: (C * HH * WW, N * out_h * out_w) float32 or float64
    - N, C, H, W: shape of the input x that produced the columns
    - field_height, field_width, padding, stride: as for im2col_cython

    Returns x: (N, C, H, W), same dtype as cols.
    """
    cols = np.asarray(cols)
    if cols.ndim != 2:
        raise ValueError(f"cols must have 2 dimensions, got shape {cols.shape}")
    _check_dtype(cols, "cols")
    out_h, out_w = output_shape(H, W, field_height, field_width, padding, stride)
    expected = (C * field_height * field_width, N * out_h * out_w)
    if cols.shape != expected:
        raise ValueError(f"cols has shape {cols.shape}, expected {expected} for x of shape "
                         f"{(N, C, H, W)} and a {field_height}x{field_width} window")
    cols = np.ascontiguousarray(cols)
    x = np.zeros((N, C, H, W), dtype=cols.dtype)
    if cols.dtype == np.float64:
        _col2im_d(cols, x, 0, N, 0, field_height, field_width, padding, stride, out_h, out_w)
    else:
        _col2im_f(cols, x, 0, N, 0, field_height, field_width, padding, stride, out_h, out_w)
    return x


cdef void _im2col_d(const double[:, :, :, ::1] x, double[:, ::1] cols, Py_ssize_t a, Py_ssize_t b,
                    Py_ssize_t off, Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t p, Py_ssize_t s,
                    Py_ssize_t oh, Py_ssize_t ow):
    with nogil:
        _im2col_images(x, cols, a, b, off, fh, fw, p, s, oh, ow)


cdef void _im2col_f(const float[:, :, :, ::1] x, float[:, ::1] cols, Py_ssize_t a, Py_ssize_t b,
                    Py_ssize_t off, Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t p, Py_ssize_t s,
                    Py_ssize_t oh, Py_ssize_t ow):
    with nogil:
        _im2col_images(x, cols, a, b, off, fh, fw, p, s, oh, ow)


cdef void _col2im_d(const double[:, ::1] cols, double[:, :, :, ::1] x, Py_ssize_t a, Py_ssize_t b,
                    Py_ssize_t off, Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t p, Py_ssize_t s,
                    Py_ssize_t oh, Py_ssize_t ow):
    with nogil:
        _col2im_images(cols, x, a, b, off, fh, fw, p, s, oh, ow)


cdef void _col2im_f(const float[:, ::1] cols, float[:, :, :, ::1] x, Py_ssize_t a, Py_ssize_t b,
                    Py_ssize_t off, Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t p, Py_ssize_t s,
                    Py_ssize_t oh, Py_ssize_t ow):
    with nogil:
        _col2im_images(cols, x, a, b, off, fh, fw, p, s, oh, ow)
