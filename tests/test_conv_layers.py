"""Naive convolution, max pooling and spatial normalization layers in cs231n/layers.py."""
import numpy as np
import pytest

from cs231n.gradient_check import eval_numerical_gradient_array, rel_error
from cs231n.layers import (
    conv_backward_naive,
    conv_forward_naive,
    max_pool_backward_naive,
    max_pool_forward_naive,
    spatial_batchnorm_backward,
    spatial_batchnorm_forward,
    spatial_groupnorm_backward,
    spatial_groupnorm_forward,
)


def conv_reference(x, w, b, stride, pad):
    """Convolution written straight from its definition, one output number at a time."""
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    Ho, Wo = 1 + (H + 2 * pad - HH) // stride, 1 + (W + 2 * pad - WW) // stride
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    for c in range(C):
                        for di in range(HH):
                            for dj in range(WW):
                                out[n, f, i, j] += w[f, c, di, dj] * xp[n, c, i * stride + di, j * stride + dj]
                    out[n, f, i, j] += b[f]
    return out


def pool_reference(x, ph, pw, stride):
    N, C, H, W = x.shape
    Ho, Wo = 1 + (H - ph) // stride, 1 + (W - pw) // stride
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    out[n, c, i, j] = x[n, c, i * stride:i * stride + ph, j * stride:j * stride + pw].max()
    return out


# ----------------------------------------------------------------- convolution

def test_conv_forward_matches_course_values():
    # The course's first check: linspace inputs, stride 2, pad 1.
    x = np.linspace(-0.1, 0.5, num=2 * 3 * 4 * 4).reshape(2, 3, 4, 4)
    w = np.linspace(-0.2, 0.3, num=3 * 3 * 4 * 4).reshape(3, 3, 4, 4)
    b = np.linspace(-0.1, 0.2, num=3)
    out, _ = conv_forward_naive(x, w, b, {"stride": 2, "pad": 1})
    correct_out = np.array([[[[-0.08759809, -0.10987781], [-0.18387192, -0.2109216]],
                             [[0.21027089, 0.21661097], [0.22847626, 0.23004637]],
                             [[0.50813986, 0.54309974], [0.64082444, 0.67101435]]],
                            [[[-0.98053589, -1.03143541], [-1.19128892, -1.24695841]],
                             [[0.69108355, 0.66880383], [0.59480972, 0.56776003]],
                             [[2.36270298, 2.36904306], [2.38090835, 2.38247847]]]])
    assert out.shape == (2, 3, 2, 2)
    assert rel_error(out, correct_out) < 1e-7


@pytest.mark.parametrize("x_shape,w_shape,stride,pad", [
    ((2, 3, 5, 5), (4, 3, 3, 3), 1, 1),
    ((1, 1, 4, 6), (2, 1, 2, 2), 2, 0),
    ((2, 2, 7, 7), (3, 2, 3, 3), 2, 1),
    ((3, 2, 6, 5), (2, 2, 3, 2), 1, 0),   # non-square input and filter
    ((1, 3, 5, 5), (2, 3, 1, 1), 1, 0),   # 1x1 filters
    ((2, 1, 4, 4), (1, 1, 4, 4), 1, 2),   # padding larger than needed
    ((1, 2, 9, 9), (2, 2, 3, 3), 3, 0),
])
def test_conv_forward_matches_definition(x_shape, w_shape, stride, pad):
    rng = np.random.RandomState(0)
    x, w, b = rng.randn(*x_shape), rng.randn(*w_shape), rng.randn(w_shape[0])
    out, _ = conv_forward_naive(x, w, b, {"stride": stride, "pad": pad})
    assert rel_error(out, conv_reference(x, w, b, stride, pad)) < 1e-10


