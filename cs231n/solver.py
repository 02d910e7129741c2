"""Solver: the training loop shared by every model in the course.

A Solver trains a model with minibatch stochastic gradient descent, using any
update rule from cs231n.optim. The model must have

- model.params: dict mapping parameter names to numpy arrays
- model.loss(X, y=None): with y=None returns class scores of shape (N, C)
  (test mode); with labels returns (loss, grads), grads a dict with the keys
  of model.params (training mode).

Example:

    data = get_CIFAR10_data()   # X_train, y_train, X_val, y_val, ...
    model = FullyConnectedNet([100, 100], normalization="batchnorm")
    solver = Solver(model, data, update_rule="adam",
                    optim_config={"learning_rate": 1e-3},
                    lr_schedule="cosine", num_epochs=5, batch_size=200)
    solver.train()
    solver.best_val_acc, solver.loss_history, solver.val_acc_history

After train() the model holds the parameters that scored best on the
validation set (solver.best_params).

Checkpoints: with checkpoint_name="path/run", the complete training state is
written after every epoch to "path/run_epoch_<k>.pkl", atomically (a
temporary file is written and then renamed, so an interrupted write never
leaves a corrupt checkpoint). Solver.restore_checkpoint(filename) puts a
fresh Solver back in that state, random number generator included, so that
train() continues exactly as the uninterrupted run would have. Checkpoints
are pickles: only load files you wrote yourself.
"""
import copy
import math
import os
import pickle
import tempfile
import warnings

import numpy as np
from cs231n.progress import tqdm

from cs231n import optim

__all__ = ["Solver"]


