"""Fully connected networks built from the modular layers in cs231n.layers.

Both models follow the same contract, which Solver relies on:

- model.params: dict of parameter arrays
- model.loss(X, y=None): scores of shape (N, C) when y is None (test mode),
  otherwise (loss, grads) with grads keyed like params (training mode).
"""
import numpy as np

from cs231n import _checks, layer_utils as _layer_utils, layers as _layers
from cs231n.compat import SavesParams, renamed_keyword
from cs231n.layers import (
    affine_backward, affine_forward, dropout_backward, dropout_forward, softmax_loss,
)
from cs231n.layer_utils import (
    affine_norm_relu_backward, affine_norm_relu_forward, affine_relu_backward, affine_relu_forward,
)
# CS231n's notebooks run `from cs231n.classifiers.fc_net import *` and then call
# the layers (relu_forward, batchnorm_backward_alt, ...): this module passes them on.
from cs231n.layers import *  # noqa: E402,F401,F403
from cs231n.layer_utils import *  # noqa: E402,F401,F403

__all__ = ["TwoLayerNet", "FullyConnectedNet", "init_weights"] + _layers.__all__ + _layer_utils.__all__


def init_weights(fan_in, fan_out, weight_scale, dtype=np.float64):
    """Random (fan_in, fan_out) weight matrix, as the course notes teach.

    weight_scale:
    - a number s: entries drawn from N(0, s^2)
    - 'xavier': N(0, 1 / fan_in), which keeps the variance of a linear (or tanh)
      layer's output equal to that of its input (Glorot and Bengio, 2010, in the
      simplified form the notes use)
    - 'he': N(0, 2 / fan_in), the same idea for ReLUs, which zero out half of
      their input (He et al., 2015)
    """
    if isinstance(weight_scale, str):
        std = np.sqrt({"xavier": 1.0, "he": 2.0}[_checks.choice("weight_scale", weight_scale, ("xavier", "he"))]
                      / fan_in)
    else:
        std = _checks.number("weight_scale", weight_scale)
    return (std * np.random.randn(fan_in, fan_out)).astype(dtype)


class TwoLayerNet(SavesParams):
    """A two-layer fully connected network with a ReLU and a softmax loss.

    Architecture: affine - relu - affine - softmax. Inputs have dimension D,
    the hidden layer H units, and there are C classes.

    Parameters in self.params:
    - W1: (D, H), b1: (H,), W2: (H, C), b2: (C,)
    """

    def __init__(self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10, weight_scale=1e-3, reg=0.0):
        """
        Inputs:
        - input_dim: size D of an input
        - hidden_dim: size H of the hidden layer
        - num_classes: number C of classes
        - weight_scale: standard deviation of the random initial weights (or
          'xavier' / 'he', see init_weights); biases start at zero
        - reg: L2 regularization strength
        """
        self.params = {}
        self.reg = reg
        # Initialize W1, b1, W2, b2 in self.params: weights ~ N(0, weight_scale^2), biases zero.
        ### BEGIN SOLUTION
        self.params["W1"] = init_weights(input_dim, hidden_dim, weight_scale)
        self.params["b1"] = np.zeros(hidden_dim)
        self.params["W2"] = init_weights(hidden_dim, num_classes, weight_scale)
        self.params["b2"] = np.zeros(num_classes)
        ### END SOLUTION

    def loss(self, X, y=None):
        """Loss and gradient for a minibatch.

        Inputs:
        - X: data, shape (N, d_1, ..., d_k) with d_1 * ... * d_k = D
        - y: labels, shape (N,), or None

        Returns:
        - if y is None: scores, shape (N, C)
        - else a tuple (loss, grads): the softmax loss plus 0.5 * reg * sum of
          squared weights, and a dict of gradients keyed like self.params
        """
        scores = None
        # Forward pass: affine - relu - affine, scores of shape (N, C).
        ### BEGIN SOLUTION
        W1, b1, W2, b2 = (self.params[k] for k in ("W1", "b1", "W2", "b2"))
        h, cache1 = affine_relu_forward(X, W1, b1)
        scores, cache2 = affine_forward(h, W2, b2)
        ### END SOLUTION
        if y is None:
            return scores

        loss, grads = 0, {}
        # Softmax loss plus 0.5 * reg * (sum of squared weights), and the gradient of every parameter.
        ### BEGIN SOLUTION
        data_loss, dscores = softmax_loss(scores, y)
        loss = data_loss + 0.5 * self.reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        dh, grads["W2"], grads["b2"] = affine_backward(dscores, cache2)
        _, grads["W1"], grads["b1"] = affine_relu_backward(dh, cache1)
        grads["W1"] += self.reg * W1
        grads["W2"] += self.reg * W2
        ### END SOLUTION
        return loss, grads


