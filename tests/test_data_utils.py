"""CIFAR-10 loading: the official layout, hostile and broken files, the offline fallback."""
import os
import pickle

import numpy as np
import pytest

from cs231n import data_utils
from cs231n.data_utils import (CIFAR10_CLASSES, DatasetError, get_CIFAR10_data, load_CIFAR10,
                               load_CIFAR_batch)


def write_batch(path, n=20, seed=0, protocol=2, **overrides):
    """Write a CIFAR-format batch file of n images; returns (data, labels)."""
    rng = np.random.default_rng(seed)
    batch = {
        "batch_label": "test batch",
        "labels": [int(v) for v in rng.integers(0, 10, n)],
        "data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
        "filenames": [f"img_{i}.png" for i in range(n)],
    }
    batch.update(overrides)
    with open(path, "wb") as f:
        pickle.dump(batch, f, protocol=protocol)
    return batch["data"], batch["labels"]


def write_cifar_folder(folder, n=20):
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(data_utils.CIFAR10_BATCHES):
        write_batch(folder / name, n=n, seed=i)
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({"label_names": list(CIFAR10_CLASSES)}, f, protocol=2)
    return folder


def test_batch_rows_become_channels_last_images(tmp_path):
    data, labels = write_batch(tmp_path / "b", n=4)
    X, y = load_CIFAR_batch(tmp_path / "b")
    assert X.shape == (4, 32, 32, 3) and X.dtype == np.float64
    assert y.dtype == np.int64 and list(y) == labels
    # Row layout: 1024 red, 1024 green, 1024 blue values, each row-major 32x32.
    assert X[2, 5, 7, 0] == data[2, 5 * 32 + 7]
    assert X[2, 5, 7, 1] == data[2, 1024 + 5 * 32 + 7]
    assert X[2, 31, 31, 2] == data[2, 3071]


@pytest.mark.parametrize("protocol", [2, 4])
def test_batch_loads_from_python2_and_python3_pickles(tmp_path, protocol):
    write_batch(tmp_path / "b", n=3, protocol=protocol)
    X, y = load_CIFAR_batch(tmp_path / "b")
    assert X.shape == (3, 32, 32, 3) and y.shape == (3,)


def test_load_cifar10_concatenates_the_five_training_batches(tmp_path):
    root = write_cifar_folder(tmp_path / "cifar", n=20)
    Xtr, ytr, Xte, yte = load_CIFAR10(root)
    assert Xtr.shape == (100, 32, 32, 3) and ytr.shape == (100,)
    assert Xte.shape == (20, 32, 32, 3) and yte.shape == (20,)
    X3, y3 = load_CIFAR_batch(root / "data_batch_3")
    np.testing.assert_array_equal(Xtr[40:60], X3)
    np.testing.assert_array_equal(ytr[40:60], y3)


def test_hostile_pickle_runs_nothing_and_names_the_file(tmp_path):
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    evil = tmp_path / "data_batch_1"
    with open(evil, "wb") as f:
        pickle.dump({"data": Exploit(), "labels": [0]}, f, protocol=2)
    with pytest.raises(DatasetError) as info:
        load_CIFAR_batch(evil)
    assert not marker.exists()
    assert str(evil) in str(info.value) and "refusing" in str(info.value)


def test_hostile_pickle_with_os_system_is_refused(tmp_path):
    marker = tmp_path / "pwned2"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    evil = tmp_path / "test_batch"
    with open(evil, "wb") as f:
        pickle.dump(Exploit(), f)
    with pytest.raises(DatasetError, match="refusing"):
        load_CIFAR_batch(evil)
    assert not marker.exists()


def test_truncated_file_gets_an_error_naming_file_and_fix(tmp_path):
    write_batch(tmp_path / "b", n=50)
    raw = (tmp_path / "b").read_bytes()
    (tmp_path / "b").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DatasetError) as info:
        load_CIFAR_batch(tmp_path / "b")
    message = str(info.value)
    assert str(tmp_path / "b") in message and "get_datasets.sh" in message


