"""CIFAR-10 loading, splits and the offline fallback.

Where the data is: ``$CS231N_DATA_DIR`` if set, else ``datasets/cifar-10-batches-py``
in the repository. When neither holds CIFAR-10, the loaders return the small
dataset of :mod:`cs231n.synthetic_data` instead, with the same shapes and API,
and :func:`dataset_info` says so. Set ``CS231N_OFFLINE=1`` to use the offline
dataset even when CIFAR-10 is present.

Unpickling can run code, so CIFAR batches are read with an unpickler that
accepts only what a batch holds: a dict of strings, ints and lists, and one
uint8 numpy array.
"""
import functools
import os
import pickle
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cs231n.synthetic_data import NUM_TEST, NUM_TRAIN, SYNTHETIC_CLASSES, make_synthetic_cifar

__all__ = [
    "CIFAR10_CLASSES", "DatasetError", "DatasetInfo", "cifar10_dir", "data_dir_label", "dataset_info",
    "class_names",
    "load_CIFAR_batch", "load_CIFAR10", "get_CIFAR10_data",
    "UnsafePickleError", "load_pickle", "read_npy_safely", "load_tiny_imagenet", "imagenet_val_path",
    "load_imagenet_val", "load_models",
]

CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)
CIFAR10_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch",)
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT / "datasets" / "cifar-10-batches-py"
HOW_TO_GET = (
    "Get CIFAR-10 with `bash datasets/get_datasets.sh` (downloads and checks it), "
    "or set CS231N_DATA_DIR to a folder holding the official python version "
    "(data_batch_1 ... data_batch_5, test_batch)."
)


class DatasetError(RuntimeError):
    """A CIFAR-10 file is missing, truncated, malformed or unsafe."""


# ---------------------------------------------------------------------------
# Which dataset is in use
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class DatasetInfo:
    """What the loaders will return.

    - name: 'CIFAR-10' or 'offline synthetic'
    - is_cifar10: True when the real CIFAR-10 is used
    - path: folder of the CIFAR-10 batches, or None for the offline dataset
    - num_train, num_test: sizes of the full training and test sets
    - classes: the 10 class names
    """

    name: str
    is_cifar10: bool
    path: object
    num_train: int
    num_test: int
    classes: tuple

    def __str__(self):
        # Notebooks print this and are stored with their outputs: name where the
        # data came from (the repository's folder or the variable), never a path
        # of the machine that ran them.
        if self.is_cifar10:
            return (f"Dataset: CIFAR-10 from {data_dir_label()} "
                    f"({self.num_train} training, {self.num_test} test images).")
        reason = ("because CS231N_OFFLINE is set" if _offline_forced()
                  else f"because no CIFAR-10 was found in {data_dir_label()}")
        return (f"Dataset: offline synthetic stand-in ({self.num_train} training, "
                f"{self.num_test} test images of 10 shape classes), {reason}. The text and "
                f"targets of these notebooks are written for CIFAR-10. {HOW_TO_GET}")


def data_dir_label():
    """Where CIFAR-10 is looked for, said without the machine's paths: `$CS231N_DATA_DIR` or `datasets/...`."""
    return dataset_dir_label("CS231N_DATA_DIR", DEFAULT_DATA_DIR)


# A dataset folder: named by an environment variable, else a default under datasets/.
def dataset_dir(env_var, default):
    env = os.environ.get(env_var)
    return Path(env).expanduser() if env else default


def dataset_dir_label(env_var, default):
    """The folder said without the machine's paths (stored outputs show it): `$VAR` or `datasets/...`."""
    return f"${env_var}" if os.environ.get(env_var) else default.relative_to(REPO_ROOT).as_posix()


def dataset_available(env_var, default, how_to_get):
    """True when the folder exists; False offline or when it is missing; raises when the
    environment variable names a folder that does not exist (a typo should not go unnoticed)."""
    if _offline_forced():
        return False
    folder = dataset_dir(env_var, default)
    if folder.is_dir():
        return True
    if os.environ.get(env_var):
        raise DatasetError(f"{env_var} is set to {folder}, which is not a folder. {how_to_get}")
    return False


def _offline_forced():
    return os.environ.get("CS231N_OFFLINE", "").strip().lower() in ("1", "true", "yes")


