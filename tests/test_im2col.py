"""im2col / col2im: the NumPy versions (cs231n/im2col.py) against a loop written
from the layout's definition, and the compiled kernels (cs231n/im2col_cython.pyx),
through the convolution they serve, against the NumPy reference in every case."""
import itertools

import numpy as np
import pytest

from cs231n import im2col as np_im2col
from cs231n import fast_layers


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


def _compiled():
    if not fast_layers.extension_available():
        pytest.skip(f"extension not built: {fast_layers._why_numpy}")
    from cs231n import im2col_cython
    return im2col_cython


@pytest.mark.parametrize("dtype", DTYPES)
def test_im2col_numpy_versions_match_the_definition(dtype):
    rng = np.random.default_rng(0)
    for H, W, fh, fw, pad, stride in CASES:
        x = rng.standard_normal((2, 3, H, W)).astype(dtype)
        expected = im2col_loops(x, fh, fw, pad, stride)
        for name, cols in [
            ("numpy indices", np_im2col.im2col_indices(x, fh, fw, pad, stride)),
            ("numpy strided", np_im2col.im2col_strided(x, fh, fw, pad, stride)),
        ]:
            assert cols.dtype == dtype, name
            assert np.array_equal(cols, expected), (name, H, W, fh, fw, pad, stride)


@pytest.mark.parametrize("dtype", DTYPES)
def test_col2im_strided_matches_col2im_indices(dtype):
    rng = np.random.default_rng(1)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for H, W, fh, fw, pad, stride in CASES:
        x_shape = (2, 3, H, W)
        out_h, out_w = np_im2col.get_output_shape(H, W, fh, fw, pad, stride)
        cols = rng.standard_normal((3 * fh * fw, 2 * out_h * out_w)).astype(dtype)
        b = np_im2col.col2im_indices(cols, x_shape, fh, fw, pad, stride)
        c = np_im2col.col2im_strided(cols, x_shape, fh, fw, pad, stride)
        assert b.dtype == c.dtype == dtype and c.shape == x_shape
        np.testing.assert_allclose(c, b, rtol=tol, atol=tol)


