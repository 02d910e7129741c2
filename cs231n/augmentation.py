"""Data augmentation for image minibatches.

Every function takes a batch X of shape (N, C, H, W) (channels first, as the
ConvNet layers use; any float dtype, raw 0..255 or mean-subtracted) and returns
a NEW array of the same shape and dtype, never modifying X. Randomness comes
from the `rng` argument, so results are reproducible:

- rng=None: numpy's global random state (np.random.seed makes it repeatable)
- rng=<int>: a fresh np.random.default_rng(<int>), the same result every call
- rng=<np.random.Generator> or <np.random.RandomState>: drawn from it (and advances it)

The transforms follow the course notes: a horizontally flipped or slightly
shifted cat is still a cat, and so is a slightly brighter, greyer or more
contrasted one. Training on such variants of the training images (made anew
every minibatch) makes the network's job harder on the training set and
easier on images it has never seen.

AugmentedModel wraps any model so that cs231n.solver.Solver trains it on
augmented minibatches while measuring accuracy on the untouched images.
"""
import numpy as np

__all__ = ["as_rng", "random_flips", "random_crops", "color_jitter", "augment_batch", "AugmentedModel"]


def as_rng(rng=None):
    """The random source named by `rng` (see the module docstring)."""
    if rng is None or rng is np.random:
        return np.random  # the module's functions draw from the global state
    if isinstance(rng, (np.random.Generator, np.random.RandomState)):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be None, an int seed, a numpy Generator or RandomState, got {type(rng).__name__}")


def _integers(rng, high, size):
    """Integers uniform in [0, high) from either kind of generator."""
    if isinstance(rng, np.random.Generator):
        return rng.integers(0, high, size=size)
    return rng.randint(0, high, size=size)


def _check_batch(X, name):
    if not isinstance(X, np.ndarray):
        raise TypeError(f"{name}: X must be a numpy array, got {type(X).__name__}")
    if X.ndim != 4:
        raise ValueError(f"{name}: X must be a batch of shape (N, C, H, W), got shape {X.shape}")


def random_flips(X, p=0.5, rng=None):
    """Mirror each image left to right with probability p.

    Inputs:
    - X: images, shape (N, C, H, W)
    - p: probability of flipping each image, in [0, 1]
    - rng: random source (see the module docstring)

    Returns:
    - out: shape (N, C, H, W), dtype of X; image n is X[n] or X[n, :, :, ::-1]
    """
    _check_batch(X, "random_flips")
    if not 0 <= p <= 1:
        raise ValueError(f"random_flips: p must be a probability in [0, 1], got {p!r}")
    rng = as_rng(rng)
    out = None
    ### BEGIN SOLUTION
    flip = rng.uniform(size=X.shape[0]) < p
    out = X.copy()
    out[flip] = X[flip, :, :, ::-1]
    ### END SOLUTION
    return out


def random_crops(X, pad=4, rng=None, fill="zeros"):
    """Random translations: pad each image by `pad` pixels on every side, then
    cut out an H x W window at a random offset (the same for all channels).

    With offsets drawn uniformly from 0..2*pad in each direction, the image
    moves by up to `pad` pixels horizontally and vertically; what moves in at
    the border is filled with zeros (the mean image, for mean-subtracted data)
    or, with fill="reflect", with the mirror image of the border.

    Inputs:
    - X: images, shape (N, C, H, W)
    - pad: largest shift in pixels, a non-negative integer
    - rng: random source (see the module docstring)
    - fill: "zeros" or "reflect"

    Returns:
    - out: shape (N, C, H, W), dtype of X
    """
    _check_batch(X, "random_crops")
    if isinstance(pad, bool) or int(pad) != pad or pad < 0:
        raise ValueError(f"random_crops: pad must be a non-negative integer, got {pad!r}")
    pad = int(pad)
    if fill not in ("zeros", "reflect"):
        raise ValueError(f"random_crops: fill must be 'zeros' or 'reflect', got {fill!r}")
    if fill == "reflect" and pad >= min(X.shape[2:]):
        raise ValueError(f"random_crops: reflect padding needs pad < image size, got pad={pad} for {X.shape[2:]}")
    rng = as_rng(rng)
    out = None
    ### BEGIN SOLUTION
    N, C, H, W = X.shape
    mode = "constant" if fill == "zeros" else "reflect"
    padded = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode=mode)
    top = _integers(rng, 2 * pad + 1, N)
    left = _integers(rng, 2 * pad + 1, N)
    out = np.empty_like(X)
    for n in range(N):
        out[n] = padded[n, :, top[n]:top[n] + H, left[n]:left[n] + W]
    ### END SOLUTION
    return out


