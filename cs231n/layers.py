"""Layers as pure functions, in the course's style.

Every layer is a pair: ``*_forward(x, ...) -> (out, cache)`` and
``*_backward(dout, cache) -> grads``, where ``cache`` holds what the backward
pass needs. Nothing here keeps state between calls except the running
statistics that batch normalization writes back into its ``bn_param`` dict.
"""
import numpy as np

from cs231n import _checks

__all__ = [
    "affine_forward", "affine_backward", "relu_forward", "relu_backward",
    "leaky_relu_forward", "leaky_relu_backward", "sigmoid_forward", "sigmoid_backward",
    "tanh_forward", "tanh_backward", "svm_loss", "softmax_loss",
    "batchnorm_forward", "batchnorm_backward", "batchnorm_backward_alt", "layernorm_forward", "layernorm_backward",
    "dropout_forward", "dropout_backward",
    "conv_forward_naive", "conv_backward_naive", "max_pool_forward_naive", "max_pool_backward_naive",
    "spatial_batchnorm_forward", "spatial_batchnorm_backward",
    "spatial_groupnorm_forward", "spatial_groupnorm_backward",
]


# ---------------------------------------------------------------------------
# Fully connected layers, activations, losses, normalization, dropout
# ---------------------------------------------------------------------------


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
    N, D = _checks.affine(x, w, b)
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


def svm_loss(x, y):
    """Multiclass SVM (hinge) loss with margin 1, averaged over the minibatch.

    Inputs:
    - x: scores, shape (N, C); x[i, j] is the score of class j for example i
    - y: labels, shape (N,), integers with 0 <= y[i] < C

    Returns a tuple of:
    - loss: scalar
    - dx: gradient of the loss with respect to x, shape (N, C)
    """
    y = _checks.scores_labels(x, y)
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
    y = _checks.scores_labels(x, y)
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
    mode = _checks.norm(x, gamma, beta, "batchnorm_forward", bn_param)
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)

    N, D = x.shape
    running_mean = bn_param.get("running_mean", np.zeros(D, dtype=x.dtype))
    running_var = bn_param.get("running_var", np.zeros(D, dtype=x.dtype))

    out, cache = None, None
    if mode == "train":
        # Training: normalize with the minibatch's mean and variance, update the running averages.
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
        # Test: normalize with the running averages.
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
    _checks.norm(x, gamma, beta, "layernorm_forward")
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
    p, mode = _checks.dropout(dropout_param)
    seed = dropout_param.get("seed")
    rng = np.random if seed is None else np.random.RandomState(seed)

    mask, out = None, None
    if mode == "train":
        # Training: keep each unit with probability p and scale it by 1 / p (inverted dropout).
        ### BEGIN SOLUTION
        mask = (rng.random_sample(x.shape) < p) / p
        out = x * mask
        ### END SOLUTION
    else:
        # Test: dropout does nothing.
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


def conv_forward_naive(x, w, b, conv_param):
    """A naive implementation of the forward pass of a convolutional layer.

    The input has N images of C channels, each of height H and width W. It is
    convolved (strictly, cross-correlated) with F filters that each span all C
    channels and have height HH and width WW:

        out[n, f, i, j] = b[f] + sum_{c, di, dj} w[f, c, di, dj] * xpad[n, c, i*stride + di, j*stride + dj]

    where xpad is x with `pad` zeros added on every side of H and W.

    Inputs:
    - x: input data, shape (N, C, H, W)
    - w: filter weights, shape (F, C, HH, WW)
    - b: biases, shape (F,)
    - conv_param: dict with keys
      - 'stride': pixels between neighbouring receptive fields, both directions
      - 'pad': zeros added on each side of the input, both directions
        (pad along H and W only, never along N or C; x itself is not modified)

    Returns a tuple of:
    - out: output data, shape (N, F, H', W') where
        H' = 1 + (H + 2 * pad - HH) / stride
        W' = 1 + (W + 2 * pad - WW) / stride
      (a ValueError if either is not an integer)
    - cache: (x, w, b, conv_param)
    """
    stride, pad, H_out, W_out = _checks.conv(x, w, b, conv_param)
    out = None
    ### BEGIN SOLUTION
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    out = np.empty((N, F, H_out, W_out), dtype=np.result_type(x, w))
    # One output pixel at a time: the window under it, for every image, is an
    # (N, C, HH, WW) block; contracting it with all filters gives (N, F).
    for i in range(H_out):
        hs = i * stride
        for j in range(W_out):
            ws = j * stride
            window = xpad[:, :, hs:hs + HH, ws:ws + WW]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3])) + b
    ### END SOLUTION
    cache = (x, w, b, conv_param)
    return out, cache