class FullyConnectedNet(SavesParams):
    """A fully connected network with any number of hidden layers.

    Architecture, for L - 1 hidden layers:

        {affine - [batch/layer norm] - relu - [dropout]} x (L - 1) - affine - softmax

    Parameters in self.params: W1..WL and b1..bL for the affine layers, and
    gamma1..gamma(L-1), beta1..beta(L-1) for the normalization layers (only
    with normalization). Hidden layer i has hidden_dims[i - 1] units.
    """

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None, *, dropout=None):
        """
        Inputs:
        - hidden_dims: list of the sizes of the hidden layers
        - input_dim: size D of an input
        - num_classes: number C of classes
        - dropout_keep_ratio: probability of keeping a unit in dropout; 1 means no dropout
        - normalization: None, "batchnorm" or "layernorm"
        - reg: L2 regularization strength
        - weight_scale: standard deviation of the initial weights, or 'xavier'
          or 'he' (see init_weights); biases start at 0, gammas at 1, betas at 0
        - dtype: numpy dtype of every parameter and computation; float32 is
          faster, float64 is needed for numerical gradient checks
        - seed: if not None, dropout layers use this seed (deterministic, for gradient checks)
        - dropout: the old name of dropout_keep_ratio (CS231n 2019-2020); warns
        """
        dropout_keep_ratio = renamed_keyword("dropout", dropout, "dropout_keep_ratio", dropout_keep_ratio, 1)
        _checks.choice("normalization", normalization, (None, "batchnorm", "layernorm"))
        _checks.probability("dropout_keep_ratio", dropout_keep_ratio)
        hidden_dims = _checks.sizes(**{f"hidden_dims[{i}]": h for i, h in enumerate(hidden_dims)})
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        self.params = {}

        # Initialize W1..WL, b1..bL (and gamma, beta of each normalized hidden layer) in self.params.
        ### BEGIN SOLUTION
        dims = [input_dim] + hidden_dims + [num_classes]
        for i in range(self.num_layers):
            self.params[f"W{i + 1}"] = init_weights(dims[i], dims[i + 1], weight_scale)
            self.params[f"b{i + 1}"] = np.zeros(dims[i + 1])
            if normalization is not None and i < self.num_layers - 1:
                self.params[f"gamma{i + 1}"] = np.ones(dims[i + 1])
                self.params[f"beta{i + 1}"] = np.zeros(dims[i + 1])
        ### END SOLUTION

        # Dropout layers share one dict; the mode is set on every forward pass.
        self.dropout_param = {}
        if self.use_dropout:
            self.dropout_param = {"mode": "train", "p": dropout_keep_ratio}
            if seed is not None:
                self.dropout_param["seed"] = seed

        # Each batch normalization layer keeps its own running statistics in its bn_param.
        self.bn_params = []
        if self.normalization == "batchnorm":
            self.bn_params = [{"mode": "train"} for _ in range(self.num_layers - 1)]
        if self.normalization == "layernorm":
            self.bn_params = [{} for _ in range(self.num_layers - 1)]

        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)

    def loss(self, X, y=None):
        """Loss and gradient for a minibatch; same contract as TwoLayerNet.loss.

        Inputs:
        - X: data, shape (N, d_1, ..., d_k)
        - y: labels, shape (N,), or None for test mode (scores only)

        Returns scores (N, C) if y is None, else (loss, grads).
        """
        X = X.astype(self.dtype)
        mode = "test" if y is None else "train"
        if self.use_dropout:
            self.dropout_param["mode"] = mode
        if self.normalization == "batchnorm":
            for bn_param in self.bn_params:
                bn_param["mode"] = mode

        scores = None
        # Forward pass: {affine - [batch/layer norm] - relu - [dropout]} x (L - 1) - affine; keep the caches.
        ### BEGIN SOLUTION
        caches = []
        h = X
        for i in range(1, self.num_layers):
            W, b = self.params[f"W{i}"], self.params[f"b{i}"]
            if self.normalization is None:
                h, cache = affine_relu_forward(h, W, b)
            else:
                h, cache = affine_norm_relu_forward(h, W, b, self.params[f"gamma{i}"], self.params[f"beta{i}"],
                                                    self.bn_params[i - 1], self.normalization)
            drop_cache = None
            if self.use_dropout:
                h, drop_cache = dropout_forward(h, self.dropout_param)
            caches.append((cache, drop_cache))
        L = self.num_layers
        scores, last_cache = affine_forward(h, self.params[f"W{L}"], self.params[f"b{L}"])
        ### END SOLUTION

        if mode == "test":
            return scores

        loss, grads = 0.0, {}
        # Softmax loss plus 0.5 * reg * (sum of squared weights), and the gradient of every parameter.
        ### BEGIN SOLUTION
        loss, dout = softmax_loss(scores, y)
        dh, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dout, last_cache)
        for i in range(L - 1, 0, -1):
            cache, drop_cache = caches[i - 1]
            if self.use_dropout:
                dh = dropout_backward(dh, drop_cache)
            if self.normalization is None:
                dh, grads[f"W{i}"], grads[f"b{i}"] = affine_relu_backward(dh, cache)
            else:
                dh, grads[f"W{i}"], grads[f"b{i}"], grads[f"gamma{i}"], grads[f"beta{i}"] = \
                    affine_norm_relu_backward(dh, cache)
        for i in range(1, L + 1):
            W = self.params[f"W{i}"]
            loss += 0.5 * self.reg * np.sum(W * W)
            grads[f"W{i}"] += self.reg * W
        ### END SOLUTION
        return loss, grads
