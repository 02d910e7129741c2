# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled kernels of ``cs231n/fast_layers.py``: convolution by im2col, and max pooling.

Design. A convolution is three matrix products around two copies (see
fast_layers.py). ``conv_forward`` / ``conv_backward`` do a whole layer for a
range of images in one call without the GIL, so that fast_layers can give each
core a range of its own. They take one image at a time: im2col copies its
patches into columns (K, P) (K = C*HH*WW filter taps, P = H'*W' output pixels,
laid out as in ``cs231n/im2col.py``) that stay in the core's cache, and one
product with the filters writes the image's output, to which the bias is added
while it is in cache. The backward pass rebuilds the same columns (cheaper,
from x in cache, than keeping them all), adds cols @ dout.T to dw.T and sends
w.T @ dout back through col2im into dx. (Several small images per product were
measured too: no faster, see README.) The products are SciPy's BLAS
(``scipy.linalg.cython_blas``), whose sgemm/dgemm have the Fortran interface:
column-major, so the row-major C = A @ B is asked for as C.T = B.T @ A.T, with
the same transpose flags. Zero padding is virtual: taps that fall outside the
image write 0 (im2col) or are dropped (col2im). Max pooling is a direct loop
that records where each window's first maximum is (``argmax``, the offset
i * pool_width + j in the window) and scatters the gradient there. Every kernel
takes float32 or float64 (a fused type); the input checks are fast_layers'
(``cs231n/_checks.py``), and the kernels only make sure that the arrays they
are given agree, so that no call can write out of bounds.
"""
import numpy as np
from scipy.linalg.cython_blas cimport sgemm, dgemm

from cs231n._checks import integer, output_size

ctypedef fused floating_t:
    float
    double


def _sizes(what, Py_ssize_t H, Py_ssize_t W, int fh, int fw, int pad, int stride):
    """(H', W') of a window over an (H, W) image, its arguments checked."""
    integer("field_height", fh), integer("field_width", fw)
    integer("pad", pad, 0), integer("stride", stride)
    return (output_size(f"{what} (height)", H, fh, pad, stride),
            output_size(f"{what} (width)", W, fw, pad, stride))


def _agree(bint ok, str what):
    if not ok:
        raise ValueError(f"im2col_cython.{what}: the arrays passed do not agree in shape")


# ---------------------------------------------------------------- im2col and col2im

cdef inline void _valid_range(Py_ssize_t j, Py_ssize_t pad, Py_ssize_t stride, Py_ssize_t W,
                              Py_ssize_t out_w, Py_ssize_t *lo, Py_ssize_t *hi) noexcept nogil:
    """Output columns [lo, hi) whose input column ow*stride + j - pad lies in 0..W-1."""
    cdef Py_ssize_t a = 0, b = out_w
    if j < pad:
        a = min((pad - j + stride - 1) // stride, out_w)
    if (out_w - 1) * stride + j - pad >= W:
        b = 0 if W - 1 + pad - j < 0 else (W - 1 + pad - j) // stride + 1
    lo[0], hi[0] = a, max(a, b)


cdef inline void _zero(floating_t *dst, Py_ssize_t start, Py_ssize_t stop) noexcept nogil:
    cdef Py_ssize_t q
    for q in range(start, stop):
        dst[q] = 0


cdef void _im2col_row(const floating_t[:, :, :, ::1] x, floating_t[:, ::1] cols,
                      Py_ssize_t r, Py_ssize_t n, Py_ssize_t fh, Py_ssize_t fw,
                      Py_ssize_t pad, Py_ssize_t stride, Py_ssize_t out_h,
                      Py_ssize_t out_w) noexcept nogil:
    """Row r (tap c, i, j) of image n's columns.

    With stride 1 and "same" width (out_w == W) output pixel q reads input
    pixel q + shift of the plane, so the row is ONE long copy; the few entries
    whose window column falls in the padding are zeroed afterwards."""
    cdef Py_ssize_t H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t c = r // (fh * fw), i = (r // fw) % fh, j = r % fw
    cdef Py_ssize_t oh, ow, h, lo, hi, off = j - pad, shift = (i - pad) * W + j - pad
    cdef Py_ssize_t oh_lo = max(pad - i, 0), oh_hi = max(min(H + pad - i, out_h), max(pad - i, 0))
    cdef Py_ssize_t q0 = max(oh_lo * W, -shift), q1 = min(oh_hi * W, H * W - shift)
    cdef floating_t *dst
    cdef const floating_t *src
    _valid_range(j, pad, stride, W, out_w, &lo, &hi)
    if stride == 1 and out_w == W:
        dst = &cols[r, 0]
        src = &x[n, c, 0, 0] + shift
        _zero(dst, 0, q0)
        for ow in range(q0, q1):
            dst[ow] = src[ow]
        _zero(dst, max(q0, q1), out_h * W)
        if lo > 0 or hi < W:
            for oh in range(oh_lo, oh_hi):
                _zero(dst, oh * W, oh * W + lo)
                _zero(dst, oh * W + hi, oh * W + W)
        return
    for oh in range(out_h):
        dst = &cols[r, oh * out_w]
        h = oh * stride + i - pad
        if h < 0 or h >= H:
            _zero(dst, 0, out_w)
            continue
        src = &x[n, c, h, 0]
        _zero(dst, 0, lo)
        if stride == 1:
            for ow in range(lo, hi):
                dst[ow] = src[ow + off]
        elif stride == 2:
            for ow in range(lo, hi):
                dst[ow] = src[2 * ow + off]
        else:
            for ow in range(lo, hi):
                dst[ow] = src[ow * stride + off]
        _zero(dst, hi, out_w)


cdef void _col2im_plane(const floating_t[:, ::1] cols, floating_t[:, :, :, ::1] dx,
                        Py_ssize_t n, Py_ssize_t c, Py_ssize_t fh, Py_ssize_t fw,
                        Py_ssize_t pad, Py_ssize_t stride, Py_ssize_t out_h,
                        Py_ssize_t out_w) noexcept nogil:
    """Add to dx[n, c] every entry of image n's columns copied from that plane."""
    cdef Py_ssize_t H = dx.shape[2], W = dx.shape[3]
    cdef Py_ssize_t i, j, r, oh, ow, h, lo, hi, off
    cdef const floating_t *src
    cdef floating_t *dst
    for i in range(fh):
        for j in range(fw):
            r = (c * fh + i) * fw + j
            off = j - pad
            _valid_range(j, pad, stride, W, out_w, &lo, &hi)
            for oh in range(out_h):
                h = oh * stride + i - pad
                if h < 0 or h >= H:
                    continue
                src = &cols[r, oh * out_w]
                dst = &dx[n, c, h, 0]
                if stride == 1:
                    for ow in range(lo, hi):
                        dst[ow + off] += src[ow]
                elif stride == 2:
                    for ow in range(lo, hi):
                        dst[2 * ow + off] += src[ow]
                else:
                    for ow in range(lo, hi):
                        dst[ow * stride + off] += src[ow]


