"""Reading, preparing and blurring photographs (CS231n's ``cs231n.image_utils``).

Networks pretrained on ImageNet (SqueezeNet and most others) expect images
scaled to [0, 1] and normalized per channel with ImageNet's mean and standard
deviation; :func:`preprocess_image` does that and :func:`deprocess_image`
undoes it. Images are read with ``imageio``, resized with Pillow, and fetched
from the network only when :func:`image_from_url` is called.
"""
import os
import tempfile
import urllib.error
import urllib.request
import warnings

import numpy as np

__all__ = ["SQUEEZENET_MEAN", "SQUEEZENET_STD", "IMAGENET_MEAN", "IMAGENET_STD", "blur_image",
           "preprocess_image", "deprocess_image", "image_from_url", "load_image"]

# Per-channel (RGB) mean and standard deviation of ImageNet's training images, in [0, 1].
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
SQUEEZENET_MEAN, SQUEEZENET_STD = IMAGENET_MEAN, IMAGENET_STD  # CS231n's names


def blur_image(X):
    """Blur a batch of images very slightly (a regularizer when generating images).

    Each channel is convolved with a 3x3 kernel that keeps 94% of a pixel and
    spreads the rest over its neighbours; borders are zero-padded.

    Inputs:
    - X: array of shape (N, 3, H, W)

    Returns the blurred batch, shape (N, 3, H, W).
    """
    from cs231n.fast_layers import conv_forward_fast

    X = np.asarray(X)
    if X.ndim != 4 or X.shape[1] != 3:
        raise ValueError(f"blur_image expects images of shape (N, 3, H, W), got {X.shape}")
    kernel = np.array([[1, 2, 1], [2, 188, 2], [1, 2, 1]], dtype=np.float64) / 200.0
    w = np.zeros((3, 3, 3, 3))
    w[np.arange(3), np.arange(3)] = kernel  # channel c's output sees only channel c
    dtype = X.dtype if np.issubdtype(X.dtype, np.floating) else np.float64
    out, _ = conv_forward_fast(X.astype(dtype, copy=False), w.astype(dtype), np.zeros(3, dtype),
                               {"stride": 1, "pad": 1})
    return out


def preprocess_image(img):
    """An image of shape (H, W, 3) with values in [0, 255] as a pretrained ImageNet net expects it.

    Returns float32 (H, W, 3): (img / 255 - IMAGENET_MEAN) / IMAGENET_STD per channel.
    """
    return (np.asarray(img, dtype=np.float32) / 255.0 - IMAGENET_MEAN) / IMAGENET_STD


def deprocess_image(img, rescale=False):
    """Undo preprocess_image: a uint8 image (H, W, 3) to show.

    With rescale=True the image is first stretched to span [0, 1] (for images a
    net generated, whose range is arbitrary); values outside [0, 255] are clipped.
    """
    img = np.asarray(img, dtype=np.float32) * IMAGENET_STD + IMAGENET_MEAN
    if rescale:
        low, high = img.min(), img.max()
        img = (img - low) / max(high - low, 1e-12)
    return np.clip(255 * img, 0.0, 255.0).astype(np.uint8)


def read_pixels(filename):
    """The pixels of an image file as an array (H, W) or (H, W, C), through imageio.

    imageio tries its older plugins on a file it cannot place and warns that
    they are deprecated; those warnings say nothing about the file, so they
    are kept quiet and only imageio's error reaches the caller.
    """
    from imageio.v2 import imread

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return np.asarray(imread(filename))


def image_from_url(url, timeout=30):
    """Download an image and return its pixels as a numpy array (H, W, C) of uint8.

    Needs the network (only when called). Raises OSError naming the URL and the
    reason when it cannot be fetched (no network, HTTP error) or read as an image.
    """
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = response.read()
    except urllib.error.HTTPError as e:
        raise OSError(f"cannot download {url}: HTTP error {e.code} ({e.reason})") from None
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise OSError(f"cannot download {url} ({reason}); image_from_url needs the network: "
                      "offline, save the image to a file and use load_image instead") from None
    fd, tmp = tempfile.mkstemp()
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        try:
            return read_pixels(tmp)
        except Exception as e:  # imageio raises several kinds for what is not an image
            raise OSError(f"{url} did not return an image ({type(e).__name__}: {e})") from None
    finally:
        os.remove(tmp)


def load_image(filename, size=None):
    """Read an image file as a numpy array (H, W, C), optionally resized.

    Inputs:
    - filename: path of the image
    - size: if given, the image is resized (nearest neighbour, as CS231n does) so
      that its shorter side is `size` pixels

    Raises FileNotFoundError when the file is missing and OSError when it is not
    an image.
    """
    if not os.path.isfile(filename):
        raise FileNotFoundError(f"no image at {filename}")
    try:
        img = read_pixels(filename)
    except Exception as e:
        raise OSError(f"{filename} is not an image imageio can read ({type(e).__name__}: {e})") from None
    if size is not None:
        from PIL import Image

        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"size must be a positive int, got {size!r}")
        height, width = img.shape[:2]
        scale = size / min(height, width)
        new_size = (max(1, int(width * scale)), max(1, int(height * scale)))  # Pillow wants (width, height)
        img = np.asarray(Image.fromarray(img).resize(new_size, resample=Image.NEAREST))
    return img