@pytest.mark.parametrize("x_shape,w_shape,stride,pad", [
    ((4, 3, 5, 5), (2, 3, 3, 3), 1, 1),    # the course's check
    ((2, 2, 7, 7), (3, 2, 3, 3), 2, 1),
    ((2, 3, 6, 5), (2, 3, 3, 2), 1, 0),
    ((1, 2, 8, 8), (2, 2, 4, 4), 2, 2),
    ((2, 1, 5, 5), (3, 1, 1, 1), 2, 0),
])
def test_conv_backward_matches_numerical_gradient(x_shape, w_shape, stride, pad):
    rng = np.random.RandomState(1)
    x, w, b = rng.randn(*x_shape), rng.randn(*w_shape), rng.randn(w_shape[0])
    conv_param = {"stride": stride, "pad": pad}
    out, cache = conv_forward_naive(x, w, b, conv_param)
    dout = rng.randn(*out.shape)
    dx_num = eval_numerical_gradient_array(lambda x: conv_forward_naive(x, w, b, conv_param)[0], x, dout)
    dw_num = eval_numerical_gradient_array(lambda w: conv_forward_naive(x, w, b, conv_param)[0], w, dout)
    db_num = eval_numerical_gradient_array(lambda b: conv_forward_naive(x, w, b, conv_param)[0], b, dout)
    dx, dw, db = conv_backward_naive(dout, cache)
    assert dx.shape == x.shape and dw.shape == w.shape and db.shape == b.shape
    # The course expects errors around 1e-8; 1e-7 leaves room for the finite-difference noise.
    assert rel_error(dx, dx_num) < 1e-7
    assert rel_error(dw, dw_num) < 1e-7
    assert rel_error(db, db_num) < 1e-7


def test_conv_float32_matches_float64_and_keeps_dtype():
    rng = np.random.RandomState(2)
    x, w, b = rng.randn(2, 3, 6, 6), rng.randn(4, 3, 3, 3), rng.randn(4)
    conv_param = {"stride": 1, "pad": 1}
    out64, cache64 = conv_forward_naive(x, w, b, conv_param)
    out32, cache32 = conv_forward_naive(x.astype(np.float32), w.astype(np.float32), b.astype(np.float32),
                                        conv_param)
    assert out32.dtype == np.float32 and out64.dtype == np.float64
    assert np.allclose(out32, out64, rtol=1e-4, atol=1e-4)
    dout = rng.randn(*out64.shape)
    grads64 = conv_backward_naive(dout, cache64)
    grads32 = conv_backward_naive(dout.astype(np.float32), cache32)
    for g32, g64 in zip(grads32, grads64):
        assert g32.dtype == np.float32
        assert np.allclose(g32, g64, rtol=1e-4, atol=1e-3)


def test_conv_accepts_non_contiguous_input():
    rng = np.random.RandomState(3)
    base = rng.randn(5, 6, 3, 2)
    x = base.transpose(3, 2, 0, 1)            # (2, 3, 5, 6), not C-contiguous
    w = rng.randn(8, 3, 3, 3)[::2]            # (4, 3, 3, 3), strided
    b = rng.randn(4)
    assert not x.flags.c_contiguous and not w.flags.c_contiguous
    conv_param = {"stride": 1, "pad": 1}
    out, cache = conv_forward_naive(x, w, b, conv_param)
    out_c, cache_c = conv_forward_naive(np.ascontiguousarray(x), np.ascontiguousarray(w), b, conv_param)
    assert rel_error(out, out_c) < 1e-12
    dout = rng.randn(*out.shape)[:, ::-1]     # reversed view: also not contiguous
    for g, g_c in zip(conv_backward_naive(dout, cache), conv_backward_naive(np.ascontiguousarray(dout), cache_c)):
        assert rel_error(g, g_c) < 1e-12


def test_conv_does_not_modify_its_inputs():
    rng = np.random.RandomState(4)
    x, w, b = rng.randn(2, 2, 4, 4), rng.randn(3, 2, 3, 3), rng.randn(3)
    copies = [a.copy() for a in (x, w, b)]
    out, cache = conv_forward_naive(x, w, b, {"stride": 1, "pad": 1})
    conv_backward_naive(np.ones_like(out), cache)
    for a, c in zip((x, w, b), copies):
        assert np.array_equal(a, c)


