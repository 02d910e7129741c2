"""Tests for cs231n/classifiers/softmax.py."""
import numpy as np
import pytest

from cs231n.classifiers.softmax import softmax_loss_naive, softmax_loss_vectorized
from cs231n.gradient_check import eval_numerical_gradient, grad_check_sparse, rel_error

LOSSES = [softmax_loss_naive, softmax_loss_vectorized]


def _problem(N=25, D=30, C=6, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(D, C)) * 0.1
    X = rng.normal(size=(N, D))
    y = rng.integers(C, size=N)
    return W, X, y


def _reference_loss(W, X, y, reg):
    """Cross-entropy straight from the definition, in extended precision."""
    scores = X.astype(np.longdouble).dot(W.astype(np.longdouble))
    total = 0.0
    for s, label in zip(scores, y):
        p = np.exp(s) / np.sum(np.exp(s))
        total += -np.log(p[label])
    return float(total / len(y) + reg * np.sum(W * W))


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_loss_matches_the_definition(loss_fn):
    W, X, y = _problem()
    for reg in (0.0, 0.2):
        loss, _ = loss_fn(W, X, y, reg)
        assert abs(loss - _reference_loss(W, X, y, reg)) < 1e-12


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_loss_with_zero_weights_is_log_num_classes(loss_fn):
    W, X, y = _problem(C=10)
    loss, _ = loss_fn(np.zeros_like(W), X, y, 0.0)
    assert abs(loss - np.log(10)) < 1e-12


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_huge_scores_do_not_overflow(loss_fn):
    # Scores of [123, 456, 789] * 10: exp would overflow to inf without the shift.
    W = np.array([[1230.0, 4560.0, 7890.0]])
    X = np.ones((2, 1))
    y = np.array([2, 0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is harmless
        loss, grad = loss_fn(W, X, y, 0.0)
    # Example 0 is the max class: loss ~ 0. Example 1: loss = 7890 - 1230 (+ ~0).
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
    assert abs(loss - (7890.0 - 1230.0) / 2) < 1e-9


@pytest.mark.parametrize("loss_fn", LOSSES)
@pytest.mark.parametrize("reg", [0.0, 5e1])
def test_gradient_matches_numerical_gradient(loss_fn, reg):
    W, X, y = _problem()
    _, grad = loss_fn(W, X, y, reg)
    assert grad.shape == W.shape
    num = eval_numerical_gradient(lambda w: loss_fn(w, X, y, reg)[0], W.copy(), verbose=False)
    assert rel_error(grad, num) < 1e-7


def test_sparse_gradient_check_on_larger_problem():
    W, X, y = _problem(N=60, D=200, C=10, seed=3)
    _, grad = softmax_loss_vectorized(W, X, y, 1.0)
    errors = grad_check_sparse(lambda w: softmax_loss_vectorized(w, X, y, 1.0)[0], W, grad,
                               num_checks=20, seed=0, verbose=False)
    assert max(errors) < 1e-7


def test_gradient_columns_sum_to_regularization_only():
    # Without regularization sum_j dL/ds_j = sum_j (p_j - 1[j = y]) = 0 for every
    # example, so the rows of dW sum to zero across classes.
    W, X, y = _problem()
    _, grad = softmax_loss_vectorized(W, X, y, 0.0)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-12)


def test_naive_and_vectorized_agree():
    W, X, y = _problem(N=80, D=50, C=10, seed=4)
    for reg in (0.0, 0.3):
        loss_n, grad_n = softmax_loss_naive(W, X, y, reg)
        loss_v, grad_v = softmax_loss_vectorized(W, X, y, reg)
        assert abs(loss_n - loss_v) < 1e-12 * max(1.0, abs(loss_n))
        assert np.linalg.norm(grad_n - grad_v, ord="fro") < 1e-12


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_mismatched_W_and_X_raise_a_clear_error(loss_fn):
    W, X, y = _problem()
    with pytest.raises(ValueError, match="rows"):
        loss_fn(W[:-1], X, y, 0.0)
    with pytest.raises(ValueError, match="shape"):
        loss_fn(W, X.reshape(5, 5, -1), y, 0.0)


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_bad_labels_raise_a_clear_error(loss_fn):
    W, X, y = _problem()
    bad = y.copy()
    bad[0] = 99
    with pytest.raises(ValueError, match="labels must lie in"):
        loss_fn(W, X, bad, 0.0)
    with pytest.raises(ValueError, match="shape"):
        loss_fn(W, X, y[:, None], 0.0)


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_negative_reg_raises(loss_fn):
    W, X, y = _problem()
    with pytest.raises(ValueError, match="reg"):
        loss_fn(W, X, y, -0.5)
