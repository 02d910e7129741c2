"""A small image dataset the package makes itself, for working offline.

When no CIFAR-10 is on the machine, the loaders in :mod:`cs231n.data_utils`
return this instead, with the same shapes, dtypes and API. Each image is 32x32
RGB: one object (a shape from one of ten classes) at a random position, scale,
rotation and colour, over a textured, noisy background with small clutter.

Why it is a fair stand-in for teaching:

- object and background colours are drawn from the same distribution for every
  class, so no class can be told apart by its mean colour;
- the object moves and scales, so a template per class (a linear classifier)
  or a pixel distance (kNN) struggles, while a ConvNet, which looks for local
  patterns anywhere in the image, does well;
- low-contrast draws and noise keep every model below 100%.

The whole set is a deterministic function of ``seed``.
"""
import numpy as np

SYNTHETIC_CLASSES = (
    "disk", "ring", "square", "frame", "triangle",
    "plus", "cross", "h-stripes", "v-stripes", "checker",
)

IMAGE_SIZE = 32

# Default sizes: a fifth of CIFAR-10, so every notebook runs in seconds on it.
NUM_TRAIN = 10000
NUM_TEST = 2000


def _shape_masks(label, u, v, rng):
    """Masks of one class, in the objects' own (rotated, scaled) coordinates.

    Inputs:
    - label: int, the class index.
    - u, v: arrays of shape (n, H, W), pixel coordinates relative to each
      object's centre, rotated and divided by its radius (the object spans
      roughly [-1, 1] in both).
    - rng: numpy Generator (for the stripe frequency).

    Returns a boolean array of shape (n, H, W).
    """
    name = SYNTHETIC_CLASSES[label]
    r2 = u ** 2 + v ** 2
    box = (np.abs(u) <= 0.85) & (np.abs(v) <= 0.85)
    if name == "disk":
        return r2 <= 1.0
    if name == "ring":
        return (r2 <= 1.0) & (r2 >= 0.45)
    if name == "square":
        return box
    if name == "frame":
        return box & ~((np.abs(u) <= 0.45) & (np.abs(v) <= 0.45))
    if name == "triangle":
        # An upward triangle: above the base, below the two slanted sides.
        return (v <= 0.6) & (v >= 1.7 * np.abs(u) - 1.0)
    if name in ("plus", "cross"):  # the same bars; the cross is turned by 45 degrees
        return ((np.abs(u) <= 0.28) & (np.abs(v) <= 1.0)) | ((np.abs(v) <= 0.28) & (np.abs(u) <= 1.0))
    freq = rng.uniform(2.6, 3.4, size=(u.shape[0], 1, 1)).astype(np.float32) * np.float32(np.pi)
    if name == "h-stripes":
        return box & (np.sin(freq * v) > 0)
    if name == "v-stripes":
        return box & (np.sin(freq * u) > 0)
    if name == "checker":
        return box & (np.sin(freq * u) * np.sin(freq * v) > 0)
    raise ValueError(f"unknown class {label}")


_CLASS_COLOURS = np.array([
    [220, 40, 40], [40, 200, 60], [50, 80, 230], [230, 200, 40], [200, 60, 210],
    [40, 210, 210], [240, 140, 30], [140, 70, 30], [240, 240, 240], [30, 30, 30],
], dtype=np.float32)

# Rotation range per class, in degrees: classes that differ only by
# orientation (plus/cross, h-/v-stripes) keep theirs apart.
_ROTATION = {
    "plus": (-20, 20), "cross": (25, 65), "h-stripes": (-25, 25), "v-stripes": (-25, 25),
}


