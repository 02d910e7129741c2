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


# ---------------------------------------------------------------------------
# Convolution, pooling and spatial normalization (naive loops)
# ---------------------------------------------------------------------------
