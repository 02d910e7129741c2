"""What CS231n's own notebooks call that this course does not otherwise need.

- ``model.save(fname)`` / ``model.load(fname)`` (CS231n 2024-2025): every model
  class inherits them from :class:`SavesParams` (``self.params``, plus the
  running statistics of batch normalization) or :class:`SavesWeights` (the
  ``W`` of a linear classifier).
- keyword names CS231n used before renaming them (``FullyConnectedNet(dropout=...)``
  of 2019-2020): :func:`renamed_keyword`.

Where files go: a relative ``fname`` is taken inside ``$CS231N_SAVE_DIR`` if set,
else inside ``cs231n/saved/`` next to this package (where CS231n's own ``save``
puts it, and where its submission scripts look); an absolute path is used as
given. The file is a plain ``.npz`` archive (``np.savez``) whatever its name
ends with, read back with ``allow_pickle=False``. ``load`` also reads a file
written by CS231n's own ``save`` (a pickled dict in ``.npy``), through the
restricted unpickler of :mod:`cs231n.data_utils`, which builds nothing but
plain data and arrays.
"""
import os
import pickle
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["SavesParams", "SavesWeights", "ModelFileError", "saved_path", "save_arrays", "load_arrays",
           "renamed_keyword"]

SAVE_DIR_ENV = "CS231N_SAVE_DIR"
DEFAULT_SAVE_DIR = Path(__file__).resolve().parent / "saved"
_MODEL_KEY = "__model__"  # the class that saved the file (a string array; informative only)
_STATS = ("running_mean", "running_var")


class ModelFileError(ValueError):
    """A saved model file is corrupt, not a model file, or does not fit the model."""


def saved_path(fname):
    """Where ``save(fname)`` writes and ``load(fname)`` reads (see the module's docstring)."""
    path = Path(os.fspath(fname)).expanduser()
    if path.is_absolute():
        return path
    base = os.environ.get(SAVE_DIR_ENV)
    return (Path(base).expanduser() if base else DEFAULT_SAVE_DIR) / path


def save_arrays(fname, arrays, model_name=""):
    """Write a dict of arrays to ``saved_path(fname)`` as an .npz archive; returns the path.

    The file is written next to its destination and renamed into place, so an
    interrupted save never leaves half a file under the name.
    """
    path = saved_path(fname)
    path.parent.mkdir(parents=True, exist_ok=True)
    contents = {k: np.asarray(v) for k, v in arrays.items()}
    contents[_MODEL_KEY] = np.array(model_name)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:  # a file object: np.savez adds no ".npz" to the name
            np.savez(f, **contents)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path


def load_arrays(fname):
    """The dict of arrays saved under ``fname`` (an .npz archive, or CS231n's pickled-dict .npy).

    Raises FileNotFoundError when there is no such file and ModelFileError when
    it is not a model file.
    """
    from cs231n.data_utils import read_npy_safely

    path = saved_path(fname)
    if not path.is_file():
        raise FileNotFoundError(f"no saved model {fname!r}: {path} does not exist "
                                f"(save one with model.save({os.fspath(fname)!r}) first)")
    try:
        with open(path, "rb") as f:
            head = f.read(6)
            f.seek(0)
            if head.startswith(b"PK"):  # a zip archive: np.savez
                with np.load(f, allow_pickle=False) as archive:
                    arrays = {k: archive[k] for k in archive.files}
            elif head == b"\x93NUMPY":  # CS231n's save: np.save of a dict
                arrays = read_npy_safely(f)
                if isinstance(arrays, np.ndarray) and arrays.dtype == object and arrays.shape == ():
                    arrays = arrays.item()
                if not isinstance(arrays, dict):
                    raise ModelFileError(f"{path} holds a {type(arrays).__name__}, not a dict of parameters")
            else:
                raise ModelFileError(f"{path} is not a saved model (neither .npz nor .npy)")
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, pickle.UnpicklingError, EOFError, ValueError, OSError, KeyError) as e:
        raise ModelFileError(f"{path} is corrupt or not a saved model ({type(e).__name__}: {e}); "
                             "save the model again") from None
    bad = [k for k, v in arrays.items() if not isinstance(v, np.ndarray)]
    if bad:
        raise ModelFileError(f"{path}: entries {bad} are not arrays")
    arrays.pop(_MODEL_KEY, None)
    return arrays


