"""Hidden checks of the layers a student writes (cs231n/layers.py)."""
import numpy as np

from cs231n.gradient_check import eval_numerical_gradient_array, rel_error

POINTS = {"test_affine_forward_backward": 2, "test_softmax_and_svm_loss": 2,
          "test_batchnorm_train_and_test": 2, "test_conv_and_pool_naive": 3}


def test_affine_forward_backward():
    from cs231n.layers import affine_backward, affine_forward
    rng = np.random.RandomState(231)
    x, w, b = rng.randn(3, 2, 5), rng.randn(10, 4), rng.randn(4)
    out, cache = affine_forward(x, w, b)
    assert rel_error(out, x.reshape(3, -1) @ w + b) < 1e-9
    dout = rng.randn(3, 4)
    dx, dw, db = affine_backward(dout, cache)
    assert rel_error(dx, eval_numerical_gradient_array(lambda v: affine_forward(v, w, b)[0], x, dout)) < 1e-7
    assert rel_error(dw, eval_numerical_gradient_array(lambda v: affine_forward(x, v, b)[0], w, dout)) < 1e-7
    assert rel_error(db, dout.sum(axis=0)) < 1e-9


def test_relu_forward_backward():
    from cs231n.layers import relu_backward, relu_forward
    x = np.array([[-2.0, -0.5, 0.25], [3.0, -1e-3, 7.0]])
    out, cache = relu_forward(x)
    assert np.array_equal(out, np.maximum(x, 0))
    dout = np.arange(6.0).reshape(2, 3) + 1
    assert np.array_equal(relu_backward(dout, cache), dout * (x > 0))


def test_softmax_and_svm_loss():
    from cs231n.layers import softmax_loss, svm_loss
    rng = np.random.RandomState(7)
    x, y = rng.randn(6, 4) * 3, rng.randint(4, size=6)
    n = len(y)
    p = np.exp(x - x.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    loss, dx = softmax_loss(x, y)
    assert abs(loss - (-np.log(p[np.arange(n), y]).mean())) < 1e-10
    ref = p.copy()
    ref[np.arange(n), y] -= 1
    assert rel_error(dx, ref / n) < 1e-8
    margins = np.maximum(0, x - x[np.arange(n), y][:, None] + 1)
    margins[np.arange(n), y] = 0
    loss, dx = svm_loss(x, y)
    assert abs(loss - margins.sum() / n) < 1e-10
    num = eval_numerical_gradient_array(lambda v: np.array(svm_loss(v, y)[0]), x, np.array(1.0))
    assert rel_error(dx, num) < 1e-7


def test_batchnorm_train_and_test():
    from cs231n.layers import batchnorm_backward, batchnorm_forward
    rng = np.random.RandomState(3)
    x = 4 * rng.randn(50, 3) + 11
    gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0])
    bn_param = {"mode": "train"}
    out, cache = batchnorm_forward(x, gamma, beta, bn_param)
    assert np.allclose(out.mean(axis=0), beta, atol=1e-7)
    assert np.allclose(out.std(axis=0), gamma, atol=1e-3)
    assert "running_mean" in bn_param and "running_var" in bn_param
    dout = rng.randn(*x.shape)
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)
    f = lambda v: batchnorm_forward(v, gamma, beta, {"mode": "train"})[0]  # noqa: E731
    assert rel_error(dx, eval_numerical_gradient_array(f, x, dout)) < 1e-6
    assert rel_error(dbeta, dout.sum(axis=0)) < 1e-9
    test_out, _ = batchnorm_forward(x, gamma, beta, dict(bn_param, mode="test"))
    assert test_out.shape == x.shape


def test_conv_and_pool_naive():
    from cs231n.layers import conv_forward_naive, max_pool_forward_naive
    rng = np.random.RandomState(5)
    x, w, b = rng.randn(2, 3, 7, 5), rng.randn(4, 3, 3, 3), rng.randn(4)
    out, _ = conv_forward_naive(x, w, b, {"stride": 2, "pad": 1})
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    ref = np.zeros((2, 4, 4, 3))  # (7 + 2 - 3) / 2 + 1 = 4, (5 + 2 - 3) / 2 + 1 = 3
    for i in range(4):
        for j in range(3):
            patch = xp[:, :, 2 * i:2 * i + 3, 2 * j:2 * j + 3]
            ref[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3])) + b
    assert out.shape == ref.shape and rel_error(out, ref) < 1e-9
    x = rng.randn(2, 3, 8, 6)
    out, _ = max_pool_forward_naive(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
    assert np.array_equal(out, x.reshape(2, 3, 4, 2, 3, 2).max(axis=(3, 5)))
