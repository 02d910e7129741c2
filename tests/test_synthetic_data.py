"""The offline dataset: deterministic, balanced, CIFAR-shaped, and learnable but not trivial."""
import numpy as np
import pytest

from cs231n.synthetic_data import SYNTHETIC_CLASSES, make_synthetic_cifar


@pytest.fixture(scope="module")
def synthetic():
    return make_synthetic_cifar()


def test_shapes_and_dtypes_match_cifar(synthetic):
    Xtr, ytr, Xte, yte = synthetic
    assert Xtr.shape == (10000, 32, 32, 3) and Xtr.dtype == np.uint8
    assert Xte.shape == (2000, 32, 32, 3) and yte.dtype == np.int64
    assert len(SYNTHETIC_CLASSES) == 10


def test_is_deterministic():
    a = make_synthetic_cifar(num_train=100, num_test=50, seed=3)
    b = make_synthetic_cifar(num_train=100, num_test=50, seed=3)
    c = make_synthetic_cifar(num_train=100, num_test=50, seed=4)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], c[0])


def test_classes_are_balanced(synthetic):
    _, ytr, _, yte = synthetic
    assert np.all(np.bincount(ytr, minlength=10) == 1000)
    assert np.all(np.bincount(yte, minlength=10) == 200)


def test_sizes_must_be_multiples_of_the_class_count():
    with pytest.raises(ValueError, match="multiple of 10"):
        make_synthetic_cifar(num_train=15)


def test_no_class_is_separable_by_mean_colour(synthetic):
    Xtr, ytr, Xte, yte = synthetic
    colour, colour_test = Xtr.mean(axis=(1, 2)), Xte.mean(axis=(1, 2))
    centroids = np.stack([colour[ytr == c].mean(axis=0) for c in range(10)])
    pred = np.argmin(((colour_test[:, None] - centroids[None]) ** 2).sum(-1), axis=1)
    per_class = [np.mean(pred[yte == c] == c) for c in range(10)]
    assert np.mean(pred == yte) < 0.2 and max(per_class) < 0.6


def test_linear_classifier_is_well_above_chance_and_well_below_perfect(synthetic):
    Xtr, ytr, Xte, yte = synthetic
    rng = np.random.default_rng(0)
    mean = Xtr.reshape(len(Xtr), -1).mean(axis=0)

    def features(X):
        X = (X.reshape(len(X), -1) - mean) / 64.0
        return np.hstack([X, np.ones((len(X), 1))])

    A, B = features(Xtr), features(Xte)
    W = 1e-3 * rng.standard_normal((A.shape[1], 10))
    for _ in range(600):  # minibatch SGD on the softmax loss
        idx = rng.integers(0, len(A), 200)
        scores = A[idx] @ W
        p = np.exp(scores - scores.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(200), ytr[idx]] -= 1
        W -= 1e-3 * (A[idx].T @ p / 200 + 2e-3 * W)
    accuracy = np.mean(np.argmax(B @ W, axis=1) == yte)
    assert 0.17 < accuracy < 0.6, accuracy