def conv_backward_naive(dout, cache):
    """A naive implementation of the backward pass of a convolutional layer.

    Inputs:
    - dout: upstream derivatives, shape (N, F, H', W')
    - cache: (x, w, b, conv_param) as in conv_forward_naive; x (N, C, H, W), w (F, C, HH, WW)

    Returns a tuple of:
    - dx: gradient with respect to x, shape (N, C, H, W)
    - dw: gradient with respect to w, shape (F, C, HH, WW)
    - db: gradient with respect to b, shape (F,)
    """
    x, w, b, conv_param = cache
    stride, pad, H_out, W_out = _checks.conv(x, w, b, conv_param, dout, "conv_backward_naive")
    dx, dw, db = None, None, None
    ### BEGIN SOLUTION
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    xpad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
    dxpad = np.zeros_like(xpad, dtype=np.result_type(x, w, dout))
    dw = np.zeros_like(w, dtype=np.result_type(x, w, dout))
    # Each output pixel was a dot product of a window with a filter, so it
    # sends dout back to the filter (times the window) and to the window
    # (times the filter); overlapping windows add up.
    for i in range(H_out):
        hs = i * stride
        for j in range(W_out):
            ws = j * stride
            g = dout[:, :, i, j]                                   # (N, F)
            window = xpad[:, :, hs:hs + HH, ws:ws + WW]            # (N, C, HH, WW)
            dw += np.tensordot(g, window, axes=([0], [0]))         # (F, C, HH, WW)
            dxpad[:, :, hs:hs + HH, ws:ws + WW] += np.tensordot(g, w, axes=([1], [0]))
    dx = dxpad[:, :, pad:pad + H, pad:pad + W]
    db = dout.sum(axis=(0, 2, 3))
    ### END SOLUTION
    return dx, dw, db


def max_pool_forward_naive(x, pool_param):
    """A naive implementation of the forward pass for a max-pooling layer.

    Each channel of each image is covered by pool_height x pool_width windows
    placed `stride` pixels apart (no padding); the output keeps each window's maximum.

    Inputs:
    - x: input data, shape (N, C, H, W)
    - pool_param: dict with keys
      - 'pool_height': height of each pooling region
      - 'pool_width': width of each pooling region
      - 'stride': distance between adjacent pooling regions

    Returns a tuple of:
    - out: output data, shape (N, C, H', W') where
        H' = 1 + (H - pool_height) / stride
        W' = 1 + (W - pool_width) / stride
      (a ValueError if either is not an integer)
    - cache: (x, pool_param)
    """
    ph, pw, stride, H_out, W_out = _checks.pool(x, pool_param)
    out = None
    ### BEGIN SOLUTION
    N, C, H, W = x.shape
    out = np.empty((N, C, H_out, W_out), dtype=x.dtype)
    for i in range(H_out):
        hs = i * stride
        for j in range(W_out):
            ws = j * stride
            out[:, :, i, j] = x[:, :, hs:hs + ph, ws:ws + pw].max(axis=(2, 3))
    ### END SOLUTION
    cache = (x, pool_param)
    return out, cache


