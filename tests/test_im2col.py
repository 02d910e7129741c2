"""im2col / col2im: the compiled kernels (cs231n/im2col_cython.pyx) against the
NumPy twins (cs231n/im2col.py) and a loop written from the layout's definition."""
import itertools

import numpy as np
import pytest

from cs231n import im2col as np_im2col
from cs231n import im2col_cython as cy


def im2col_loops(x, fh, fw, pad, stride):
    """The documented layout, entry by entry:
    cols[(c*fh + i)*fw + j, (n*out_h + oh)*out_w + ow] = x_padded[n, c, oh*stride + i, ow*stride + j]."""
    N, C, H, W = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out_h = (H + 2 * pad - fh) // stride + 1
    out_w = (W + 2 * pad - fw) // stride + 1
    cols = np.zeros((C * fh * fw, N * out_h * out_w), dtype=x.dtype)
    for n, c, i, j, oh, ow in itertools.product(range(N), range(C), range(fh), range(fw),
                                               range(out_h), range(out_w)):
        cols[(c * fh + i) * fw + j, (n * out_h + oh) * out_w + ow] = \
            xp[n, c, oh * stride + i, ow * stride + j]
    return cols


def _valid_cases():
    """Many (H, W, fh, fw, pad, stride) that tile exactly, including windows
    as large as the padded input, 1x1 windows, padding wider than the window
    and strides larger than the window."""
    cases = []
    for H, W, fh, fw, pad, stride in itertools.product(
            [1, 4, 5, 7], [3, 6], [1, 2, 3], [1, 3, 5], [0, 1, 2, 3], [1, 2, 3]):
        sh, sw = H + 2 * pad - fh, W + 2 * pad - fw
        if sh >= 0 and sw >= 0 and sh % stride == 0 and sw % stride == 0:
            cases.append((H, W, fh, fw, pad, stride))
    return cases


CASES = _valid_cases()
DTYPES = [np.float32, np.float64]


def test_many_cases_are_covered():
    assert len(CASES) > 100


@pytest.mark.parametrize("dtype", DTYPES)
def test_im2col_all_versions_match_the_definition(dtype):
    rng = np.random.default_rng(0)
    for H, W, fh, fw, pad, stride in CASES:
        x = rng.standard_normal((2, 3, H, W)).astype(dtype)
        expected = im2col_loops(x, fh, fw, pad, stride)
        for name, cols in [
            ("cython", cy.im2col_cython(x, fh, fw, pad, stride)),
            ("numpy indices", np_im2col.im2col_indices(x, fh, fw, pad, stride)),
            ("numpy strided", np_im2col.im2col_strided(x, fh, fw, pad, stride)),
        ]:
            assert cols.dtype == dtype, name
            assert np.array_equal(cols, expected), (name, H, W, fh, fw, pad, stride)


@pytest.mark.parametrize("dtype", DTYPES)
def test_col2im_cython_matches_numpy(dtype):
    rng = np.random.default_rng(1)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for H, W, fh, fw, pad, stride in CASES:
        x_shape = (2, 3, H, W)
        out_h, out_w = np_im2col.get_output_shape(H, W, fh, fw, pad, stride)
        cols = rng.standard_normal((3 * fh * fw, 2 * out_h * out_w)).astype(dtype)
        a = cy.col2im_cython(cols, *x_shape, fh, fw, pad, stride)
        b = np_im2col.col2im_indices(cols, x_shape, fh, fw, pad, stride)
        c = np_im2col.col2im_strided(cols, x_shape, fh, fw, pad, stride)
        assert a.dtype == b.dtype == c.dtype == dtype
        assert a.shape == x_shape
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
        np.testing.assert_allclose(c, b, rtol=tol, atol=tol)


@pytest.mark.parametrize("impl", ["cython", "numpy indices", "numpy strided"])
def test_col2im_is_the_adjoint_of_im2col(impl):
    """<im2col(x), y> == <x, col2im(y)> for random x and y (float64)."""
    im2col, col2im = {
        "cython": (cy.im2col_cython,
                   lambda y, s, fh, fw, p, st: cy.col2im_cython(y, *s, fh, fw, p, st)),
        "numpy indices": (np_im2col.im2col_indices, np_im2col.col2im_indices),
        "numpy strided": (np_im2col.im2col_strided, np_im2col.col2im_strided),
    }[impl]
    rng = np.random.default_rng(2)
    for H, W, fh, fw, pad, stride in CASES:
        x = rng.standard_normal((2, 3, H, W))
        cols = im2col(x, fh, fw, pad, stride)
        y = rng.standard_normal(cols.shape)
        lhs = np.vdot(cols, y)
        rhs = np.vdot(x, col2im(y, x.shape, fh, fw, pad, stride))
        assert abs(lhs - rhs) <= 1e-10 * max(1.0, abs(lhs)), (H, W, fh, fw, pad, stride)