@pytest.mark.parametrize("x_shape,w_shape,b_shape,conv_param,message", [
    ((2, 3, 6, 6), (2, 3, 3, 3), (2,), {"stride": 2, "pad": 0}, "not an integer"),
    ((2, 3, 6, 6), (2, 3, 3, 3), (2,), {"stride": 2, "pad": 1}, "not an integer"),
    ((2, 3, 5, 5), (2, 4, 3, 3), (2,), {"stride": 1, "pad": 1}, "channels"),
    ((2, 3, 5, 5), (2, 3, 3, 3), (3,), {"stride": 1, "pad": 1}, "b must have shape"),
    ((3, 5, 5), (2, 3, 3, 3), (2,), {"stride": 1, "pad": 1}, "4 dimensions"),
    ((2, 3, 5, 5), (2, 3, 3), (2,), {"stride": 1, "pad": 1}, "4 dimensions"),
    ((2, 3, 2, 2), (2, 3, 5, 5), (2,), {"stride": 1, "pad": 0}, "larger than the padded input"),
    ((2, 3, 5, 5), (2, 3, 3, 3), (2,), {"stride": 0, "pad": 1}, "stride"),
    ((2, 3, 5, 5), (2, 3, 3, 3), (2,), {"stride": 1, "pad": -1}, "pad"),
    ((2, 3, 5, 5), (2, 3, 3, 3), (2,), {"stride": 1}, "'pad'"),
])
def test_conv_bad_input_gets_clear_error(x_shape, w_shape, b_shape, conv_param, message):
    x, w, b = np.zeros(x_shape), np.zeros(w_shape), np.zeros(b_shape)
    with pytest.raises(ValueError, match=message):
        conv_forward_naive(x, w, b, conv_param)


def test_conv_rejects_non_arrays_and_wrong_dout_shape():
    with pytest.raises(TypeError, match="numpy array"):
        conv_forward_naive([[1.0]], np.zeros((1, 1, 1, 1)), np.zeros(1), {"stride": 1, "pad": 0})
    x, w, b = np.zeros((1, 1, 4, 4)), np.zeros((2, 1, 3, 3)), np.zeros(2)
    out, cache = conv_forward_naive(x, w, b, {"stride": 1, "pad": 0})
    with pytest.raises(ValueError, match="dout must have shape"):
        conv_backward_naive(np.zeros((1, 2, 4, 4)), cache)


# ----------------------------------------------------------------- max pooling

def test_max_pool_forward_matches_course_values():
    x = np.linspace(-0.3, 0.4, num=2 * 3 * 4 * 4).reshape(2, 3, 4, 4)
    out, _ = max_pool_forward_naive(x, {"pool_width": 2, "pool_height": 2, "stride": 2})
    correct_out = np.array([[[[-0.26315789, -0.24842105], [-0.20421053, -0.18947368]],
                             [[-0.14526316, -0.13052632], [-0.08631579, -0.07157895]],
                             [[-0.02736842, -0.01263158], [0.03157895, 0.04631579]]],
                            [[[0.09052632, 0.10526316], [0.14947368, 0.16421053]],
                             [[0.20842105, 0.22315789], [0.26736842, 0.28210526]],
                             [[0.32631579, 0.34105263], [0.38526316, 0.4]]]])
    assert rel_error(out, correct_out) < 1e-7


@pytest.mark.parametrize("x_shape,ph,pw,stride", [
    ((2, 3, 8, 8), 2, 2, 2),
    ((1, 2, 7, 7), 3, 3, 2),     # overlapping windows
    ((2, 1, 5, 9), 2, 3, 3),     # non-square
    ((1, 2, 5, 5), 1, 1, 1),     # identity
    ((1, 1, 4, 4), 4, 4, 1),     # global
])
def test_max_pool_forward_matches_definition(x_shape, ph, pw, stride):
    x = np.random.RandomState(5).randn(*x_shape)
    out, _ = max_pool_forward_naive(x, {"pool_height": ph, "pool_width": pw, "stride": stride})
    assert np.array_equal(out, pool_reference(x, ph, pw, stride))


