"""A captioning dataset the package makes itself, for working without COCO.

Each image is a 48x48 RGB scene with one or two objects drawn from the shapes of
the offline image dataset (:mod:`cs231n.synthetic_data`), each with a size, a
colour and a small random rotation, over a plain background with a soft gradient
and noise. Its captions come from a small grammar and say exactly what is in it:

    one object:   "a large red ring"
    two objects:  "a small red ring left of a large blue square"
                  "a large blue square right of a small red ring"   (the same scene)

A scene of two objects has both captions (as a COCO image has several), so a
caption is right when it matches either. Because the truth is known, a model's
captions can be scored exactly.

The image features play the part of COCO's CNN features: a fixed convolutional
layer with random filters (seeded, never trained) at two scales, each response map
max- and min-pooled over the image's left, right, top and bottom halves, then
standardized with the training images' statistics (512 numbers per image); the
PCA version keeps the top 128 principal components. The whole dataset is a
deterministic function of its sizes and seed.
"""
import numpy as np

from cs231n.synthetic_data import SYNTHETIC_CLASSES, _shape_masks

SHAPES = ("disk", "ring", "square", "frame", "triangle", "plus")
COLOURS = {
    "red": (210, 45, 40), "green": (40, 165, 60), "blue": (45, 75, 215),
    "yellow": (230, 205, 40), "white": (240, 240, 240), "black": (25, 25, 25),
}
SIZES = ("small", "large")
SPECIAL_WORDS = ("<NULL>", "<START>", "<END>", "<UNK>")
WORDS = SPECIAL_WORDS + ("a",) + SIZES + tuple(COLOURS) + SHAPES + ("left", "right", "of", "above", "below")
IMAGE_SIZE = 48
MAX_WORDS = 10                    # "a small red ring left of a large blue square"
NUM_TRAIN_IMAGES = 10000
NUM_VAL_IMAGES = 500
FEATURE_DIM = 512
PCA_DIM = 128

# Radii (pixels) of small and large objects: alone, and two in one scene (each in its half).
_RADII = {1: ((6.0, 8.0), (11.0, 14.0)), 2: ((5.0, 6.5), (8.0, 10.0))}
_FEATURE_SEED = 20231


def vocabulary():
    """(idx_to_word, word_to_idx) of the generated captions: a list and a dict, <NULL> = 0."""
    return list(WORDS), {w: i for i, w in enumerate(WORDS)}


def _scenes(n, rng):
    """Draw what is in n scenes: a dict of arrays over the objects of all scenes, and per-scene facts."""
    two = rng.random(n) < 0.5
    vertical = rng.random(n) < 0.5          # two objects: one above the other (else side by side)
    scene = np.concatenate([np.arange(n), np.flatnonzero(two)])
    slot = np.concatenate([np.zeros(n, int), np.ones(two.sum(), int)])   # 0: left/top object, 1: the other
    m = len(scene)
    size = rng.integers(0, 2, m)
    count = np.where(two[scene], 2, 1)
    radius = np.empty(m)
    for k in (1, 2):
        for s in (0, 1):
            sel = (count == k) & (size == s)
            radius[sel] = rng.uniform(*_RADII[k][s], sel.sum())
    # Centres: anywhere for one object; for two, one in each half along the axis of the relation.
    free = rng.uniform(0, 1, (m, 2))
    lo, hi = radius + 2, IMAGE_SIZE - radius - 2
    centre = lo[:, None] + free * (hi - lo)[:, None]
    along = np.where(slot == 0, rng.uniform(11, 14, m), rng.uniform(34, 37, m))
    axis = vertical[scene].astype(int)      # 0: x varies along the relation, 1: y
    pair = count == 2
    centre[pair, axis[pair]] = along[pair]
    return {
        "scene": scene, "slot": slot, "size": size, "radius": radius, "cx": centre[:, 0], "cy": centre[:, 1],
        "shape": rng.integers(0, len(SHAPES), m), "colour": rng.integers(0, len(COLOURS), m),
        "angle": np.deg2rad(rng.uniform(-15, 15, m)),
    }, two, vertical