# ---------------------------------------------------------------- convolution

cdef inline void _gemm(char ta, char tb, int M, int N, int K, const floating_t *A, int lda,
                       const floating_t *B, int ldb, floating_t beta, floating_t *C,
                       int ldc) noexcept nogil:
    """Row-major C (M, N) = op(A) @ op(B) + beta * C, op(X) = X.T where the flag is 'T'."""
    cdef floating_t one = 1
    if floating_t is float:
        sgemm(&tb, &ta, &N, &M, &K, &one, <float *>B, &ldb, <float *>A, &lda, &beta, C, &ldc)
    else:
        dgemm(&tb, &ta, &N, &M, &K, &one, <double *>B, &ldb, <double *>A, &lda, &beta, C, &ldc)


cdef void _conv_forward(const floating_t[:, :, :, ::1] x, const floating_t[:, ::1] w,
                        const floating_t[::1] bias, floating_t[:, :, ::1] out,
                        floating_t[:, ::1] cols, Py_ssize_t n0, Py_ssize_t n1, Py_ssize_t fh,
                        Py_ssize_t fw, Py_ssize_t pad, Py_ssize_t stride, Py_ssize_t out_h,
                        Py_ssize_t out_w) noexcept nogil:
    cdef Py_ssize_t F = w.shape[0], K = w.shape[1], P = out.shape[2], n, r, f, q
    cdef floating_t *o
    for n in range(n0, n1):
        for r in range(K):
            _im2col_row(x, cols, r, n, fh, fw, pad, stride, out_h, out_w)
        # out[n] (F, P) = w (F, K) @ cols (K, P), then the bias while it is in cache
        _gemm(c'N', c'N', F, P, K, &w[0, 0], K, &cols[0, 0], P, 0, &out[n, 0, 0], P)
        for f in range(F):
            o = &out[n, f, 0]
            for q in range(P):
                o[q] += bias[f]


