"""First-order update rules, all with one signature:

    next_w, config = update(w, dw, config=None)

- w: the current weights, an array of any shape
- dw: the gradient of the loss with respect to w, same shape
- config: dict of hyperparameters (learning rate, momentum, ...) and of the
  rule's state (velocity, caches, step counter). Missing hyperparameters get
  the defaults below; the state is created on the first call and carried from
  call to call in the returned dict, so a Solver keeps one config per parameter.

Defaults (CS231n's): learning_rate 1e-2 for sgd, sgd_momentum, nesterov,
adagrad and rmsprop; momentum 0.9; rmsprop decay_rate 0.99; adam
learning_rate 1e-3, beta1 0.9, beta2 0.999; epsilon 1e-8 everywhere.
"""
import numpy as np

__all__ = ["sgd", "sgd_momentum", "nesterov", "adagrad", "rmsprop", "adam"]


def _config(config, **defaults):
    config = {} if config is None else config
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict or None, got {type(config).__name__}")
    for key, value in defaults.items():
        config.setdefault(key, value)
    return config


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent: w -= learning_rate * dw.

    config: learning_rate (default 1e-2).
    """
    config = _config(config, learning_rate=1e-2)
    next_w = None
    ### BEGIN SOLUTION
    next_w = w - config["learning_rate"] * dw
    ### END SOLUTION
    return next_w, config


def sgd_momentum(w, dw, config=None):
    """SGD with momentum: a velocity accumulates the gradients' running direction.

        v = momentum * v - learning_rate * dw
        w = w + v

    config: learning_rate (1e-2), momentum (0.9), velocity (array of w's shape, zeros at first).
    """
    config = _config(config, learning_rate=1e-2, momentum=0.9)
    v = config.get("velocity", np.zeros_like(w))
    next_w = None
    ### BEGIN SOLUTION
    v = config["momentum"] * v - config["learning_rate"] * dw
    next_w = w + v
    ### END SOLUTION
    config["velocity"] = v
    return next_w, config


def nesterov(w, dw, config=None):
    """Nesterov momentum in the course notes' form.

    The gradient dw is taken at the current w, which plays the part of the
    "looked-ahead" point; the update then corrects for the look-ahead:

        v_prev = v
        v = momentum * v - learning_rate * dw
        w = w - momentum * v_prev + (1 + momentum) * v

    config: learning_rate (1e-2), momentum (0.9), velocity (zeros at first).
    """
    config = _config(config, learning_rate=1e-2, momentum=0.9)
    v = config.get("velocity", np.zeros_like(w))
    next_w = None
    ### BEGIN SOLUTION
    mu = config["momentum"]
    v_prev = v
    v = mu * v - config["learning_rate"] * dw
    next_w = w - mu * v_prev + (1 + mu) * v
    ### END SOLUTION
    config["velocity"] = v
    return next_w, config


def adagrad(w, dw, config=None):
    """AdaGrad: per-parameter steps scaled by the root of the summed squared gradients.

        cache = cache + dw**2
        w = w - learning_rate * dw / (sqrt(cache) + epsilon)

    config: learning_rate (1e-2), epsilon (1e-8), cache (zeros at first).
    """
    config = _config(config, learning_rate=1e-2, epsilon=1e-8)
    config.setdefault("cache", np.zeros_like(w))
    next_w = None
    ### BEGIN SOLUTION
    config["cache"] = config["cache"] + dw ** 2
    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])
    ### END SOLUTION
    return next_w, config


def rmsprop(w, dw, config=None):
    """RMSProp: like AdaGrad but with a leaky (moving) average of squared gradients.

        cache = decay_rate * cache + (1 - decay_rate) * dw**2
        w = w - learning_rate * dw / (sqrt(cache) + epsilon)

    config: learning_rate (1e-2), decay_rate (0.99), epsilon (1e-8), cache (zeros at first).
    """
    config = _config(config, learning_rate=1e-2, decay_rate=0.99, epsilon=1e-8)
    config.setdefault("cache", np.zeros_like(w))
    next_w = None
    ### BEGIN SOLUTION
    d = config["decay_rate"]
    config["cache"] = d * config["cache"] + (1 - d) * dw ** 2
    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])
    ### END SOLUTION
    return next_w, config


def adam(w, dw, config=None):
    """Adam: momentum on the gradient (m) and RMSProp-style scaling (v), both bias-corrected.

        t = t + 1
        m = beta1 * m + (1 - beta1) * dw
        v = beta2 * v + (1 - beta2) * dw**2
        w = w - learning_rate * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + epsilon)

    config: learning_rate (1e-3), beta1 (0.9), beta2 (0.999), epsilon (1e-8),
    m and v (zeros at first), t (step counter, 0 at first).
    """
    config = _config(config, learning_rate=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    next_w = None
    ### BEGIN SOLUTION
    b1, b2 = config["beta1"], config["beta2"]
    config["t"] += 1
    t = config["t"]
    config["m"] = b1 * config["m"] + (1 - b1) * dw
    config["v"] = b2 * config["v"] + (1 - b2) * dw ** 2
    m_hat = config["m"] / (1 - b1 ** t)
    v_hat = config["v"] / (1 - b2 ** t)
    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    ### END SOLUTION
    return next_w, config
