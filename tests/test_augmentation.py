"""Data augmentation functions in cs231n/augmentation.py."""
import numpy as np
import pytest

from cs231n.augmentation import (AugmentedModel, as_rng, augment_batch, color_jitter, random_crops,
                                 random_flips)


def batch(N=16, C=3, H=8, W=10, dtype=np.float64, seed=0):
    return (np.random.RandomState(seed).rand(N, C, H, W) * 255).astype(dtype)


ALL = [
    lambda X, rng: random_flips(X, rng=rng),
    lambda X, rng: random_crops(X, pad=2, rng=rng),
    lambda X, rng: random_crops(X, pad=2, rng=rng, fill="reflect"),
    lambda X, rng: color_jitter(X, rng=rng),
    lambda X, rng: augment_batch(X, rng=rng, jitter={"brightness": 0.1}),
]


@pytest.mark.parametrize("fn", ALL)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shape_dtype_kept_and_input_untouched(fn, dtype):
    X = batch(dtype=dtype)
    X_copy = X.copy()
    out = fn(X, 0)
    assert out.shape == X.shape and out.dtype == X.dtype
    assert np.array_equal(X, X_copy)
    assert not np.shares_memory(out, X)


@pytest.mark.parametrize("fn", ALL)
def test_same_seed_same_result_different_seed_different_result(fn):
    X = batch()
    assert np.array_equal(fn(X, 3), fn(X, 3))
    assert not np.array_equal(fn(X, 3), fn(X, 4))
    # Generators and RandomStates advance, and global seeding makes rng=None repeatable.
    g = np.random.default_rng(5)
    assert not np.array_equal(fn(X, g), fn(X, g))
    np.random.seed(7)
    a = fn(X, None)
    np.random.seed(7)
    assert np.array_equal(a, fn(X, None))
    r1, r2 = np.random.RandomState(1), np.random.RandomState(1)
    assert np.array_equal(fn(X, r1), fn(X, r2))


@pytest.mark.parametrize("fn", ALL)
def test_non_contiguous_input(fn):
    base = batch(N=10, C=8, H=3, W=16)
    X = base.transpose(0, 2, 1, 3)          # (10, 3, 8, 16), not C-contiguous
    assert not X.flags.c_contiguous
    # Equal up to the order of floating-point sums (colour jitter takes means).
    assert np.allclose(fn(X, 11), fn(np.ascontiguousarray(X), 11), rtol=1e-12, atol=1e-9)


def test_flips_mirror_whole_images():
    X = batch(N=200)
    out = random_flips(X, rng=0)
    flipped = np.array([np.array_equal(o, x[:, :, ::-1]) for o, x in zip(out, X)])
    kept = np.array([np.array_equal(o, x) for o, x in zip(out, X)])
    assert np.all(flipped ^ kept)            # every image is exactly one of the two
    assert 60 < flipped.sum() < 140          # about half of 200
    assert np.array_equal(random_flips(X, p=0.0, rng=0), X)
    assert np.array_equal(random_flips(X, p=1.0, rng=0), X[:, :, :, ::-1])


