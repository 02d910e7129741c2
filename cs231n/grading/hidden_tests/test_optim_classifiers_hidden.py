"""Hidden checks of the update rules (cs231n/optim.py) and the linear classifiers."""
import numpy as np

from cs231n.gradient_check import rel_error

POINTS = {"test_adam_two_steps": 2, "test_linear_losses_vectorized": 2}


def test_sgd_momentum_two_steps():
    from cs231n.optim import sgd_momentum
    w, dw = np.linspace(-1, 1, 6).reshape(2, 3), np.linspace(0.5, -0.5, 6).reshape(2, 3)
    config = {"learning_rate": 0.1, "momentum": 0.8}
    v = np.zeros_like(w)
    ref = w.copy()
    for _ in range(2):
        v = 0.8 * v - 0.1 * dw
        ref = ref + v
        w, config = sgd_momentum(w, dw, config)
    assert rel_error(w, ref) < 1e-9


def test_adam_two_steps():
    from cs231n.optim import adam
    w, dw = np.linspace(-1, 1, 6).reshape(2, 3), np.linspace(-0.3, 0.9, 6).reshape(2, 3)
    config = {"learning_rate": 0.01}
    m, v, ref = np.zeros_like(w), np.zeros_like(w), w.copy()
    for t in (1, 2):
        m = 0.9 * m + 0.1 * dw
        v = 0.999 * v + 0.001 * dw ** 2
        ref = ref - 0.01 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        w, config = adam(w, dw, config)
    assert config["t"] == 2
    assert rel_error(w, ref) < 1e-9


def test_linear_losses_vectorized():
    from cs231n.classifiers.linear_svm import svm_loss_vectorized
    from cs231n.classifiers.softmax import softmax_loss_vectorized
    rng = np.random.RandomState(11)
    W, X, y, reg = rng.randn(5, 3) * 0.1, rng.randn(8, 5), rng.randint(3, size=8), 0.3
    n = len(y)
    s = X @ W
    margins = np.maximum(0, s - s[np.arange(n), y][:, None] + 1)
    margins[np.arange(n), y] = 0
    loss, dW = svm_loss_vectorized(W, X, y, reg)
    assert abs(loss - (margins.sum() / n + reg * np.sum(W * W))) < 1e-10
    ind = (margins > 0).astype(float)
    ind[np.arange(n), y] = -ind.sum(axis=1)
    assert rel_error(dW, X.T @ ind / n + 2 * reg * W) < 1e-8
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    loss, dW = softmax_loss_vectorized(W, X, y, reg)
    assert abs(loss - (-np.log(p[np.arange(n), y]).mean() + reg * np.sum(W * W))) < 1e-10
    p[np.arange(n), y] -= 1
    assert rel_error(dW, X.T @ p / n + 2 * reg * W) < 1e-8


def test_knn_distances_no_loops():
    from cs231n.classifiers.k_nearest_neighbor import KNearestNeighbor
    rng = np.random.RandomState(2)
    Xtr, Xte = rng.randn(7, 4), rng.randn(3, 4)
    knn = KNearestNeighbor()
    knn.train(Xtr, np.arange(7) % 3)
    ref = np.sqrt(((Xte[:, None, :] - Xtr[None, :, :]) ** 2).sum(axis=2))
    assert rel_error(knn.compute_distances_no_loops(Xte), ref) < 1e-9
