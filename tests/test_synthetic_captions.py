"""cs231n/synthetic_captions.py: the offline captioning dataset is deterministic, has COCO's keys
and dtypes, and its captions say what the scenes show."""
import numpy as np
import pytest

from cs231n import synthetic_captions as sc


@pytest.fixture(scope="module")
def small():
    return sc.make_synthetic_captions(num_train=120, num_val=40, seed=3)


def _words(row, idx_to_word):
    return [idx_to_word[i] for i in row if idx_to_word[i] not in ("<START>", "<END>", "<NULL>")]


def test_keys_shapes_and_dtypes_are_cocos(small):
    idx_to_word, word_to_idx = small["idx_to_word"], small["word_to_idx"]
    assert idx_to_word[:4] == ["<NULL>", "<START>", "<END>", "<UNK>"]
    assert all(word_to_idx[w] == i for i, w in enumerate(idx_to_word))
    for split, n in (("train", 120), ("val", 40)):
        caps, idxs = small[f"{split}_captions"], small[f"{split}_image_idxs"]
        assert caps.dtype == np.int32 and idxs.dtype == np.int32 and caps.shape == (len(idxs), sc.MAX_WORDS + 2)
        assert np.array_equal(np.unique(idxs), np.arange(n)), "every image has a caption"
        assert small[f"{split}_features"].shape == (n, sc.FEATURE_DIM)
        assert small[f"{split}_features_pca"].shape == (n, sc.PCA_DIM)
        assert small[f"{split}_features"].dtype == np.float32 and small[f"{split}_features_pca"].dtype == np.float32
        assert small[f"{split}_images"].shape == (n, 48, 48, 3) and small[f"{split}_images"].dtype == np.uint8
        assert small[f"{split}_urls"][5] == f"offline://{split}/5"
        assert np.all(caps[:, 0] == word_to_idx["<START>"])
        ends = (caps == word_to_idx["<END>"]).argmax(axis=1)
        for row, end in zip(caps, ends):
            assert end > 0 and np.all(row[end + 1:] == word_to_idx["<NULL>"])


def test_the_same_seed_gives_the_same_dataset_and_another_seed_another():
    a = sc.make_synthetic_captions(num_train=30, num_val=10, seed=1)
    b = sc.make_synthetic_captions(num_train=30, num_val=10, seed=1)
    c = sc.make_synthetic_captions(num_train=30, num_val=10, seed=2)
    for k in ("train_images", "train_captions", "val_features_pca"):
        assert np.array_equal(a[k], b[k])
    assert not np.array_equal(a["train_images"], c["train_images"])


def test_captions_follow_the_grammar_and_two_object_scenes_have_both_orders(small):
    idx_to_word = small["idx_to_word"]
    relation = {("left", "of"): ("right", "of"), ("above",): ("below",)}
    by_image = {}
    for row, image in zip(small["train_captions"], small["train_image_idxs"]):
        by_image.setdefault(int(image), []).append(_words(row, idx_to_word))
    counts = {1: 0, 2: 0}
    for image, captions in by_image.items():
        counts[len(captions)] += 1
        for words in captions:
            assert words[0] == "a" and words[1] in sc.SIZES and words[2] in sc.COLOURS and words[3] in sc.SHAPES
        if len(captions) == 2:
            first, second = captions
            rel = tuple(first[4:-4])
            assert rel in relation and tuple(second[4:-4]) == relation[rel]
            assert first[:4] == second[-4:] and first[-4:] == second[:4], "the same two objects, swapped"
    assert counts[1] > 30 and counts[2] > 30


def test_the_named_colour_is_in_the_picture(small):
    """A one-object scene shows its object's colour: the pixels nearest to the named colour
    are closer to it than to any other colour of the palette."""
    idx_to_word = small["idx_to_word"]
    palette = {name: np.array(rgb, float) for name, rgb in sc.COLOURS.items()}
    checked = 0
    for row, image in zip(small["val_captions"], small["val_image_idxs"]):
        words = _words(row, idx_to_word)
        if len(words) != 4:
            continue
        pixels = small["val_images"][image].reshape(-1, 3).astype(float)
        dist = {name: np.sort(np.linalg.norm(pixels - rgb, axis=1))[:20].mean() for name, rgb in palette.items()}
        assert min(dist, key=dist.get) == words[2]
        checked += 1
    assert checked > 10


def test_objects_of_two_object_scenes_sit_where_the_relation_says(small):
    idx_to_word = small["idx_to_word"]
    palette = {name: np.array(rgb, float) for name, rgb in sc.COLOURS.items()}
    for row, image in zip(small["train_captions"], small["train_image_idxs"]):
        words = _words(row, idx_to_word)
        if len(words) < 9 or words[2] == words[-2]:
            continue
        img = small["train_images"][image].astype(float)
        axis = 1 if words[4] in ("left", "right") else 0
        centres = []
        for colour in (words[2], words[-2]):
            close = np.linalg.norm(img - palette[colour], axis=2) < 45
            centres.append(np.argwhere(close)[:, axis].mean())
        before = words[4] in ("left", "above")
        assert (centres[0] < centres[1]) == before, (words, centres)


def test_vocabulary_holds_every_word_once():
    idx_to_word, word_to_idx = sc.vocabulary()
    assert len(set(idx_to_word)) == len(idx_to_word) == len(word_to_idx)
