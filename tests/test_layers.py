"""Tests for the fully connected layers, activations, losses, normalization and dropout."""

import numpy as np
import pytest

from cs231n.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from cs231n.layers import (
    affine_backward, affine_forward, batchnorm_backward, batchnorm_backward_alt, batchnorm_forward,
    dropout_backward, dropout_forward, layernorm_backward, layernorm_forward, leaky_relu_backward,
    leaky_relu_forward, relu_backward, relu_forward, sigmoid_backward, sigmoid_forward, softmax_loss,
    svm_loss, tanh_backward, tanh_forward,
)


@pytest.fixture
def rng():
    return np.random.RandomState(231)


# ----- affine -------------------------------------------------------------

def test_affine_forward_matches_course_values():
    # The values CS231n's notebook checks against.
    num_inputs, input_shape, output_dim = 2, (4, 5, 6), 3
    input_size = num_inputs * np.prod(input_shape)
    weight_size = output_dim * np.prod(input_shape)
    x = np.linspace(-0.1, 0.5, num=input_size).reshape(num_inputs, *input_shape)
    w = np.linspace(-0.2, 0.3, num=weight_size).reshape(np.prod(input_shape), output_dim)
    b = np.linspace(-0.3, 0.1, num=output_dim)
    out, _ = affine_forward(x, w, b)
    correct_out = np.array([[1.49834967, 1.70660132, 1.91485297],
                            [3.25553199, 3.5141327, 3.77273342]])
    assert rel_error(out, correct_out) < 1e-7


def test_affine_backward_numerical_gradient(rng):
    x = rng.randn(10, 2, 3)
    w = rng.randn(6, 5)
    b = rng.randn(5)
    dout = rng.randn(10, 5)
    dx_num = eval_numerical_gradient_array(lambda x: affine_forward(x, w, b)[0], x, dout)
    dw_num = eval_numerical_gradient_array(lambda w: affine_forward(x, w, b)[0], w, dout)
    db_num = eval_numerical_gradient_array(lambda b: affine_forward(x, w, b)[0], b, dout)
    _, cache = affine_forward(x, w, b)
    dx, dw, db = affine_backward(dout, cache)
    assert dx.shape == x.shape
    assert rel_error(dx, dx_num) < 1e-8
    assert rel_error(dw, dw_num) < 1e-8
    assert rel_error(db, db_num) < 1e-8


def test_affine_rejects_mismatched_shapes(rng):
    with pytest.raises(ValueError, match="w has shape"):
        affine_forward(rng.randn(4, 7), rng.randn(6, 3), rng.randn(3))
    with pytest.raises(ValueError, match="b must have shape"):
        affine_forward(rng.randn(4, 6), rng.randn(6, 3), rng.randn(4))
    with pytest.raises(TypeError):
        affine_forward([[1.0, 2.0]], rng.randn(2, 3), rng.randn(3))


# ----- activations --------------------------------------------------------

def test_relu_forward_matches_course_values():
    x = np.linspace(-0.5, 0.5, num=12).reshape(3, 4)
    out, _ = relu_forward(x)
    correct_out = np.array([[0., 0., 0., 0.],
                            [0., 0., 0.04545455, 0.13636364],
                            [0.22727273, 0.31818182, 0.40909091, 0.5]])
    assert rel_error(out, correct_out) < 5e-8


