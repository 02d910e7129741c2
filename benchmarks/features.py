"""How long the features of all of CIFAR-10 take: CS231n's per-image loop against the batched code.

    .venv/bin/python benchmarks/features.py                  # all 60,000 images (about 2 minutes)
    .venv/bin/python benchmarks/features.py --images 6000    # a tenth

Times, on the same images and in one run:

1. **CS231n's per-image loop**: its published ``hog_feature`` (gradients, nine
   orientation bins selected with ``np.where``, cell means with
   ``scipy.ndimage.uniform_filter``) and ``color_histogram_hsv`` (matplotlib's
   ``rgb_to_hsv`` and ``np.histogram``), called once per image by its
   ``extract_features``. Restated below for timing only, as CS231n's notebooks
   run it: ``[hog_feature, lambda img: color_histogram_hsv(img, nbin=10)]``.
2. **This package with CS231n's call**: ``cs231n.features.extract_features`` with
   the same list. It recognises ``hog_feature`` and runs it batched; the lambda
   hides ``color_histogram_hsv``, so that one still runs once per image.
3. **Batched, one thread**: ``extract_features(X, [hog_features, color_histograms_hsv])``
   with ``CS231N_THREADS=1``'s equivalent: chunks of images, on the calling thread.
4. **Batched, all cores**: the same, chunks on one thread per core.
5. **Notebook 03b's features**: signed HOG with 18 bins and the hue, saturation
   and value histograms (678 numbers per image, against 334 above), batched.

The per-image loops (1 and 2) are timed on every image only with ``--images``
at most ``--loop-images`` (default 60000); otherwise on the first
``--loop-images`` and scaled up, and the table says so. Ratios are against the
CS231n loop. Nothing here is a test: figures depend on the machine.
"""
from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from scipy.ndimage import uniform_filter  # noqa: E402

import cs231n.features as features  # noqa: E402
from cs231n.data_utils import dataset_info, load_CIFAR10  # noqa: E402


# ---- CS231n's per-image code, restated for timing (its algorithm, step for step) ----

def cs231n_rgb2gray(rgb):
    return np.dot(rgb[..., :3], [0.299, 0.587, 0.144])


def cs231n_hog_feature(im):
    image = cs231n_rgb2gray(im) if im.ndim == 3 else np.atleast_2d(im)
    sx, sy = image.shape
    orientations, cx, cy = 9, 8, 8
    gx = np.zeros(image.shape)
    gy = np.zeros(image.shape)
    gx[:, :-1] = np.diff(image, n=1, axis=1)
    gy[:-1, :] = np.diff(image, n=1, axis=0)
    grad_mag = np.sqrt(gx ** 2 + gy ** 2)
    grad_ori = np.arctan2(gy, (gx + 1e-15)) * (180 / np.pi) + 90
    n_cellsx, n_cellsy = int(np.floor(sx / cx)), int(np.floor(sy / cy))
    hist = np.zeros((n_cellsx, n_cellsy, orientations))
    for i in range(orientations):
        temp_ori = np.where(grad_ori < 180 / orientations * (i + 1), grad_ori, 0)
        temp_ori = np.where(grad_ori >= 180 / orientations * i, temp_ori, 0)
        temp_mag = np.where(temp_ori > 0, grad_mag, 0)
        hist[:, :, i] = uniform_filter(temp_mag, size=(cx, cy))[round(cx / 2)::cx, round(cy / 2)::cy].T
    return hist.ravel()


def cs231n_color_histogram_hsv(im, nbin=10, xmin=0, xmax=255, normalized=True):
    import matplotlib.colors
    bins = np.linspace(xmin, xmax, nbin + 1)
    hsv = matplotlib.colors.rgb_to_hsv(im / xmax) * xmax
    imhist, bin_edges = np.histogram(hsv[:, :, 0], bins=bins, density=normalized)
    return imhist * np.diff(bin_edges)


def cs231n_extract_features(imgs, feature_fns):
    first = np.hstack([np.asarray(fn(imgs[0])).ravel() for fn in feature_fns])
    feats = np.zeros((imgs.shape[0], first.size))
    feats[0] = first
    for i in range(1, imgs.shape[0]):
        feats[i] = np.hstack([np.asarray(fn(imgs[i])).ravel() for fn in feature_fns])
    return feats


# ---- timing ----

def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=60000, help="images to extract features of")
    parser.add_argument("--loop-images", type=int, default=60000,
                        help="images the per-image loops are timed on (scaled up to --images)")
    args = parser.parse_args(argv)

    Xtr, _, Xte, _ = load_CIFAR10()
    X = np.concatenate([Xtr, Xte])[:args.images]
    del Xtr, Xte
    n, n_loop = len(X), min(args.loop_images, len(X))
    print(dataset_info())
    print(f"{n} images of {X.shape[1:]}, {X.dtype}; {os.cpu_count()} cores, "
          f"{features.thread_count()} threads for the batched path\n")

    rows = []
    scale = n / n_loop
    seconds, _ = timed(lambda: cs231n_extract_features(
        X[:n_loop], [cs231n_hog_feature, lambda img: cs231n_color_histogram_hsv(img, nbin=10)]))
    rows.append(("CS231n's per-image loop", seconds * scale, n_loop))
    seconds, _ = timed(lambda: features.extract_features(
        X[:n_loop], [features.hog_feature, lambda img: features.color_histogram_hsv(img, nbin=10)]))
    rows.append(("this package, CS231n's call (hue per image)", seconds * scale, n_loop))
    saved = features.thread_count
    features.thread_count = lambda: 1
    try:
        seconds, _ = timed(lambda: features.extract_features(
            X, [features.hog_features, features.color_histograms_hsv]))
    finally:
        features.thread_count = saved
    rows.append(("batched, one thread", seconds, n))
    seconds, feats = timed(lambda: features.extract_features(
        X, [features.hog_features, features.color_histograms_hsv]))
    rows.append((f"batched, {features.thread_count()} threads", seconds, n))
    notebook_fns = [functools.partial(features.hog_features, cell_size=8, nbins=18, signed=True),
                    functools.partial(features.color_histograms_hsv, nbin=10, channels=(0, 1, 2))]
    seconds, richer = timed(lambda: features.extract_features(X, notebook_fns))
    rows.append((f"notebook 03b's {richer.shape[1]} features, {features.thread_count()} threads", seconds, n))

    base = rows[0][1]
    print(f"{'features of ' + str(n) + ' images':48s} {'seconds':>9s} {'images/s':>10s} {'speed-up':>9s}")
    for name, seconds, timed_on in rows:
        note = "" if timed_on == n else f"   (timed on {timed_on}, scaled)"
        print(f"{name:48s} {seconds:9.1f} {n / seconds:10.0f} {base / seconds:8.1f}x{note}")
    print(f"\nfeatures per image in rows 1-4: {feats.shape[1]} (HOG {features.hog_feature(X[0]).size}, "
          f"hue histogram 10; CS231n's own HOG has 144)")


if __name__ == "__main__":
    main()