@pytest.mark.parametrize("x_shape,ph,pw,stride", [
    ((3, 2, 8, 8), 2, 2, 2),      # the course's check
    ((1, 2, 7, 7), 3, 3, 2),
    ((2, 1, 5, 9), 2, 3, 3),
    ((2, 2, 5, 5), 2, 2, 1),
])
def test_max_pool_backward_matches_numerical_gradient(x_shape, ph, pw, stride):
    rng = np.random.RandomState(6)
    x = rng.randn(*x_shape)
    pool_param = {"pool_height": ph, "pool_width": pw, "stride": stride}
    out, cache = max_pool_forward_naive(x, pool_param)
    dout = rng.randn(*out.shape)
    dx_num = eval_numerical_gradient_array(lambda x: max_pool_forward_naive(x, pool_param)[0], x, dout)
    dx = max_pool_backward_naive(dout, cache)
    assert rel_error(dx, dx_num) < 1e-8


def test_max_pool_backward_sends_ties_to_the_first_maximum():
    x = np.zeros((1, 1, 2, 4))
    x[0, 0, :, 2:] = [[1.0, 3.0], [3.0, 3.0]]
    out, cache = max_pool_forward_naive(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
    dx = max_pool_backward_naive(np.array([[[[5.0, 7.0]]]]), cache)
    expected = np.zeros((1, 1, 2, 4))
    expected[0, 0, 0, 0] = 5.0     # all-zero window: first entry
    expected[0, 0, 0, 3] = 7.0     # three tied 3.0s: first in row-major order
    assert np.array_equal(dx, expected)


def test_max_pool_float32_and_non_contiguous():
    rng = np.random.RandomState(7)
    x = rng.randn(4, 4, 3, 2).transpose(2, 3, 0, 1)   # (3, 2, 4, 4), not contiguous
    pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    out, cache = max_pool_forward_naive(x, pool_param)
    out_c, cache_c = max_pool_forward_naive(np.ascontiguousarray(x), pool_param)
    assert np.array_equal(out, out_c)
    out32, cache32 = max_pool_forward_naive(x.astype(np.float32), pool_param)
    assert out32.dtype == np.float32 and np.allclose(out32, out, atol=1e-6)
    dout = rng.randn(*out.shape)
    dx = max_pool_backward_naive(dout, cache)
    assert np.array_equal(dx, max_pool_backward_naive(dout, cache_c))
    dx32 = max_pool_backward_naive(dout.astype(np.float32), cache32)
    assert dx32.dtype == np.float32 and np.allclose(dx32, dx, atol=1e-6)


@pytest.mark.parametrize("x_shape,pool_param,message", [
    ((2, 3, 5, 5), {"pool_height": 2, "pool_width": 2, "stride": 2}, "not an integer"),
    ((2, 3, 4, 4), {"pool_height": 5, "pool_width": 2, "stride": 1}, "larger than"),
    ((3, 4, 4), {"pool_height": 2, "pool_width": 2, "stride": 2}, "4 dimensions"),
    ((2, 3, 4, 4), {"pool_height": 2, "stride": 2}, "pool_width"),
    ((2, 3, 4, 4), {"pool_height": 0, "pool_width": 2, "stride": 2}, "pool_height"),
])
def test_max_pool_bad_input_gets_clear_error(x_shape, pool_param, message):
    with pytest.raises(ValueError, match=message):
        max_pool_forward_naive(np.zeros(x_shape), pool_param)


# --------------------------------------------------------- spatial batch norm

def test_spatial_batchnorm_train_normalizes_each_channel():
    rng = np.random.RandomState(8)
    N, C, H, W = 10, 3, 4, 5
    x = 4 * rng.randn(N, C, H, W) + 10
    gamma, beta = np.array([3.0, 4.0, 5.0]), np.array([6.0, 7.0, 8.0])
    out, _ = spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})
    assert out.shape == x.shape
    assert np.allclose(out.mean(axis=(0, 2, 3)), beta, atol=1e-6)
    assert np.allclose(out.std(axis=(0, 2, 3)), gamma, atol=1e-3)


