"""Sandwich layers: common sequences of layers as one forward/backward pair."""
from cs231n import _checks
from cs231n.layers import *  # noqa: F401,F403

__all__ = [
    "affine_relu_forward", "affine_relu_backward", "affine_norm_relu_forward", "affine_norm_relu_backward",
    "affine_bn_relu_forward", "affine_bn_relu_backward", "affine_ln_relu_forward", "affine_ln_relu_backward",
    "conv_relu_forward", "conv_relu_backward", "conv_relu_pool_forward", "conv_relu_pool_backward",
    "conv_bn_relu_forward", "conv_bn_relu_backward",
]


# ---------------------------------------------------------------------------
# Fully connected sandwiches
# ---------------------------------------------------------------------------


def affine_relu_forward(x, w, b):
    """An affine layer followed by a ReLU.

    Inputs:
    - x: input, shape (N, d_1, ..., d_k)
    - w: weights, shape (D, M) with D = d_1 * ... * d_k
    - b: biases, shape (M,)

    Returns a tuple of:
    - out: output of the ReLU, shape (N, M)
    - cache: (affine cache, relu cache) for affine_relu_backward
    """
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    cache = (fc_cache, relu_cache)
    return out, cache


def affine_relu_backward(dout, cache):
    """Backward pass of affine_relu_forward.

    Inputs:
    - dout: upstream gradient, shape (N, M)
    - cache: from affine_relu_forward

    Returns a tuple (dx, dw, db) shaped like x, w and b.
    """
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db


def affine_norm_relu_forward(x, w, b, gamma, beta, norm_param, normalization):
    """Affine, then batch or layer normalization (or none), then ReLU.

    Inputs:
    - x, w, b: as for affine_forward; x (N, d_1, ..., d_k), w (D, M), b (M,)
    - gamma, beta: scale and shift of the normalization, shape (M,) (ignored when normalization is None)
    - norm_param: the bn_param dict (batchnorm) or ln_param dict (layernorm)
    - normalization: None, "batchnorm" or "layernorm"

    Returns a tuple of:
    - out: shape (N, M)
    - cache: for affine_norm_relu_backward
    """
    _checks.choice("normalization", normalization, (None, "batchnorm", "layernorm"))
    a, fc_cache = affine_forward(x, w, b)
    norm_cache = None
    if normalization == "batchnorm":
        a, norm_cache = batchnorm_forward(a, gamma, beta, norm_param)
    elif normalization == "layernorm":
        a, norm_cache = layernorm_forward(a, gamma, beta, norm_param)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, norm_cache, relu_cache, normalization)


