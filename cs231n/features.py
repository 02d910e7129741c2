"""Hand-designed image features: histograms of oriented gradients and colour histograms.

Two kinds of function live here, for the same features:

* **batched** ones, which take a whole batch of images at once (N x H x W x C)
  and never loop over images in Python: ``hog_features``,
  ``color_histograms_hsv``, and the two steps of HOG a student writes,
  ``orientation_histograms`` and ``normalize_blocks``;
* CS231n's **per-image** ones, ``hog_feature(im)`` and
  ``color_histogram_hsv(im, nbin=10, xmin=0, xmax=255, normalized=True)``, so
  that CS231n's own notebooks run unchanged. They call the batched ones on a
  batch of one.

``extract_features(imgs, feature_fns, verbose=False)`` concatenates the
features of a list of functions for every image. It calls a batched function
on chunks of images, and a per-image function once per image; it recognises the
per-image functions of this module (and ``functools.partial`` of any of these
functions) and runs their batched versions instead, which is what makes the
features of all 60,000 CIFAR-10 images take seconds rather than minutes.

A function is batched when it has the attribute ``batched = True``
(``@batched`` below sets it), so your own batched feature functions get the fast
path too.

See notebooks/03b_image_features.ipynb.
"""
from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import ndimage

from cs231n import _checks
from cs231n.parallel import thread_count
from cs231n.progress import tqdm

__all__ = ["extract_features", "hog_feature", "hog_features", "color_histogram_hsv",
           "color_histograms_hsv", "rgb2gray", "rgb2hsv", "orientation_histograms",
           "normalize_blocks", "batched"]

# Luma weights of ITU-R BT.601 (CS231n's rgb2gray has 0.144 for blue, a typo of 0.114).
_LUMA = np.array([0.299, 0.587, 0.114])
_CHUNK = 1000   # images per call of a batched function in extract_features


def batched(fn):
    """Mark ``fn`` as a batched feature function: ``fn(imgs)`` with imgs (N, H, W, C) returns (N, F)."""
    fn.batched = True
    return fn