def color_jitter(X, brightness=0.2, contrast=0.2, saturation=0.2, rng=None):
    """Random changes of brightness, contrast and saturation, one draw per image.

    With RGB images (C == 3), for each image, in this order:
    - saturation: blend with its grey version g (the mean of the 3 channels at
      each pixel): x <- g + s (x - g), s ~ U(1 - saturation, 1 + saturation);
    - contrast: scale the deviations from the image's mean m (over channels and
      pixels): x <- m + c (x - m), c ~ U(1 - contrast, 1 + contrast);
    - brightness: add the same offset to every pixel and channel,
      x <- x + d * sigma, d ~ U(-brightness, brightness), where sigma is the
      image's own standard deviation, so the change is the same on raw 0..255
      and on mean-subtracted data.
    For images with another number of channels the saturation step is skipped.
    A strength of 0 switches a step off.

    Inputs:
    - X: images, shape (N, C, H, W)
    - brightness, contrast, saturation: non-negative strengths (contrast and
      saturation at most 1)
    - rng: random source (see the module docstring)

    Returns:
    - out: shape (N, C, H, W), dtype of X (values are not clipped)
    """
    _check_batch(X, "color_jitter")
    for name, value, top in (("brightness", brightness, np.inf), ("contrast", contrast, 1.0),
                             ("saturation", saturation, 1.0)):
        if not 0 <= value <= top:
            raise ValueError(f"color_jitter: {name} must be in [0, {top}], got {value!r}")
    rng = as_rng(rng)
    out = None
    ### BEGIN SOLUTION
    N = X.shape[0]
    out = X.astype(np.float64)
    s = rng.uniform(1 - saturation, 1 + saturation, size=(N, 1, 1, 1))
    c = rng.uniform(1 - contrast, 1 + contrast, size=(N, 1, 1, 1))
    d = rng.uniform(-brightness, brightness, size=(N, 1, 1, 1))
    if X.shape[1] == 3:
        grey = out.mean(axis=1, keepdims=True)
        out = grey + s * (out - grey)
    mean = out.mean(axis=(1, 2, 3), keepdims=True)
    out = mean + c * (out - mean)
    out = out + d * out.std(axis=(1, 2, 3), keepdims=True)
    out = out.astype(X.dtype)
    ### END SOLUTION
    return out


def augment_batch(X, rng=None, flip=True, crop_pad=4, jitter=None):
    """The usual training-time pipeline: random flips, then random crops, then
    (optionally) colour jitter.

    Inputs:
    - X: images, shape (N, C, H, W)
    - rng: random source (see the module docstring); one source feeds all steps
    - flip: apply random_flips with p = 0.5
    - crop_pad: pad for random_crops (0 or None: no crops)
    - jitter: None (no colour jitter) or a dict of keyword arguments for
      color_jitter, e.g. {"brightness": 0.2, "contrast": 0.2, "saturation": 0.2}

    Returns:
    - out: shape (N, C, H, W), dtype of X
    """
    _check_batch(X, "augment_batch")
    rng = as_rng(rng)
    out = X
    if flip:
        out = random_flips(out, rng=rng)
    if crop_pad:
        out = random_crops(out, pad=crop_pad, rng=rng)
    if jitter is not None:
        out = color_jitter(out, rng=rng, **jitter)
    return out.copy() if out is X else out


class AugmentedModel:
    """A model seen through data augmentation, for training with Solver.

    loss(X, y) with labels (a training step) augments X with augment_fn first;
    loss(X) without labels (scores, used for accuracy) leaves X alone. The
    parameters are the wrapped model's own (model.params), so training the
    wrapper trains the model.

    Inputs:
    - model: any object with .params and .loss(X, y=None)
    - augment_fn: function (X, rng) -> augmented X of the same shape; default augment_batch
    - rng: random source for the augmentation (see the module docstring); an
      int seed starts one generator that then advances with every minibatch
    """

    def __init__(self, model, augment_fn=None, rng=None):
        self.model = model
        self.augment_fn = augment_batch if augment_fn is None else augment_fn
        self.rng = as_rng(rng)

    @property
    def params(self):
        return self.model.params

    @params.setter
    def params(self, value):
        self.model.params = value

    def loss(self, X, y=None):
        if y is None:
            return self.model.loss(X)
        return self.model.loss(self.augment_fn(X, rng=self.rng), y)
