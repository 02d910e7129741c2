"""Hidden probes of the update rules (cs231n/optim.py) and the classifiers.

Staff-only, never released. Each ``probe_<name>`` calls the student's code on
the grader's inputs (``inputs_<name>``) and returns the weights after the
updates (and the optimizer's state), or the losses and their gradients, or the
distances, for the grader to compare with the solution's. Nothing here draws
random numbers.
"""

POINTS = {"sgd_momentum_two_steps": 1, "adam_two_steps": 2, "linear_losses_vectorized": 2,
          "knn_distances_no_loops": 1}


def inputs_sgd_momentum_two_steps(rng):
    return {"w": rng.randn(3, 4), "dw1": rng.randn(3, 4), "dw2": rng.randn(3, 4)}


def probe_sgd_momentum_two_steps(w, dw1, dw2):
    from cs231n.optim import sgd_momentum
    config = {"learning_rate": 0.05, "momentum": 0.8}
    w1, config = sgd_momentum(w, dw1, config)
    w2, config = sgd_momentum(w1, dw2, config)
    return {"w1": w1, "w2": w2}


def inputs_adam_two_steps(rng):
    return {"w": rng.randn(2, 5), "dw1": rng.randn(2, 5), "dw2": rng.randn(2, 5)}


def probe_adam_two_steps(w, dw1, dw2):
    from cs231n.optim import adam
    config = {"learning_rate": 0.02}
    w1, config = adam(w, dw1, config)
    w2, config = adam(w1, dw2, config)
    return {"w1": w1, "w2": w2, "t": int(config["t"])}


def inputs_linear_losses_vectorized(rng):
    return {"W": 0.1 * rng.randn(6, 4), "X": rng.randn(11, 6), "y": rng.randint(4, size=11),
            "reg": 0.25}


def probe_linear_losses_vectorized(W, X, y, reg):
    from cs231n.classifiers.linear_svm import svm_loss_vectorized
    from cs231n.classifiers.softmax import softmax_loss_vectorized
    reg = float(reg)
    svm, svm_dW = svm_loss_vectorized(W, X, y, reg)
    softmax, softmax_dW = softmax_loss_vectorized(W, X, y, reg)
    return {"svm_loss": svm, "svm_dW": svm_dW, "softmax_loss": softmax, "softmax_dW": softmax_dW}


def inputs_knn_distances_no_loops(rng):
    return {"X_train": rng.randn(9, 5), "y_train": rng.randint(3, size=9), "X_test": rng.randn(4, 5)}


def probe_knn_distances_no_loops(X_train, y_train, X_test):
    from cs231n.classifiers.k_nearest_neighbor import KNearestNeighbor
    knn = KNearestNeighbor()
    knn.train(X_train, y_train)
    return {"dists": knn.compute_distances_no_loops(X_test)}