def cifar10_dir():
    """The folder where CIFAR-10 is looked for: $CS231N_DATA_DIR, else datasets/cifar-10-batches-py."""
    return dataset_dir("CS231N_DATA_DIR", DEFAULT_DATA_DIR)


def _cifar10_available():
    """True when the CIFAR-10 folder exists; raises when CS231N_DATA_DIR names a missing folder."""
    return dataset_available("CS231N_DATA_DIR", DEFAULT_DATA_DIR, HOW_TO_GET)


def dataset_info():
    """Describe the dataset the loaders use now (see DatasetInfo); print it for a notice."""
    if _cifar10_available():
        return DatasetInfo("CIFAR-10", True, cifar10_dir(), 50000, 10000, CIFAR10_CLASSES)
    return DatasetInfo("offline synthetic", False, None, NUM_TRAIN, NUM_TEST, SYNTHETIC_CLASSES)


def class_names():
    """The 10 class names of the dataset in use, indexed by label."""
    return dataset_info().classes


# ---------------------------------------------------------------------------
# Reading CIFAR-10 batches safely
# ---------------------------------------------------------------------------

_NDARRAY_RECONSTRUCT = np.ndarray.__reduce__(np.zeros(1))[0]


def _latin1_encode(text, encoding="latin1"):
    """What Python 3's protocol-2 pickles call to rebuild bytes; nothing else is allowed through."""
    if encoding not in ("latin1", "latin-1") or not isinstance(text, str):
        raise pickle.UnpicklingError(f"refusing _codecs.encode with encoding {encoding!r}")
    return text.encode("latin1")


class _CifarUnpickler(pickle.Unpickler):
    """An unpickler that can build nothing but plain data and numpy arrays."""

    _allowed = {
        ("_codecs", "encode"): _latin1_encode,
        ("numpy.core.multiarray", "_reconstruct"): _NDARRAY_RECONSTRUCT,
        ("numpy._core.multiarray", "_reconstruct"): _NDARRAY_RECONSTRUCT,
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
    }

    def find_class(self, module, name):
        try:
            return self._allowed[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load {module}.{name}: a CIFAR-10 batch holds only plain data "
                "and a uint8 array") from None


def _read_batch_dict(filename):
    try:
        with open(filename, "rb") as f:
            batch = _CifarUnpickler(f, encoding="latin1").load()
    except FileNotFoundError:
        raise DatasetError(f"{filename} is missing. {HOW_TO_GET}") from None
    except pickle.UnpicklingError as e:
        raise DatasetError(f"{filename} is not a safe CIFAR-10 batch: {e}. {HOW_TO_GET}") from None
    except (EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError,
            UnicodeDecodeError, MemoryError) as e:
        raise DatasetError(f"{filename} is truncated or corrupt ({type(e).__name__}: {e}). "
                           f"Delete it and fetch it again. {HOW_TO_GET}") from None
    if not isinstance(batch, dict):
        raise DatasetError(f"{filename} does not hold a CIFAR-10 batch (found {type(batch).__name__}, "
                           f"expected a dict). {HOW_TO_GET}")
    # Keys are str when the file was pickled by Python 3, bytes-decoded str by latin1 otherwise.
    return {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in batch.items()}


