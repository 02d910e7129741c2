"""Captioning data: CS231n's COCO captioning files when present, else captions the package generates.

Where the data is: ``base_dir`` when given, else ``$CS231N_COCO_DIR`` if set, else
``datasets/coco_captioning`` in the repository, in the layout of CS231n's
``coco_captioning.zip`` (``bash datasets/get_datasets.sh coco`` fetches it):

    coco2014_captions.h5         train_captions, train_image_idxs, val_captions, val_image_idxs
    coco2014_vocab.json          idx_to_word, word_to_idx
    train2014_vgg16_fc7_pca.h5   features (512 per image); also val2014_...
    train2014_vgg16_fc7.h5       features (4096 per image); also val2014_... (pca_features=False)
    train2014_urls.txt           one image URL a line; also val2014_urls.txt

Reading them needs ``h5py`` (``pip install h5py``), imported only then. Without
those files, or with ``CS231N_OFFLINE=1``, the loader returns the captioning
dataset of :mod:`cs231n.synthetic_captions` instead, with the same keys and
dtypes, and :func:`captioning_dataset_info` says so.
"""
import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cs231n.data_utils import (REPO_ROOT, DatasetError, _offline_forced, dataset_available, dataset_dir,
                                dataset_dir_label)
from cs231n import synthetic_captions

__all__ = ["COCO_FILES", "CaptionDatasetInfo", "coco_dir", "coco_dir_label", "captioning_dataset_info",
           "load_coco_data", "decode_captions", "sample_coco_minibatch", "caption_image",
           "caption_references", "caption_accuracy", "word_accuracy"]

DEFAULT_COCO_DIR = REPO_ROOT / "datasets" / "coco_captioning"
COCO_FILES = ("coco2014_captions.h5", "coco2014_vocab.json", "train2014_urls.txt", "val2014_urls.txt",
              "train2014_vgg16_fc7_pca.h5", "val2014_vgg16_fc7_pca.h5")
HOW_TO_GET_COCO = (
    "Get CS231n's COCO captioning data (about 1 GB) with `bash datasets/get_datasets.sh coco`, or set "
    "CS231N_COCO_DIR to a folder holding its files (coco2014_captions.h5, coco2014_vocab.json, ...), "
    "and `pip install h5py` to read them."
)


# ---------------------------------------------------------------------------
# Which dataset is in use
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class CaptionDatasetInfo:
    """What load_coco_data will return: name ('COCO captioning' or 'offline generated captions'),
    is_coco, and path (the COCO folder, or None for the generated captions)."""

    name: str
    is_coco: bool
    path: object

    def __str__(self):
        # Stored with the notebooks' outputs: name the folder or the variable, never a machine path.
        if self.is_coco:
            return (f"Dataset: COCO captioning from {coco_dir_label()} (CS231n's 2014 captions "
                    "and VGG-16 image features).")
        reason = ("because CS231N_OFFLINE is set" if _offline_forced()
                  else f"because no COCO captioning files were found in {coco_dir_label()}")
        return (f"Dataset: offline generated captions ({synthetic_captions.NUM_TRAIN_IMAGES} training and "
                f"{synthetic_captions.NUM_VAL_IMAGES} validation scenes of one or two shapes, "
                f"{len(synthetic_captions.WORDS)} words), {reason}. The captions say exactly what is in "
                f"each scene, so they can be scored exactly. {HOW_TO_GET_COCO}")


def coco_dir():
    """The folder where the COCO captioning files are looked for: $CS231N_COCO_DIR, else datasets/coco_captioning."""
    return dataset_dir("CS231N_COCO_DIR", DEFAULT_COCO_DIR)


def coco_dir_label():
    """Where COCO is looked for, said without the machine's paths: `$CS231N_COCO_DIR` or `datasets/...`."""
    return dataset_dir_label("CS231N_COCO_DIR", DEFAULT_COCO_DIR)


def _coco_available():
    """True when the COCO folder exists; raises when CS231N_COCO_DIR names a missing folder."""
    return dataset_available("CS231N_COCO_DIR", DEFAULT_COCO_DIR, HOW_TO_GET_COCO)


def captioning_dataset_info():
    """Describe the captioning dataset load_coco_data() uses now; print it for a notice."""
    if _coco_available():
        return CaptionDatasetInfo("COCO captioning", True, coco_dir())
    return CaptionDatasetInfo("offline generated captions", False, None)


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------

def _h5py():
    try:
        import h5py
    except ImportError:
        raise DatasetError("reading the COCO captioning files needs h5py: pip install h5py "
                           "(or pip install -e '.[coco]'). Without the files, the notebooks use "
                           "captions the package generates.") from None
    return h5py