cdef void _conv_backward(const floating_t[:, :, :, ::1] x, const floating_t[:, ::1] w,
                         const floating_t[:, :, ::1] dout, floating_t[:, :, :, ::1] dx,
                         floating_t[:, ::1] dw_t, floating_t[::1] db, floating_t[:, ::1] cols,
                         floating_t[:, ::1] dcols, Py_ssize_t n0, Py_ssize_t n1, Py_ssize_t fh,
                         Py_ssize_t fw, Py_ssize_t pad, Py_ssize_t stride, Py_ssize_t out_h,
                         Py_ssize_t out_w) noexcept nogil:
    cdef Py_ssize_t F = w.shape[0], K = w.shape[1], P = dout.shape[2], n, r, f, q
    cdef const floating_t *d
    for n in range(n0, n1):
        for r in range(K):
            _im2col_row(x, cols, r, n, fh, fw, pad, stride, out_h, out_w)
        # dw.T (K, F) += cols (K, P) @ dout[n].T (P, F): OpenBLAS is faster this way round
        _gemm(c'N', c'T', K, F, P, &cols[0, 0], P, &dout[n, 0, 0], P, 1, &dw_t[0, 0], F)
        # dcols (K, P) = w.T (K, F) @ dout[n] (F, P), then back onto dx[n]
        _gemm(c'T', c'N', K, P, F, &w[0, 0], K, &dout[n, 0, 0], P, 0, &dcols[0, 0], P)
        _zero(&dx[n, 0, 0, 0], 0, dx.shape[1] * dx.shape[2] * dx.shape[3])   # in cache, by this thread
        for r in range(dx.shape[1]):
            _col2im_plane(dcols, dx, n, r, fh, fw, pad, stride, out_h, out_w)
        for f in range(F):
            d = &dout[n, f, 0]
            for q in range(P):
                db[f] += d[q]


def conv_forward(const floating_t[:, :, :, ::1] x, const floating_t[:, ::1] w_flat,
                 const floating_t[::1] b, floating_t[:, :, ::1] out, Py_ssize_t n0, Py_ssize_t n1,
                 int field_height, int field_width, int pad, int stride):
    """Convolution forward pass of images n0 .. n1 - 1 into out, without the GIL.

    x: (N, C, H, W); w_flat: (F, C*HH*WW), the filters reshaped; b: (F,);
    out: (N, F, H'*W'), images n0 .. n1 - 1 written. All of one dtype, C order.
    """
    cdef Py_ssize_t out_h, out_w
    out_h, out_w = _sizes("conv", x.shape[2], x.shape[3], field_height, field_width, pad, stride)
    N, F, K, P = x.shape[0], w_flat.shape[0], w_flat.shape[1], out_h * out_w
    _agree(K == x.shape[1] * field_height * field_width and b.shape[0] == F and 0 <= n0 <= n1
           and n1 <= N and (out.shape[0], out.shape[1], out.shape[2]) == (N, F, P),
           "conv_forward")
    cdef floating_t[:, ::1] cols = np.empty((K, P), np.float32 if floating_t is float else np.float64)
    with nogil:
        _conv_forward(x, w_flat, b, out, cols, n0, n1, field_height, field_width, pad, stride,
                      out_h, out_w)


def conv_backward(const floating_t[:, :, :, ::1] x, const floating_t[:, ::1] w_flat,
                  const floating_t[:, :, ::1] dout, floating_t[:, :, :, ::1] dx,
                  floating_t[:, ::1] dw_t, floating_t[::1] db, Py_ssize_t n0, Py_ssize_t n1,
                  int field_height, int field_width, int pad, int stride):
    """Convolution backward pass of images n0 .. n1 - 1, without the GIL: writes
    their input gradient into dx and adds their share of the filter and bias
    gradients into dw_t and db.

    x: (N, C, H, W); w_flat: (F, K), K = C*HH*WW; dout: (N, F, H'*W');
    dx: (N, C, H, W), images n0 .. n1 - 1 written; dw_t: (K, F) (dw transposed); db: (F,).
    """
    cdef Py_ssize_t out_h, out_w
    out_h, out_w = _sizes("conv", x.shape[2], x.shape[3], field_height, field_width, pad, stride)
    N, F, K, P = x.shape[0], w_flat.shape[0], w_flat.shape[1], out_h * out_w
    _agree(K == x.shape[1] * field_height * field_width and 0 <= n0 <= n1 <= N
           and (dout.shape[0], dout.shape[1], dout.shape[2]) == (N, F, P)
           and all(dx.shape[i] == x.shape[i] for i in range(4))
           and (dw_t.shape[0], dw_t.shape[1]) == (K, F) and db.shape[0] == F, "conv_backward")
    dtype = np.float32 if floating_t is float else np.float64
    cdef floating_t[:, ::1] cols = np.empty((K, P), dtype), dcols = np.empty((K, P), dtype)
    with nogil:
        _conv_backward(x, w_flat, dout, dx, dw_t, db, cols, dcols, n0, n1, field_height,
                       field_width, pad, stride, out_h, out_w)


# ---------------------------------------------------------------- max pooling