@pytest.mark.parametrize("impl", ["numpy indices", "numpy strided"])
def test_col2im_is_the_adjoint_of_im2col(impl):
    """<im2col(x), y> == <x, col2im(y)> for random x and y (float64)."""
    im2col, col2im = {
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
    counts = np_im2col.col2im_strided(cols, x_shape, 3, 3, 1, 1)[0, 0]
    assert counts[2, 2] == 9 and counts[0, 0] == 4 and counts[0, 2] == 6
    np.testing.assert_array_equal(counts, np_im2col.col2im_indices(cols, x_shape, 3, 3, 1, 1)[0, 0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_compiled_im2col_and_col2im_match_numpy_in_every_case(dtype):
    """The compiled kernels' im2col (forward pass) and col2im (dx) against the
    NumPy path, in every window, padding and stride of CASES: 1x1 windows,
    windows as large as the padded input, padding wider than the window,
    strides larger than it, and the long-copy path of stride 1 'same' width."""
    _compiled()
    rng = np.random.default_rng(3)
    tol = 1e-4 if dtype == np.float32 else 1e-11
    for H, W, fh, fw, pad, stride in CASES:
        x = rng.standard_normal((3, 2, H, W)).astype(dtype)
        w = rng.standard_normal((2, 2, fh, fw)).astype(dtype)
        b = rng.standard_normal(2).astype(dtype)
        conv_param = {"stride": stride, "pad": pad}
        out_c, cache_c = fast_layers.conv_forward_cython(x, w, b, conv_param)
        out_n, cache_n = fast_layers.conv_forward_im2col(x, w, b, conv_param)
        dout = rng.standard_normal(out_n.shape).astype(dtype)
        case = (H, W, fh, fw, pad, stride)
        np.testing.assert_allclose(out_c, out_n, rtol=tol, atol=tol, err_msg=str(case))
        for g_c, g_n in zip(fast_layers.conv_backward_cython(dout, cache_c),
                            fast_layers.conv_backward_im2col(dout, cache_n)):
            assert g_c.dtype == dtype
            np.testing.assert_allclose(g_c, g_n, rtol=tol, atol=tol, err_msg=str(case))


@pytest.mark.parametrize("im2col", [np_im2col.im2col_indices, np_im2col.im2col_strided])
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


def test_col2im_rejects_wrong_column_shapes():
    with pytest.raises(ValueError, match=r"cols must have shape \(9, 9\), got \(9, 5\)"):
        np_im2col.col2im_indices(np.zeros((9, 5)), (1, 1, 3, 3), 3, 3, 1, 1)
    with pytest.raises(ValueError, match=r"cols must have shape \(9, 9\), got \(9, 5\)"):
        np_im2col.col2im_strided(np.zeros((9, 5)), (1, 1, 3, 3), 3, 3, 1, 1)


@pytest.mark.parametrize("size, stride, bad", [(2, 2, 4), (2, 2, -1), (3, 2, 9), (3, 2, -7)])
def test_max_pool_backward_kernel_rejects_offsets_outside_the_window(size, stride, bad):
    cy = _compiled()
    x = np.random.default_rng(5).standard_normal((2, 3, 7 if size == 3 else 8, 8 if size == 2 else 7))
    out, argmax = cy.max_pool_forward(x, size, size, stride)
    assert argmax.dtype == np.int32 and argmax.min() >= 0 and argmax.max() < size * size
    argmax[1, 2, 0, 0] = bad
    with pytest.raises(ValueError, match="outside"):
        cy.max_pool_backward(np.ones_like(out), argmax, x.shape[2], x.shape[3], size, size, stride)


def test_compiled_kernels_reject_arrays_that_do_not_agree():
    """The kernels check every array before they run without the GIL (a wrong
    shape there would write out of bounds), and take float32 or float64 only."""
    cy = _compiled()
    x, w_flat, b, out = np.zeros((2, 3, 6, 6)), np.zeros((4, 27)), np.zeros(4), np.zeros((2, 4, 36))
    cy.conv_forward(x, w_flat, b, out, 0, 2, 3, 3, 1, 1)
    for args in [(x, w_flat, b, out, 1, 3), (x, np.zeros((4, 26)), b, out, 0, 2),
                 (x, w_flat, b, np.zeros((2, 4, 35)), 0, 2), (x, w_flat, np.zeros(3), out, 0, 2)]:
        with pytest.raises(ValueError, match="do not agree"):
            cy.conv_forward(*args, 3, 3, 1, 1)
    with pytest.raises(ValueError, match="not an integer"):
        cy.conv_forward(x, w_flat, b, out, 0, 2, 3, 3, 0, 2)
    with pytest.raises(ValueError, match="dtype mismatch"):
        cy.conv_forward(x, w_flat.astype(np.float32), b, out, 0, 2, 3, 3, 1, 1)
    with pytest.raises(TypeError):
        cy.max_pool_forward(np.zeros((1, 1, 4, 4), dtype=np.int64), 2, 2, 2)
    dx, dw_t, db = np.zeros_like(x), np.zeros((27, 4)), np.zeros(4)
    cy.conv_backward(x, w_flat, out, dx, dw_t, db, 0, 2, 3, 3, 1, 1)
    with pytest.raises(ValueError, match="do not agree"):
        cy.conv_backward(x, w_flat, out, dx, np.zeros((4, 27)), db, 0, 2, 3, 3, 1, 1)
    with pytest.raises(ValueError, match="do not agree"):
        cy.max_pool_backward(np.zeros((1, 1, 2, 2)), np.zeros((1, 1, 2, 3), np.int32), 4, 4, 2, 2, 2)