def _read_h5(h5py, path, keys):
    try:
        with h5py.File(path, "r") as f:
            missing = [k for k in keys if k not in f]
            if missing:
                raise DatasetError(f"{path.name} lacks {', '.join(missing)}: not CS231n's COCO captioning "
                                   f"file. {HOW_TO_GET_COCO}")
            return {k: np.asarray(f[k]) for k in keys}
    except FileNotFoundError:
        raise DatasetError(f"{path} is missing. {HOW_TO_GET_COCO}") from None
    except OSError as e:
        raise DatasetError(f"{path} is not a readable HDF5 file ({e}). Delete it and fetch it again. "
                           f"{HOW_TO_GET_COCO}") from None


def _read_lines(path):
    try:
        return np.array([line.strip() for line in path.read_text().splitlines()])
    except FileNotFoundError:
        raise DatasetError(f"{path} is missing. {HOW_TO_GET_COCO}") from None


def _load_coco_files(root, pca_features):
    h5py = _h5py()
    splits = ("train", "val")
    data = _read_h5(h5py, root / "coco2014_captions.h5",
                    [f"{s}_{k}" for s in splits for k in ("captions", "image_idxs")])
    suffix = "_pca" if pca_features else ""
    for s in splits:
        data[f"{s}_features"] = _read_h5(h5py, root / f"{s}2014_vgg16_fc7{suffix}.h5", ["features"])["features"]
        data[f"{s}_urls"] = _read_lines(root / f"{s}2014_urls.txt")
    try:
        vocab = json.loads((root / "coco2014_vocab.json").read_text())
        data["idx_to_word"], data["word_to_idx"] = list(vocab["idx_to_word"]), dict(vocab["word_to_idx"])
    except FileNotFoundError:
        raise DatasetError(f"{root / 'coco2014_vocab.json'} is missing. {HOW_TO_GET_COCO}") from None
    except (ValueError, KeyError, TypeError) as e:
        raise DatasetError(f"{root / 'coco2014_vocab.json'} is not CS231n's vocabulary ({e}). "
                           f"{HOW_TO_GET_COCO}") from None
    V = len(data["idx_to_word"])
    for s in splits:
        captions, idxs = data[f"{s}_captions"], data[f"{s}_image_idxs"]
        if captions.ndim != 2 or idxs.shape != (len(captions),) or captions.dtype.kind not in "iu":
            raise DatasetError(f"coco2014_captions.h5: {s}_captions must be integers (M, T) and {s}_image_idxs "
                               f"(M,), got {captions.shape} {captions.dtype} and {idxs.shape}")
        if captions.size and (captions.min() < 0 or captions.max() >= V):
            raise DatasetError(f"coco2014_captions.h5: {s}_captions has word indices outside the "
                               f"vocabulary of {V} words")
        num_images = len(data[f"{s}_features"])
        if idxs.size and (idxs.min() < 0 or idxs.max() >= num_images):
            raise DatasetError(f"coco2014_captions.h5: {s}_image_idxs points past the {num_images} images "
                               f"of the {s} features")
        if len(data[f"{s}_urls"]) != num_images:
            raise DatasetError(f"{s}2014_urls.txt has {len(data[f'{s}_urls'])} lines for {num_images} images")
    return data


@functools.lru_cache(maxsize=2)
def _offline_data():
    return synthetic_captions.make_synthetic_captions()


def _offline(pca_features):
    generated = _offline_data()
    data = {}
    for s in ("train", "val"):
        for k in ("captions", "image_idxs", "urls", "images"):
            data[f"{s}_{k}"] = generated[f"{s}_{k}"].copy()
        data[f"{s}_features"] = generated[f"{s}_features_pca" if pca_features else f"{s}_features"].copy()
    data["idx_to_word"] = list(generated["idx_to_word"])
    data["word_to_idx"] = dict(generated["word_to_idx"])
    return data


def load_coco_data(base_dir=None, max_train=None, pca_features=True):
    """Load the captioning data: CS231n's COCO files, or the generated captions offline.

    Inputs:
    - base_dir: the COCO captioning folder; None: $CS231N_COCO_DIR, else
      datasets/coco_captioning, else (no such folder, or CS231N_OFFLINE=1) the
      generated captions. A base_dir that is given must hold the files.
    - max_train: if not None, keep this many training captions, drawn at random
      (np.random) without replacement
    - pca_features: the PCA-reduced image features (COCO: 512 numbers, generated: 128)
      rather than the full ones (COCO: 4096, generated: 512)

    Returns a dict with, for split in ('train', 'val'):
    - '<split>_captions': int32 (M, T), word indices: <START> words <END>, then <NULL>
    - '<split>_image_idxs': int32 (M,), the image (row of the features) of each caption
    - '<split>_features': float32 (num_images, D), one feature vector per image
    - '<split>_urls': str array (num_images,), where each image is (see caption_image)
    - 'idx_to_word': list of the V words; 'word_to_idx': dict from word to index
    The generated data also has '<split>_images', uint8 (num_images, 48, 48, 3).
    """
    if base_dir is not None:
        root = Path(base_dir).expanduser()
        if not root.is_dir():
            raise DatasetError(f"{root} is not a folder. {HOW_TO_GET_COCO}")
        data = _load_coco_files(root, pca_features)
    elif _coco_available():
        data = _load_coco_files(coco_dir(), pca_features)
    else:
        data = _offline(pca_features)
    if max_train is not None:
        num_train = len(data["train_captions"])
        if int(max_train) < num_train:
            keep = np.random.choice(num_train, int(max_train), replace=False)
            data["train_captions"] = data["train_captions"][keep]
            data["train_image_idxs"] = data["train_image_idxs"][keep]
    return data