def _draw(n, objects, rng):
    """uint8 images (n, 48, 48, 3) of the scenes whose objects are given."""
    size = IMAGE_SIZE
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + np.float32(0.5)
    base = (rng.uniform(80, 170, (n, 1, 1, 1)) + rng.uniform(-15, 15, (n, 1, 1, 3))).astype(np.float32)  # tinted grey
    slope = rng.uniform(-0.6, 0.6, (n, 2, 1, 1)).astype(np.float32)                                 # a soft gradient
    img = base + (slope[:, 0] * (xx - size / 2) + slope[:, 1] * (yy - size / 2))[..., None]
    palette = np.array(list(COLOURS.values()), dtype=np.float32)
    fg = palette[objects["colour"]] + rng.normal(0, 12, (len(objects["scene"]), 3)).astype(np.float32)
    fg = np.clip(fg, 0, 255)
    for k, shape in enumerate(SHAPES):
        for slot in (0, 1):             # one object per scene at a time, so that masks stay per image
            idx = np.flatnonzero((objects["shape"] == k) & (objects["slot"] == slot))
            if idx.size == 0:
                continue
            r = objects["radius"][idx, None, None].astype(np.float32)
            dx = (xx - objects["cx"][idx, None, None].astype(np.float32)) / r
            dy = (yy - objects["cy"][idx, None, None].astype(np.float32)) / r
            c = np.cos(objects["angle"][idx])[:, None, None].astype(np.float32)
            s = np.sin(objects["angle"][idx])[:, None, None].astype(np.float32)
            mask = _shape_masks(SYNTHETIC_CLASSES.index(shape), c * dx + s * dy, -s * dx + c * dy, rng)
            scenes = objects["scene"][idx]
            img[scenes] = np.where(mask[..., None], fg[idx, None, None, :], img[scenes])
    img += rng.integers(-10, 11, size=img.shape, dtype=np.int8)    # pixel noise, std about 6
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)


def _phrase(objects, i):
    return ["a", SIZES[objects["size"][i]], list(COLOURS)[objects["colour"][i]], SHAPES[objects["shape"][i]]]


def _captions(n, objects, two, vertical, word_to_idx):
    """Every caption of every scene: int32 (M, MAX_WORDS + 2) word indices and the scene of each."""
    first = {s: i for i, s in zip(range(len(objects["scene"])), objects["scene"]) if objects["slot"][i] == 0}
    second = {s: i for i, s in zip(range(len(objects["scene"])), objects["scene"]) if objects["slot"][i] == 1}
    rows, image_idxs = [], []
    for s in range(n):
        a = _phrase(objects, first[s])
        if not two[s]:
            sentences = [a]
        else:
            b = _phrase(objects, second[s])
            towards, back = (["above"], ["below"]) if vertical[s] else (["left", "of"], ["right", "of"])
            sentences = [a + towards + b, b + back + a]
        for words in sentences:
            row = [word_to_idx["<START>"]] + [word_to_idx[w] for w in words] + [word_to_idx["<END>"]]
            rows.append(row + [word_to_idx["<NULL>"]] * (MAX_WORDS + 2 - len(row)))
            image_idxs.append(s)
    return np.array(rows, dtype=np.int32), np.array(image_idxs, dtype=np.int32)


def _windows(x, field, stride):
    """(N, P, P, field * field * 3) windows of images x (N, S, S, 3), `stride` apart."""
    win = np.lib.stride_tricks.sliding_window_view(x, (field, field), axis=(1, 2))[:, ::stride, ::stride]
    return win.reshape(win.shape[:3] + (-1,))


