"""cs231n/coco_utils.py: CS231n's COCO captioning files read from small files in their layout
(written here with h5py), the offline fallback, and the helpers around the data."""
import json

import numpy as np
import pytest

from cs231n import coco_utils, data_utils, synthetic_captions
from cs231n.data_utils import DatasetError

WORDS = ["<NULL>", "<START>", "<END>", "<UNK>", "a", "man", "dog", "on", "skateboard"]


def write_coco(folder, D=6, D_full=10):
    """CS231n's coco_captioning layout, small: 4 training and 3 validation images."""
    h5py = pytest.importorskip("h5py")
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(0)
    caps = {"train": np.array([[1, 4, 5, 7, 4, 8, 2, 0], [1, 4, 6, 2, 0, 0, 0, 0], [1, 4, 5, 2, 0, 0, 0, 0],
                               [1, 4, 3, 2, 0, 0, 0, 0], [1, 6, 2, 0, 0, 0, 0, 0]], dtype=np.int32),
            "val": np.array([[1, 4, 6, 2, 0, 0, 0, 0], [1, 4, 5, 2, 0, 0, 0, 0]], dtype=np.int32)}
    idxs = {"train": np.array([0, 1, 2, 3, 1], dtype=np.int32), "val": np.array([2, 0], dtype=np.int32)}
    with h5py.File(folder / "coco2014_captions.h5", "w") as f:
        for s in ("train", "val"):
            f[f"{s}_captions"], f[f"{s}_image_idxs"] = caps[s], idxs[s]
    for s, n in (("train", 4), ("val", 3)):
        for suffix, dim in (("_pca", D), ("", D_full)):
            with h5py.File(folder / f"{s}2014_vgg16_fc7{suffix}.h5", "w") as f:
                f["features"] = rng.randn(n, dim).astype(np.float32)
        (folder / f"{s}2014_urls.txt").write_text("".join(f"http://images.example/{s}/{i}.jpg\n" for i in range(n)))
    (folder / "coco2014_vocab.json").write_text(json.dumps(
        {"idx_to_word": WORDS, "word_to_idx": {w: i for i, w in enumerate(WORDS)}}))
    return caps, idxs


@pytest.fixture
def small_offline(monkeypatch):
    """The offline captions, small, so that loading them takes no time."""
    data = synthetic_captions.make_synthetic_captions(num_train=60, num_val=20, seed=5)
    monkeypatch.setattr(coco_utils, "_offline_data", lambda: data)
    return data


@pytest.fixture
def no_coco(monkeypatch, tmp_path):
    monkeypatch.delenv("CS231N_OFFLINE", raising=False)
    monkeypatch.setattr(coco_utils, "DEFAULT_COCO_DIR", tmp_path / "datasets" / "coco_captioning")
    monkeypatch.setattr(data_utils, "REPO_ROOT", tmp_path)  # where dataset_dir_label makes paths relative
    monkeypatch.delenv("CS231N_COCO_DIR", raising=False)


def test_reads_cocos_files_with_their_keys_and_dtypes(tmp_path):
    caps, idxs = write_coco(tmp_path / "coco")
    data = coco_utils.load_coco_data(tmp_path / "coco")
    assert np.array_equal(data["train_captions"], caps["train"]) and data["train_captions"].dtype == np.int32
    assert np.array_equal(data["val_image_idxs"], idxs["val"])
    assert data["train_features"].shape == (4, 6) and data["train_features"].dtype == np.float32
    assert data["val_urls"][2] == "http://images.example/val/2.jpg"
    assert data["idx_to_word"] == WORDS and data["word_to_idx"]["dog"] == 6
    full = coco_utils.load_coco_data(tmp_path / "coco", pca_features=False)
    assert full["val_features"].shape == (3, 10)


def test_environment_variable_names_the_folder_and_info_says_coco(tmp_path, monkeypatch):
    write_coco(tmp_path / "coco")
    monkeypatch.setenv("CS231N_COCO_DIR", str(tmp_path / "coco"))
    monkeypatch.delenv("CS231N_OFFLINE", raising=False)
    info = coco_utils.captioning_dataset_info()
    assert info.is_coco and str(info).startswith("Dataset: COCO captioning from $CS231N_COCO_DIR")
    assert str(tmp_path) not in str(info)
    assert coco_utils.load_coco_data()["train_captions"].shape == (5, 8)


def test_max_train_keeps_that_many_distinct_training_captions(tmp_path):
    caps, _ = write_coco(tmp_path / "coco")
    data = coco_utils.load_coco_data(tmp_path / "coco", max_train=3)
    assert data["train_captions"].shape == (3, 8)
    rows = {tuple(r) for r in data["train_captions"]}
    assert len(rows) == 3 and rows <= {tuple(r) for r in caps["train"]}


