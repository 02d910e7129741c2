"""cs231n/features.py: HOG and colour histograms, batched and per image (CS231n's signatures)."""
import functools
import inspect

import numpy as np
import pytest

from cs231n import features
from cs231n.features import (color_histogram_hsv, color_histograms_hsv, extract_features, hog_feature,
                             hog_features, normalize_blocks, orientation_histograms, rgb2gray, rgb2hsv)


@pytest.fixture
def imgs():
    rng = np.random.RandomState(0)
    x = rng.randint(0, 256, size=(7, 32, 32, 3)).astype(np.float64)
    x[0] = 128   # a grey image: no gradients, hue 0
    return x


def test_cs231n_signatures():
    assert str(inspect.signature(extract_features)) == "(imgs, feature_fns, verbose=False)"
    assert str(inspect.signature(hog_feature)) == "(im)"
    assert str(inspect.signature(color_histogram_hsv)) == "(im, nbin=10, xmin=0, xmax=255, normalized=True)"
    assert str(inspect.signature(rgb2gray)) == "(rgb)"
    namespace = {}
    exec("from cs231n.features import *", namespace)
    assert {"extract_features", "hog_feature", "color_histogram_hsv", "rgb2gray"} <= set(namespace)
    assert set(features.__all__) <= set(namespace)


def test_hsv_and_hue_histogram_match_matplotlib_and_numpy(imgs):
    colors = pytest.importorskip("matplotlib.colors")
    np.testing.assert_allclose(rgb2hsv(imgs), colors.rgb_to_hsv(imgs / 255) * 255, atol=1e-9)
    for im in imgs:
        hue = colors.rgb_to_hsv(im / 255)[..., 0] * 255
        ref, edges = np.histogram(hue, bins=np.linspace(0, 255, 11), density=True)
        np.testing.assert_allclose(color_histogram_hsv(im), ref * np.diff(edges), atol=1e-6)


def test_batched_equals_per_image(imgs):
    batch = hog_features(imgs)
    assert batch.shape == (7, 324) and batch.dtype == np.float32
    for i, im in enumerate(imgs):
        np.testing.assert_allclose(hog_feature(im), batch[i], atol=1e-6)
    np.testing.assert_array_equal(batch[0], 0)   # flat image: no gradients, blocks stay finite
    hists = color_histograms_hsv(imgs, nbin=8, channels=(0, 1, 2))
    assert hists.shape == (7, 24)
    np.testing.assert_allclose(hists.reshape(7, 3, 8).sum(-1), 1, atol=1e-6)
    np.testing.assert_allclose(hists[:, :8], [color_histogram_hsv(im, nbin=8) for im in imgs], atol=1e-7)


def test_extract_features_per_image_batched_and_partial_agree(imgs):
    cs231n_call = extract_features(imgs, [hog_feature, lambda img: color_histogram_hsv(img, nbin=5)])
    batched = extract_features(imgs, [hog_features, functools.partial(color_histograms_hsv, nbin=5)])
    per_image = extract_features(imgs, [lambda img: hog_feature(img),
                                        functools.partial(color_histogram_hsv, nbin=5)], verbose=True)
    assert cs231n_call.shape == batched.shape == per_image.shape == (7, 329)
    np.testing.assert_allclose(cs231n_call, batched, atol=1e-6)
    np.testing.assert_allclose(per_image, batched, atol=1e-6)
    # more images than one chunk, on several threads: rows stay in order
    many = np.concatenate([imgs] * 200)
    out = extract_features(many, [hog_features])
    np.testing.assert_allclose(out[7 * 150:7 * 151], batched[:, :324], atol=1e-6)


def test_orientation_histograms_known_edge():
    step = np.zeros((1, 16, 16))
    step[:, 8:] = 10.0                               # gradient straight down: 90 degrees
    hist = orientation_histograms(step, cell_size=4, nbins=6)   # 90 is halfway between the centres 75 and 105
    assert hist.shape == (1, 4, 4, 6)
    np.testing.assert_allclose(hist.sum(), 2 * 4 * 4 * 10)
    np.testing.assert_allclose(hist[0, 1:3, :, 2], 20, atol=1e-4)
    np.testing.assert_allclose(hist[0, 1:3, :, 3], 20, atol=1e-4)


def test_normalize_blocks_unit_norm_and_flat():
    hist = np.random.RandomState(1).rand(2, 3, 5, 4)
    out = normalize_blocks(hist, block_size=2, clip=None)
    assert out.shape == (2, 2, 4, 16)
    np.testing.assert_allclose(np.linalg.norm(out, axis=-1), 1, atol=1e-5)
    assert np.all(normalize_blocks(np.zeros((1, 2, 2, 3))) == 0)


@pytest.mark.parametrize("call, message", [
    (lambda: hog_features(np.zeros((2, 30, 32, 3))), "multiple of cell_size"),
    (lambda: hog_feature(np.zeros((2, 32, 32, 3))), "hog_features"),
    (lambda: color_histogram_hsv(np.zeros((32, 32))), "RGB"),
    (lambda: extract_features(np.zeros((2, 32, 32, 3)), []), "empty"),
    (lambda: extract_features(np.zeros((2, 32, 32, 3)), [lambda im: im]), "1-D"),
    (lambda: normalize_blocks(np.zeros((1, 2, 2, 3)), block_size=3), "block_size"),
])
def test_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