def raw_features(images, chunk=250):
    """The fixed random-filter features of uint8 images (N, 48, 48, 3): float32 (N, 512), not standardized.

    Two scales: 32 random 5x5 filters every 2 pixels on the image, 32 on the image
    averaged over 2x2 blocks; each response map's maximum and minimum over the
    left, right, top and bottom halves of the image.
    """
    rng = np.random.default_rng(_FEATURE_SEED)
    filters = rng.normal(0, 1, (2, 75, 32)).astype(np.float32) / np.float32(np.sqrt(75))
    out = []
    for start in range(0, len(images), chunk):
        x = images[start:start + chunk].astype(np.float32) / np.float32(127.5) - 1
        half = x.reshape(len(x), IMAGE_SIZE // 2, 2, IMAGE_SIZE // 2, 2, 3).mean(axis=(2, 4))
        pooled = []
        for scale, (img, stride) in enumerate(((x, 2), (half, 1))):
            r = _windows(img, 5, stride) @ filters[scale]             # (n, P, P, 32)
            P = r.shape[1]
            for reduce in (np.max, np.min):
                columns, rows = reduce(r, axis=1), reduce(r, axis=2)    # (n, P, 32) each
                pooled += [reduce(part, axis=1) for part in (columns[:, :P // 2], columns[:, P - P // 2:],
                                                             rows[:, :P // 2], rows[:, P - P // 2:])]
        out.append(np.concatenate(pooled, axis=1))
    return np.concatenate(out).astype(np.float32)


def make_synthetic_captions(num_train=NUM_TRAIN_IMAGES, num_val=NUM_VAL_IMAGES, seed=0):
    """The offline captioning dataset, with the keys and dtypes of CS231n's COCO data.

    Inputs:
    - num_train, num_val: numbers of training and validation images
    - seed: int; the same sizes and seed give the same dataset

    Returns a dict with, for split in ('train', 'val'):
    - '<split>_captions': int32 (M, 12), <START> words <END> <NULL>...; one row per caption
    - '<split>_image_idxs': int32 (M,), the image each caption describes
    - '<split>_features': float32 (num_images, 512), standardized random-filter features
    - '<split>_features_pca': float32 (num_images, 128), their top principal components
    - '<split>_urls': str array (num_images,), 'offline://<split>/<index>'
    - '<split>_images': uint8 (num_images, 48, 48, 3), the scenes
    - 'idx_to_word' (list) and 'word_to_idx' (dict): the vocabulary, '<NULL>' = 0
    """
    idx_to_word, word_to_idx = vocabulary()
    data = {"idx_to_word": idx_to_word, "word_to_idx": word_to_idx}
    for split, n, offset in (("train", num_train, 1), ("val", num_val, 2)):
        rng = np.random.default_rng([seed, offset])
        objects, two, vertical = _scenes(n, rng)
        data[f"{split}_images"] = _draw(n, objects, rng)
        data[f"{split}_captions"], data[f"{split}_image_idxs"] = _captions(n, objects, two, vertical, word_to_idx)
        data[f"{split}_urls"] = np.array([f"offline://{split}/{i}" for i in range(n)])
        data[f"{split}_features"] = raw_features(data[f"{split}_images"])
    mean = data["train_features"].mean(axis=0)
    std = data["train_features"].std(axis=0) + 1e-6
    for split in ("train", "val"):
        data[f"{split}_features"] = ((data[f"{split}_features"] - mean) / std).astype(np.float32)
    # PCA on the training features, scaled so that the components' variance is 1 on average.
    # (Fewer training images than components: the missing ones are zero, the size stays PCA_DIM.)
    _, S, Vt = np.linalg.svd(data["train_features"], full_matrices=False)
    scale = np.sqrt(np.mean(S[:PCA_DIM] ** 2) / len(data["train_features"]))
    components = np.zeros((PCA_DIM, FEATURE_DIM), dtype=np.float32)
    components[:min(PCA_DIM, len(Vt))] = Vt[:PCA_DIM]
    for split in ("train", "val"):
        data[f"{split}_features_pca"] = (data[f"{split}_features"] @ components.T / scale).astype(np.float32)
    return data