def make_synthetic_images(labels, seed=0):
    """Draw one image per label.

    Inputs:
    - labels: int array of shape (N,), values in 0..9.
    - seed: int, seeds the generator; the same labels and seed give the same images.

    Returns:
    - X: uint8 array of shape (N, 32, 32, 3).
    """
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    n, size = len(labels), IMAGE_SIZE
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + np.float32(0.5)

    def uniform(low, high, shape):
        return rng.uniform(low, high, size=shape).astype(np.float32)

    # Background: a base colour, two soft gratings of random orientation, clutter, noise.
    bg = uniform(0, 255, (n, 1, 1, 3))
    img = np.empty((n, size, size, 3), dtype=np.float32)
    img[...] = bg
    coord = np.arange(size, dtype=np.float32) + np.float32(0.5)
    for _ in range(2):
        angle = uniform(0, np.pi, (n, 1))
        freq = uniform(0.15, 0.6, (n, 1))
        phase = uniform(0, 2 * np.pi, (n, 1))
        amp = uniform(0, 20, (n, 1, 1, 3))
        # sin(a x + b y + p) = sin(a x + p) cos(b y) + cos(a x + p) sin(b y): two
        # outer products instead of a sine per pixel.
        ax = freq * np.cos(angle) * coord + phase
        by = freq * np.sin(angle) * coord
        wave = (np.sin(ax)[:, None, :] * np.cos(by)[:, :, None]
                + np.cos(ax)[:, None, :] * np.sin(by)[:, :, None])
        img += amp * wave[..., None]

    for _ in range(3):  # small blobs of random colour, the same for every class
        cx, cy = uniform(0, size, (2, n, 1, 1))
        rad = uniform(1.0, 2.0, (n, 1, 1))
        blob = (xx - cx) ** 2 + (yy - cy) ** 2 <= rad ** 2
        colour = uniform(0, 255, (n, 3))
        img[blob] = np.repeat(colour, blob.sum(axis=(1, 2)), axis=0)

    # The object: centre, radius, rotation and colour drawn per image.
    radius = uniform(6.0, 11.0, n)
    cx = rng.uniform(radius * 0.7, size - radius * 0.7).astype(np.float32)
    cy = rng.uniform(radius * 0.7, size - radius * 0.7).astype(np.float32)
    base_angle = uniform(0, 360, n)
    # Each class leans towards a colour of its own (as CIFAR-10's ships lean to
    # blue), mixed with a random colour in a random proportion: a hint that
    # kNN and linear models can use, never enough to tell classes apart alone.
    mix = uniform(0.0, 0.8, (n, 1))
    fg = mix * _CLASS_COLOURS[labels] + (1 - mix) * uniform(0, 255, (n, 3))
    # Push the object colour away from a too-similar background, but not always
    # far: some low-contrast images are what keeps accuracy below 100%.
    diff = fg - bg[:, 0, 0, :]
    dist = np.linalg.norm(diff, axis=1, keepdims=True)
    target = uniform(60, 160, (n, 1))
    fg = np.where(dist < target, bg[:, 0, 0, :] + diff / np.maximum(dist, 1e-3) * target, fg)
    fg = np.clip(fg, 0, 255)

    mask = np.zeros((n, size, size), dtype=bool)
    for label in range(len(SYNTHETIC_CLASSES)):
        idx = np.flatnonzero(labels == label)
        if idx.size == 0:
            continue
        name = SYNTHETIC_CLASSES[label]
        if name in _ROTATION:
            theta = np.deg2rad(uniform(*_ROTATION[name], idx.size))
        else:
            theta = np.deg2rad(base_angle[idx])
        dx = (xx - cx[idx, None, None]) / radius[idx, None, None]
        dy = (yy - cy[idx, None, None]) / radius[idx, None, None]
        c, s = np.cos(theta)[:, None, None], np.sin(theta)[:, None, None]
        u = c * dx + s * dy
        v = -s * dx + c * dy
        mask[idx] = _shape_masks(label, u, v, rng)

    img[mask] = np.repeat(fg, mask.sum(axis=(1, 2)), axis=0)
    img += rng.integers(-20, 21, size=img.shape, dtype=np.int8)  # pixel noise, std about 12
    img += np.float32(0.5)  # then truncation to uint8 rounds
    np.clip(img, 0, 255, out=img)
    return img.astype(np.uint8)


def make_synthetic_cifar(num_train=NUM_TRAIN, num_test=NUM_TEST, seed=0):
    """The offline dataset, split like CIFAR-10.

    Inputs:
    - num_train, num_test: ints, multiples of 10 (the classes are balanced).
    - seed: int.

    Returns a tuple (X_train, y_train, X_test, y_test):
    - X_train: uint8 array of shape (num_train, 32, 32, 3); y_train: int64 (num_train,)
    - X_test: uint8 array of shape (num_test, 32, 32, 3); y_test: int64 (num_test,)
    """
    num_classes = len(SYNTHETIC_CLASSES)
    for name, count in (("num_train", num_train), ("num_test", num_test)):
        if count <= 0 or count % num_classes:
            raise ValueError(f"{name} must be a positive multiple of {num_classes}, got {count}")
    rng = np.random.default_rng(seed)
    y_train = rng.permutation(np.tile(np.arange(num_classes), num_train // num_classes))
    y_test = rng.permutation(np.tile(np.arange(num_classes), num_test // num_classes))
    X_train = make_synthetic_images(y_train, seed=seed + 1)
    X_test = make_synthetic_images(y_test, seed=seed + 2)
    return X_train, y_train.astype(np.int64), X_test, y_test.astype(np.int64)