class Solver:
    """Trains a classification model; see the module docstring.

    Required arguments:
    - model: object with .params and .loss(X, y=None) as described above
    - data: dict with
      - X_train: training images, shape (N_train, d_1, ..., d_k)
      - y_train: training labels, shape (N_train,)
      - X_val: validation images, shape (N_val, d_1, ..., d_k)
      - y_val: validation labels, shape (N_val,)

    Optional keyword arguments (any other name is an error):
    - update_rule: name of a rule in cs231n.optim ('sgd', 'sgd_momentum',
      'nesterov', 'adagrad', 'rmsprop', 'adam') or a function with the same
      signature. Default 'sgd'.
    - optim_config: dict of hyperparameters for the update rule (each
      parameter gets its own copy). Default {}.
    - lr_schedule: 'step' (multiply the learning rate by lr_decay after every
      epoch, as in CS231n) or 'cosine' (follow half a cosine from the initial
      learning rate down to lr_min over all iterations). Default 'step'.
    - lr_decay: factor for the step schedule. Default 1.0 (constant).
    - lr_min: final learning rate of the cosine schedule. Default 0.0.
    - batch_size: minibatch size. Default 100.
    - num_epochs: epochs to train for. Default 10.
    - num_train_samples: training examples used to measure training accuracy
      (None: all). Default 1000.
    - num_val_samples: validation examples used to measure validation
      accuracy (None: all). Default None.
    - checkpoint_name: if not None, save a checkpoint after every epoch to
      "<checkpoint_name>_epoch_<k>.pkl". Default None.
    - print_every: print the loss every this many iterations (if verbose). Default 10.
    - verbose: print the loss and the accuracies during training. Default True.
    - progress_bar: show a tqdm progress bar (notebook widget or text). Default True.
    """

    _DEFAULTS = {
        "update_rule": "sgd",
        "optim_config": None,
        "lr_schedule": "step",
        "lr_decay": 1.0,
        "lr_min": 0.0,
        "batch_size": 100,
        "num_epochs": 10,
        "num_train_samples": 1000,
        "num_val_samples": None,
        "checkpoint_name": None,
        "print_every": 10,
        "verbose": True,
        "progress_bar": True,
    }

    def __init__(self, model, data, **kwargs):
        unknown = sorted(set(kwargs) - set(self._DEFAULTS))
        if unknown:
            raise ValueError(f"Solver got unrecognized option(s) {', '.join(unknown)}; "
                             f"valid options are {', '.join(sorted(self._DEFAULTS))}")
        if not hasattr(model, "params") or not callable(getattr(model, "loss", None)):
            raise TypeError("model must have a .params dict and a .loss(X, y=None) method")
        missing = [k for k in ("X_train", "y_train", "X_val", "y_val") if k not in data]
        if missing:
            raise ValueError(f"data is missing the key(s) {', '.join(missing)}")

        self.model = model
        self.X_train, self.y_train = data["X_train"], data["y_train"]
        self.X_val, self.y_val = data["X_val"], data["y_val"]
        if len(self.X_train) != len(self.y_train) or len(self.X_val) != len(self.y_val):
            raise ValueError("X_train/y_train and X_val/y_val must have the same number of examples")

        options = dict(self._DEFAULTS, **kwargs)
        self.update_rule = options["update_rule"]
        self.optim_config = dict(options["optim_config"] or {})
        self.lr_schedule = options["lr_schedule"]
        self.lr_decay = options["lr_decay"]
        self.lr_min = options["lr_min"]
        self.batch_size = int(options["batch_size"])
        self.num_epochs = int(options["num_epochs"])
        self.num_train_samples = options["num_train_samples"]
        self.num_val_samples = options["num_val_samples"]
        self.checkpoint_name = options["checkpoint_name"]
        self.print_every = int(options["print_every"])
        self.verbose = options["verbose"]
        self.progress_bar = options["progress_bar"]

        if isinstance(self.update_rule, str):
            if not hasattr(optim, self.update_rule) or self.update_rule.startswith("_"):
                raise ValueError(f"update_rule {self.update_rule!r} is not a rule in cs231n.optim")
            self.update_rule = getattr(optim, self.update_rule)
        elif not callable(self.update_rule):
            raise TypeError("update_rule must be the name of a rule in cs231n.optim or a function")
        if self.lr_schedule not in ("step", "cosine"):
            raise ValueError(f"lr_schedule must be 'step' or 'cosine', got {self.lr_schedule!r}")
        if self.lr_schedule == "cosine" and self.lr_decay != 1.0:
            raise ValueError("lr_decay belongs to the step schedule; with lr_schedule='cosine' leave it at 1.0")
        if not 0 < self.lr_decay <= 1:
            raise ValueError(f"lr_decay must be in (0, 1], got {self.lr_decay}")
        if self.batch_size < 1 or self.num_epochs < 0 or self.print_every < 1:
            raise ValueError("batch_size and print_every must be positive and num_epochs non-negative")

        self._reset()

    def _reset(self):
        """Bookkeeping for a fresh run."""
        self.epoch = 0
        self.t = 0  # iterations done
        self.best_val_acc = 0
        self.best_params = {}
        self.loss_history = []
        self.train_acc_history = []
        self.val_acc_history = []
        self.lr_history = []
        self.stop_reason = None
        self.optim_configs = {p: copy.deepcopy(self.optim_config) for p in self.model.params}
        self._base_lr = self.optim_config.get("learning_rate")

    # ----- one iteration -----------------------------------------------

    def _current_lr(self):
        cfg = next(iter(self.optim_configs.values()), {})
        return cfg.get("learning_rate", self._base_lr)

    def _set_lr(self, lr):
        for cfg in self.optim_configs.values():
            cfg["learning_rate"] = lr

    def _minibatch_loss(self):
        """The model's loss and gradients on a random minibatch of the training data."""
        num_train = self.X_train.shape[0]
        batch_mask = np.random.choice(num_train, self.batch_size)
        X_batch = self.X_train[batch_mask]
        y_batch = self.y_train[batch_mask]
        return self.model.loss(X_batch, y_batch)

    def _step(self):
        """One minibatch update. Returns the loss."""
        loss, grads = self._minibatch_loss()
        if not np.isfinite(loss):
            return loss  # the caller stops before the bad gradients touch the weights
        self.loss_history.append(float(loss))

        for p, w in self.model.params.items():
            next_w, next_config = self.update_rule(w, grads[p], self.optim_configs[p])
            self.model.params[p] = next_w
            self.optim_configs[p] = next_config
        if self._base_lr is None:  # the rule filled in its default learning rate
            self._base_lr = self._current_lr()
        self.lr_history.append(self._current_lr())
        return loss

    # ----- accuracy ----------------------------------------------------

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Accuracy of the model on (a random subsample of) the data.

        Inputs:
        - X: data, shape (N, d_1, ..., d_k)
        - y: labels, shape (N,)
        - num_samples: if not None and smaller than N, use this many random examples
        - batch_size: examples per forward pass (bounds the memory used)

        Returns the fraction of correctly classified examples.
        """
        N = X.shape[0]
        if num_samples is not None and N > num_samples:
            mask = np.random.choice(N, num_samples)
            N = num_samples
            X, y = X[mask], y[mask]
        num_batches = (N + batch_size - 1) // batch_size
        y_pred = []
        for i in range(num_batches):
            scores = self.model.loss(X[i * batch_size:(i + 1) * batch_size])
            y_pred.append(np.argmax(scores, axis=1))
        y_pred = np.hstack(y_pred) if y_pred else np.zeros(0, dtype=np.int64)
        return float(np.mean(y_pred == y)) if N else 0.0

    def _accuracy(self, split):
        """The accuracy train() records after each epoch, on 'train' (num_train_samples) or 'val'."""
        if split == "train":
            return self.check_accuracy(self.X_train, self.y_train, num_samples=self.num_train_samples)
        return self.check_accuracy(self.X_val, self.y_val, num_samples=self.num_val_samples)

    # ----- checkpoints -------------------------------------------------

    def _checkpoint_filename(self, epoch):
        return f"{self.checkpoint_name}_epoch_{epoch}.pkl"

    def _save_checkpoint(self):
        if self.checkpoint_name is None:
            return
        checkpoint = {
            # CS231n's keys
            "model": self.model,
            "update_rule": self.update_rule,
            "lr_decay": self.lr_decay,
            "optim_config": self.optim_config,
            "batch_size": self.batch_size,
            "num_train_samples": self.num_train_samples,
            "num_val_samples": self.num_val_samples,
            "epoch": self.epoch,
            "loss_history": self.loss_history,
            "train_acc_history": self.train_acc_history,
            "val_acc_history": self.val_acc_history,
            # what resuming needs on top
            "t": self.t,
            "num_epochs": self.num_epochs,
            "num_train": self.X_train.shape[0],
            "lr_schedule": self.lr_schedule,
            "lr_min": self.lr_min,
            "base_lr": self._base_lr,
            "optim_configs": self.optim_configs,
            "best_val_acc": self.best_val_acc,
            "best_params": self.best_params,
            "lr_history": self.lr_history,
            "rng_state": np.random.get_state(),
        }
        filename = self._checkpoint_filename(self.epoch)
        directory = os.path.dirname(os.path.abspath(filename))
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp_", suffix=".pkl")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(checkpoint, f, protocol=pickle.HIGHEST_PROTOCOL)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, filename)  # atomic: readers see the old file or the new one
        except BaseException:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise
        if self.verbose:
            tqdm.write(f'Saving checkpoint to "{filename}"')

    def restore_checkpoint(self, filename):
        """Put this Solver (and its model) back in the state saved in a checkpoint.

        The Solver must have been built with the same kind of model and the
        same training data size and batch size. Calling train() afterwards
        continues the run and ends with the same parameters and histories as
        a run that was never interrupted.
        """
        with open(filename, "rb") as f:
            cp = pickle.load(f)
        if not isinstance(cp, dict) or "rng_state" not in cp:
            raise ValueError(f"{filename} is not a checkpoint written by Solver")
        saved_model = cp["model"]
        shapes = {k: np.shape(v) for k, v in saved_model.params.items()}
        mine = {k: np.shape(v) for k, v in self.model.params.items()}
        if shapes != mine:
            raise ValueError(f"the checkpoint's parameters {shapes} do not match the model's {mine}")
        if cp["batch_size"] != self.batch_size or cp["num_train"] != self.X_train.shape[0]:
            raise ValueError("resume with the same batch_size and training set as the checkpointed run "
                             f"(batch_size {cp['batch_size']}, {cp['num_train']} training examples)")
        # The model object given to this Solver takes over the saved state in place.
        self.model.__dict__.update(saved_model.__dict__)
        self.update_rule = cp["update_rule"]
        self.lr_decay, self.lr_schedule, self.lr_min = cp["lr_decay"], cp["lr_schedule"], cp["lr_min"]
        self.optim_config = cp["optim_config"]
        self.num_train_samples, self.num_val_samples = cp["num_train_samples"], cp["num_val_samples"]
        self.epoch, self.t = cp["epoch"], cp["t"]
        self._base_lr = cp["base_lr"]
        self.optim_configs = cp["optim_configs"]
        self.best_val_acc, self.best_params = cp["best_val_acc"], cp["best_params"]
        self.loss_history = cp["loss_history"]
        self.train_acc_history = cp["train_acc_history"]
        self.val_acc_history = cp["val_acc_history"]
        self.lr_history = cp["lr_history"]
        self.stop_reason = None
        np.random.set_state(cp["rng_state"])

    # ----- the loop ----------------------------------------------------

    def _log(self, msg):
        if self.verbose:
            tqdm.write(msg)

    def train(self):
        """Run optimization for num_epochs epochs (continuing from a restored checkpoint, if any)."""
        num_train = self.X_train.shape[0]
        iterations_per_epoch = max(num_train // self.batch_size, 1)
        num_iterations = self.num_epochs * iterations_per_epoch

        bar = tqdm(total=num_iterations, initial=self.t, disable=not self.progress_bar,
                   desc="training", unit="it", leave=True)
        try:
            for t in range(self.t, num_iterations):
                if self.lr_schedule == "cosine" and self._base_lr is not None:
                    frac = t / num_iterations
                    self._set_lr(self.lr_min + 0.5 * (self._base_lr - self.lr_min) * (1 + math.cos(math.pi * frac)))

                loss = self._step()
                if not np.isfinite(loss):
                    self.stop_reason = (f"Training stopped: the loss became {loss} at iteration {t + 1} "
                                        f"of {num_iterations} (epoch {self.epoch + 1}); the weights were not "
                                        "updated with it. Try a smaller learning rate or weight scale.")
                    warnings.warn(self.stop_reason, RuntimeWarning, stacklevel=2)
                    break
                self.t = t + 1
                bar.update(1)
                if t % self.print_every == 0:
                    bar.set_postfix(loss=f"{loss:.3f}", refresh=False)
                    self._log(f"(Iteration {t + 1} / {num_iterations}) loss: {loss:f}")

                epoch_end = (t + 1) % iterations_per_epoch == 0
                if epoch_end:
                    self.epoch += 1
                    if self.lr_schedule == "step":
                        for cfg in self.optim_configs.values():
                            if "learning_rate" in cfg:
                                cfg["learning_rate"] *= self.lr_decay

                first_it = t == 0
                last_it = t == num_iterations - 1
                if first_it or last_it or epoch_end:
                    train_acc, val_acc = self._accuracy("train"), self._accuracy("val")
                    self.train_acc_history.append(train_acc)
                    self.val_acc_history.append(val_acc)
                    self._log(f"(Epoch {self.epoch} / {self.num_epochs}) train acc: {train_acc:f}; val_acc: {val_acc:f}")
                    bar.set_postfix(loss=f"{loss:.3f}", val_acc=f"{val_acc:.3f}", refresh=False)
                    if val_acc > self.best_val_acc or not self.best_params:
                        self.best_val_acc = val_acc
                        self.best_params = {k: v.copy() for k, v in self.model.params.items()}
                    if epoch_end:
                        self._save_checkpoint()
        finally:
            bar.close()

        # Keep the parameters that did best on the validation set.
        if self.best_params:
            self.model.params = {k: v.copy() for k, v in self.best_params.items()}