@pytest.mark.parametrize("override, expected", [
    ({"data": np.zeros((5, 3000), dtype=np.uint8)}, "shape"),
    ({"data": np.zeros((5, 3072), dtype=np.float32)}, "uint8"),
    ({"labels": [0, 1]}, "labels"),
    ({"labels": [0, 1, 2, 3, 12]}, "0..9"),
])
def test_wrong_shaped_file_gets_a_clear_error(tmp_path, override, expected):
    write_batch(tmp_path / "b", n=5, **override)
    with pytest.raises(DatasetError, match=expected):
        load_CIFAR_batch(tmp_path / "b")


def test_missing_file_names_the_fix(tmp_path):
    root = write_cifar_folder(tmp_path / "cifar")
    (root / "data_batch_4").unlink()
    with pytest.raises(DatasetError, match="data_batch_4.*get_datasets.sh"):
        load_CIFAR10(root)


def test_data_dir_variable_pointing_nowhere_is_an_error(monkeypatch, tmp_path):
    monkeypatch.delenv("CS231N_OFFLINE", raising=False)
    monkeypatch.setenv("CS231N_DATA_DIR", str(tmp_path / "missing"))
    with pytest.raises(DatasetError, match="CS231N_DATA_DIR"):
        load_CIFAR10()


def test_data_dir_variable_selects_the_folder(monkeypatch, tmp_path):
    root = write_cifar_folder(tmp_path / "cifar", n=10)
    monkeypatch.delenv("CS231N_OFFLINE", raising=False)
    monkeypatch.setenv("CS231N_DATA_DIR", str(root))
    info = data_utils.dataset_info()
    assert info.is_cifar10 and info.classes == CIFAR10_CLASSES
    Xtr, _, _, _ = load_CIFAR10()
    assert Xtr.shape == (50, 32, 32, 3)


def test_offline_fallback_has_cifar_shapes_and_says_so(offline):
    info = data_utils.dataset_info()
    assert not info.is_cifar10 and "offline" in str(info) and "get_datasets.sh" in str(info)
    Xtr, ytr, Xte, yte = load_CIFAR10()
    assert Xtr.shape == (info.num_train, 32, 32, 3) and Xtr.dtype == np.float64
    assert Xte.shape == (info.num_test, 32, 32, 3) and yte.dtype == np.int64
    assert len(data_utils.class_names()) == 10


def test_get_data_splits_channels_first_and_subtracts_the_training_mean(offline):
    data = get_CIFAR10_data(num_training=500, num_validation=100, num_test=200)
    assert data["X_train"].shape == (500, 3, 32, 32)
    assert data["X_val"].shape == (100, 3, 32, 32) and data["y_val"].shape == (100,)
    assert data["X_test"].shape == (200, 3, 32, 32)
    assert np.allclose(data["X_train"].mean(axis=0), 0, atol=1e-9)
    raw = get_CIFAR10_data(num_training=500, num_validation=100, num_test=200, subtract_mean=False)
    Xtr, ytr, _, _ = load_CIFAR10()
    np.testing.assert_array_equal(raw["X_val"], Xtr[500:600].transpose(0, 3, 1, 2))
    np.testing.assert_array_equal(raw["y_train"], ytr[:500])


def test_get_data_caps_course_sizes_on_the_offline_dataset(offline):
    data = get_CIFAR10_data()  # CIFAR-10's 49000/1000/1000
    info = data_utils.dataset_info()
    assert len(data["X_train"]) == info.num_train - 1000
    assert len(data["X_val"]) == 1000 and len(data["X_test"]) == 1000


def test_get_data_rejects_impossible_sizes_on_cifar(monkeypatch, tmp_path):
    root = write_cifar_folder(tmp_path / "cifar", n=10)
    monkeypatch.delenv("CS231N_OFFLINE", raising=False)
    monkeypatch.setenv("CS231N_DATA_DIR", str(root))
    with pytest.raises(ValueError, match="does not fit"):
        get_CIFAR10_data(num_training=49000)
    with pytest.raises(ValueError, match="non-negative"):
        get_CIFAR10_data(num_training=-1)


def test_real_cifar10_has_the_official_shapes(real_cifar_dir):
    Xtr, ytr, Xte, yte = load_CIFAR10(real_cifar_dir)
    assert Xtr.shape == (50000, 32, 32, 3) and ytr.shape == (50000,)
    assert Xte.shape == (10000, 32, 32, 3) and yte.shape == (10000,)
    assert np.all(np.bincount(ytr) == 5000) and np.all(np.bincount(yte) == 1000)