def test_spatial_batchnorm_test_mode_uses_running_averages():
    rng = np.random.RandomState(9)
    N, C, H, W = 10, 4, 11, 12
    bn_param = {"mode": "train"}
    gamma, beta = np.ones(C), np.zeros(C)
    for _ in range(50):
        spatial_batchnorm_forward(2.3 * rng.randn(N, C, H, W) + 13, gamma, beta, bn_param)
    assert bn_param["running_mean"].shape == (C,)
    bn_param["mode"] = "test"
    out, _ = spatial_batchnorm_forward(2.3 * rng.randn(N, C, H, W) + 13, gamma, beta, bn_param)
    # Running averages are close to the true statistics, so the output is close to standardized.
    assert np.all(np.abs(out.mean(axis=(0, 2, 3))) < 0.1)
    assert np.all(np.abs(out.std(axis=(0, 2, 3)) - 1) < 0.1)


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (3, 2, 2, 3), (5, 1, 3, 3)])
def test_spatial_batchnorm_backward_matches_numerical_gradient(shape):
    rng = np.random.RandomState(10)
    C = shape[1]
    x = 5 * rng.randn(*shape) + 12
    gamma, beta = rng.randn(C), rng.randn(C)
    dout = rng.randn(*shape)
    bn_param = {"mode": "train"}
    f = lambda _: spatial_batchnorm_forward(x, gamma, beta, bn_param)[0]
    dx_num = eval_numerical_gradient_array(f, x, dout)
    dg_num = eval_numerical_gradient_array(f, gamma, dout)
    db_num = eval_numerical_gradient_array(f, beta, dout)
    _, cache = spatial_batchnorm_forward(x, gamma, beta, bn_param)
    dx, dgamma, dbeta = spatial_batchnorm_backward(dout, cache)
    assert dgamma.shape == (C,) and dbeta.shape == (C,)
    # dx sums to zero over each channel, so a few entries are tiny (~1e-6) and
    # their relative error is all finite-difference noise; pin the absolute error too.
    assert rel_error(dx, dx_num) < 1e-5
    assert np.max(np.abs(dx - dx_num)) < 1e-8
    assert rel_error(dgamma, dg_num) < 1e-7
    assert rel_error(dbeta, db_num) < 1e-7


def test_spatial_batchnorm_float32_and_bad_shapes():
    rng = np.random.RandomState(11)
    x = rng.randn(4, 3, 5, 5)
    g, b = np.ones(3), np.zeros(3)
    out64, _ = spatial_batchnorm_forward(x, g, b, {"mode": "train"})
    out32, _ = spatial_batchnorm_forward(x.astype(np.float32), g.astype(np.float32), b.astype(np.float32),
                                         {"mode": "train"})
    assert out32.dtype == np.float32 and np.allclose(out32, out64, atol=1e-4)
    with pytest.raises(ValueError, match=r"gamma and beta must have shape \(3,\)"):
        spatial_batchnorm_forward(x, np.ones(4), np.zeros(4), {"mode": "train"})
    with pytest.raises(ValueError, match="4 dimensions"):
        spatial_batchnorm_forward(x[0], g, b, {"mode": "train"})


# --------------------------------------------------------- spatial group norm

def test_spatial_groupnorm_normalizes_each_group():
    rng = np.random.RandomState(12)
    N, C, H, W, G = 2, 6, 4, 5, 2
    x = 4 * rng.randn(N, C, H, W) + 10
    out, _ = spatial_groupnorm_forward(x, np.ones((1, C, 1, 1)), np.zeros((1, C, 1, 1)), G, {})
    groups = out.reshape(N, G, -1)
    assert np.allclose(groups.mean(axis=2), 0, atol=1e-7)
    assert np.allclose(groups.std(axis=2), 1, atol=1e-3)
    # G = C is instance normalization; G = 1 is layer normalization over (C, H, W).
    out_in, _ = spatial_groupnorm_forward(x, np.ones((1, C, 1, 1)), np.zeros((1, C, 1, 1)), C, {})
    assert np.allclose(out_in.mean(axis=(2, 3)), 0, atol=1e-7)
    out_ln, _ = spatial_groupnorm_forward(x, np.ones((1, C, 1, 1)), np.zeros((1, C, 1, 1)), 1, {})
    assert np.allclose(out_ln.mean(axis=(1, 2, 3)), 0, atol=1e-7)