cdef void _pool_forward(const floating_t[:, :, :, ::1] x, floating_t[:, :, :, ::1] out,
                        int[:, :, :, ::1] arg, Py_ssize_t ph, Py_ssize_t pw,
                        Py_ssize_t stride) noexcept nogil:
    """One output row at a time through plain pointers; the 2x2 case reads its
    two input rows into locals, a loop the C compiler vectorises (about 4x
    faster in float32 than indexing the memoryviews per window)."""
    cdef Py_ssize_t W = x.shape[3], out_h = out.shape[2], out_w = out.shape[3]
    cdef Py_ssize_t n, c, oh, ow, i, j, best_k
    cdef floating_t best, v, a0, a1, b0, b1
    cdef const floating_t *row
    cdef floating_t *o
    cdef int *k
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for oh in range(out_h):
                o, k = &out[n, c, oh, 0], &arg[n, c, oh, 0]
                row = &x[n, c, oh * stride, 0]
                if ph == 2 and pw == 2:        # the common case
                    for ow in range(out_w):
                        a0, a1 = row[ow * stride], row[ow * stride + 1]
                        b0, b1 = row[W + ow * stride], row[W + ow * stride + 1]
                        best, best_k = a0, 0
                        if a1 > best:
                            best, best_k = a1, 1
                        if b0 > best:
                            best, best_k = b0, 2
                        if b1 > best:
                            best, best_k = b1, 3
                        o[ow], k[ow] = best, <int>best_k
                else:
                    for ow in range(out_w):
                        best, best_k = row[ow * stride], 0
                        for i in range(ph):
                            for j in range(pw):
                                v = row[i * W + ow * stride + j]
                                if v > best:
                                    best, best_k = v, i * pw + j
                        o[ow], k[ow] = best, <int>best_k


cdef Py_ssize_t _pool_backward(const floating_t[:, :, :, ::1] dout, const int[:, :, :, ::1] arg,
                               floating_t[:, :, :, ::1] dx, Py_ssize_t stride,
                               const Py_ssize_t[::1] tap_offset) noexcept nogil:
    """Scatter each gradient to its window's maximum, one plane at a time (the
    plane stays in cache); tap_offset[k] = i * W + j for k = i * pool_width + j.
    Returns how many argmax entries were outside the window (skipped)."""
    cdef Py_ssize_t W = dx.shape[3], out_h = dout.shape[2], out_w = dout.shape[3]
    cdef Py_ssize_t n, c, oh, ow, q, bad = 0
    cdef size_t taps = tap_offset.shape[0]
    cdef int k
    cdef floating_t *plane
    for n in range(dx.shape[0]):
        for c in range(dx.shape[1]):
            plane = &dx[n, c, 0, 0]
            _zero(plane, 0, dx.shape[2] * W)
            for oh in range(out_h):
                for ow in range(out_w):
                    k = arg[n, c, oh, ow]
                    if <size_t>k >= taps:
                        bad += 1
                    else:
                        plane[(oh * W + ow) * stride + tap_offset[k]] += dout[n, c, oh, ow]
    return bad


def max_pool_forward(const floating_t[:, :, :, ::1] x, int pool_height, int pool_width,
                     int stride):
    """Max pooling of x (N, C, H, W) without padding.

    Returns out (N, C, H', W') of x's dtype and argmax (N, C, H', W') int32, the
    offset i * pool_width + j of each window's first maximum in row-major order.
    """
    out_h, out_w = _sizes("max pool", x.shape[2], x.shape[3], pool_height, pool_width, 0, stride)
    dtype = np.float32 if floating_t is float else np.float64
    out = np.empty((x.shape[0], x.shape[1], out_h, out_w), dtype)
    arg = np.empty(out.shape, np.int32)
    cdef floating_t[:, :, :, ::1] o = out
    cdef int[:, :, :, ::1] a = arg
    with nogil:
        _pool_forward(x, o, a, pool_height, pool_width, stride)
    return out, arg


def max_pool_backward(const floating_t[:, :, :, ::1] dout, const int[:, :, :, ::1] argmax,
                      int H, int W, int pool_height, int pool_width, int stride):
    """dx (N, C, H, W) of max pooling: each dout entry goes to the input pixel
    that won its window (argmax from max_pool_forward); overlaps add up."""
    out_h, out_w = _sizes("max pool", H, W, pool_height, pool_width, 0, stride)
    shape = (dout.shape[0], dout.shape[1], out_h, out_w)
    _agree(all(dout.shape[i] == shape[i] == argmax.shape[i] for i in range(4)),
           "max_pool_backward")
    taps = np.arange(pool_height * pool_width, dtype=np.intp)
    cdef const Py_ssize_t[::1] tap_offset = (taps // pool_width) * W + taps % pool_width
    dx = np.empty((shape[0], shape[1], H, W), np.float32 if floating_t is float else np.float64)
    cdef floating_t[:, :, :, ::1] d = dx
    cdef Py_ssize_t bad
    with nogil:
        bad = _pool_backward(dout, argmax, d, stride, tap_offset)
    if bad:
        raise ValueError(f"argmax holds {bad} offsets outside the {pool_height}x{pool_width} "
                         f"pooling window")
    return dx
