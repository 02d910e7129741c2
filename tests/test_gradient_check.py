"""Numerical gradients and rel_error."""
import numpy as np
import pytest

from cs231n.classifiers.fc_net import FullyConnectedNet
from cs231n.gradient_check import (eval_numerical_gradient, eval_numerical_gradient_array,
                                   grad_check_sparse, rel_error, set_weights)


def test_rel_error_is_zero_for_equal_and_large_for_different():
    x = np.array([1.0, -2.0, 3.0])
    assert rel_error(x, x) == 0.0
    assert rel_error(x, x * (1 + 1e-9)) < 1e-8
    assert rel_error(x, -x) == pytest.approx(1.0)


def test_rel_error_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="same shape"):
        rel_error(np.zeros(3), np.zeros(4))


def test_numerical_gradient_of_a_quadratic_and_x_is_restored():
    x = np.random.randn(3, 4)
    x0 = x.copy()
    grad = eval_numerical_gradient(lambda v: np.sum(v ** 2), x, verbose=False)
    assert rel_error(grad, 2 * x0) < 1e-8
    np.testing.assert_array_equal(x, x0)


def test_numerical_gradient_array_of_an_elementwise_function():
    x = np.random.randn(5, 2)
    dout = np.random.randn(5, 2)
    grad = eval_numerical_gradient_array(np.tanh, x, dout)
    assert rel_error(grad, dout * (1 - np.tanh(x) ** 2)) < 1e-8


def test_numerical_gradient_array_copies_outputs_that_alias_a_buffer():
    buffer = np.zeros(3)

    def f(v):
        buffer[:] = 3 * v
        return buffer

    x, dout = np.random.randn(3), np.ones(3)
    assert rel_error(eval_numerical_gradient_array(f, x, dout), 3 * np.ones(3)) < 1e-8


def test_sparse_check_passes_a_right_gradient_and_flags_a_wrong_one():
    x = np.random.randn(4, 4)
    f = lambda v: np.sum(np.sin(v))  # noqa: E731
    good = grad_check_sparse(f, x, np.cos(x), num_checks=8, seed=0, verbose=False)
    bad = grad_check_sparse(f, x, np.cos(x) + 0.1, num_checks=8, seed=0, verbose=False)
    assert len(good) == 8 and max(good) < 1e-7
    assert min(bad) > 1e-3


def test_set_weights_gives_the_same_weights_whatever_the_generator_state_and_keeps_the_rest():
    nets = []
    for seed in (1, 2):
        np.random.seed(seed)
        net = FullyConnectedNet([5, 4], input_dim=3, num_classes=2, weight_scale=1.0,
                                normalization="batchnorm", dtype=np.float64)
        set_weights(net, 0.05, seed=7)
        nets.append(net)
    for name in nets[0].params:
        assert np.array_equal(nets[0].params[name], nets[1].params[name]), name
    assert np.all(nets[0].params["gamma1"] == 1) and np.all(nets[0].params["b1"] == 0)
    assert abs(nets[0].params["W1"].std() - 0.05) < 0.05 and nets[0].params["W1"].dtype == np.float64
