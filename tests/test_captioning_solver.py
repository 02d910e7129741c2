"""cs231n/captioning_solver.py: Solver's loop for captions (minibatches of captions, word
accuracy of greedy captions as the recorded accuracy, checkpoints and resume)."""
import numpy as np
import pytest

from cs231n import synthetic_captions
from cs231n.captioning_solver import CaptioningSolver
from cs231n.classifiers.rnn import CaptioningRNN
from cs231n.coco_utils import caption_references, word_accuracy

QUIET = {"verbose": False, "progress_bar": False}


@pytest.fixture(scope="module")
def data():
    generated = synthetic_captions.make_synthetic_captions(num_train=150, num_val=30, seed=7)
    return {k: v for k, v in generated.items() if not k.endswith("_features")} | {
        "train_features": generated["train_features_pca"], "val_features": generated["val_features_pca"]}


def _model(data, cell_type="lstm"):
    return CaptioningRNN(data["word_to_idx"], input_dim=data["train_features"].shape[1], wordvec_dim=16,
                         hidden_dim=32, cell_type=cell_type)


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_training_lowers_the_loss_and_records_word_accuracy(data, cell_type):
    np.random.seed(0)
    solver = CaptioningSolver(_model(data, cell_type), data, update_rule="adam",
                              optim_config={"learning_rate": 1e-2}, num_epochs=12, batch_size=50, num_val_samples=None,
                              **QUIET)
    solver.train()
    iterations = 12 * (len(data["train_captions"]) // 50)
    assert len(solver.loss_history) == iterations
    assert np.mean(solver.loss_history[-3:]) < 0.6 * solver.loss_history[0]
    assert len(solver.val_acc_history) == 13 and all(0 <= a <= 1 for a in solver.val_acc_history)
    assert solver.best_val_acc == max(solver.val_acc_history) > solver.val_acc_history[0]
    # what train() keeps: the parameters of the best validation score, which check_accuracy measures again
    assert solver.check_accuracy("val") == pytest.approx(solver.best_val_acc)


def test_check_accuracy_is_the_word_accuracy_of_greedy_captions(data):
    model = _model(data, "rnn")
    solver = CaptioningSolver(model, data, **QUIET)
    images = np.unique(data["val_image_idxs"])
    sampled = model.sample(data["val_features"][images], max_length=data["val_captions"].shape[1] - 1)
    expected = word_accuracy(sampled, images, data, "val", caption_references(data, "val"))
    assert solver.check_accuracy("val", num_samples=None) == pytest.approx(expected)


def test_a_resumed_run_ends_where_the_uninterrupted_one_does(data, tmp_path):
    options = dict(update_rule="adam", optim_config={"learning_rate": 5e-3}, lr_decay=0.9, num_epochs=3,
                   batch_size=50, **QUIET)
    np.random.seed(1)
    full = CaptioningSolver(_model(data), data, **options)
    full.train()

    np.random.seed(1)
    interrupted = CaptioningSolver(_model(data), data, checkpoint_name=str(tmp_path / "cap"),
                                   **{**options, "num_epochs": 1})
    interrupted.train()
    resumed = CaptioningSolver(_model(data), data, **options)
    resumed.restore_checkpoint(str(tmp_path / "cap_epoch_1.pkl"))
    resumed.num_epochs = 3
    resumed.train()
    assert resumed.loss_history == pytest.approx(full.loss_history)
    for k in full.model.params:
        assert np.allclose(resumed.model.params[k], full.model.params[k])


def test_data_without_captions_is_refused(data):
    with pytest.raises(ValueError, match="val_image_idxs"):
        CaptioningSolver(_model(data), {k: v for k, v in data.items() if k != "val_image_idxs"})
    with pytest.raises(ValueError, match="unrecognized option"):
        CaptioningSolver(_model(data), data, learning_rate=1e-3)
