"""Tests for cs231n/classifiers/linear_svm.py."""
import numpy as np
import pytest

from cs231n.classifiers.linear_svm import svm_loss_naive, svm_loss_vectorized
from cs231n.gradient_check import eval_numerical_gradient, grad_check_sparse, rel_error

LOSSES = [svm_loss_naive, svm_loss_vectorized]


def _problem(N=25, D=30, C=6, seed=0):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(D, C)) * 0.1
    X = rng.normal(size=(N, D))
    y = rng.integers(C, size=N)
    return W, X, y


def test_worked_example_from_the_course_notes():
    # Three images (cat, car, frog) whose scores for the classes (cat, car, frog)
    # are the columns of the table in the notes; the per-image hinge losses are
    # 2.9, 0 and 12.9, so the mean is 15.8 / 3. One-hot inputs with W holding the
    # scores reproduce exactly these scores.
    scores = np.array([[3.2, 5.1, -1.7],   # cat image
                       [1.3, 4.9, 2.0],    # car image
                       [2.2, 2.5, -3.1]])  # frog image
    X = np.eye(3)
    y = np.array([0, 1, 2])
    for loss_fn in LOSSES:
        per_image = [loss_fn(scores, X[i:i + 1], y[i:i + 1], 0.0)[0] for i in range(3)]
        np.testing.assert_allclose(per_image, [2.9, 0.0, 12.9], atol=1e-12)
        loss, _ = loss_fn(scores, X, y, 0.0)
        assert abs(loss - 15.8 / 3) < 1e-12


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_loss_with_zero_weights_is_num_classes_minus_one(loss_fn):
    W, X, y = _problem()
    loss, _ = loss_fn(np.zeros_like(W), X, y, 0.0)
    assert abs(loss - (W.shape[1] - 1)) < 1e-12


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_regularization_adds_reg_times_squared_norm(loss_fn):
    W, X, y = _problem()
    plain, dplain = loss_fn(W, X, y, 0.0)
    regd, dregd = loss_fn(W, X, y, 0.7)
    assert abs(regd - plain - 0.7 * np.sum(W * W)) < 1e-10
    assert rel_error(dregd - dplain, 2 * 0.7 * W) < 1e-9


@pytest.mark.parametrize("loss_fn", LOSSES)
@pytest.mark.parametrize("reg", [0.0, 5e1])
def test_gradient_matches_numerical_gradient(loss_fn, reg):
    W, X, y = _problem()
    loss, grad = loss_fn(W, X, y, reg)
    assert grad.shape == W.shape
    num = eval_numerical_gradient(lambda w: loss_fn(w, X, y, reg)[0], W.copy(), verbose=False)
    # Away from the kinks of max(0, .) the hinge loss is smooth; with random
    # Gaussian data no margin sits within h of 0, so the check is tight.
    assert rel_error(grad, num) < 1e-7


def test_sparse_gradient_check_on_larger_problem():
    W, X, y = _problem(N=60, D=200, C=10, seed=3)
    _, grad = svm_loss_vectorized(W, X, y, 1.0)
    errors = grad_check_sparse(lambda w: svm_loss_vectorized(w, X, y, 1.0)[0], W, grad,
                               num_checks=20, seed=0, verbose=False)
    assert max(errors) < 1e-7


def test_naive_and_vectorized_agree():
    W, X, y = _problem(N=80, D=50, C=10, seed=4)
    for reg in (0.0, 0.3):
        loss_n, grad_n = svm_loss_naive(W, X, y, reg)
        loss_v, grad_v = svm_loss_vectorized(W, X, y, reg)
        assert abs(loss_n - loss_v) < 1e-12 * max(1.0, abs(loss_n))
        assert np.linalg.norm(grad_n - grad_v, ord="fro") < 1e-12
        assert isinstance(float(loss_v), float)


def test_vectorized_handles_float32_data():
    W, X, y = _problem()
    loss64, grad64 = svm_loss_vectorized(W, X, y, 0.1)
    loss32, grad32 = svm_loss_vectorized(W, X.astype(np.float32), y, 0.1)
    assert abs(loss64 - loss32) < 1e-5
    assert rel_error(grad64, grad32) < 1e-4


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_mismatched_W_and_X_raise_a_clear_error(loss_fn):
    W, X, y = _problem()
    with pytest.raises(ValueError, match="rows"):
        loss_fn(W, X[:, :-1], y, 0.0)
    with pytest.raises(ValueError, match="shape"):
        loss_fn(W[0], X, y, 0.0)
    with pytest.raises(ValueError, match="shape"):
        loss_fn(W, X[0], y, 0.0)


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_bad_labels_raise_a_clear_error(loss_fn):
    W, X, y = _problem()
    bad = y.copy()
    bad[3] = W.shape[1]  # one past the last class
    with pytest.raises(ValueError, match="labels must lie in"):
        loss_fn(W, X, bad, 0.0)
    bad[3] = -1
    with pytest.raises(ValueError, match="labels must lie in"):
        loss_fn(W, X, bad, 0.0)
    with pytest.raises(ValueError, match="shape"):
        loss_fn(W, X, y[:-1], 0.0)
    with pytest.raises(ValueError, match="integers"):
        loss_fn(W, X, y.astype(np.float64), 0.0)


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_negative_reg_raises(loss_fn):
    W, X, y = _problem()
    with pytest.raises(ValueError, match="reg"):
        loss_fn(W, X, y, -1.0)