def affine_norm_relu_backward(dout, cache):
    """Backward pass of affine_norm_relu_forward.

    Inputs:
    - dout: upstream gradient, shape (N, M)
    - cache: from affine_norm_relu_forward

    Returns a tuple (dx, dw, db, dgamma, dbeta); dgamma and dbeta (M,) are None
    when there is no normalization.
    """
    fc_cache, norm_cache, relu_cache, normalization = cache
    da = relu_backward(dout, relu_cache)
    dgamma = dbeta = None
    if normalization == "batchnorm":
        da, dgamma, dbeta = batchnorm_backward_alt(da, norm_cache)
    elif normalization == "layernorm":
        da, dgamma, dbeta = layernorm_backward(da, norm_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db, dgamma, dbeta


def affine_bn_relu_forward(x, w, b, gamma, beta, bn_param):
    """Affine - batch normalization - ReLU (see affine_norm_relu_forward)."""
    return affine_norm_relu_forward(x, w, b, gamma, beta, bn_param, "batchnorm")


def affine_bn_relu_backward(dout, cache):
    """Backward pass of affine_bn_relu_forward: returns (dx, dw, db, dgamma, dbeta)."""
    return affine_norm_relu_backward(dout, cache)


def affine_ln_relu_forward(x, w, b, gamma, beta, ln_param):
    """Affine - layer normalization - ReLU (see affine_norm_relu_forward)."""
    return affine_norm_relu_forward(x, w, b, gamma, beta, ln_param, "layernorm")


def affine_ln_relu_backward(dout, cache):
    """Backward pass of affine_ln_relu_forward: returns (dx, dw, db, dgamma, dbeta)."""
    return affine_norm_relu_backward(dout, cache)


# ---------------------------------------------------------------------------
# Convolutional sandwiches
# ---------------------------------------------------------------------------

# The fast layers (im2col on the compiled extension) do the work; they have
# the same signatures and results as the naive layers in cs231n.layers.
from cs231n.fast_layers import (conv_backward_fast, conv_forward_fast,  # noqa: E402
                                max_pool_backward_fast, max_pool_forward_fast)


def conv_relu_forward(x, w, b, conv_param):
    """A convolution followed by a ReLU.

    Inputs:
    - x: input, shape (N, C, H, W)
    - w: filters, shape (F, C, HH, WW)
    - b: biases, shape (F,)
    - conv_param: {'stride', 'pad'} as for conv_forward_naive

    Returns a tuple of:
    - out: output of the ReLU, shape (N, F, H', W')
    - cache: (conv cache, relu cache) for conv_relu_backward
    """
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    out, relu_cache = relu_forward(a)
    return out, (conv_cache, relu_cache)


def conv_relu_backward(dout, cache):
    """Backward pass of conv_relu_forward.

    Inputs:
    - dout: upstream gradient, shape (N, F, H', W')
    - cache: from conv_relu_forward

    Returns a tuple (dx, dw, db) shaped like x (N, C, H, W), w (F, C, HH, WW) and b (F,).
    """
    conv_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    return conv_backward_fast(da, conv_cache)


def conv_relu_pool_forward(x, w, b, conv_param, pool_param):
    """Convolution, ReLU, then max pooling.

    Inputs:
    - x: input, shape (N, C, H, W)
    - w: filters, shape (F, C, HH, WW)
    - b: biases, shape (F,)
    - conv_param: {'stride', 'pad'} for the convolution
    - pool_param: {'pool_height', 'pool_width', 'stride'} for the pooling

    Returns a tuple of:
    - out: pooled output, shape (N, F, H'', W'')
    - cache: for conv_relu_pool_backward
    """
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    s, relu_cache = relu_forward(a)
    out, pool_cache = max_pool_forward_fast(s, pool_param)
    return out, (conv_cache, relu_cache, pool_cache)


def conv_relu_pool_backward(dout, cache):
    """Backward pass of conv_relu_pool_forward.

    Inputs:
    - dout: upstream gradient, shape (N, F, H'', W'')
    - cache: from conv_relu_pool_forward

    Returns a tuple (dx, dw, db) shaped like x (N, C, H, W), w (F, C, HH, WW) and b (F,).
    """
    conv_cache, relu_cache, pool_cache = cache
    ds = max_pool_backward_fast(dout, pool_cache)
    da = relu_backward(ds, relu_cache)
    return conv_backward_fast(da, conv_cache)


def conv_bn_relu_forward(x, w, b, gamma, beta, conv_param, bn_param):
    """Convolution, spatial batch normalization, then ReLU.

    Inputs:
    - x: input, shape (N, C, H, W)
    - w: filters, shape (F, C, HH, WW)
    - b: biases, shape (F,)
    - gamma, beta: scale and shift of the batch normalization, shape (F,)
    - conv_param: {'stride', 'pad'} for the convolution
    - bn_param: dict for spatial_batchnorm_forward ('mode' required; running averages written back)

    Returns a tuple of:
    - out: shape (N, F, H', W')
    - cache: for conv_bn_relu_backward
    """
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    an, bn_cache = spatial_batchnorm_forward(a, gamma, beta, bn_param)
    out, relu_cache = relu_forward(an)
    return out, (conv_cache, bn_cache, relu_cache)


def conv_bn_relu_backward(dout, cache):
    """Backward pass of conv_bn_relu_forward.

    Inputs:
    - dout: upstream gradient, shape (N, F, H', W')
    - cache: from conv_bn_relu_forward (in 'train' mode)

    Returns a tuple (dx, dw, db, dgamma, dbeta): x (N, C, H, W), w (F, C, HH, WW),
    b (F,), gamma and beta (F,).
    """
    conv_cache, bn_cache, relu_cache = cache
    dan = relu_backward(dout, relu_cache)
    da, dgamma, dbeta = spatial_batchnorm_backward(dan, bn_cache)
    dx, dw, db = conv_backward_fast(da, conv_cache)
    return dx, dw, db, dgamma, dbeta