def _is_batched(fn):
    """True for a batched feature function, or a functools.partial of one."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    return bool(getattr(fn, "batched", False))


def _batched_version(fn):
    """The batched function that computes the same features as per-image fn, or None.

    Knows this module's per-image functions (they carry ``_batch`` pointing to their
    batched twin) and partials of them, whose keyword arguments carry over.
    """
    if isinstance(fn, functools.partial):
        inner = _batched_version(fn.func)
        if inner is None or fn.args:
            return None
        return functools.partial(inner, **fn.keywords)
    twin = getattr(fn, "_batch", None)
    return twin


def rgb2gray(rgb):
    """Convert RGB images to grayscale (luma).

    Inputs:
    - rgb: array of shape (..., 3): one image (H, W, 3) or a batch (N, H, W, 3)

    Returns:
    - gray: float array of shape (...) : rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114
      (float32 for float32 or integer input, else float64)
    """
    rgb = np.asarray(rgb)
    if rgb.ndim < 1 or rgb.shape[-1] != 3:
        raise ValueError(f"rgb2gray needs an array whose last axis holds R, G, B (size 3), got shape {rgb.shape}")
    dtype = np.float64 if rgb.dtype == np.float64 else np.float32
    w = _LUMA.astype(dtype)
    # elementwise rather than a matrix product: no BLAS threads inside extract_features' own
    return rgb[..., 0] * w[0] + rgb[..., 1] * w[1] + rgb[..., 2] * w[2]


def rgb2hsv(rgb, xmax=255, channels=(0, 1, 2)):
    """Convert RGB images with values in [0, xmax] to HSV, each channel scaled to [0, xmax].

    Same values as ``matplotlib.colors.rgb_to_hsv(rgb / xmax) * xmax``, for any
    leading shape, in float32. Hue is 0 where the pixel is grey (no colour).

    Inputs:
    - rgb: array of shape (..., 3)
    - xmax: the largest value a colour channel can take (255 for CIFAR-10's pixels)
    - channels: which of hue (0), saturation (1), value (2) to return

    Returns:
    - hsv: float32 array of shape (..., len(channels))
    """
    rgb = np.asarray(rgb)
    if rgb.ndim < 1 or rgb.shape[-1] != 3:
        raise ValueError(f"rgb2hsv needs an array whose last axis holds R, G, B (size 3), got shape {rgb.shape}")
    dtype = np.float64 if rgb.dtype == np.float64 else np.float32
    # The arithmetic follows matplotlib's, step for step, so that hues on a bin edge
    # fall in the same bin as CS231n's (which uses matplotlib).
    r, g, b = (rgb[..., k].astype(dtype) / dtype(xmax) for k in range(3))   # contiguous planes
    v = np.maximum(np.maximum(r, g), b)
    delta = v - np.minimum(np.minimum(r, g), b)
    out = []
    for channel in channels:
        if channel == 0:
            # hue in sixths of the colour circle, measured from the largest channel:
            # red at 0 (g - b), green at 2 (b - r), blue at 4 (r - g); ties go to the later
            blue = v == b
            green = (v == g) & ~blue
            h = np.where(blue, r - g, np.where(green, b - r, g - b))
            h /= np.where(delta > 0, delta, 1)
            h += np.where(blue, 4, np.where(green, 2, 0)).astype(dtype)
            h /= 6
            h[h < 0] += 1
            h[delta == 0] = 0
            out.append(h * xmax)
        elif channel == 1:
            out.append(delta / np.where(v > 0, v, 1) * xmax)
        elif channel == 2:
            out.append(v * xmax)
        else:
            raise ValueError(f"channels are 0 (hue), 1 (saturation) or 2 (value), got {channel}")
    return np.stack(out, axis=-1)


def _gray_batch(imgs):
    """(N, H, W, 3), (N, H, W, 1) or (N, H, W) -> float32 (N, H, W)."""
    if imgs.ndim == 4:
        if imgs.shape[-1] == 1:
            return imgs[..., 0].astype(np.float32)
        return rgb2gray(imgs.astype(np.float32, copy=False))
    return imgs.astype(np.float32, copy=False)


# ---------------------------------------------------------------------------
# Histograms of oriented gradients (Dalal and Triggs, 2005)
# ---------------------------------------------------------------------------

def orientation_histograms(gray, cell_size=8, nbins=9, signed=False):
    """Histograms of gradient orientations, one per cell, for a batch of grayscale images.

    Steps (no Python loop over images, cells or pixels):
    1. Image gradients: gx and gy with the centred difference [-1, 0, 1] along the
       width and the height (scipy.ndimage.correlate1d, mode="nearest" at the border).
    2. Magnitude sqrt(gx^2 + gy^2) and orientation arctan2(gy, gx), in [0, 180)
       degrees when signed is False (an edge and its reverse count alike), in
       [0, 360) when signed is True.
    3. Binning: the orientation range is split into nbins equal bins; bin b is
       centred at (b + 0.5) * width. Each pixel votes with its magnitude, shared
       linearly between the two bins whose centres are nearest (wrapping around:
       the bins form a circle), into the histogram of its cell: the cell_size x
       cell_size block of pixels it falls in.

    Inputs:
    - gray: array of shape (N, H, W); H and W must be multiples of cell_size
    - cell_size: side of a cell in pixels
    - nbins: number of orientation bins
    - signed: whether orientations cover 360 degrees (True) or 180 (False)

    Returns:
    - hist: float array of shape (N, H // cell_size, W // cell_size, nbins), where
      hist[n, i, j, b] is the magnitude that cell (i, j) of image n gave bin b
    """
    gray = np.asarray(gray)
    if gray.ndim != 3:
        raise ValueError(f"gray must have shape (N, H, W), got shape {gray.shape}")
    N, H, W = gray.shape
    if H % cell_size or W % cell_size:
        raise ValueError(f"image size {H}x{W} is not a multiple of cell_size = {cell_size}")
    gray = gray.astype(np.float32, copy=False)
    hist = None
    # Fill hist. A hint: np.bincount with weights sums the votes of every pixel of
    # the batch at once, given each vote's flat index into hist.
    ### BEGIN SOLUTION
    gx = ndimage.correlate1d(gray, [-1.0, 0.0, 1.0], axis=2, mode="nearest")
    gy = ndimage.correlate1d(gray, [-1.0, 0.0, 1.0], axis=1, mode="nearest")
    magnitude = np.sqrt(gx * gx + gy * gy)
    period = 2 * np.pi if signed else np.pi
    # arctan2 is in (-pi, pi]; measured in bin widths from the first bin's centre, the
    # angle and the angle + period fall in the same bin modulo nbins, so the integer
    # modulo below does the wrapping (for unsigned gradients, too).
    position = np.arctan2(gy, gx) * np.float32(nbins / period) - np.float32(0.5)
    lower = np.floor(position)
    upper_share = position - lower                               # in [0, 1): the upper bin's share
    lower = lower.astype(np.intp) % nbins
    upper = lower + 1
    upper[upper == nbins] = 0
    # flat index of bin 0 of each pixel's cell in hist (N, H/c, W/c, nbins)
    Hc, Wc = H // cell_size, W // cell_size
    cell_of_pixel = ((np.arange(H) // cell_size)[:, None] * Wc + (np.arange(W) // cell_size)[None, :]) * nbins
    first = cell_of_pixel[None] + (np.arange(N) * (Hc * Wc * nbins))[:, None, None]      # (N, H, W)
    size = N * Hc * Wc * nbins
    upper_votes = magnitude * upper_share
    hist = (np.bincount((first + lower).ravel(), (magnitude - upper_votes).ravel(), minlength=size)
            + np.bincount((first + upper).ravel(), upper_votes.ravel(), minlength=size))
    hist = hist.reshape(N, Hc, Wc, nbins).astype(np.float32)
    ### END SOLUTION
    return hist


def normalize_blocks(hist, block_size=2, eps=1e-3, clip=0.2):
    """Contrast normalisation of cell histograms over overlapping blocks of cells (L2-Hys).

    Each block is block_size x block_size neighbouring cells; blocks start at every
    cell (stride one cell), so a cell appears in up to block_size^2 blocks. For
    each block, its cells' histograms are concatenated into one vector v of
    length block_size^2 * nbins (cells in row-major order: (0, 0), (0, 1), ...,
    each cell's nbins values together), then
        v <- v / sqrt(|v|^2 + eps^2);  v <- min(v, clip);  v <- v / sqrt(|v|^2 + eps^2)
    (clip=None skips the last two steps: plain L2 normalisation).

    Inputs:
    - hist: array of shape (N, Hc, Wc, nbins), cell histograms
    - block_size: side of a block in cells (at most min(Hc, Wc))
    - eps: keeps blocks without gradients (flat regions) finite
    - clip: largest value of an entry after the first normalisation, or None

    Returns:
    - blocks: float array of shape (N, Hc - block_size + 1, Wc - block_size + 1,
      block_size * block_size * nbins)
    """
    hist = np.asarray(hist)
    if hist.ndim != 4:
        raise ValueError(f"hist must have shape (N, Hc, Wc, nbins), got shape {hist.shape}")
    N, Hc, Wc, nbins = hist.shape
    if not 1 <= block_size <= min(Hc, Wc):
        raise ValueError(f"block_size must be between 1 and {min(Hc, Wc)} cells, got {block_size}")
    blocks = None
    ### BEGIN SOLUTION
    Hb, Wb = Hc - block_size + 1, Wc - block_size + 1
    # the block_size^2 cells of every block side by side: (N, Hb, Wb, block_size^2, nbins)
    blocks = np.stack([hist[:, i:i + Hb, j:j + Wb] for i in range(block_size) for j in range(block_size)],
                      axis=3).reshape(N, Hb, Wb, block_size * block_size * nbins)
    blocks = blocks / np.sqrt(np.sum(blocks ** 2, axis=-1, keepdims=True) + eps ** 2)
    if clip is not None:
        blocks = np.minimum(blocks, clip)
        blocks = blocks / np.sqrt(np.sum(blocks ** 2, axis=-1, keepdims=True) + eps ** 2)
    ### END SOLUTION
    return blocks


@batched
def hog_features(imgs, cell_size=8, nbins=9, signed=False, block_size=2):
    """Histogram of oriented gradients of every image of a batch.

    Inputs:
    - imgs: array of shape (N, H, W, 3) (RGB; converted with rgb2gray) or (N, H, W)
    - cell_size, nbins, signed: see orientation_histograms
    - block_size: see normalize_blocks; None or 0 keeps the raw cell histograms
      (CS231n's hog_feature does no block normalisation)

    Returns:
    - feats: float32 array of shape (N, F): with 32 x 32 images and the defaults,
      F = 3 * 3 blocks * (2 * 2 cells * 9 bins) = 324
    """
    imgs = _checks.images(imgs)
    hist = orientation_histograms(_gray_batch(imgs), cell_size=cell_size, nbins=nbins, signed=signed)
    if block_size:
        hist = normalize_blocks(hist, block_size=block_size)
    return np.asarray(hist, dtype=np.float32).reshape(len(imgs), -1)


def hog_feature(im):
    """HOG of one image, CS231n's signature: hog_features(im[None])[0].

    Inputs:
    - im: an image of shape (H, W, 3) (RGB) or (H, W) (grayscale)

    Returns:
    - feat: float32 array of shape (F,), see hog_features
    """
    im = np.asarray(im)
    if im.ndim not in (2, 3):
        raise ValueError(f"im must be one image, (H, W, 3) or (H, W), got shape {im.shape}; "
                         f"for a batch, call hog_features")
    return hog_features(im[None])[0]


hog_feature._batch = hog_features


# ---------------------------------------------------------------------------
# Colour histograms
# ---------------------------------------------------------------------------

@batched
def color_histograms_hsv(imgs, nbin=10, xmin=0, xmax=255, normalized=True, channels=0):
    """Histograms of HSV channels (hue by default) of every image of a batch.

    The channel's values (scaled to [0, xmax] by rgb2hsv) are counted in nbin equal
    bins over [xmin, xmax] (the last bin includes xmax; values outside are not
    counted), as np.histogram counts them.

    Inputs:
    - imgs: array of shape (N, H, W, 3), RGB with values in [0, xmax]
    - nbin: number of bins
    - xmin, xmax: range of the bins (and xmax: the largest value of a colour channel)
    - normalized: if True, each histogram is divided by the number of values counted,
      so it sums to one (CS231n's density times the bin width)
    - channels: 0 hue, 1 saturation, 2 value, or a sequence of them: one histogram
      each, side by side

    Returns:
    - hists: float32 array of shape (N, nbin * number of channels)
    """
    imgs = _checks.images(imgs)
    if imgs.ndim != 4 or imgs.shape[-1] != 3:
        raise ValueError(f"imgs must be RGB images of shape (N, H, W, 3), got shape {imgs.shape}")
    if not xmax > xmin:
        raise ValueError(f"xmax must be larger than xmin, got xmin={xmin}, xmax={xmax}")
    N = len(imgs)
    channels = tuple(np.atleast_1d(channels).tolist())
    if not channels:
        raise ValueError("channels is empty: give 0 (hue), 1 (saturation), 2 (value) or several")
    # (N, channels, pixels): the histogram of each channel of each image is one row
    values = np.moveaxis(rgb2hsv(imgs, xmax=xmax, channels=channels), -1, 1).reshape(N * len(channels), -1)
    rows = len(values)
    # bin k holds edges[k] <= value < edges[k + 1], the last bin also value == xmax
    edges = np.linspace(xmin, xmax, nbin + 1)
    index = np.searchsorted(edges, values, side="right") - 1
    index[values == edges[-1]] = nbin - 1
    inside = (index >= 0) & (index < nbin)
    index = np.where(inside, index + nbin * np.arange(rows)[:, None], rows * nbin)   # outside: a spare slot
    hists = np.bincount(index.ravel(), minlength=rows * nbin + 1)[:rows * nbin].reshape(rows, nbin)
    hists = hists.astype(np.float32)
    if normalized:
        hists /= np.maximum(hists.sum(axis=1, keepdims=True), 1)
    return hists.reshape(N, -1)


def color_histogram_hsv(im, nbin=10, xmin=0, xmax=255, normalized=True):
    """Hue histogram of one image, CS231n's signature: color_histograms_hsv(im[None], ...)[0].

    Inputs:
    - im: an RGB image of shape (H, W, 3) with values in [0, xmax]
    - nbin, xmin, xmax, normalized: see color_histograms_hsv

    Returns:
    - hist: float32 array of shape (nbin,); sums to one when normalized
    """
    im = np.asarray(im)
    if im.ndim != 3:
        raise ValueError(f"im must be one RGB image (H, W, 3), got shape {im.shape}; "
                         f"for a batch, call color_histograms_hsv")
    return color_histograms_hsv(im[None], nbin=nbin, xmin=xmin, xmax=xmax, normalized=normalized)[0]


color_histogram_hsv._batch = color_histograms_hsv


# ---------------------------------------------------------------------------
# Many features of many images
# ---------------------------------------------------------------------------

def extract_features(imgs, feature_fns, verbose=False):
    """The features of every image: each feature function's output, concatenated.

    Inputs:
    - imgs: array of shape (N, H, W, C) (or (N, H, W)), N images
    - feature_fns: list of k feature functions. A per-image function takes one
      image (H, W, C) and returns a 1-D array; a batched one (attribute
      batched = True, see @batched) takes a batch of images and returns (n, F_i).
      This module's per-image functions, and partials of them, run batched.
    - verbose: if True, show a progress bar

    Returns:
    - feats: float32 array of shape (N, F_1 + ... + F_k): row n holds the features
      of imgs[n], the output of each function in the order of feature_fns
    """
    imgs = _checks.images(imgs)
    if callable(feature_fns):
        feature_fns = [feature_fns]
    feature_fns = list(feature_fns)
    if not feature_fns:
        raise ValueError("feature_fns is empty: give at least one feature function")
    N = imgs.shape[0]
    if N == 0:
        raise ValueError("imgs holds no images")

    # Every function as (batched?, function); this module's per-image ones become batched.
    plan = []
    for fn in feature_fns:
        if not callable(fn):
            raise TypeError(f"feature functions must be callable, got {fn!r}")
        if _is_batched(fn):
            plan.append((True, fn))
        elif _batched_version(fn) is not None:
            plan.append((True, _batched_version(fn)))
        else:
            plan.append((False, fn))

    def run(fn, is_batched, start, stop):
        if is_batched:
            out = np.asarray(fn(imgs[start:stop]))
            if out.ndim != 2 or out.shape[0] != stop - start:
                raise ValueError(f"batched feature function {fn!r} returned shape {out.shape} for "
                                 f"{stop - start} images; expected ({stop - start}, F)")
            return out
        rows = [np.asarray(fn(imgs[i])) for i in range(start, stop)]
        for row in rows:
            if row.ndim != 1:
                raise ValueError(f"feature function {fn!r} returned shape {row.shape} for one image; "
                                 f"it must return a 1-D array")
        return np.stack(rows)

    def chunk(start):
        stop = min(start + _CHUNK, N)
        return start, stop, [run(fn, is_batched, start, stop) for is_batched, fn in plan]

    # Batched functions spend their time in NumPy and SciPy, which release the GIL:
    # chunks run on one thread per core. Per-image Python functions would not gain.
    workers = thread_count() if all(is_batched for is_batched, _ in plan) else 1
    feats = None
    offsets = None
    bar = tqdm(total=N, desc="features", unit="img", disable=not verbose)
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for start, stop, parts in pool.map(chunk, range(0, N, _CHUNK)):
                if feats is None:
                    dims = [p.shape[1] for p in parts]
                    offsets = np.concatenate([[0], np.cumsum(dims)])
                    feats = np.empty((N, offsets[-1]), dtype=np.float32)
                for k, part in enumerate(parts):
                    if part.shape[1] != offsets[k + 1] - offsets[k]:
                        raise ValueError(f"feature function {k} returned {part.shape[1]} features for "
                                         f"images {start}..{stop - 1} but {offsets[k + 1] - offsets[k]} before")
                    feats[start:stop, offsets[k]:offsets[k + 1]] = part
                bar.update(stop - start)
    finally:
        bar.close()
    return feats