def _read_batch(filename):
    """Validated contents of one batch file: uint8 (N, 32, 32, 3) images and int64 (N,) labels."""
    batch = _read_batch_dict(filename)
    if "data" not in batch or "labels" not in batch:
        raise DatasetError(f"{filename} has no 'data'/'labels' entries (keys: {sorted(batch)}). {HOW_TO_GET}")
    data, labels = batch["data"], batch["labels"]
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3072:
        shape = getattr(data, "shape", None)
        dtype = getattr(data, "dtype", type(data).__name__)
        raise DatasetError(f"{filename}: 'data' should be a uint8 array of shape (N, 3072), "
                           f"found {dtype} of shape {shape}. {HOW_TO_GET}")
    labels = np.asarray(labels)
    if labels.shape != (data.shape[0],) or not np.issubdtype(labels.dtype, np.integer):
        raise DatasetError(f"{filename}: 'labels' should be {data.shape[0]} integers, "
                           f"found shape {labels.shape}, dtype {labels.dtype}. {HOW_TO_GET}")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise DatasetError(f"{filename}: labels must lie in 0..9, found {labels.min()}..{labels.max()}. {HOW_TO_GET}")
    # Each row is 1024 red, then 1024 green, then 1024 blue values of a 32x32 image.
    images = np.ascontiguousarray(data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    return images, labels.astype(np.int64)


def load_CIFAR_batch(filename):
    """Load one CIFAR-10 batch file (official python-pickle layout).

    Inputs:
    - filename: path of a batch file (e.g. .../data_batch_1)

    Returns a tuple (X, Y):
    - X: float64 array of shape (N, 32, 32, 3), pixel values in [0, 255]
    - Y: int64 array of shape (N,), labels in 0..9
    (N is 10000 for the official files.)

    Raises DatasetError naming the file when it is missing, truncated, unsafe or
    of the wrong shape.
    """
    images, labels = _read_batch(filename)
    return images.astype(np.float64), labels


@functools.lru_cache(maxsize=1)
def _synthetic():
    return make_synthetic_cifar()


def load_CIFAR10(root=None):
    """Load all of CIFAR-10, or the offline dataset when CIFAR-10 is not found.

    Inputs:
    - root: folder holding data_batch_1..5 and test_batch; None looks in
      cifar10_dir() and falls back to the offline dataset if that folder does not exist.

    Returns a tuple (Xtr, Ytr, Xte, Yte):
    - Xtr: float64 array of shape (50000, 32, 32, 3); Ytr: int64 array of shape (50000,)
    - Xte: float64 array of shape (10000, 32, 32, 3); Yte: int64 array of shape (10000,)
    (offline: 10000 training and 2000 test images of the same shape and dtype)
    """
    if root is None:
        if not _cifar10_available():
            Xtr, ytr, Xte, yte = _synthetic()
            return Xtr.astype(np.float64), ytr.copy(), Xte.astype(np.float64), yte.copy()
        root = cifar10_dir()
    root = Path(root)
    if not root.is_dir():
        raise DatasetError(f"{root} is not a folder. {HOW_TO_GET}")
    parts = [_read_batch(root / name) for name in CIFAR10_BATCHES]
    # One float64 copy of each split, written in place (no concatenated temporaries).
    num_train = sum(len(y) for _, y in parts[:5])
    Xtr = np.empty((num_train, 32, 32, 3), dtype=np.float64)
    start = 0
    for images, labels in parts[:5]:
        Xtr[start:start + len(labels)] = images
        start += len(labels)
    Ytr = np.concatenate([labels for _, labels in parts[:5]])
    Xte, Yte = parts[5][0].astype(np.float64), parts[5][1]
    return Xtr, Ytr, Xte, Yte


def get_CIFAR10_data(num_training=49000, num_validation=1000, num_test=1000, subtract_mean=True):
    """Load the dataset in use and split it, channels first, as the course's models expect.

    The validation set is the num_validation training images right after the
    first num_training (as in CS231n). On the offline dataset, which is smaller,
    num_training and num_test are capped at what it holds, so notebooks written
    for CIFAR-10 sizes run unchanged; on CIFAR-10 an impossible request raises.

    Inputs:
    - num_training, num_validation, num_test: ints, sizes of the splits
    - subtract_mean: if True, subtract the mean image of the training split from every split

    Returns a dict with:
    - 'X_train': float64 (num_training, 3, 32, 32); 'y_train': int64 (num_training,)
    - 'X_val': float64 (num_validation, 3, 32, 32); 'y_val': int64 (num_validation,)
    - 'X_test': float64 (num_test, 3, 32, 32); 'y_test': int64 (num_test,)
    """
    for name, value in (("num_training", num_training), ("num_validation", num_validation),
                        ("num_test", num_test)):
        if not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    X_train, y_train, X_test, y_test = load_CIFAR10()
    if not dataset_info().is_cifar10:
        num_training = min(num_training, len(X_train) - num_validation)
        num_test = min(num_test, len(X_test))
    if num_training + num_validation > len(X_train) or num_training <= 0:
        raise ValueError(f"num_training + num_validation = {num_training + num_validation} does not fit "
                         f"the {len(X_train)} training images")
    if num_test > len(X_test):
        raise ValueError(f"num_test = {num_test} is more than the {len(X_test)} test images")

    X_val = X_train[num_training:num_training + num_validation]
    y_val = y_train[num_training:num_training + num_validation]
    X_train, y_train = X_train[:num_training], y_train[:num_training]
    X_test, y_test = X_test[:num_test], y_test[:num_test]

    if subtract_mean:
        # In place: the arrays were loaded for this call, and a copy of
        # CIFAR-10 in float64 is over a gigabyte.
        mean_image = X_train.mean(axis=0)
        X_train -= mean_image
        X_val -= mean_image
        X_test -= mean_image

    def channels_first(X):
        return np.ascontiguousarray(X.transpose(0, 3, 1, 2))

    return {
        "X_train": channels_first(X_train), "y_train": y_train,
        "X_val": channels_first(X_val), "y_val": y_val,
        "X_test": channels_first(X_test), "y_test": y_test,
    }


# ---------------------------------------------------------------------------
# CS231n's other loaders: pickles, Tiny ImageNet, a few ImageNet images, saved models
# ---------------------------------------------------------------------------

class UnsafePickleError(pickle.UnpicklingError):
    """A pickle asks for an object other than plain data and numpy arrays."""


def _safe_frombuffer(buf, dtype, shape, order="C"):
    """What numpy's protocol-5 pickles call to rebuild an array, for non-object dtypes only."""
    if not isinstance(dtype, np.dtype) or dtype.hasobject:
        raise UnsafePickleError(f"refusing an array of dtype {dtype!r} from raw bytes")
    return np.frombuffer(bytes(buf), dtype=dtype).reshape(shape, order=order).copy()


def _safe_scalar(dtype, data=None):
    """What numpy pickles call to rebuild a scalar (np.float64(...)), for non-object dtypes only."""
    if not isinstance(dtype, np.dtype) or dtype.hasobject or not isinstance(data, (bytes, str)):
        raise UnsafePickleError(f"refusing a numpy scalar of dtype {dtype!r}")
    data = data.encode("latin1") if isinstance(data, str) else data
    return np.frombuffer(data, dtype=dtype, count=1)[0]


class _SafeUnpickler(_CifarUnpickler):
    """The CIFAR unpickler's rules, for any pickle: plain data, numpy arrays, dtypes and scalars."""

    _allowed = {
        **_CifarUnpickler._allowed,
        ("numpy.core.numeric", "_frombuffer"): _safe_frombuffer,
        ("numpy._core.numeric", "_frombuffer"): _safe_frombuffer,
        ("numpy.core.multiarray", "scalar"): _safe_scalar,
        ("numpy._core.multiarray", "scalar"): _safe_scalar,
    }

    def find_class(self, module, name):
        try:
            return self._allowed[(module, name)]
        except KeyError:
            raise UnsafePickleError(
                f"refusing to load {module}.{name}: only plain data (dicts, lists, strings, "
                "numbers) and numpy arrays are read, because unpickling anything else can run "
                "code") from None


def load_pickle(f):
    """Read one pickled object from a binary file object (or a path), safely.

    Like CS231n's ``load_pickle`` (latin1 for Python 2 pickles), but with a
    restricted unpickler: it builds plain data and numpy arrays only, and raises
    UnsafePickleError (a pickle.UnpicklingError) for anything else.
    """
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return _SafeUnpickler(fh, encoding="latin1").load()
    return _SafeUnpickler(f, encoding="latin1").load()


def read_npy_safely(f):
    """Read one .npy array from a binary stream (need not be seekable), never running code.

    Arrays of plain dtypes are read as numpy does with allow_pickle=False; an
    object array (what ``np.save`` writes for a dict) goes through the
    restricted unpickler of :func:`load_pickle`.
    """
    from numpy.lib import format as npy

    version = npy.read_magic(f)
    if version == (1, 0):
        shape, fortran, dtype = npy.read_array_header_1_0(f)
    elif version in ((2, 0), (3, 0)):
        shape, fortran, dtype = npy.read_array_header_2_0(f)
    else:
        raise ValueError(f"unsupported .npy version {version}")
    if dtype.hasobject:
        return _SafeUnpickler(f, encoding="latin1").load()
    count = int(np.prod(shape, dtype=np.int64))
    data = f.read(count * dtype.itemsize)
    if len(data) != count * dtype.itemsize:
        raise ValueError(f"the array is truncated: {len(data)} of {count * dtype.itemsize} bytes")
    return np.frombuffer(data, dtype=dtype, count=count).reshape(shape, order="F" if fortran else "C").copy()


TINY_IMAGENET_HOW_TO_GET = (
    "Tiny ImageNet is not part of this course's data: download "
    "http://cs231n.stanford.edu/tiny-imagenet-200.zip (about 250 MB), unzip it, and pass the "
    "folder that holds wnids.txt, words.txt, train/, val/ and test/."
)
IMAGENET_VAL_FILE = "imagenet_val_25.npz"
IMAGENET_VAL_HOW_TO_GET = (
    f"Download http://cs231n.stanford.edu/{IMAGENET_VAL_FILE} (25 ImageNet validation images, "
    "about 4 MB; CS231n's cs231n/datasets/get_imagenet_val.sh does the same) into datasets/."
)


def _read_image_chw(filename, dtype):
    """One image file as a (3, H, W) array (grey images repeated over 3 channels, alpha dropped)."""
    from cs231n.image_utils import read_pixels

    img = read_pixels(filename)
    if img.ndim == 2:
        img = np.repeat(img[:, :, None], 3, axis=2)
    return img[:, :, :3].transpose(2, 0, 1).astype(dtype)


def _stack_images(files, dtype, what):
    if not files:
        return np.zeros((0, 3, 64, 64), dtype=dtype)
    try:
        return np.stack([_read_image_chw(f, dtype) for f in files])
    except (OSError, ValueError) as e:
        raise DatasetError(f"Tiny ImageNet {what}: cannot read an image ({e}). {TINY_IMAGENET_HOW_TO_GET}") from None


def load_tiny_imagenet(path, dtype=np.float32, subtract_mean=True):
    """Load Tiny ImageNet (TinyImageNet-200, or -100-A/-100-B, which share its layout).

    Inputs:
    - path: the dataset's folder (wnids.txt, words.txt, train/, val/, test/)
    - dtype: numpy dtype of the images
    - subtract_mean: subtract the mean training image from every split

    Returns a dict with:
    - 'class_names': list; class_names[i] is the list of WordNet names of class i
    - 'X_train': (N_tr, 3, 64, 64); 'y_train': int64 (N_tr,)
    - 'X_val': (N_val, 3, 64, 64); 'y_val': int64 (N_val,)
    - 'X_test': (N_test, 3, 64, 64); 'y_test': int64 (N_test,), or None without test labels
    - 'mean_image': (3, 64, 64), the mean training image

    Raises DatasetError, saying how to get the data, when the folder is not there.
    """
    root = Path(path).expanduser()
    for needed in ("wnids.txt", "words.txt", "train", "val"):
        if not (root / needed).exists():
            raise DatasetError(f"{root} is not a Tiny ImageNet folder ({needed} is missing). "
                               f"{TINY_IMAGENET_HOW_TO_GET}")
    wnids = [w.strip() for w in (root / "wnids.txt").read_text().splitlines() if w.strip()]
    label_of = {wnid: i for i, wnid in enumerate(wnids)}
    words = {}
    for line in (root / "words.txt").read_text().splitlines():
        wnid, _, names = line.partition("\t")
        words[wnid.strip()] = [n.strip() for n in names.split(",")]
    class_names = [words.get(wnid, [wnid]) for wnid in wnids]

    train_files, y_train = [], []
    for wnid in wnids:
        folder = root / "train" / wnid
        boxes = folder / f"{wnid}_boxes.txt"
        if boxes.is_file():
            names = [line.split("\t")[0] for line in boxes.read_text().splitlines() if line.strip()]
        else:
            names = sorted(p.name for p in (folder / "images").glob("*"))
        train_files += [folder / "images" / n for n in names]
        y_train += [label_of[wnid]] * len(names)

    val_files, y_val = [], []
    for line in (root / "val" / "val_annotations.txt").read_text().splitlines():
        if line.strip():
            name, wnid = line.split("\t")[:2]
            val_files.append(root / "val" / "images" / name)
            y_val.append(label_of[wnid])

    test_dir = root / "test" / "images"
    test_names = sorted(p.name for p in test_dir.glob("*")) if test_dir.is_dir() else []
    y_test = None
    annotations = root / "test" / "test_annotations.txt"
    if annotations.is_file():
        wnid_of = dict(line.split("\t")[:2] for line in annotations.read_text().splitlines() if line.strip())
        y_test = np.array([label_of[wnid_of[n]] for n in test_names], dtype=np.int64)

    X_train = _stack_images(train_files, dtype, "training set")
    X_val = _stack_images(val_files, dtype, "validation set")
    X_test = _stack_images([test_dir / n for n in test_names], dtype, "test set")
    mean_image = X_train.mean(axis=0)
    if subtract_mean:
        X_train -= mean_image
        X_val -= mean_image
        X_test -= mean_image
    return {
        "class_names": class_names,
        "X_train": X_train, "y_train": np.array(y_train, dtype=np.int64),
        "X_val": X_val, "y_val": np.array(y_val, dtype=np.int64),
        "X_test": X_test, "y_test": y_test,
        "mean_image": mean_image,
    }


def imagenet_val_path():
    """Where load_imagenet_val looks: datasets/imagenet_val_25.npz, else CS231n's cs231n/datasets/ in the current folder."""
    candidates = [REPO_ROOT / "datasets" / IMAGENET_VAL_FILE, Path("cs231n") / "datasets" / IMAGENET_VAL_FILE]
    return next((p for p in candidates if p.is_file()), candidates[0])


def load_imagenet_val(num=None):
    """Load a few ImageNet validation images (CS231n's imagenet_val_25.npz).

    Inputs:
    - num: how many images (at most 25); None for all

    Returns a tuple (X, y, class_names):
    - X: uint8 array of shape (num, 224, 224, 3)
    - y: int array of shape (num,), the labels
    - class_names: dict from an integer label to its class name

    Raises DatasetError, saying how to get the file, when it is missing or broken.
    """
    path = imagenet_val_path()
    if not path.is_file():
        raise DatasetError(f"{IMAGENET_VAL_FILE} is missing (looked for {path}). {IMAGENET_VAL_HOW_TO_GET}")
    try:
        with zipfile.ZipFile(path) as archive:
            contents = {}
            for key in ("X", "y", "label_map"):
                with archive.open(f"{key}.npy") as f:
                    contents[key] = read_npy_safely(f)
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError, pickle.UnpicklingError) as e:
        raise DatasetError(f"{path} is corrupt ({type(e).__name__}: {e}). Delete it and fetch it again. "
                           f"{IMAGENET_VAL_HOW_TO_GET}") from None
    X, y, label_map = contents["X"], contents["y"], contents["label_map"]
    if isinstance(label_map, np.ndarray) and label_map.shape == ():
        label_map = label_map.item()
    if num is not None:
        if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 1:
            raise ValueError(f"num must be a positive int or None, got {num!r}")
        X, y = X[:num], y[:num]
    return X, y, label_map


def load_models(models_dir):
    """Load every pickled model in a folder: a dict from file name to the file's 'model' entry.

    Each model file is a pickled dict with a 'model' field (CS231n's format).
    Files that are not pickles (a README, say) are skipped, as in CS231n; the
    pickles are read with :func:`load_pickle`'s restricted unpickler, and a file
    that asks for anything but plain data and arrays is skipped with a warning.
    """
    import warnings

    root = Path(models_dir).expanduser()
    if not root.is_dir():
        raise DatasetError(f"{root} is not a folder of saved models: pass the folder that holds the "
                           "pickled model files (CS231n ships them with the assignments that use them)")
    models = {}
    for file in sorted(p for p in root.iterdir() if p.is_file()):
        try:
            with open(file, "rb") as f:
                content = load_pickle(f)
        except UnsafePickleError as e:
            warnings.warn(f"skipped {file.name}: {e}", RuntimeWarning, stacklevel=2)
            continue
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError,
                KeyError, UnicodeDecodeError, MemoryError):
            continue  # not a pickle
        if isinstance(content, dict) and "model" in content:
            models[file.name] = content["model"]
        else:
            warnings.warn(f"skipped {file.name}: a pickle without a 'model' entry", RuntimeWarning, stacklevel=2)
    return models