def _check_fits(arrays, expected, fname, model):
    """Raise ModelFileError unless ``arrays`` has exactly the keys of ``expected``, with their shapes."""
    missing = sorted(set(expected) - set(arrays))
    extra = sorted(set(arrays) - set(expected))
    if missing or extra:
        raise ModelFileError(
            f"{fname} does not fit this {model}: "
            + "; ".join(part for part in (f"missing {missing}" if missing else "",
                                          f"unexpected {extra}" if extra else "") if part)
            + " (was it saved from a model built with other arguments?)")
    for k, current in expected.items():
        if current is not None and np.shape(arrays[k]) != np.shape(current):
            raise ModelFileError(f"{fname}: {k} has shape {np.shape(arrays[k])} in the file but "
                                 f"{np.shape(current)} in this {model} (build the model with the "
                                 "sizes it was saved with)")


class SavesParams:
    """``save(fname)`` and ``load(fname)`` for a model whose parameters are in ``self.params``.

    The running means and variances of batch normalization layers (in
    ``self.bn_params``, when the model has them) are saved and restored too, so a
    loaded FullyConnectedNet predicts in test mode exactly as the saved one did.
    """

    def _arrays_to_save(self):
        arrays = {k: np.asarray(v) for k, v in self.params.items()}
        for i, bn_param in enumerate(getattr(self, "bn_params", None) or [], start=1):
            for stat in _STATS:
                if stat in bn_param:
                    arrays[f"{stat}{i}"] = np.asarray(bn_param[stat])
        return arrays

    def _restore(self, arrays, fname):
        name = type(self).__name__
        stats = {k: v for k, v in arrays.items() if k.startswith(_STATS)}
        params = {k: v for k, v in arrays.items() if k not in stats}
        _check_fits(params, self.params, fname, name)
        bn_params = getattr(self, "bn_params", None) or []
        expected_stats = {f"{stat}{i}": bn.get(stat) for i, bn in enumerate(bn_params, start=1)
                          for stat in _STATS if getattr(self, "normalization", None) == "batchnorm"}
        if stats or not expected_stats:
            _check_fits(stats, expected_stats, fname, name)
        elif expected_stats:
            warnings.warn(f"{fname} holds no batch normalization running statistics (saved by "
                          "CS231n's code?); they start again from the next training batch",
                          RuntimeWarning, stacklevel=3)
        for k, v in params.items():
            self.params[k] = v.astype(np.asarray(self.params[k]).dtype)
        for k, v in stats.items():  # running_mean3 -> bn_params[2]["running_mean"]
            stat = next(s for s in _STATS if k.startswith(s))
            bn_params[int(k[len(stat):]) - 1][stat] = v.copy()

    def save(self, fname):
        """Save the model's parameters to ``fname`` (an .npz archive; see cs231n.compat) and print so."""
        save_arrays(fname, self._arrays_to_save(), type(self).__name__)
        print(f"{os.fspath(fname)} saved.")

    def load(self, fname):
        """Restore the parameters saved by ``save(fname)`` into this model; returns True.

        The model must have been built with the same sizes: a missing or extra
        parameter, or a shape that differs, raises ModelFileError and leaves
        the model unchanged. A missing file raises FileNotFoundError.
        """
        self._restore(load_arrays(fname), os.fspath(fname))
        print(f"{os.fspath(fname)} loaded.")
        return True


class SavesWeights(SavesParams):
    """``save``/``load`` for a linear classifier, whose only parameter is ``self.W``."""

    def _arrays_to_save(self):
        if self.W is None:
            raise ValueError(f"this {type(self).__name__} has no weights yet: train it (or load weights) "
                             "before saving")
        return {"W": np.asarray(self.W)}

    def _restore(self, arrays, fname):
        _check_fits(arrays, {"W": self.W}, fname, type(self).__name__)
        W = arrays["W"]
        if W.ndim != 2 or not np.issubdtype(W.dtype, np.floating):
            raise ModelFileError(f"{fname}: W must be a 2-D float array, found {W.dtype} of shape {W.shape}")
        self.W = W.copy()


def renamed_keyword(old_name, old_value, new_name, new_value, default):
    """The value of a keyword CS231n renamed: ``new_value``, or ``old_value`` given under the old name.

    ``old_value`` is None when the old name was not used. Using the old name
    warns (FutureWarning, naming the new one); using both (the new one not at
    its default) raises TypeError.
    """
    if old_value is None:
        return new_value
    if new_value != default:
        raise TypeError(f"{old_name}= is the old name of {new_name}=: pass only {new_name}=")
    warnings.warn(f"{old_name}= is the old name of {new_name}=; use {new_name}={old_value!r}",
                  FutureWarning, stacklevel=3)
    return old_value
