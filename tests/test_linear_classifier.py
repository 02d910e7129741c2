"""Tests for cs231n/classifiers/linear_classifier.py."""
import numpy as np
import pytest

from cs231n.classifiers.linear_classifier import LinearClassifier, LinearSVM, Softmax
from cs231n.classifiers.linear_svm import svm_loss_vectorized
from cs231n.classifiers.softmax import softmax_loss_vectorized

CLASSIFIERS = [LinearSVM, Softmax]


def _blobs(num_per_class=60, dim=20, num_classes=4, seed=0):
    """Linearly separable-ish Gaussian blobs, with a bias column appended."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(num_classes, dim)) * 3
    y = np.repeat(np.arange(num_classes), num_per_class)
    X = centers[y] + rng.normal(size=(len(y), dim))
    X = np.hstack([X, np.ones((len(y), 1))])
    return X, y


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_training_lowers_the_loss_and_learns_the_blobs(cls):
    X, y = _blobs()
    np.random.seed(0)
    clf = cls()
    history = clf.train(X, y, learning_rate=1e-2, reg=1e-4, num_iters=200, batch_size=50)
    assert len(history) == 200
    assert np.mean(history[-20:]) < 0.5 * np.mean(history[:5])
    assert clf.W.shape == (X.shape[1], 4)
    assert np.mean(clf.predict(X) == y) > 0.95


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_initial_weights_are_small_and_the_first_loss_is_the_chance_loss(cls):
    X, y = _blobs(num_classes=10)
    np.random.seed(1)
    clf = cls()
    history = clf.train(X, y, learning_rate=1e-12, reg=0.0, num_iters=1, batch_size=100)
    expected = 9.0 if cls is LinearSVM else np.log(10)
    assert abs(history[0] - expected) < 0.1


@pytest.mark.parametrize("cls,loss_fn", [(LinearSVM, svm_loss_vectorized), (Softmax, softmax_loss_vectorized)])
def test_one_step_is_a_gradient_step_on_the_sampled_batch(cls, loss_fn):
    X, y = _blobs()
    clf = cls()
    clf.W = np.random.default_rng(0).normal(size=(X.shape[1], 4)) * 0.01
    W0 = clf.W.copy()
    # The whole set as one batch drawn with replacement is not the whole set,
    # so recover the batch from the generator's state.
    np.random.seed(5)
    idx = np.random.choice(len(X), 30, replace=True)
    np.random.seed(5)
    clf.train(X, y, learning_rate=0.1, reg=0.01, num_iters=1, batch_size=30)
    loss, grad = loss_fn(W0, X[idx], y[idx], 0.01)
    np.testing.assert_allclose(clf.W, W0 - 0.1 * grad, rtol=1e-12, atol=1e-15)


def test_training_continues_from_the_current_weights():
    X, y = _blobs()
    np.random.seed(0)
    clf = Softmax()
    clf.train(X, y, learning_rate=1e-2, num_iters=50)
    W_after_first = clf.W.copy()
    history = clf.train(X, y, learning_rate=1e-2, num_iters=50)
    assert not np.allclose(clf.W, W_after_first)
    assert history[0] < np.log(4)  # starts from the trained weights, not from scratch


def test_training_is_reproducible_with_a_seed():
    X, y = _blobs()
    runs = []
    for _ in range(2):
        np.random.seed(42)
        clf = LinearSVM()
        runs.append(clf.train(X, y, learning_rate=1e-3, num_iters=30))
    assert runs[0] == runs[1]


def test_predict_returns_argmax_of_scores():
    clf = LinearClassifier()
    clf.W = np.array([[1.0, 0.0, -1.0],
                      [0.0, 2.0, 0.0]])
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.1]])
    pred = clf.predict(X)
    assert pred.shape == (3,)
    np.testing.assert_array_equal(pred, [0, 1, 2])


def test_base_class_has_no_loss():
    X, y = _blobs()
    with pytest.raises(NotImplementedError):
        LinearClassifier().train(X, y, num_iters=1)


def test_predict_before_training_raises():
    with pytest.raises(ValueError, match="train"):
        LinearSVM().predict(np.zeros((2, 3)))


def test_predict_with_the_wrong_dimension_raises():
    X, y = _blobs()
    clf = LinearSVM()
    clf.train(X, y, num_iters=1)
    with pytest.raises(ValueError, match="features per example but W has"):
        clf.predict(X[:, :-1])


def test_train_with_the_wrong_dimension_after_training_raises():
    X, y = _blobs()
    clf = Softmax()
    clf.train(X, y, num_iters=1)
    with pytest.raises(ValueError, match="rows"):
        clf.train(X[:, :-1], y, num_iters=1)


@pytest.mark.parametrize("kwargs,word", [
    ({"learning_rate": 0.0}, "learning_rate"),
    ({"learning_rate": -1e-3}, "learning_rate"),
    ({"batch_size": 0}, "batch_size"),
    ({"batch_size": 10.5}, "batch_size"),
    ({"num_iters": -1}, "num_iters"),
])
def test_bad_hyperparameters_raise(kwargs, word):
    X, y = _blobs()
    with pytest.raises(ValueError, match=word):
        LinearSVM().train(X, y, **kwargs)


def test_bad_data_raises():
    X, y = _blobs()
    with pytest.raises(ValueError, match="shape"):
        LinearSVM().train(X, y[:-1])
    with pytest.raises(ValueError, match="must be integers"):
        LinearSVM().train(X, y.astype(float))
    with pytest.raises(ValueError, match="shape"):
        LinearSVM().train(X[0], y)