def test_col2im_counts_how_often_each_pixel_is_used():
    """col2im of all-ones columns = the number of windows covering each pixel."""
    x_shape = (1, 1, 5, 5)
    cols = np.ones((9, 25))
    counts = cy.col2im_cython(cols, *x_shape, 3, 3, 1, 1)[0, 0]
    assert counts[2, 2] == 9 and counts[0, 0] == 4 and counts[0, 2] == 6
    np.testing.assert_array_equal(counts, np_im2col.col2im_indices(cols, x_shape, 3, 3, 1, 1)[0, 0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_im2col_cython_accepts_non_contiguous_input(dtype):
    rng = np.random.default_rng(3)
    base = rng.standard_normal((7, 4, 9, 11)).astype(dtype)
    views = [base[::2, 1:, :, ::2], base.transpose(0, 1, 3, 2), np.asfortranarray(base)]
    for x in views:
        assert not x.flags.c_contiguous
        for fh, fw, pad, stride in [(3, 3, 1, 1), (1, 3, 0, 2)]:
            try:
                expected = np_im2col.im2col_indices(np.ascontiguousarray(x), fh, fw, pad, stride)
            except ValueError:      # this window does not tile this view
                continue
            np.testing.assert_array_equal(cy.im2col_cython(x, fh, fw, pad, stride), expected)
            cols = rng.standard_normal(expected.shape).astype(dtype)
            np.testing.assert_allclose(
                cy.col2im_cython(np.asfortranarray(cols), *x.shape, fh, fw, pad, stride),
                np_im2col.col2im_indices(cols, x.shape, fh, fw, pad, stride), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_slices_fill_the_same_columns(dtype):
    """im2col_into / col2im_add on images n0..n0+B-1 agree with the whole batch."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 3, 8, 7)).astype(dtype)
    fh, fw, pad, stride = 3, 2, 1, 1
    full = cy.im2col_cython(x, fh, fw, pad, stride)
    out_h, out_w = np_im2col.get_output_shape(8, 7, fh, fw, pad, stride)
    P = out_h * out_w
    buf = np.full((2, 3 * fh * fw, P), np.nan, dtype=dtype)
    cy.im2col_into(x, buf, 3, fh, fw, pad, stride)
    np.testing.assert_array_equal(buf[0], full[:, 3 * P:4 * P])
    np.testing.assert_array_equal(buf[1], full[:, 4 * P:5 * P])
    # A transposed (K, B*P) buffer whose last axis is contiguous works too.
    wide = np.empty((3 * fh * fw, 2 * P), dtype=dtype)
    cy.im2col_into(x, wide.reshape(-1, 2, P).transpose(1, 0, 2), 1, fh, fw, pad, stride)
    np.testing.assert_array_equal(wide, full[:, P:3 * P])

    dx = np.ones(x.shape, dtype=dtype)
    cy.col2im_add(buf, dx, 3, fh, fw, pad, stride)
    cols_only_3_4 = np.zeros_like(full)
    cols_only_3_4[:, 3 * P:] = full[:, 3 * P:]
    expected = 1 + np_im2col.col2im_indices(cols_only_3_4, x.shape, fh, fw, pad, stride)
    np.testing.assert_allclose(dx, expected, rtol=1e-5)


def test_batch_slice_errors_are_clear():
    x = np.zeros((4, 2, 6, 6))
    with pytest.raises(ValueError, match="outside the batch"):
        cy.im2col_into(x, np.zeros((2, 18, 36)), 3, 3, 3, 1, 1)
    with pytest.raises(ValueError, match="expected"):
        cy.im2col_into(x, np.zeros((2, 17, 36)), 0, 3, 3, 1, 1)
    with pytest.raises(TypeError, match="dtype"):
        cy.im2col_into(x, np.zeros((2, 18, 36), dtype=np.float32), 0, 3, 3, 1, 1)
    with pytest.raises(ValueError, match="contiguous"):
        cy.im2col_into(x, np.zeros((2, 36, 18)).transpose(0, 2, 1), 0, 3, 3, 1, 1)
    with pytest.raises(ValueError, match="C-contiguous"):
        cy.col2im_add(np.zeros((1, 18, 36)), np.zeros((4, 2, 6, 12))[..., ::2], 0, 3, 3, 1, 1)


@pytest.mark.parametrize("im2col", [
    cy.im2col_cython, np_im2col.im2col_indices, np_im2col.im2col_strided])
def test_im2col_rejects_bad_shapes(im2col):
    x = np.zeros((2, 3, 5, 5))
    with pytest.raises(ValueError, match="4 dimensions"):
        im2col(np.zeros((3, 5, 5)), 3, 3, 1, 1)
    with pytest.raises(ValueError, match="not an integer"):
        im2col(x, 2, 2, 0, 2)          # (5 - 2) / 2
    with pytest.raises(ValueError, match="larger than the padded input"):
        im2col(x, 8, 3, 1, 1)
    with pytest.raises(ValueError, match="stride"):
        im2col(x, 3, 3, 1, 0)
    with pytest.raises(ValueError, match="padding"):
        im2col(x, 3, 3, -1, 1)


def test_cython_rejects_other_dtypes_and_wrong_column_shapes():
    with pytest.raises(TypeError, match="float32 or float64"):
        cy.im2col_cython(np.zeros((1, 1, 3, 3), dtype=np.int64), 3, 3, 0, 1)
    with pytest.raises(ValueError, match="expected"):
        cy.col2im_cython(np.zeros((9, 5)), 1, 1, 3, 3, 3, 3, 1, 1)
    with pytest.raises(ValueError, match="expected"):
        np_im2col.col2im_indices(np.zeros((9, 5)), (1, 1, 3, 3), 3, 3, 1, 1)
    with pytest.raises(ValueError, match="expected"):
        np_im2col.col2im_strided(np.zeros((9, 5)), (1, 1, 3, 3), 3, 3, 1, 1)


def test_output_shape_agrees_with_numpy():
    assert cy.output_shape(31, 31, 3, 3, 1, 2) == np_im2col.get_output_shape(31, 31, 3, 3, 1, 2) == (16, 16)
    assert cy.output_shape(32, 30, 7, 5, 3, 1) == (32, 32)


@pytest.mark.parametrize("size, stride, bad", [(2, 2, 4), (2, 2, -1), (3, 2, 9), (3, 2, -7)])
def test_max_pool_backward_kernel_rejects_offsets_outside_the_window(size, stride, bad):
    x = np.random.default_rng(5).standard_normal((2, 3, 7 if size == 3 else 8, 8 if size == 2 else 7))
    out, argmax = cy.max_pool_forward_cython(x, size, size, stride)
    assert argmax.dtype == np.int32 and argmax.min() >= 0 and argmax.max() < size * size
    argmax[1, 2, 0, 0] = bad
    with pytest.raises(ValueError, match="outside"):
        cy.max_pool_backward_cython(np.ones_like(out), argmax, x.shape[2], x.shape[3],
                                    size, size, stride)


def test_conv_image_loops_reject_mismatched_buffers():
    """The compiled convolution loops check every buffer before they run
    without the GIL (a wrong shape there would write out of bounds)."""
    from cs231n import fast_layers
    if not fast_layers._gemm_ok:
        pytest.skip(f"no direct BLAS here: {fast_layers._gemm_problem}")
    x = np.zeros((2, 3, 6, 6))
    w_flat, bias = np.zeros((4, 27)), np.zeros(4)
    out, cols = np.zeros((2, 4, 36)), np.zeros((1, 27, 36))
    cy.conv_forward_images(x, w_flat, bias, out, cols, 0, 2, 3, 3, 1, 1)
    with pytest.raises(ValueError, match="column buffer"):
        cy.conv_forward_images(x, w_flat, bias, out, np.zeros((2, 27, 36)), 0, 2, 3, 3, 1, 1)
    with pytest.raises(ValueError, match="outside the batch"):
        cy.conv_forward_images(x, w_flat, bias, out, cols, 1, 3, 3, 3, 1, 1)
    with pytest.raises(ValueError, match="expected"):
        cy.conv_forward_images(x, np.zeros((4, 26)), bias, out, cols, 0, 2, 3, 3, 1, 1)
    with pytest.raises(TypeError, match="dtype"):
        cy.conv_forward_images(x, w_flat.astype(np.float32), bias, out, cols, 0, 2, 3, 3, 1, 1)
    dx, dw_t, db = np.zeros_like(x), np.zeros((27, 4)), np.zeros(4)
    cy.conv_backward_images(x, w_flat, out, dx, dw_t, db, cols, cols.copy(), 0, 2, 3, 3, 1, 1)
    with pytest.raises(ValueError, match="must be"):
        cy.conv_backward_images(x, w_flat, out, dx, dw_t.T, db, cols, cols.copy(), 0, 2,
                                3, 3, 1, 1)
