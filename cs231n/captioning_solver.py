"""CaptioningSolver: the course's Solver, for captioning models.

It is :class:`cs231n.solver.Solver` (the same options, update rules from
``cs231n.optim``, learning-rate schedules, progress bar, loss history, atomic
checkpoints and resume) with two things changed for captions:

- an example is a caption: each step's minibatch comes from
  ``sample_coco_minibatch(data, batch_size, 'train')`` and the loss from
  ``model.loss(features, captions)``;
- the accuracy recorded after every epoch (``train_acc_history``,
  ``val_acc_history``, and the ``best_params`` kept at the end) is the
  *word accuracy* of the model's greedy captions (``coco_utils.word_accuracy``):
  for the images of ``num_train_samples`` random training captions and of
  ``num_val_samples`` random validation captions (None: every validation image).

Example:

    data = load_coco_data(max_train=10000)
    model = CaptioningRNN(data["word_to_idx"], input_dim=data["train_features"].shape[1], cell_type="lstm")
    solver = CaptioningSolver(model, data, update_rule="adam", optim_config={"learning_rate": 5e-3},
                              lr_decay=0.95, num_epochs=10, batch_size=100)
    solver.train()
    solver.loss_history, solver.val_acc_history
"""
import numpy as np

from cs231n.coco_utils import caption_references, sample_coco_minibatch, word_accuracy
from cs231n.solver import Solver

__all__ = ["CaptioningSolver"]


class CaptioningSolver(Solver):
    """Trains a captioning model (``model.params``, ``model.loss(features, captions)``,
    ``model.sample(features, max_length)``) on the dict of ``load_coco_data``; see the module
    docstring. Options as for Solver, with num_val_samples 1000 by default."""

    _DEFAULTS = dict(Solver._DEFAULTS, num_val_samples=1000)

    def __init__(self, model, data, **kwargs):
        needed = [f"{s}_{k}" for s in ("train", "val") for k in ("captions", "image_idxs", "features")]
        missing = [k for k in needed + ["idx_to_word"] if k not in data]
        if missing:
            raise ValueError(f"data is missing the key(s) {', '.join(missing)} (use load_coco_data's dict)")
        if not callable(getattr(model, "sample", None)):
            raise TypeError("model must have a .sample(features, max_length) method")
        self.data = data
        self._references = {}
        super().__init__(model, {"X_train": data["train_captions"], "y_train": data["train_image_idxs"],
                                 "X_val": data["val_captions"], "y_val": data["val_image_idxs"]}, **kwargs)

    def _minibatch_loss(self):
        captions, features, _ = sample_coco_minibatch(self.data, self.batch_size, "train")
        return self.model.loss(features, captions)

    def _accuracy(self, split):
        return self.check_accuracy(split, self.num_train_samples if split == "train" else self.num_val_samples)

    def check_accuracy(self, split="val", num_samples=None, batch_size=500):
        """Word accuracy of the model's greedy captions on a split.

        Inputs:
        - split: 'train' or 'val'
        - num_samples: the images of this many random captions of the split; None: every image once
        - batch_size: images per call of model.sample (bounds the memory used)

        Returns a float in [0, 1] (see coco_utils.word_accuracy).
        """
        captions = self.data[f"{split}_captions"]
        if num_samples is None:
            images = np.unique(self.data[f"{split}_image_idxs"])
        else:
            images = self.data[f"{split}_image_idxs"][np.random.choice(len(captions), num_samples)]
        if split not in self._references:
            self._references[split] = caption_references(self.data, split)
        features = self.data[f"{split}_features"]
        sampled = np.concatenate([self.model.sample(features[images[i:i + batch_size]],
                                                    max_length=captions.shape[1] - 1)
                                  for i in range(0, len(images), batch_size)])
        return word_accuracy(sampled, images, self.data, split, self._references[split])