ACTIVATIONS = {
    "relu": (relu_forward, relu_backward),
    "leaky_relu": (leaky_relu_forward, leaky_relu_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_backward_numerical_gradient(name, rng):
    fwd, bwd = ACTIVATIONS[name]
    x = rng.randn(10, 10)
    x[np.abs(x) < 1e-3] = 0.1  # keep away from the kink of (leaky) ReLU
    dout = rng.randn(*x.shape)
    dx_num = eval_numerical_gradient_array(lambda x: fwd(x)[0], x, dout)
    _, cache = fwd(x)
    dx = bwd(dout, cache)
    assert dx.shape == x.shape
    assert rel_error(dx, dx_num) < 3e-10


def test_activation_forward_values():
    x = np.array([-2.0, 0.0, 3.0])
    assert np.allclose(leaky_relu_forward(x, alpha=0.1)[0], [-0.2, 0.0, 3.0])
    assert np.allclose(sigmoid_forward(x)[0], 1 / (1 + np.exp(-x)))
    assert np.allclose(tanh_forward(x)[0], np.tanh(x))


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out, _ = sigmoid_forward(np.array([-1000.0, 1000.0]))
    assert out[0] == 0.0 and out[1] == 1.0


# ----- losses -------------------------------------------------------------

def test_losses_at_chance_and_numerical_gradient(rng):
    num_classes, num_inputs = 10, 50
    x = 0.001 * rng.randn(num_inputs, num_classes)
    y = rng.randint(num_classes, size=num_inputs)

    dx_num = eval_numerical_gradient(lambda x: svm_loss(x, y)[0], x, verbose=False)
    loss, dx = svm_loss(x, y)
    assert abs(loss - 9.0) < 0.02  # C - 1 margins of about 1 each
    assert rel_error(dx_num, dx) < 1.5e-9

    dx_num = eval_numerical_gradient(lambda x: softmax_loss(x, y)[0], x, verbose=False)
    loss, dx = softmax_loss(x, y)
    assert abs(loss - np.log(num_classes)) < 0.01  # uniform prediction
    assert rel_error(dx_num, dx) < 1e-7


def test_softmax_loss_is_stable_for_huge_scores():
    x = np.array([[1000.0, 0.0], [0.0, 1000.0]])
    loss, dx = softmax_loss(x, np.array([0, 0]))
    assert np.isfinite(loss) and np.all(np.isfinite(dx))
    assert abs(loss - 500.0) < 1e-9


@pytest.mark.parametrize("loss_fn", [svm_loss, softmax_loss])
def test_losses_reject_bad_labels(loss_fn):
    x = np.zeros((3, 4))
    with pytest.raises(ValueError, match="labels must lie"):
        loss_fn(x, np.array([0, 1, 4]))
    with pytest.raises(ValueError, match="y must have shape"):
        loss_fn(x, np.array([0, 1]))
    with pytest.raises(TypeError, match="integer"):
        loss_fn(x, np.array([0.0, 1.0, 2.0]))


# ----- batch normalization ------------------------------------------------

def test_batchnorm_train_mode_statistics(rng):
    N, D1, D2, D3 = 200, 50, 60, 3
    X = rng.randn(N, D1)
    W1, W2 = rng.randn(D1, D2), rng.randn(D2, D3)
    a = np.maximum(0, X.dot(W1)).dot(W2)
    out, _ = batchnorm_forward(a, np.ones(D3), np.zeros(D3), {"mode": "train"})
    assert np.allclose(out.mean(axis=0), 0, atol=1e-10)
    assert np.allclose(out.std(axis=0), 1, atol=1e-4)
    gamma, beta = np.array([1.0, 2.0, 3.0]), np.array([11.0, 12.0, 13.0])
    out, _ = batchnorm_forward(a, gamma, beta, {"mode": "train"})
    assert np.allclose(out.mean(axis=0), beta, atol=1e-10)
    assert np.allclose(out.std(axis=0), gamma, atol=1e-3)


def test_batchnorm_running_averages_and_test_mode(rng):
    N, D1, D2, D3 = 200, 50, 60, 3
    W1, W2 = rng.randn(D1, D2), rng.randn(D2, D3)
    bn_param = {"mode": "train"}
    gamma, beta = np.ones(D3), np.zeros(D3)
    for _ in range(50):
        a = np.maximum(0, rng.randn(N, D1).dot(W1)).dot(W2)
        batchnorm_forward(a, gamma, beta, bn_param)
    assert set(bn_param) >= {"running_mean", "running_var"}
    bn_param["mode"] = "test"
    a = np.maximum(0, rng.randn(N, D1).dot(W1)).dot(W2)
    out, cache = batchnorm_forward(a, gamma, beta, bn_param)
    assert cache is None
    # Normalized with the running statistics, fresh data are close to zero mean, unit variance.
    assert np.all(np.abs(out.mean(axis=0)) < 0.2)
    assert np.all(np.abs(out.std(axis=0) - 1) < 0.2)


def test_batchnorm_momentum_update_exact():
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    bn_param = {"mode": "train", "momentum": 0.5,
                "running_mean": np.array([1.0, 1.0]), "running_var": np.array([0.0, 2.0])}
    batchnorm_forward(x, np.ones(2), np.zeros(2), bn_param)
    assert np.allclose(bn_param["running_mean"], [0.5 * 1 + 0.5 * 2, 0.5 * 1 + 0.5 * 4])
    assert np.allclose(bn_param["running_var"], [0.5 * 0 + 0.5 * 1, 0.5 * 2 + 0.5 * 4])


def test_batchnorm_backward_numerical_gradient(rng):
    N, D = 4, 5
    x = 5 * rng.randn(N, D) + 12
    gamma, beta = rng.randn(D), rng.randn(D)
    dout = rng.randn(N, D)
    bn_param = {"mode": "train"}
    fx = lambda x: batchnorm_forward(x, gamma, beta, bn_param)[0]
    fg = lambda g: batchnorm_forward(x, g, beta, bn_param)[0]
    fb = lambda b: batchnorm_forward(x, gamma, b, bn_param)[0]
    dx_num = eval_numerical_gradient_array(fx, x, dout)
    da_num = eval_numerical_gradient_array(fg, gamma.copy(), dout)
    db_num = eval_numerical_gradient_array(fb, beta.copy(), dout)
    _, cache = batchnorm_forward(x, gamma, beta, bn_param)
    for backward in (batchnorm_backward, batchnorm_backward_alt):
        dx, dgamma, dbeta = backward(dout, cache)
        assert rel_error(dx_num, dx) < 1e-7, backward.__name__
        assert rel_error(da_num, dgamma) < 1e-7, backward.__name__
        assert rel_error(db_num, dbeta) < 1e-7, backward.__name__


def test_batchnorm_backward_alt_equals_graph_version(rng):
    N, D = 100, 500
    x = 5 * rng.randn(N, D) + 12
    gamma, beta = rng.randn(D), rng.randn(D)
    dout = rng.randn(N, D)
    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    dx1, dg1, db1 = batchnorm_backward(dout, cache)
    dx2, dg2, db2 = batchnorm_backward_alt(dout, cache)
    assert rel_error(dx1, dx2) < 1e-10
    assert rel_error(dg1, dg2) < 1e-12
    assert rel_error(db1, db2) < 1e-12


def test_batchnorm_rejects_bad_params(rng):
    x = rng.randn(4, 3)
    with pytest.raises(ValueError, match="mode"):
        batchnorm_forward(x, np.ones(3), np.zeros(3), {})
    with pytest.raises(ValueError, match="gamma and beta"):
        batchnorm_forward(x, np.ones(2), np.zeros(3), {"mode": "train"})
    with pytest.raises(ValueError, match="train"):
        batchnorm_backward(x, None)


# ----- layer normalization ------------------------------------------------

def test_layernorm_forward_per_example(rng):
    N, D1, D2, D3 = 4, 50, 60, 3
    a = np.maximum(0, rng.randn(N, D1).dot(rng.randn(D1, D2))).dot(rng.randn(D2, D3))
    out, _ = layernorm_forward(a, np.ones(D3), np.zeros(D3), {})
    assert np.allclose(out.mean(axis=1), 0, atol=1e-10)
    assert np.allclose(out.std(axis=1), 1, atol=1e-3)
    # One example's output does not depend on the rest of the batch.
    out1, _ = layernorm_forward(a[:1], np.ones(D3), np.zeros(D3), {})
    assert np.allclose(out1, out[:1])


def test_layernorm_backward_numerical_gradient(rng):
    N, D = 4, 5
    x = 5 * rng.randn(N, D) + 12
    gamma, beta = rng.randn(D), rng.randn(D)
    dout = rng.randn(N, D)
    ln_param = {}
    dx_num = eval_numerical_gradient_array(lambda x: layernorm_forward(x, gamma, beta, ln_param)[0], x, dout)
    da_num = eval_numerical_gradient_array(lambda g: layernorm_forward(x, g, beta, ln_param)[0], gamma.copy(), dout)
    db_num = eval_numerical_gradient_array(lambda b: layernorm_forward(x, gamma, b, ln_param)[0], beta.copy(), dout)
    _, cache = layernorm_forward(x, gamma, beta, ln_param)
    dx, dgamma, dbeta = layernorm_backward(dout, cache)
    assert rel_error(dx_num, dx) < 1e-7
    assert rel_error(da_num, dgamma) < 1e-7
    assert rel_error(db_num, dbeta) < 1e-7


# ----- dropout ------------------------------------------------------------

@pytest.mark.parametrize("p", [0.25, 0.4, 0.7])
def test_dropout_keep_ratio_and_expectation(p, rng):
    x = rng.randn(500, 500) + 10
    out, _ = dropout_forward(x, {"mode": "train", "p": p, "seed": 123})
    kept = np.mean(out != 0)
    assert abs(kept - p) < 0.01, f"kept {kept}, expected {p}"
    assert abs(out.mean() - x.mean()) < 0.05 * x.mean()  # inverted dropout keeps the expectation
    out_test, _ = dropout_forward(x, {"mode": "test", "p": p, "seed": 123})
    assert np.array_equal(out_test, x)


def test_dropout_seed_makes_mask_repeatable(rng):
    x = rng.randn(20, 30)
    a, _ = dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 7})
    b, _ = dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 7})
    c, _ = dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 8})
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_dropout_backward_numerical_gradient(rng):
    x = rng.randn(10, 10) + 10
    dout = rng.randn(*x.shape)
    dropout_param = {"mode": "train", "p": 0.2, "seed": 123}
    out, cache = dropout_forward(x, dropout_param)
    dx = dropout_backward(dout, cache)
    dx_num = eval_numerical_gradient_array(lambda xx: dropout_forward(xx, dropout_param)[0], x, dout)
    assert rel_error(dx, dx_num) < 1e-10
    _, cache = dropout_forward(x, {"mode": "test", "p": 0.2})
    assert np.array_equal(dropout_backward(dout, cache), dout)


def test_dropout_keeps_dtype_and_rejects_bad_params():
    x = np.ones((4, 4), dtype=np.float32)
    out, _ = dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 0})
    assert out.dtype == np.float32
    for p in (0, 1.5, -0.1, None):
        with pytest.raises(ValueError, match="keep probability"):
            dropout_forward(x, {"mode": "train", "p": p})
    with pytest.raises(ValueError, match="mode"):
        dropout_forward(x, {"mode": "eval", "p": 0.5})