# ---------------------------------------------------------------------------
# Using it
# ---------------------------------------------------------------------------

def decode_captions(captions, idx_to_word):
    """Word indices to text: each row's words joined by spaces, <NULL> left out, up to <END>.

    Inputs:
    - captions: int array of shape (N, T), or (T,) for one caption
    - idx_to_word: list (or dict) from word index to word

    Returns a list of N strings (one string for a single caption), e.g.
    '<START> a small red ring <END>'.
    """
    captions = np.asarray(captions)
    single = captions.ndim == 1
    decoded = []
    for row in np.atleast_2d(captions):
        words = []
        for index in row:
            word = idx_to_word[int(index)]
            if word != "<NULL>":
                words.append(word)
            if word == "<END>":
                break
        decoded.append(" ".join(words))
    return decoded[0] if single else decoded


def sample_coco_minibatch(data, batch_size=100, split="train"):
    """A random minibatch of captions (drawn with np.random, with replacement) and their images.

    Returns a tuple of:
    - captions: int32 (batch_size, T)
    - image_features: float32 (batch_size, D), the features of each caption's image
    - urls: str array (batch_size,), each caption's image
    """
    if split not in ("train", "val"):
        raise ValueError(f"split must be 'train' or 'val', got {split!r}")
    pick = np.random.choice(len(data[f"{split}_captions"]), batch_size)
    image_idxs = data[f"{split}_image_idxs"][pick]
    return data[f"{split}_captions"][pick], data[f"{split}_features"][image_idxs], data[f"{split}_urls"][image_idxs]


def caption_image(data, url):
    """The picture behind an image URL of the data, as a uint8 array (H, W, 3).

    Generated scenes ('offline://<split>/<index>') come from the data itself;
    COCO's are downloaded (cs231n.image_utils.image_from_url), which needs the network.
    """
    if str(url).startswith("offline://"):
        split, index = str(url)[len("offline://"):].split("/")
        return data[f"{split}_images"][int(index)]
    from cs231n.image_utils import image_from_url
    return image_from_url(url)


def _words(caption, idx_to_word):
    """The words of one caption (a row of indices) without <START>, <END> and <NULL>, as a tuple."""
    return tuple(w for w in decode_captions(caption, idx_to_word).split()
                 if w not in ("<START>", "<END>", "<NULL>"))


def caption_references(data, split="val"):
    """Every true caption of every image of a split: a list, one entry per image, of word tuples."""
    refs = [[] for _ in range(len(data[f"{split}_features"]))]
    for caption, image in zip(data[f"{split}_captions"], data[f"{split}_image_idxs"]):
        refs[image].append(_words(caption, data["idx_to_word"]))
    return refs


def caption_accuracy(sampled, image_idxs, data, split="val", references=None):
    """The fraction of sampled captions that are exactly one of their image's true captions.

    Inputs:
    - sampled: int array (N, T), captions written for the images image_idxs (as
      CaptioningRNN.sample writes them, without <START>)
    - image_idxs: int array (N,), images of the split
    - references: caption_references(data, split), to pass when calling often
    """
    refs = caption_references(data, split) if references is None else references
    words = [_words(row, data["idx_to_word"]) for row in np.asarray(sampled)]
    return float(np.mean([w in refs[i] for w, i in zip(words, image_idxs)])) if len(words) else 0.0


def word_accuracy(sampled, image_idxs, data, split="val", references=None):
    """The fraction of words in place: for each sampled caption and its image's closest true
    caption, the words (and the final <END>) equal at the same position, over the longer of the two.

    Inputs as for caption_accuracy. Unlike it, this gives credit for partly right captions.
    """
    refs = caption_references(data, split) if references is None else references
    scores = []
    for row, image in zip(np.asarray(sampled), image_idxs):
        text = decode_captions(row, data["idx_to_word"])
        mine = _words(row, data["idx_to_word"]) + (("<END>",) if text.endswith("<END>") else ())
        best = 0.0
        for ref in refs[image]:
            ref = ref + ("<END>",)
            best = max(best, sum(a == b for a, b in zip(mine, ref)) / max(len(mine), len(ref)))
        scores.append(best)
    return float(np.mean(scores)) if scores else 0.0
