"""Fully connected sandwich layers: gradients checked numerically."""
import numpy as np
import pytest

from cs231n.gradient_check import eval_numerical_gradient_array, rel_error
from cs231n.layer_utils import (
    affine_bn_relu_backward, affine_bn_relu_forward, affine_ln_relu_backward, affine_ln_relu_forward,
    affine_norm_relu_backward, affine_norm_relu_forward, affine_relu_backward, affine_relu_forward,
)


def test_affine_relu_numerical_gradient():
    rng = np.random.RandomState(231)
    x, w, b = rng.randn(2, 3, 4), rng.randn(12, 10), rng.randn(10)
    dout = rng.randn(2, 10)
    out, cache = affine_relu_forward(x, w, b)
    assert out.shape == (2, 10) and out.min() >= 0
    dx, dw, db = affine_relu_backward(dout, cache)
    assert rel_error(dx, eval_numerical_gradient_array(lambda x: affine_relu_forward(x, w, b)[0], x, dout)) < 1e-8
    assert rel_error(dw, eval_numerical_gradient_array(lambda w: affine_relu_forward(x, w, b)[0], w, dout)) < 1e-8
    assert rel_error(db, eval_numerical_gradient_array(lambda b: affine_relu_forward(x, w, b)[0], b, dout)) < 1e-8


@pytest.mark.parametrize("kind", ["batchnorm", "layernorm"])
def test_affine_norm_relu_numerical_gradient(kind):
    rng = np.random.RandomState(231)
    x, w, b = rng.randn(4, 6), rng.randn(6, 5), rng.randn(5)
    gamma, beta = rng.randn(5), rng.randn(5)
    dout = rng.randn(4, 5)
    fwd, bwd = {"batchnorm": (affine_bn_relu_forward, affine_bn_relu_backward),
                "layernorm": (affine_ln_relu_forward, affine_ln_relu_backward)}[kind]
    param = {"mode": "train"} if kind == "batchnorm" else {}
    out, cache = fwd(x, w, b, gamma, beta, param)
    grads = bwd(dout, cache)
    inputs = [x, w, b, gamma, beta]
    for k in range(5):
        def f(v, k=k):
            args = list(inputs)
            args[k] = v
            return fwd(*args, param)[0]
        num = eval_numerical_gradient_array(f, inputs[k].copy(), dout)
        if kind == "batchnorm" and k == 2:
            # Batch norm subtracts the batch mean, so the bias has no effect: an exact zero
            # gradient, where a relative error would only measure rounding noise.
            assert np.abs(grads[k]).max() < 1e-10 and np.abs(num).max() < 1e-8
            continue
        assert rel_error(grads[k], num) < 1e-7, f"{kind}: gradient {k} is off"


def test_affine_norm_relu_without_norm_equals_affine_relu():
    rng = np.random.RandomState(0)
    x, w, b = rng.randn(3, 4), rng.randn(4, 2), rng.randn(2)
    out1, _ = affine_relu_forward(x, w, b)
    out2, cache = affine_norm_relu_forward(x, w, b, None, None, None, None)
    assert np.array_equal(out1, out2)
    dx, dw, db, dgamma, dbeta = affine_norm_relu_backward(np.ones((3, 2)), cache)
    assert dgamma is None and dbeta is None
    with pytest.raises(ValueError, match="normalization"):
        affine_norm_relu_forward(x, w, b, None, None, None, "groupnorm")