def test_crops_are_shifted_windows_of_the_padded_image():
    X = batch(N=50, H=6, W=7)
    pad = 2
    out = random_crops(X, pad=pad, rng=1)
    padded = np.pad(X, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    shifts = set()
    for n in range(X.shape[0]):
        matches = [(t, l) for t in range(2 * pad + 1) for l in range(2 * pad + 1)
                   if np.array_equal(out[n], padded[n, :, t:t + 6, l:l + 7])]
        assert matches, f"image {n} is not a window of its padded version"
        shifts.add(matches[0])
    assert len(shifts) > 10                  # offsets really vary (25 possible)
    assert np.array_equal(random_crops(X, pad=0, rng=1), X)


def test_reflect_crops_contain_no_new_values_but_zero_crops_do():
    X = batch(N=30) + 1.0                    # no zeros in the images
    reflect = random_crops(X, pad=3, rng=2, fill="reflect")
    zeros = random_crops(X, pad=3, rng=2)
    assert np.all(reflect > 0)
    assert np.any(zeros == 0)


def test_color_jitter_properties():
    X = batch(N=40)
    # Off at strength 0.
    assert np.allclose(color_jitter(X, 0, 0, 0, rng=0), X)
    # Brightness alone only shifts each image by a constant.
    b = color_jitter(X, brightness=0.5, contrast=0, saturation=0, rng=0) - X
    assert np.allclose(b, b[:, :1, :1, :1])
    assert np.all(np.abs(b[:, 0, 0, 0]) <= 0.5 * X.std(axis=(1, 2, 3)) + 1e-9)
    assert np.ptp(b[:, 0, 0, 0]) > 0
    # Contrast alone keeps each image's mean and scales its spread.
    c = color_jitter(X, brightness=0, contrast=0.5, saturation=0, rng=0)
    assert np.allclose(c.mean(axis=(1, 2, 3)), X.mean(axis=(1, 2, 3)))
    ratio = c.std(axis=(1, 2, 3)) / X.std(axis=(1, 2, 3))
    assert np.all((ratio >= 0.5 - 1e-9) & (ratio <= 1.5 + 1e-9)) and np.ptp(ratio) > 0.1
    # Saturation alone keeps the grey image; saturation 1 can make a grey image.
    s = color_jitter(X, brightness=0, contrast=0, saturation=1.0, rng=0)
    assert np.allclose(s.mean(axis=1), X.mean(axis=1))
    # Works on mean-subtracted data too (no assumption about the value range).
    Xc = X - X.mean(axis=0)
    assert np.isfinite(color_jitter(Xc, rng=0)).all()


def test_color_jitter_skips_saturation_without_three_channels():
    X = batch(C=1)
    out = color_jitter(X, brightness=0, contrast=0, saturation=1.0, rng=0)
    assert np.allclose(out, X)


def test_augment_batch_steps_can_be_switched_off():
    X = batch()
    assert np.array_equal(augment_batch(X, rng=0, flip=False, crop_pad=0), X)
    assert not np.shares_memory(augment_batch(X, rng=0, flip=False, crop_pad=0), X)
    assert not np.array_equal(augment_batch(X, rng=0), X)


@pytest.mark.parametrize("call,error,message", [
    (lambda: random_flips(np.zeros((3, 4, 4))), ValueError, r"\(N, C, H, W\)"),
    (lambda: random_flips([[1.0]]), TypeError, "numpy array"),
    (lambda: random_flips(np.zeros((1, 1, 2, 2)), p=1.5), ValueError, "probability"),
    (lambda: random_crops(np.zeros((1, 1, 2, 2)), pad=-1), ValueError, "non-negative"),
    (lambda: random_crops(np.zeros((1, 1, 2, 2)), pad=1.5), ValueError, "non-negative"),
    (lambda: random_crops(np.zeros((1, 1, 2, 2)), fill="wrap"), ValueError, "fill"),
    (lambda: random_crops(np.zeros((1, 1, 2, 2)), pad=2, fill="reflect"), ValueError, "reflect"),
    (lambda: color_jitter(np.zeros((1, 3, 2, 2)), contrast=1.5), ValueError, "contrast"),
    (lambda: color_jitter(np.zeros((1, 3, 2, 2)), brightness=-1), ValueError, "brightness"),
    (lambda: as_rng("seed"), TypeError, "rng must be"),
])
def test_bad_input_gets_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


class _RecordingModel:
    def __init__(self):
        self.params = {"w": np.zeros(2)}
        self.seen = []

    def loss(self, X, y=None):
        self.seen.append(X)
        return np.zeros((X.shape[0], 2)) if y is None else (0.0, {"w": np.zeros(2)})


def test_augmented_model_augments_only_training_calls():
    inner = _RecordingModel()
    model = AugmentedModel(inner, rng=0)
    X = batch(N=8)
    model.loss(X)
    assert inner.seen[-1] is X                    # scores: untouched
    model.loss(X, np.zeros(8, dtype=int))
    assert not np.array_equal(inner.seen[-1], X)  # training step: augmented
    assert model.params is inner.params
    model.params = {"w": np.ones(2)}              # Solver replaces the dict after training
    assert np.array_equal(inner.params["w"], np.ones(2))
