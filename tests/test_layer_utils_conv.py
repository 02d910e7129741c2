"""Convolutional sandwich layers in cs231n/layer_utils.py."""
import numpy as np
import pytest

from cs231n.gradient_check import eval_numerical_gradient_array, rel_error
from cs231n.layer_utils import (conv_bn_relu_backward, conv_bn_relu_forward, conv_relu_backward,
                                conv_relu_forward, conv_relu_pool_backward, conv_relu_pool_forward)
from cs231n.layers import (conv_backward_naive, conv_forward_naive, max_pool_backward_naive,
                           max_pool_forward_naive, relu_backward, relu_forward, spatial_batchnorm_backward,
                           spatial_batchnorm_forward)

POOL = {"pool_height": 2, "pool_width": 2, "stride": 2}


def numerical_grads(f, arrays, dout):
    """Numerical gradients of sum(f() * dout) with respect to each array (perturbed in place)."""
    return [eval_numerical_gradient_array(lambda _: f(), a, dout) for a in arrays]


@pytest.mark.parametrize("x_shape,w_shape,conv_param", [
    ((2, 3, 16, 16), (3, 3, 3, 3), {"stride": 1, "pad": 1}),    # the course's check
    ((2, 2, 11, 11), (4, 2, 3, 3), {"stride": 2, "pad": 1}),
])
def test_conv_relu_pool_gradients(x_shape, w_shape, conv_param):
    rng = np.random.RandomState(0)
    x, w, b = rng.randn(*x_shape), rng.randn(*w_shape), rng.randn(w_shape[0])
    out, cache = conv_relu_pool_forward(x, w, b, conv_param, POOL)
    dout = rng.randn(*out.shape)
    dx, dw, db = conv_relu_pool_backward(dout, cache)
    nums = numerical_grads(lambda: conv_relu_pool_forward(x, w, b, conv_param, POOL)[0], (x, w, b), dout)
    for name, g, n in zip("x w b".split(), (dx, dw, db), nums):
        assert rel_error(g, n) < 1e-7, f"d{name}"


def test_conv_relu_gradients():
    rng = np.random.RandomState(1)
    x, w, b = rng.randn(2, 3, 8, 8), rng.randn(3, 3, 3, 3), rng.randn(3)
    conv_param = {"stride": 1, "pad": 1}
    out, cache = conv_relu_forward(x, w, b, conv_param)
    dout = rng.randn(*out.shape)
    dx, dw, db = conv_relu_backward(dout, cache)
    nums = numerical_grads(lambda: conv_relu_forward(x, w, b, conv_param)[0], (x, w, b), dout)
    for name, g, n in zip("x w b".split(), (dx, dw, db), nums):
        assert rel_error(g, n) < 1e-7, f"d{name}"


def test_conv_bn_relu_gradients_and_running_averages():
    rng = np.random.RandomState(2)
    x, w, b = rng.randn(2, 3, 6, 6), rng.randn(3, 3, 3, 3), rng.randn(3)
    gamma, beta = rng.rand(3) + 0.5, rng.randn(3)
    conv_param = {"stride": 1, "pad": 1}
    bn_param = {"mode": "train"}
    out, cache = conv_bn_relu_forward(x, w, b, gamma, beta, conv_param, bn_param)
    assert bn_param["running_mean"].shape == (3,)
    dout = rng.randn(*out.shape)
    grads = conv_bn_relu_backward(dout, cache)
    f = lambda: conv_bn_relu_forward(x, w, b, gamma, beta, conv_param, bn_param)[0]
    nums = numerical_grads(f, (x, w, b, gamma, beta), dout)
    for name, g, n in zip("x w b gamma beta".split(), grads, nums):
        assert g.shape == n.shape
        # b has no effect through batch normalization (its gradient is ~0), so compare absolutely.
        if name == "b":
            assert np.max(np.abs(g - n)) < 1e-8, "db"
        else:
            assert rel_error(g, n) < 1e-6, f"d{name}"


def test_sandwiches_equal_naive_compositions_in_both_dtypes():
    rng = np.random.RandomState(3)
    conv_param = {"stride": 1, "pad": 2}
    for dtype, tol in ((np.float64, 1e-10), (np.float32, 1e-4)):
        x = rng.randn(3, 3, 12, 12).astype(dtype)
        w = rng.randn(4, 3, 5, 5).astype(dtype)
        b = rng.randn(4).astype(dtype)
        out, cache = conv_relu_pool_forward(x, w, b, conv_param, POOL)
        a, c1 = conv_forward_naive(x, w, b, conv_param)
        s, c2 = relu_forward(a)
        ref, c3 = max_pool_forward_naive(s, POOL)
        assert out.dtype == dtype
        assert np.allclose(out, ref, rtol=tol, atol=tol)
        dout = rng.randn(*out.shape).astype(dtype)
        dx, dw, db = conv_relu_pool_backward(dout, cache)
        rdx, rdw, rdb = conv_backward_naive(relu_backward(max_pool_backward_naive(dout, c3), c2), c1)
        for g, r in ((dx, rdx), (dw, rdw), (db, rdb)):
            assert g.dtype == dtype
            assert np.allclose(g, r, rtol=tol, atol=tol * 10)

        gamma, beta = np.ones(4, dtype), np.zeros(4, dtype)
        out, cache = conv_bn_relu_forward(x, w, b, gamma, beta, conv_param, {"mode": "train"})
        a, _ = conv_forward_naive(x, w, b, conv_param)
        an, _ = spatial_batchnorm_forward(a, gamma, beta, {"mode": "train"})
        assert np.allclose(out, np.maximum(an, 0), rtol=tol, atol=tol * 10)


def test_sandwiches_accept_non_contiguous_input():
    rng = np.random.RandomState(4)
    x = rng.randn(8, 8, 3, 2).transpose(3, 2, 0, 1)     # (2, 3, 8, 8)
    w, b = rng.randn(3, 3, 3, 3), rng.randn(3)
    conv_param = {"stride": 1, "pad": 1}
    out, cache = conv_relu_pool_forward(x, w, b, conv_param, POOL)
    out_c, cache_c = conv_relu_pool_forward(np.ascontiguousarray(x), w, b, conv_param, POOL)
    assert np.allclose(out, out_c, rtol=1e-12, atol=1e-12)
    dout = rng.randn(*out.shape)
    for g, g_c in zip(conv_relu_pool_backward(dout, cache), conv_relu_pool_backward(dout, cache_c)):
        assert np.allclose(g, g_c, rtol=1e-12, atol=1e-12)


def test_sandwich_bad_shapes_get_clear_errors():
    x, w, b = np.zeros((2, 3, 5, 5)), np.zeros((2, 3, 3, 3)), np.zeros(2)
    with pytest.raises(ValueError):
        conv_relu_pool_forward(x, w, b, {"stride": 1, "pad": 1}, POOL)   # 5x5 does not pool 2x2/2
    with pytest.raises(ValueError):
        conv_relu_forward(x, np.zeros((2, 4, 3, 3)), b, {"stride": 1, "pad": 1})