def test_spatial_groupnorm_applies_per_channel_scale_and_shift():
    rng = np.random.RandomState(13)
    x = rng.randn(3, 4, 2, 2)
    gamma, beta = rng.randn(1, 4, 1, 1), rng.randn(1, 4, 1, 1)
    plain, _ = spatial_groupnorm_forward(x, np.ones((1, 4, 1, 1)), np.zeros((1, 4, 1, 1)), 2, {})
    out, _ = spatial_groupnorm_forward(x, gamma, beta, 2, {})
    assert np.allclose(out, gamma * plain + beta)


@pytest.mark.parametrize("shape,G", [((2, 6, 4, 5), 2), ((3, 4, 3, 3), 4), ((2, 3, 2, 3), 1), ((1, 6, 2, 2), 3)])
def test_spatial_groupnorm_backward_matches_numerical_gradient(shape, G):
    rng = np.random.RandomState(14)
    C = shape[1]
    x = 5 * rng.randn(*shape) + 12
    gamma, beta = rng.randn(1, C, 1, 1), rng.randn(1, C, 1, 1)
    dout = rng.randn(*shape)
    gn_param = {}
    f = lambda _: spatial_groupnorm_forward(x, gamma, beta, G, gn_param)[0]
    dx_num = eval_numerical_gradient_array(f, x, dout)
    dg_num = eval_numerical_gradient_array(f, gamma, dout)
    db_num = eval_numerical_gradient_array(f, beta, dout)
    _, cache = spatial_groupnorm_forward(x, gamma, beta, G, gn_param)
    dx, dgamma, dbeta = spatial_groupnorm_backward(dout, cache)
    assert dgamma.shape == (1, C, 1, 1) and dbeta.shape == (1, C, 1, 1)
    assert rel_error(dx, dx_num) < 1e-7
    assert rel_error(dgamma, dg_num) < 1e-7
    assert rel_error(dbeta, db_num) < 1e-7


def test_spatial_groupnorm_float32_and_non_contiguous():
    rng = np.random.RandomState(15)
    x = rng.randn(5, 4, 6, 2).transpose(3, 2, 0, 1)    # (2, 6, 5, 4), not contiguous
    gamma, beta = rng.randn(1, 6, 1, 1), rng.randn(1, 6, 1, 1)
    out, cache = spatial_groupnorm_forward(x, gamma, beta, 3, {})
    out_c, cache_c = spatial_groupnorm_forward(np.ascontiguousarray(x), gamma, beta, 3, {})
    assert rel_error(out, out_c) < 1e-12
    dout = rng.randn(*x.shape)
    for g, g_c in zip(spatial_groupnorm_backward(dout, cache), spatial_groupnorm_backward(dout, cache_c)):
        assert rel_error(g, g_c) < 1e-12
    f32 = lambda a: a.astype(np.float32)
    out32, cache32 = spatial_groupnorm_forward(f32(x), f32(gamma), f32(beta), 3, {})
    assert out32.dtype == np.float32 and np.allclose(out32, out, atol=1e-4)
    dx32, dg32, db32 = spatial_groupnorm_backward(f32(dout), cache32)
    assert dx32.dtype == np.float32
    assert np.allclose(dx32, spatial_groupnorm_backward(dout, cache)[0], atol=1e-3)


@pytest.mark.parametrize("C,G,gshape,message", [
    (6, 4, (1, 6, 1, 1), "do not divide"),
    (6, 0, (1, 6, 1, 1), "G must be a positive integer"),
    (6, 2, (6,), r"gamma and beta must have shape \(1, 6, 1, 1\)"),
])
def test_spatial_groupnorm_bad_input_gets_clear_error(C, G, gshape, message):
    x = np.zeros((2, C, 3, 3))
    with pytest.raises(ValueError, match=message):
        spatial_groupnorm_forward(x, np.ones(gshape), np.zeros(gshape), G, {})