def max_pool_backward_naive(dout, cache):
    """A naive implementation of the backward pass for a max-pooling layer.

    The gradient of a maximum flows to the entry that was the maximum; when
    several entries of a window tie, all of it goes to the first of them in
    row-major order (the one np.argmax picks), so the gradient is a
    subgradient that sums to dout.

    Inputs:
    - dout: upstream derivatives, shape (N, C, H', W')
    - cache: (x, pool_param) as in the forward pass; x (N, C, H, W)

    Returns:
    - dx: gradient with respect to x, shape (N, C, H, W)
    """
    x, pool_param = cache
    ph, pw, stride, H_out, W_out = _checks.pool(x, pool_param, dout, "max_pool_backward_naive")
    dx = None
    ### BEGIN SOLUTION
    N, C, H, W = x.shape
    dx = np.zeros(x.shape, dtype=np.result_type(x, dout))
    taps = np.arange(ph * pw)
    for i in range(H_out):
        hs = i * stride
        for j in range(W_out):
            ws = j * stride
            window = x[:, :, hs:hs + ph, ws:ws + pw].reshape(N, C, ph * pw)
            first_max = window.argmax(axis=2)                        # (N, C)
            mask = taps == first_max[:, :, None]                     # (N, C, ph*pw), one True per window
            dx[:, :, hs:hs + ph, ws:ws + pw] += (mask * dout[:, :, i, j, None]).reshape(N, C, ph, pw)
    ### END SOLUTION
    return dx


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Forward pass of spatial batch normalization.

    A convolutional feature map should be normalized the same way at every
    position, so each channel is normalized with the mean and variance over
    the batch AND all spatial positions (N * H * W numbers per channel).

    Inputs:
    - x: input data, shape (N, C, H, W)
    - gamma: scale, shape (C,)
    - beta: shift, shape (C,)
    - bn_param: dict as for batchnorm_forward:
      - mode: 'train' or 'test' (required)
      - eps: constant for numeric stability (default 1e-5)
      - momentum: constant for running mean / variance (default 0.9)
      - running_mean: shape (C,), running mean of the features
      - running_var: shape (C,), running variance of the features

    Returns a tuple of:
    - out: output data, shape (N, C, H, W)
    - cache: what spatial_batchnorm_backward needs
    """
    _checks.norm(x, gamma, beta, "spatial_batchnorm_forward", spatial_shape=lambda C: (C,))
    out, cache = None, None
    ### BEGIN SOLUTION
    N, C, H, W = x.shape
    # Move channels last, so every row is one (n, h, w) position and the
    # vanilla batch normalization over rows does exactly what we want.
    x_rows = x.transpose(0, 2, 3, 1).reshape(-1, C)
    out_rows, cache = batchnorm_forward(x_rows, gamma, beta, bn_param)
    out = out_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    ### END SOLUTION
    return out, cache


def spatial_batchnorm_backward(dout, cache):
    """Backward pass of spatial batch normalization.

    Inputs:
    - dout: upstream derivatives, shape (N, C, H, W)
    - cache: from spatial_batchnorm_forward (in 'train' mode)

    Returns a tuple of:
    - dx: gradient with respect to inputs, shape (N, C, H, W)
    - dgamma: gradient with respect to scale parameter, shape (C,)
    - dbeta: gradient with respect to shift parameter, shape (C,)
    """
    _checks.array("dout", dout, 4)
    dx, dgamma, dbeta = None, None, None
    ### BEGIN SOLUTION
    N, C, H, W = dout.shape
    dout_rows = dout.transpose(0, 2, 3, 1).reshape(-1, C)
    dx_rows, dgamma, dbeta = batchnorm_backward_alt(dout_rows, cache)
    dx = dx_rows.reshape(N, H, W, C).transpose(0, 3, 1, 2)
    ### END SOLUTION
    return dx, dgamma, dbeta


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Forward pass of spatial group normalization.

    The C channels of each example are split into G groups of C // G
    consecutive channels; each group of each example is normalized with the
    mean and variance of its (C // G) * H * W numbers, like layer
    normalization inside the group. Then every channel is scaled and shifted
    by its own gamma and beta. Training and test behave the same.

    Inputs:
    - x: input data, shape (N, C, H, W)
    - gamma: scale, shape (1, C, 1, 1)
    - beta: shift, shape (1, C, 1, 1)
    - G: number of groups, a positive integer that divides C
    - gn_param: dict with optional key 'eps' (default 1e-5)

    Returns a tuple of:
    - out: output data, shape (N, C, H, W)
    - cache: what spatial_groupnorm_backward needs
    """
    _checks.norm(x, gamma, beta, "spatial_groupnorm_forward", spatial_shape=lambda C: (1, C, 1, 1))
    G = _checks.groups(G, x.shape[1])
    eps = gn_param.get("eps", 1e-5)
    out, cache = None, None
    ### BEGIN SOLUTION
    N, C, H, W = x.shape
    xg = x.reshape(N, G, -1)                      # (N, G, (C // G) * H * W)
    mu = xg.mean(axis=2, keepdims=True)
    xc = xg - mu
    var = (xc ** 2).mean(axis=2, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = (xc * inv_std).reshape(N, C, H, W)
    out = gamma * xhat + beta
    cache = (xhat, inv_std, gamma, G)
    ### END SOLUTION
    return out, cache


def spatial_groupnorm_backward(dout, cache):
    """Backward pass of spatial group normalization.

    Inputs:
    - dout: upstream derivatives, shape (N, C, H, W)
    - cache: from spatial_groupnorm_forward

    Returns a tuple of:
    - dx: gradient with respect to inputs, shape (N, C, H, W)
    - dgamma: gradient with respect to scale parameter, shape (1, C, 1, 1)
    - dbeta: gradient with respect to shift parameter, shape (1, C, 1, 1)
    """
    _checks.array("dout", dout, 4)
    dx, dgamma, dbeta = None, None, None
    ### BEGIN SOLUTION
    xhat, inv_std, gamma, G = cache
    N, C, H, W = dout.shape
    dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)
    dgamma = (dout * xhat).sum(axis=(0, 2, 3), keepdims=True)
    # Inside a group this is layer normalization over M = (C // G) * H * W numbers:
    # dx = inv_std / M * (M g - sum(g) - xhat * sum(g * xhat)), with g = dout * gamma.
    g = (dout * gamma).reshape(N, G, -1)
    xh = xhat.reshape(N, G, -1)
    M = g.shape[2]
    dx = (inv_std / M) * (M * g - g.sum(axis=2, keepdims=True)
                          - xh * (g * xh).sum(axis=2, keepdims=True))
    dx = dx.reshape(N, C, H, W)
    ### END SOLUTION
    return dx, dgamma, dbeta