def test_broken_coco_files_get_clear_errors(tmp_path):
    write_coco(tmp_path / "coco")
    (tmp_path / "coco" / "val2014_urls.txt").write_text("http://only.one/line.jpg\n")
    with pytest.raises(DatasetError, match="val2014_urls.txt has 1 lines for 3 images"):
        coco_utils.load_coco_data(tmp_path / "coco")
    (tmp_path / "coco" / "coco2014_vocab.json").unlink()
    with pytest.raises(DatasetError, match="coco2014_vocab.json is missing"):
        coco_utils.load_coco_data(tmp_path / "coco")
    (tmp_path / "coco" / "coco2014_captions.h5").write_bytes(b"not hdf5")
    with pytest.raises(DatasetError, match="not a readable HDF5 file"):
        coco_utils.load_coco_data(tmp_path / "coco")
    with pytest.raises(DatasetError, match="is not a folder"):
        coco_utils.load_coco_data(tmp_path / "nowhere")


def test_without_h5py_the_error_says_how_to_get_it(tmp_path, monkeypatch):
    write_coco(tmp_path / "coco")
    import builtins
    real_import = builtins.__import__

    def no_h5py(name, *args, **kwargs):
        if name == "h5py":
            raise ImportError("No module named 'h5py'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_h5py)
    with pytest.raises(DatasetError, match="pip install h5py"):
        coco_utils.load_coco_data(tmp_path / "coco")


def test_without_coco_the_generated_captions_come_with_the_same_keys(no_coco, small_offline):
    info = coco_utils.captioning_dataset_info()
    assert not info.is_coco
    assert "no COCO captioning files were found in datasets/coco_captioning" in str(info)
    data = coco_utils.load_coco_data()
    keys = {f"{s}_{k}" for s in ("train", "val") for k in ("captions", "image_idxs", "features", "urls", "images")}
    assert set(data) == keys | {"idx_to_word", "word_to_idx"}
    assert data["train_features"].shape[1] == synthetic_captions.PCA_DIM
    assert coco_utils.load_coco_data(pca_features=False)["val_features"].shape[1] == synthetic_captions.FEATURE_DIM
    data["train_captions"][:] = 0                                   # a copy: the cache is untouched
    assert np.all(coco_utils.load_coco_data()["train_captions"][:, 0] == 1)


def test_offline_is_forced_by_the_variable_and_a_missing_named_folder_is_an_error(tmp_path, monkeypatch,
                                                                                  small_offline):
    write_coco(tmp_path / "coco")
    monkeypatch.setenv("CS231N_COCO_DIR", str(tmp_path / "coco"))
    monkeypatch.setenv("CS231N_OFFLINE", "1")
    info = coco_utils.captioning_dataset_info()
    assert not info.is_coco and "because CS231N_OFFLINE is set" in str(info)
    monkeypatch.delenv("CS231N_OFFLINE")
    monkeypatch.setenv("CS231N_COCO_DIR", str(tmp_path / "absent"))
    with pytest.raises(DatasetError, match="CS231N_COCO_DIR is set to"):
        coco_utils.load_coco_data()


def test_decode_captions_drops_padding_and_stops_after_end():
    caps = np.array([[1, 4, 5, 2, 6, 0], [4, 6, 0, 7, 8, 8]])
    assert coco_utils.decode_captions(caps, WORDS) == ["<START> a man <END>", "a dog on skateboard skateboard"]
    assert coco_utils.decode_captions(caps[0], WORDS) == "<START> a man <END>"


def test_sample_coco_minibatch_pairs_each_caption_with_its_images_features(tmp_path):
    write_coco(tmp_path / "coco")
    data = coco_utils.load_coco_data(tmp_path / "coco")
    captions, features, urls = coco_utils.sample_coco_minibatch(data, batch_size=20, split="train")
    assert captions.shape == (20, 8) and features.shape == (20, 6) and urls.shape == (20,)
    for cap, feat, url in zip(captions, features, urls):
        row = next(i for i, c in enumerate(data["train_captions"]) if np.array_equal(c, cap)
                   and data["train_urls"][data["train_image_idxs"][i]] == url)
        assert np.array_equal(feat, data["train_features"][data["train_image_idxs"][row]])
    with pytest.raises(ValueError, match="split"):
        coco_utils.sample_coco_minibatch(data, split="test")


def test_caption_image_of_a_generated_scene_is_the_scene(no_coco, small_offline):
    data = coco_utils.load_coco_data()
    assert np.array_equal(coco_utils.caption_image(data, data["val_urls"][7]), data["val_images"][7])


def test_caption_and_word_accuracy_score_against_every_true_caption(tmp_path):
    write_coco(tmp_path / "coco")
    data = coco_utils.load_coco_data(tmp_path / "coco")
    refs = coco_utils.caption_references(data, "train")
    assert refs[1] == [("a", "dog"), ("dog",)]
    sampled = np.array([[4, 6, 2, 0], [6, 2, 0, 0], [4, 6, 2, 0], [4, 5, 7, 2]])   # as model.sample writes
    images = np.array([1, 1, 2, 0])
    # image 1: "a dog" and "dog" are both right; image 2 is "a man", image 0 "a man on a skateboard"
    assert coco_utils.caption_accuracy(sampled, images, data, "train") == pytest.approx(0.5)
    # words in place: 3/3, 2/2, 2/3 ("a dog <END>" against "a man <END>"), 3/6 (against "a man on a skateboard <END>")
    expected = np.mean([1, 1, 2 / 3, 3 / 6])
    assert coco_utils.word_accuracy(sampled, images, data, "train", refs) == pytest.approx(expected)
