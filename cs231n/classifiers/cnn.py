"""A three-layer convolutional network."""
import numpy as np

from cs231n import _checks, fast_layers as _fast_layers, layer_utils as _layer_utils, layers as _layers
from cs231n.compat import SavesParams
from cs231n.layer_utils import (affine_relu_backward, affine_relu_forward, conv_relu_pool_backward,
                                conv_relu_pool_forward)
from cs231n.layers import affine_backward, affine_forward, softmax_loss
# CS231n's notebooks run `from cs231n.classifiers.cnn import *` and then call the
# layers, naive and fast: this module passes them on.
from cs231n.layers import *  # noqa: E402,F401,F403
from cs231n.layer_utils import *  # noqa: E402,F401,F403
from cs231n.fast_layers import *  # noqa: E402,F401,F403

__all__ = ["ThreeLayerConvNet"] + _layers.__all__ + _layer_utils.__all__ + _fast_layers.__all__


class ThreeLayerConvNet(SavesParams):
    """A three-layer convolutional network with the following architecture:

        conv - relu - 2x2 max pool - affine - relu - affine - softmax

    The network operates on minibatches of data of shape (N, C, H, W): N
    images, each with height H, width W and C input channels. The convolution
    has stride 1 and pads (filter_size - 1) // 2 zeros on each side, so an odd
    filter keeps the spatial size; the 2x2 max pool with stride 2 halves it.

    Parameters (in self.params):
    - W1: filters, shape (num_filters, C, filter_size, filter_size); b1: (num_filters,)
    - W2: hidden affine weights, shape (num_filters * H' * W', hidden_dim); b2: (hidden_dim,)
      where (H', W') is the pooled size, (H // 2, W // 2) for an odd filter_size
    - W3: output affine weights, shape (hidden_dim, num_classes); b3: (num_classes,)
    """

    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100,
                 num_classes=10, weight_scale=1e-3, reg=0.0, dtype=np.float32):
        """Initialize a new network.

        Inputs:
        - input_dim: tuple (C, H, W) giving the size of input data
        - num_filters: number of filters to use in the convolutional layer
        - filter_size: width/height of filters to use in the convolutional layer
        - hidden_dim: number of units to use in the fully-connected hidden layer
        - num_classes: number of scores to produce from the final affine layer
        - weight_scale: standard deviation of the normal distribution the
          weights are drawn from (biases start at zero)
        - reg: L2 regularization strength
        - dtype: numpy datatype to use for computation (np.float32 for speed,
          np.float64 for gradient checks)
        """
        _checks.sizes(num_filters=num_filters, filter_size=filter_size, hidden_dim=hidden_dim,
                      num_classes=num_classes)
        self.params = {}
        self.reg = reg
        self.dtype = dtype
        C, H, W = self.input_dim = _checks.image_shape(input_dim)
        self.filter_size = filter_size
        self.conv_param = {"stride": 1, "pad": (filter_size - 1) // 2}
        self.pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
        H_pool, W_pool = _checks.conv_pool_shape(self.input_dim, filter_size, self.conv_param, self.pool_param)

        # Initialize W1, b1 (conv), W2, b2 (hidden affine) and W3, b3 (output affine) in self.params.
        ### BEGIN SOLUTION
        self.params["W1"] = weight_scale * np.random.randn(num_filters, C, filter_size, filter_size)
        self.params["b1"] = np.zeros(num_filters)
        self.params["W2"] = weight_scale * np.random.randn(num_filters * H_pool * W_pool, hidden_dim)
        self.params["b2"] = np.zeros(hidden_dim)
        self.params["W3"] = weight_scale * np.random.randn(hidden_dim, num_classes)
        self.params["b3"] = np.zeros(num_classes)
        ### END SOLUTION

        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)

    def loss(self, X, y=None):
        """Evaluate loss and gradient for the three-layer convolutional network.

        Inputs:
        - X: array of input data, shape (N, C, H, W)
        - y: array of labels, shape (N,); y[i] gives the label for X[i]

        Returns:
        If y is None, run a test-time forward pass and return:
        - scores: array of shape (N, num_classes) giving classification scores

        If y is not None, run a training-time forward and backward pass and return a tuple of:
        - loss: scalar value giving the loss (data loss + 0.5 * reg * sum of squared weights)
        - grads: dictionary with the same keys as self.params, mapping parameter
          names to gradients of the loss with respect to those parameters
        """
        X = _checks.data(X, self.input_dim).astype(self.dtype, copy=False)
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        W3, b3 = self.params["W3"], self.params["b3"]
        conv_param, pool_param = self.conv_param, self.pool_param

        scores = None
        # Forward pass: conv - relu - 2x2 max pool - affine - relu - affine, scores of shape (N, C).
        ### BEGIN SOLUTION
        h1, cache1 = conv_relu_pool_forward(X, W1, b1, conv_param, pool_param)
        h2, cache2 = affine_relu_forward(h1, W2, b2)
        scores, cache3 = affine_forward(h2, W3, b3)
        ### END SOLUTION

        if y is None:
            return scores

        loss, grads = 0, {}
        # Softmax loss plus 0.5 * reg * (sum of squared weights), and the gradient of every parameter.
        ### BEGIN SOLUTION
        data_loss, dscores = softmax_loss(scores, y)
        loss = data_loss + 0.5 * self.reg * sum(np.sum(W * W) for W in (W1, W2, W3))
        dh2, grads["W3"], grads["b3"] = affine_backward(dscores, cache3)
        dh1, grads["W2"], grads["b2"] = affine_relu_backward(dh2, cache2)
        _, grads["W1"], grads["b1"] = conv_relu_pool_backward(dh1, cache1)
        for name, W in (("W1", W1), ("W2", W2), ("W3", W3)):
            grads[name] = grads[name] + self.reg * W
        ### END SOLUTION

        return loss, grads
