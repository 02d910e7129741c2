"""Layers as pure functions, in the course's style.

Every layer is a pair: ``*_forward(x, ...) -> (out, cache)`` and
``*_backward(dout, cache) -> grads``, where ``cache`` holds what the backward
pass needs. Nothing here keeps state between calls except the running
statistics that batch normalization writes back into its ``bn_param`` dict.
"""
import numpy as np


# ---------------------------------------------------------------------------
# Fully connected layers, activations, losses, normalization, dropout
# ---------------------------------------------------------------------------


def _check_ndarray(name, a, ndim=None):
    """Raise a clear error when `a` is not an array (of `ndim` dimensions)."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(a).__name__}")
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {a.shape}")


def affine_forward(x, w, b):
    """Forward pass of a fully connected (affine) layer: out = x w + b.

    Each example is flattened to a row of D = d_1 * ... * d_k numbers first.

    Inputs:
    - x: array of shape (N, d_1, ..., d_k), a minibatch of N examples
    - w: weights, shape (D, M)
    - b: biases, shape (M,)

    Returns a tuple of:
    - out: output, shape (N, M)
    - cache: (x, w, b)
    """
    _check_ndarray("x", x)
    _check_ndarray("w", w, 2)
    N = x.shape[0]
    D = int(np.prod(x.shape[1:]))
    if D != w.shape[0]:
        raise ValueError(f"affine_forward: each example has {D} numbers but w has shape {w.shape}")
    if np.shape(b) != (w.shape[1],):
        raise ValueError(f"affine_forward: b must have shape ({w.shape[1]},), got {np.shape(b)}")
    out = None
    ### BEGIN SOLUTION
    out = x.reshape(N, D).dot(w) + b
    ### END SOLUTION
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    """Backward pass of an affine layer.

    Inputs:
    - dout: upstream gradient, shape (N, M)
    - cache: (x, w, b) from affine_forward, x of shape (N, d_1, ..., d_k), w (D, M), b (M,)

    Returns a tuple of:
    - dx: gradient with respect to x, shape (N, d_1, ..., d_k)
    - dw: gradient with respect to w, shape (D, M)
    - db: gradient with respect to b, shape (M,)
    """
    x, w, b = cache
    dx, dw, db = None, None, None
    ### BEGIN SOLUTION
    N = x.shape[0]
    x2 = x.reshape(N, -1)
    dx = dout.dot(w.T).reshape(x.shape)
    dw = x2.T.dot(dout)
    db = dout.sum(axis=0)
    ### END SOLUTION
    return dx, dw, db


def relu_forward(x):
    """Forward pass of rectified linear units: out = max(0, x), elementwise.

    Input:
    - x: array of any shape

    Returns a tuple of:
    - out: array of x's shape
    - cache: x
    """
    out = None
    ### BEGIN SOLUTION
    out = np.maximum(x, 0)
    ### END SOLUTION
    cache = x
    return out, cache


def relu_backward(dout, cache):
    """Backward pass of ReLUs.

    Inputs:
    - dout: upstream gradient, any shape
    - cache: x from relu_forward, of dout's shape

    Returns:
    - dx: gradient with respect to x, of x's shape (zero where x <= 0)
    """
    x = cache
    dx = None
    ### BEGIN SOLUTION
    dx = dout * (x > 0)
    ### END SOLUTION
    return dx


def leaky_relu_forward(x, alpha=0.01):
    """Forward pass of leaky ReLUs: out = x where x > 0, alpha * x elsewhere.

    Inputs:
    - x: array of any shape
    - alpha: slope for negative inputs (a small positive number)

    Returns a tuple of:
    - out: array of x's shape
    - cache: (x, alpha)
    """
    out = None
    ### BEGIN SOLUTION
    out = np.where(x > 0, x, alpha * x)
    ### END SOLUTION
    cache = (x, alpha)
    return out, cache


def leaky_relu_backward(dout, cache):
    """Backward pass of leaky ReLUs.

    Inputs:
    - dout: upstream gradient, any shape
    - cache: (x, alpha) from leaky_relu_forward

    Returns:
    - dx: gradient with respect to x, of x's shape
    """
    x, alpha = cache
    dx = None
    ### BEGIN SOLUTION
    dx = dout * np.where(x > 0, 1.0, alpha)
    ### END SOLUTION
    return dx


def sigmoid_forward(x):
    """Forward pass of the logistic sigmoid: out = 1 / (1 + exp(-x)), elementwise.

    Computed without overflow for large |x|.

    Input:
    - x: array of any shape

    Returns a tuple of:
    - out: array of x's shape, values in (0, 1)
    - cache: out (the backward pass only needs the output)
    """
    out = None
    ### BEGIN SOLUTION
    # 1 / (1 + e^-x) = exp(-log(1 + e^-x)); logaddexp never overflows.
    out = np.exp(-np.logaddexp(0, -x))
    ### END SOLUTION
    cache = out
    return out, cache


def sigmoid_backward(dout, cache):
    """Backward pass of the sigmoid: d sigma / dx = sigma (1 - sigma).

    Inputs:
    - dout: upstream gradient, any shape
    - cache: the sigmoid's output, of dout's shape

    Returns:
    - dx: gradient with respect to x, of dout's shape
    """
    s = cache
    dx = None
    ### BEGIN SOLUTION
    dx = dout * s * (1 - s)
    ### END SOLUTION
    return dx


def tanh_forward(x):
    """Forward pass of the hyperbolic tangent, elementwise.

    Input:
    - x: array of any shape

    Returns a tuple of:
    - out: array of x's shape, values in (-1, 1)
    - cache: out
    """
    out = None
    ### BEGIN SOLUTION
    out = np.tanh(x)
    ### END SOLUTION
    cache = out
    return out, cache


def tanh_backward(dout, cache):
    """Backward pass of tanh: d tanh / dx = 1 - tanh^2.

    Inputs:
    - dout: upstream gradient, any shape
    - cache: tanh's output, of dout's shape

    Returns:
    - dx: gradient with respect to x, of dout's shape
    """
    t = cache
    dx = None
    ### BEGIN SOLUTION
    dx = dout * (1 - t * t)
    ### END SOLUTION
    return dx


def _check_scores_labels(x, y, name):
    _check_ndarray("x", x, 2)
    y = np.asarray(y)
    if y.shape != (x.shape[0],):
        raise ValueError(f"{name}: y must have shape ({x.shape[0]},), got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"{name}: y must hold integer class labels, got dtype {y.dtype}")
    if y.size and (y.min() < 0 or y.max() >= x.shape[1]):
        raise ValueError(f"{name}: labels must lie in [0, {x.shape[1]}), got range [{y.min()}, {y.max()}]")
    return y


def svm_loss(x, y):
    """Multiclass SVM (hinge) loss with margin 1, averaged over the minibatch.

    Inputs:
    - x: scores, shape (N, C); x[i, j] is the score of class j for example i
    - y: labels, shape (N,), integers with 0 <= y[i] < C

    Returns a tuple of:
    - loss: scalar
    - dx: gradient of the loss with respect to x, shape (N, C)
    """
    y = _check_scores_labels(x, y, "svm_loss")
    loss, dx = None, None
    ### BEGIN SOLUTION
    N = x.shape[0]
    rows = np.arange(N)
    correct = x[rows, y][:, None]
    margins = np.maximum(0, x - correct + 1.0)
    margins[rows, y] = 0
    loss = margins.sum() / N
    positive = (margins > 0).astype(x.dtype)
    positive[rows, y] = -positive.sum(axis=1)
    dx = positive / N
    ### END SOLUTION
    return loss, dx


def softmax_loss(x, y):
    """Softmax (cross-entropy) loss, averaged over the minibatch.

    Inputs:
    - x: scores, shape (N, C)
    - y: labels, shape (N,), integers with 0 <= y[i] < C

    Returns a tuple of:
    - loss: scalar
    - dx: gradient of the loss with respect to x, shape (N, C)
    """
    y = _check_scores_labels(x, y, "softmax_loss")
    loss, dx = None, None
    ### BEGIN SOLUTION
    N = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)  # same softmax, no overflow
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(N), y].sum() / N
    dx = np.exp(log_probs)
    dx[np.arange(N), y] -= 1
    dx /= N
    ### END SOLUTION
    return loss, dx


def _check_norm_inputs(x, gamma, beta, name):
    _check_ndarray("x", x, 2)
    D = x.shape[1]
    if np.shape(gamma) != (D,) or np.shape(beta) != (D,):
        raise ValueError(f"{name}: gamma and beta must have shape ({D},), got {np.shape(gamma)} and {np.shape(beta)}")


def batchnorm_forward(x, gamma, beta, bn_param):
    """Forward pass of batch normalization.

    In training mode, each feature is normalized with the minibatch's mean and
    variance, then scaled by gamma and shifted by beta. Running averages of the
    mean and variance are kept for test time:

        running_mean = momentum * running_mean + (1 - momentum) * sample_mean
        running_var = momentum * running_var + (1 - momentum) * sample_var

    In test mode the running averages are used instead of batch statistics.

    Inputs:
    - x: data, shape (N, D)
    - gamma: scale, shape (D,)
    - beta: shift, shape (D,)
    - bn_param: dict with keys
      - mode: 'train' or 'test' (required)
      - eps: added to the variance for numerical stability (default 1e-5)
      - momentum: for the running averages (default 0.9)
      - running_mean: shape (D,), created as zeros if missing; updated in place in the dict
      - running_var: shape (D,), created as zeros if missing; updated in place in the dict

    Returns a tuple of:
    - out: shape (N, D)
    - cache: what batchnorm_backward needs (None in test mode)
    """
    _check_norm_inputs(x, gamma, beta, "batchnorm_forward")
    mode = bn_param.get("mode")
    if mode not in ("train", "test"):
        raise ValueError(f"bn_param['mode'] must be 'train' or 'test', got {mode!r}")
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)

    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))

    out, cache = None, None
    if mode == "train":
        ### BEGIN SOLUTION
        # Staged so that batchnorm_backward can walk the graph step by step.
        mu = x.mean(axis=0)
        xc = x - mu
        var = (xc ** 2).mean(axis=0)
        std = np.sqrt(var + eps)
        inv_std = 1.0 / std
        xhat = xc * inv_std
        out = gamma * xhat + beta
        cache = (xc, var, std, inv_std, xhat, gamma, eps)
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
        ### END SOLUTION
    else:
        ### BEGIN SOLUTION
        out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
        ### END SOLUTION

    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, cache


def batchnorm_backward(dout, cache):
    """Backward pass of batch normalization, one node of the computational graph at a time.

    Inputs:
    - dout: upstream gradient, shape (N, D)
    - cache: from batchnorm_forward in training mode

    Returns a tuple of:
    - dx: gradient with respect to x, shape (N, D)
    - dgamma: gradient with respect to gamma, shape (D,)
    - dbeta: gradient with respect to beta, shape (D,)
    """
    if cache is None:
        raise ValueError("batchnorm_backward needs the cache of a forward pass in 'train' mode")
    dx, dgamma, dbeta = None, None, None
    ### BEGIN SOLUTION
    xc, var, std, inv_std, xhat, gamma, eps = cache
    N = dout.shape[0]
    # out = gamma * xhat + beta
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    # xhat = xc * inv_std
    dxc = dxhat * inv_std
    dinv_std = (dxhat * xc).sum(axis=0)
    # inv_std = 1 / std;  std = sqrt(var + eps)
    dstd = -dinv_std / std ** 2
    dvar = dstd * 0.5 / std
    # var = mean(xc^2)
    dxc += dvar * 2.0 * xc / N
    # xc = x - mu;  mu = mean(x)
    dmu = -dxc.sum(axis=0)
    dx = dxc + dmu / N
    ### END SOLUTION
    return dx, dgamma, dbeta


def batchnorm_backward_alt(dout, cache):
    """Backward pass of batch normalization from the simplified closed form.

    With g = dout * gamma and xhat the normalized input, the chain rule through
    the mean and variance collapses to

        dx = (1 / (N * std)) * (N * g - sum_i g - xhat * sum_i (g * xhat))

    Inputs and outputs as in batchnorm_backward.
    """
    if cache is None:
        raise ValueError("batchnorm_backward_alt needs the cache of a forward pass in 'train' mode")
    dx, dgamma, dbeta = None, None, None
    ### BEGIN SOLUTION
    xc, var, std, inv_std, xhat, gamma, eps = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    g = dout * gamma
    dx = (inv_std / N) * (N * g - dbeta * gamma - xhat * (dgamma * gamma))
    ### END SOLUTION
    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, ln_param):
    """Forward pass of layer normalization.

    Each example (row) is normalized over its own D features, the same way in
    training and at test time, then scaled by gamma and shifted by beta. There
    are no running averages and no dependence on the other examples.

    Inputs:
    - x: data, shape (N, D)
    - gamma: scale, shape (D,)
    - beta: shift, shape (D,)
    - ln_param: dict with optional key eps (default 1e-5)

    Returns a tuple of:
    - out: shape (N, D)
    - cache: what layernorm_backward needs
    """
    _check_norm_inputs(x, gamma, beta, "layernorm_forward")
    eps = ln_param.get("eps", 1e-5)
    out, cache = None, None
    ### BEGIN SOLUTION
    mu = x.mean(axis=1, keepdims=True)
    xc = x - mu
    var = (xc ** 2).mean(axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = xc * inv_std
    out = gamma * xhat + beta
    cache = (xhat, inv_std, gamma)
    ### END SOLUTION
    return out, cache


def layernorm_backward(dout, cache):
    """Backward pass of layer normalization.

    Inputs:
    - dout: upstream gradient, shape (N, D)
    - cache: from layernorm_forward

    Returns a tuple of:
    - dx: gradient with respect to x, shape (N, D)
    - dgamma: gradient with respect to gamma, shape (D,)
    - dbeta: gradient with respect to beta, shape (D,)
    """
    dx, dgamma, dbeta = None, None, None
    ### BEGIN SOLUTION
    xhat, inv_std, gamma = cache
    D = dout.shape[1]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    # Same closed form as batch normalization, with the roles of axes swapped.
    g = dout * gamma
    dx = (inv_std / D) * (D * g - g.sum(axis=1, keepdims=True)
                          - xhat * (g * xhat).sum(axis=1, keepdims=True))
    ### END SOLUTION
    return dx, dgamma, dbeta


def dropout_forward(x, dropout_param):
    """Forward pass of (inverted) dropout.

    In training mode each unit is kept with probability p and the kept ones
    are divided by p, so the expected output equals the input and nothing
    needs rescaling at test time, where the layer is the identity.

    Inputs:
    - x: data, any shape
    - dropout_param: dict with keys
      - p: probability of KEEPING each unit, 0 < p <= 1 (required)
      - mode: 'train' or 'test' (required)
      - seed: optional int; if given the mask is drawn from a generator seeded
        with it (same mask every call, for gradient checks), otherwise from
        numpy's global random state

    Returns a tuple of:
    - out: array of x's shape
    - cache: (dropout_param, mask); mask is None in test mode
    """
    p, mode = dropout_param.get("p"), dropout_param.get("mode")
    if p is None or not (0 < p <= 1):
        raise ValueError(f"dropout_param['p'] is the keep probability and must be in (0, 1], got {p!r}")
    if mode not in ("train", "test"):
        raise ValueError(f"dropout_param['mode'] must be 'train' or 'test', got {mode!r}")
    seed = dropout_param.get("seed")
    rng = np.random if seed is None else np.random.RandomState(seed)

    mask, out = None, None
    if mode == "train":
        ### BEGIN SOLUTION
        mask = (rng.random_sample(x.shape) < p) / p
        out = x * mask
        ### END SOLUTION
    else:
        ### BEGIN SOLUTION
        out = x
        ### END SOLUTION

    cache = (dropout_param, mask)
    out = out.astype(x.dtype, copy=False)
    return out, cache


def dropout_backward(dout, cache):
    """Backward pass of (inverted) dropout.

    Inputs:
    - dout: upstream gradient, any shape
    - cache: (dropout_param, mask) from dropout_forward

    Returns:
    - dx: gradient with respect to x, of dout's shape
    """
    dropout_param, mask = cache
    mode = dropout_param["mode"]
    dx = None
    if mode == "train":
        ### BEGIN SOLUTION
        dx = dout * mask
        ### END SOLUTION
    else:
        dx = dout
    return dx


# ---------------------------------------------------------------------------
# Convolution, pooling and spatial normalization (naive loops)
# ---------------------------------------------------------------------------
