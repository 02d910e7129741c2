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
(B, K, P) buffer for B consecutive images.

The convolution loop: ``conv_forward_images`` / ``conv_backward_images`` run
a whole layer for a range of images, one image at a time, without the GIL:
im2col into a (1, K, P) buffer that stays in cache, then the matrix products
through CBLAS functions handed over once with ``set_gemm`` (the BLAS NumPy
uses, found by ``cs231n/blas.py``), bias, col2im. ``cs231n/fast_layers.py``
calls them from one thread per core.

Max pooling: ``max_pool_forward_cython`` returns the output and, for every
output, the offset ``i * pool_width + j`` of the maximum inside its window
(int32). Ties go to the FIRST maximum in row-major window order, as in the
naive loop version. ``max_pool_backward_cython`` sends each upstream gradient
to that position (overlapping windows add up).

All functions take float32 and float64 (a fused type) and check their
arguments with a clear ValueError / TypeError. The im2col / col2im kernels and
the convolution loop release the GIL. The loops are written with
``prange``, so a build with OpenMP would run them in parallel; the default
build has no OpenMP because its threads compete with OpenBLAS's for the same
cores and made the convolution slower.
"""
import numpy as np
cimport numpy as cnp
from libc.stdint cimport int64_t, uintptr_t
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

cdef inline void _zero(floating_t *dst, Py_ssize_t start, Py_ssize_t stop) noexcept nogil:
    cdef Py_ssize_t q
    for q in range(start, stop):
        dst[q] = 0


cdef void _im2col_row_same_width(const floating_t[:, :, :, ::1] x, floating_t[:, :, :] cols,
                                 Py_ssize_t r, Py_ssize_t n_start, Py_ssize_t c, Py_ssize_t i,
                                 Py_ssize_t j, Py_ssize_t padding, Py_ssize_t out_h,
                                 Py_ssize_t lo, Py_ssize_t hi) noexcept nogil:
    """Row r of the columns when stride == 1 and out_w == W ("same" width).

    Then output pixel q = oh * W + ow reads input pixel q + shift of the plane,
    with one shift for the whole row, so the row is ONE long copy (which the
    compiler vectorises) instead of out_h short ones. The copy also fills the
    entries whose window column falls in the padding (ow < lo or ow >= hi)
    with pixels of a neighbouring image row; those few are zeroed afterwards.
    """
    cdef Py_ssize_t H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t shift = (i - padding) * W + (j - padding)
    cdef Py_ssize_t oh_lo = padding - i, oh_hi = H + padding - i
    cdef Py_ssize_t b, oh, q, q0, q1
    cdef floating_t *dst
    cdef const floating_t *src
    if oh_lo < 0:
        oh_lo = 0
    if oh_hi > out_h:
        oh_hi = out_h
    if oh_hi < oh_lo:
        oh_hi = oh_lo
    # Copy only entries whose source lies inside this plane.
    q0 = max(oh_lo * W, -shift)
    q1 = min(oh_hi * W, H * W - shift)
    if q1 < q0:
        q1 = q0
    for b in range(cols.shape[0]):
        dst = &cols[b, r, 0]
        src = &x[n_start + b, c, 0, 0] + shift
        _zero(dst, 0, q0)
        for q in range(q0, q1):
            dst[q] = src[q]
        _zero(dst, q1, out_h * W)
        if lo > 0 or hi < W:
            for oh in range(oh_lo, oh_hi):
                _zero(dst, oh * W, oh * W + lo)
                _zero(dst, oh * W + hi, oh * W + W)


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
    if stride == 1 and out_w == W:
        _im2col_row_same_width(x, cols, r, n_start, c, i, j, padding, out_h, lo, hi)
        return
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
    # The copy runs without the GIL, so Python threads can fill slices in parallel.
    cdef const double[:, :, :, ::1] x64
    cdef double[:, :, :] cols64
    cdef const float[:, :, :, ::1] x32
    cdef float[:, :, :] cols32
    cdef Py_ssize_t oh = out_h, ow = out_w
    if x.dtype == np.float64:
        x64, cols64 = x, cols
        with nogil:
            _im2col_fill[double](x64, cols64, n_start, field_height, field_width, padding,
                                 stride, oh, ow)
    else:
        x32, cols32 = x, cols
        with nogil:
            _im2col_fill[float](x32, cols32, n_start, field_height, field_width, padding,
                                stride, oh, ow)


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
    cdef const double[:, :, :] cols64
    cdef double[:, :, :, ::1] x64
    cdef const float[:, :, :] cols32
    cdef float[:, :, :, ::1] x32
    cdef Py_ssize_t oh = out_h, ow = out_w
    if x.dtype == np.float64:
        cols64, x64 = cols, x
        with nogil:
            _col2im_fill[double](cols64, x64, n_start, field_height, field_width, padding,
                                 stride, oh, ow)
    else:
        cols32, x32 = cols, x
        with nogil:
            _col2im_fill[float](cols32, x32, n_start, field_height, field_width, padding,
                                stride, oh, ow)


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


# ---------------------------------------------------------------- the convolution loop

# CBLAS's constants and the two interfaces of gemm (32- and 64-bit integers).
cdef enum:
    ROW_MAJOR = 101
    NO_TRANS = 111
    TRANS = 112

ctypedef void (*sgemm32_t)(int, int, int, int, int, int, float, const float *, int,
                           const float *, int, float, float *, int) noexcept nogil
ctypedef void (*sgemm64_t)(int, int, int, int64_t, int64_t, int64_t, float, const float *,
                           int64_t, const float *, int64_t, float, float *, int64_t) noexcept nogil
ctypedef void (*dgemm32_t)(int, int, int, int, int, int, double, const double *, int,
                           const double *, int, double, double *, int) noexcept nogil
ctypedef void (*dgemm64_t)(int, int, int, int64_t, int64_t, int64_t, double, const double *,
                           int64_t, const double *, int64_t, double, double *, int64_t) noexcept nogil

cdef void *_sgemm = NULL
cdef void *_dgemm = NULL
cdef bint _gemm_int64 = False


def set_gemm(uintptr_t sgemm, uintptr_t dgemm, bint int64):
    """Use these CBLAS sgemm/dgemm functions (addresses, as found by
    ``cs231n/blas.py``) for the products of conv_forward_images /
    conv_backward_images. Passing 0, 0 switches them off."""
    global _sgemm, _dgemm, _gemm_int64
    _sgemm = <void *>sgemm
    _dgemm = <void *>dgemm
    _gemm_int64 = int64


def gemm_ready():
    """True when set_gemm has given the functions for the products."""
    return _sgemm != NULL and _dgemm != NULL


cdef inline void _gemm(bint trans_a, bint trans_b, Py_ssize_t M, Py_ssize_t N, Py_ssize_t K,
                       const floating_t *A, Py_ssize_t lda, const floating_t *B, Py_ssize_t ldb,
                       floating_t beta, floating_t *C, Py_ssize_t ldc) noexcept nogil:
    """Row-major C (M, N) = op(A) @ op(B) + beta * C, op = transpose when asked."""
    cdef int ta = TRANS if trans_a else NO_TRANS
    cdef int tb = TRANS if trans_b else NO_TRANS
    if floating_t is float:
        if _gemm_int64:
            (<sgemm64_t>_sgemm)(ROW_MAJOR, ta, tb, M, N, K, 1, A, lda, B, ldb, beta, C, ldc)
        else:
            (<sgemm32_t>_sgemm)(ROW_MAJOR, ta, tb, <int>M, <int>N, <int>K, 1, A, <int>lda,
                                B, <int>ldb, beta, C, <int>ldc)
    else:
        if _gemm_int64:
            (<dgemm64_t>_dgemm)(ROW_MAJOR, ta, tb, M, N, K, 1, A, lda, B, ldb, beta, C, ldc)
        else:
            (<dgemm32_t>_dgemm)(ROW_MAJOR, ta, tb, <int>M, <int>N, <int>K, 1, A, <int>lda,
                                B, <int>ldb, beta, C, <int>ldc)


cdef void _conv_fwd_images(const floating_t[:, :, :, ::1] x, const floating_t[:, ::1] w_flat,
                           const floating_t[::1] bias, floating_t[:, :, ::1] out,
                           floating_t[:, :, :] cols, Py_ssize_t n0, Py_ssize_t n1,
                           Py_ssize_t fh, Py_ssize_t fw, Py_ssize_t padding, Py_ssize_t stride,
                           Py_ssize_t out_h, Py_ssize_t out_w) noexcept nogil:
    cdef Py_ssize_t F = w_flat.shape[0], K = w_flat.shape[1], P = out.shape[2]
    cdef Py_ssize_t n, f, q
    cdef floating_t *dst
    cdef floating_t beta
    for n in range(n0, n1):
        _im2col_fill(x, cols, n, fh, fw, padding, stride, out_h, out_w)
        # out[n] (F, P) = w_flat (F, K) @ cols (K, P): straight into the output
        _gemm(False, False, F, P, K, &w_flat[0, 0], K, &cols[0, 0, 0], P, <floating_t>0, &out[n, 0, 0], P)
        for f in range(F):
            dst = &out[n, f, 0]
            beta = bias[f]
            for q in range(P):
                dst[q] += beta


cdef void _conv_bwd_images(const floating_t[:, :, :, ::1] x, const floating_t[:, ::1] w_flat,
                           const floating_t[:, :, ::1] dout, floating_t[:, :, :, ::1] dx,
                           floating_t[:, ::1] dw_t, floating_t[::1] db,
                           floating_t[:, :, :] cols, floating_t[:, :, :] dcols,
                           Py_ssize_t n0, Py_ssize_t n1, Py_ssize_t fh, Py_ssize_t fw,
                           Py_ssize_t padding, Py_ssize_t stride,
                           Py_ssize_t out_h, Py_ssize_t out_w) noexcept nogil:
    cdef Py_ssize_t F = w_flat.shape[0], K = w_flat.shape[1], P = dout.shape[2]
    cdef Py_ssize_t n, f, q
    cdef const floating_t *d
    cdef floating_t total
    for n in range(n0, n1):
        # The columns are built again rather than kept from the forward pass:
        # from x, which stays in cache, that is cheaper than storing them all
        # and reading them back from memory.
        _im2col_fill(x, cols, n, fh, fw, padding, stride, out_h, out_w)
        # dw.T (K, F) += cols (K, P) @ dout[n].T (P, F); OpenBLAS is faster with
        # the long P dimension inside this orientation than in dout @ cols.T.
        _gemm(False, True, K, F, P, &cols[0, 0, 0], P, &dout[n, 0, 0], P, <floating_t>1, &dw_t[0, 0], F)
        # dcols (K, P) = w_flat.T (K, F) @ dout[n] (F, P), then back onto dx[n]
        _gemm(True, False, K, P, F, &w_flat[0, 0], K, &dout[n, 0, 0], P, <floating_t>0, &dcols[0, 0, 0], P)
        _col2im_fill(dcols, dx, n, fh, fw, padding, stride, out_h, out_w)
        for f in range(F):
            d = &dout[n, f, 0]
            total = 0
            for q in range(P):
                total += d[q]
            db[f] += total


def _check_images(x, w_flat, per_image, cols, Py_ssize_t n0, Py_ssize_t n1,
                  int field_height, int field_width, int padding, int stride):
    """Validate the arguments shared by conv_forward_images / conv_backward_images."""
    if not gemm_ready():
        raise RuntimeError("no matrix-product functions: call set_gemm first")
    N, C, H, W = x.shape
    out_h, out_w = output_shape(H, W, field_height, field_width, padding, stride)
    F, K, P = w_flat.shape[0], w_flat.shape[1], out_h * out_w
    if K != C * field_height * field_width:
        raise ValueError(f"w_flat has {K} columns, expected C*HH*WW = "
                         f"{C * field_height * field_width}")
    if per_image.shape != (N, F, P):
        raise ValueError(f"out/dout has shape {per_image.shape}, expected {(N, F, P)}")
    if cols.shape != (1, K, P):
        raise ValueError(f"column buffer has shape {cols.shape}, expected {(1, K, P)}")
    if not 0 <= n0 <= n1 <= N:
        raise ValueError(f"images {n0}..{n1 - 1} are outside the batch of {N}")
    for a in (w_flat, per_image, cols):
        if a.dtype != x.dtype:
            raise TypeError(f"all arrays must have x's dtype {x.dtype}, got {a.dtype}")
    return out_h, out_w


def conv_forward_images(x, w_flat, bias, out, cols, Py_ssize_t n0, Py_ssize_t n1,
                        int field_height, int field_width, int padding, int stride):
    """Convolution forward pass of images n0 .. n1 - 1, one image at a time,
    without the GIL: im2col into ``cols``, one product into ``out[n]``, bias.

    Inputs:
    - x: (N, C, H, W) C-contiguous float32/float64
    - w_flat: (F, C*HH*WW) C-contiguous, x's dtype; bias: (F,)
    - out: (N, F, out_h*out_w) C-contiguous; images n0..n1-1 are written
    - cols: (1, C*HH*WW, out_h*out_w) C-contiguous work buffer
    """
    out_h, out_w = _check_images(x, w_flat, out, cols, n0, n1, field_height, field_width,
                                 padding, stride)
    if bias.shape != (w_flat.shape[0],) or bias.dtype != x.dtype:
        raise ValueError(f"bias must have shape ({w_flat.shape[0]},) and dtype {x.dtype}")
    cdef Py_ssize_t oh = out_h, ow = out_w
    cdef const double[:, :, :, ::1] x64
    cdef const double[:, ::1] w64
    cdef const double[::1] b64
    cdef double[:, :, ::1] o64, c64
    cdef const float[:, :, :, ::1] x32
    cdef const float[:, ::1] w32
    cdef const float[::1] b32
    cdef float[:, :, ::1] o32, c32
    if x.dtype == np.float64:
        x64, w64, b64, o64, c64 = x, w_flat, bias, out, cols
        with nogil:
            _conv_fwd_images[double](x64, w64, b64, o64, c64, n0, n1, field_height,
                                     field_width, padding, stride, oh, ow)
    else:
        x32, w32, b32, o32, c32 = x, w_flat, bias, out, cols
        with nogil:
            _conv_fwd_images[float](x32, w32, b32, o32, c32, n0, n1, field_height,
                                    field_width, padding, stride, oh, ow)


def conv_backward_images(x, w_flat, dout, dx, dw_t, db, cols, dcols, Py_ssize_t n0,
                         Py_ssize_t n1, int field_height, int field_width, int padding,
                         int stride):
    """Convolution backward pass of images n0 .. n1 - 1, one image at a time,
    without the GIL. Adds this range's share of the weight and bias gradients
    to ``dw_t`` and ``db`` and adds its input gradient into ``dx``.

    Inputs:
    - x: (N, C, H, W), w_flat: (F, K) with K = C*HH*WW, dout: (N, F, out_h*out_w),
      all C-contiguous of one dtype (float32/float64)
    - dx: (N, C, H, W), zeroed by the caller; dx[n0:n1] is added to
    - dw_t: (K, F) and db: (F,), added to
    - cols, dcols: (1, K, out_h*out_w) work buffers
    """
    out_h, out_w = _check_images(x, w_flat, dout, cols, n0, n1, field_height, field_width,
                                 padding, stride)
    F, K = w_flat.shape
    if dx.shape != x.shape or dw_t.shape != (K, F) or db.shape != (F,) or \
            dcols.shape != cols.shape:
        raise ValueError(f"dx {dx.shape}, dw_t {dw_t.shape}, db {db.shape} and dcols "
                         f"{dcols.shape} must be {x.shape}, {(K, F)}, {(F,)} and {cols.shape}")
    for a in (dx, dw_t, db, dcols):
        if a.dtype != x.dtype:
            raise TypeError(f"all arrays must have x's dtype {x.dtype}, got {a.dtype}")
    cdef Py_ssize_t oh = out_h, ow = out_w
    cdef const double[:, :, :, ::1] x64
    cdef const double[:, ::1] w64
    cdef const double[:, :, ::1] d64
    cdef double[:, :, :, ::1] dx64
    cdef double[:, ::1] dw64
    cdef double[::1] db64
    cdef double[:, :, ::1] c64, dc64
    cdef const float[:, :, :, ::1] x32
    cdef const float[:, ::1] w32
    cdef const float[:, :, ::1] d32
    cdef float[:, :, :, ::1] dx32
    cdef float[:, ::1] dw32
    cdef float[::1] db32
    cdef float[:, :, ::1] c32, dc32
    if x.dtype == np.float64:
        x64, w64, d64, dx64, dw64, db64, c64, dc64 = x, w_flat, dout, dx, dw_t, db, cols, dcols
        with nogil:
            _conv_bwd_images[double](x64, w64, d64, dx64, dw64, db64, c64, dc64, n0, n1,
                                     field_height, field_width, padding, stride, oh, ow)
    else:
        x32, w32, d32, dx32, dw32, db32, c32, dc32 = x, w_flat, dout, dx, dw_t, db, cols, dcols
        with nogil:
            _conv_bwd_images[float](x32, w32, d32, dx32, dw32, db32, c32, dc32, n0, n1,
                                    field_height, field_width, padding, stride, oh, ow)


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
                                Py_ssize_t t, Py_ssize_t stride,
                                const Py_ssize_t[::1] tap_offset) noexcept nogil:
    """Scatter one plane's gradient; returns how many argmax entries were
    outside the window (those are skipped, never written out of bounds).

    tap_offset[k] is where window offset k = i * pool_width + j lands relative
    to the window's corner (i * W + j): a table, so the inner loop has no
    integer division. Zeroing the plane and then scattering one value per
    window writes each pixel about once and keeps the plane in L1; the
    alternative of writing every pixel of every window with a select is
    several times slower (four scalar stores per 2x2 window)."""
    cdef Py_ssize_t C = dx.shape[1], H = dx.shape[2], W = dx.shape[3]
    cdef Py_ssize_t n = t // C, c = t % C
    cdef Py_ssize_t out_h = dout.shape[2], out_w = dout.shape[3]
    cdef size_t taps = tap_offset.shape[0]
    cdef Py_ssize_t oh, ow, h, bad = 0
    cdef int kk
    cdef floating_t *plane = &dx[n, c, 0, 0]
    cdef floating_t *corner
    cdef const floating_t *d
    cdef const int *k
    for h in range(H * W):
        plane[h] = 0
    for oh in range(out_h):
        d = &dout[n, c, oh, 0]
        k = &arg[n, c, oh, 0]
        corner = plane + oh * stride * W
        for ow in range(out_w):
            kk = k[ow]
            if <size_t>kk >= taps:
                bad += 1
                continue
            corner[ow * stride + tap_offset[kk]] += d[ow]
    return bad


cdef Py_ssize_t _pool_bwd(const floating_t[:, :, :, ::1] dout, const int[:, :, :, ::1] arg,
                          floating_t[:, :, :, ::1] dx, Py_ssize_t stride,
                          const Py_ssize_t[::1] tap_offset) noexcept nogil:
    cdef Py_ssize_t t, bad = 0
    for t in prange(dx.shape[0] * dx.shape[1], schedule="static"):
        bad += _pool_bwd_plane(dout, arg, dx, t, stride, tap_offset)
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
    taps = np.arange(pool_height * pool_width, dtype=np.intp)
    tap_offset = (taps // pool_width) * W + taps % pool_width
    dx = np.empty((N, C, H, W), dtype=dout.dtype)
    if dout.dtype == np.float64:
        bad = _pool_bwd[double](dout, argmax, dx, stride, tap_offset)
    else:
        bad = _pool_bwd[float](dout, argmax, dx, stride, tap_offset)
    if bad:
        raise ValueError(f"argmax holds {bad} offsets outside the "
                         f"{pool_height}x{pool_width} pooling window")
    return dx
