"""Solver: training, options, schedules, checkpoints and resuming, non-finite losses."""
import glob
import math
import os
import pickle

import numpy as np
import pytest

from cs231n.classifiers.fc_net import FullyConnectedNet, TwoLayerNet
from cs231n.solver import Solver


def _data(n_train=100, n_val=40, d=12, c=4, seed=0):
    rng = np.random.RandomState(seed)
    centers = 3 * rng.randn(c, d)
    y = rng.randint(c, size=n_train + n_val)
    X = centers[y] + rng.randn(n_train + n_val, d)
    return {"X_train": X[:n_train], "y_train": y[:n_train], "X_val": X[n_train:], "y_val": y[n_train:]}


QUIET = {"verbose": False, "progress_bar": False}


def test_overfits_a_tiny_training_set():
    rng = np.random.RandomState(1)
    data = {"X_train": rng.randn(50, 3, 4, 4), "y_train": rng.randint(10, size=50)}
    data["X_val"], data["y_val"] = data["X_train"][:20], data["y_train"][:20]
    model = TwoLayerNet(input_dim=48, hidden_dim=100, weight_scale=1e-1)
    solver = Solver(model, data, update_rule="adam", optim_config={"learning_rate": 5e-3},
                    num_epochs=60, batch_size=25, **QUIET)
    solver.train()
    assert solver.train_acc_history[-1] == 1.0
    assert solver.loss_history[-1] < 0.1 * solver.loss_history[0]
    assert len(solver.loss_history) == 60 * 2
    assert len(solver.train_acc_history) == len(solver.val_acc_history) == 61  # first iteration + every epoch


def test_best_params_are_put_back():
    data = _data()
    model = FullyConnectedNet([20], input_dim=12, num_classes=4, dtype=np.float64)
    solver = Solver(model, data, update_rule="sgd_momentum", optim_config={"learning_rate": 0.05},
                    num_epochs=5, batch_size=20, **QUIET)
    solver.train()
    assert solver.best_val_acc == max(solver.val_acc_history) > 0.5
    for k, v in solver.best_params.items():
        assert np.array_equal(model.params[k], v)
    assert solver.check_accuracy(data["X_val"], data["y_val"]) == solver.best_val_acc


@pytest.mark.parametrize("bad, match", [
    ({"learning_rate": 1e-3}, "unrecognized option"),
    ({"update_rule": "adamw"}, "not a rule"),
    ({"update_rule": 3}, "update_rule"),
    ({"lr_schedule": "linear"}, "lr_schedule"),
    ({"lr_schedule": "cosine", "lr_decay": 0.9}, "lr_decay"),
    ({"lr_decay": 1.5}, "lr_decay"),
    ({"batch_size": 0}, "batch_size"),
])
def test_rejects_bad_options(bad, match):
    model = TwoLayerNet(input_dim=12, num_classes=4)
    with pytest.raises((ValueError, TypeError), match=match):
        Solver(model, _data(), **bad)


def test_rejects_bad_data():
    model = TwoLayerNet(input_dim=12, num_classes=4)
    data = _data()
    del data["y_val"]
    with pytest.raises(ValueError, match="y_val"):
        Solver(model, data)
    with pytest.raises(TypeError, match="params"):
        Solver(object(), _data())


def test_step_decay_multiplies_once_per_epoch():
    solver = Solver(TwoLayerNet(input_dim=12, num_classes=4), _data(), optim_config={"learning_rate": 0.1},
                    lr_decay=0.5, num_epochs=3, batch_size=50, **QUIET)
    solver.train()
    # 2 iterations per epoch; the rate used at each iteration, then after the last epoch.
    assert solver.lr_history == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
    assert solver.optim_configs["W1"]["learning_rate"] == pytest.approx(0.0125)


def test_cosine_schedule_follows_half_a_cosine():
    solver = Solver(TwoLayerNet(input_dim=12, num_classes=4), _data(), update_rule="adam",
                    optim_config={"learning_rate": 1e-2}, lr_schedule="cosine", lr_min=1e-4,
                    num_epochs=4, batch_size=25, **QUIET)
    solver.train()
    T = 16
    expected = [1e-4 + 0.5 * (1e-2 - 1e-4) * (1 + math.cos(math.pi * t / T)) for t in range(T)]
    assert solver.lr_history == pytest.approx(expected)


def test_cosine_schedule_uses_the_rules_default_rate():
    solver = Solver(TwoLayerNet(input_dim=12, num_classes=4), _data(), update_rule="adam",
                    lr_schedule="cosine", num_epochs=1, batch_size=25, **QUIET)
    solver.train()
    assert solver.lr_history[0] == pytest.approx(1e-3)
    assert solver.lr_history[-1] == pytest.approx(0.5e-3 * (1 + math.cos(math.pi * 3 / 4)))


class _ExplodingModel:
    """Wraps a model; its loss turns into NaN from a given call on."""

    def __init__(self, model, bad_call):
        self.inner, self.bad_call, self.calls = model, bad_call, 0
        self.params = model.params

    def loss(self, X, y=None):
        self.inner.params = self.params
        if y is None:
            return self.inner.loss(X)
        self.calls += 1
        loss, grads = self.inner.loss(X, y)
        return (np.nan if self.calls >= self.bad_call else loss), grads


def test_non_finite_loss_stops_training_and_names_the_iteration():
    model = _ExplodingModel(TwoLayerNet(input_dim=12, num_classes=4), bad_call=5)
    solver = Solver(model, _data(), num_epochs=10, batch_size=20, **QUIET)
    with pytest.warns(RuntimeWarning, match="iteration 5 of 50"):
        solver.train()
    assert "nan" in solver.stop_reason
    assert len(solver.loss_history) == 4 and np.all(np.isfinite(solver.loss_history))
    assert all(np.all(np.isfinite(v)) for v in model.params.values())


def test_diverging_learning_rate_is_caught():
    model = TwoLayerNet(input_dim=12, num_classes=4, weight_scale=1.0)
    solver = Solver(model, _data(), optim_config={"learning_rate": 1e6}, num_epochs=20, batch_size=20, **QUIET)
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning, match="Training stopped"):
        solver.train()
    assert solver.stop_reason is not None


def _solver(tmp_path, num_epochs, **extra):
    np.random.seed(5)
    model = FullyConnectedNet([16, 16], input_dim=12, num_classes=4, normalization="batchnorm",
                              dropout_keep_ratio=0.8, weight_scale="he", dtype=np.float64)
    options = dict(update_rule="adam", optim_config={"learning_rate": 3e-3}, lr_schedule="cosine",
                   num_epochs=num_epochs, batch_size=20, num_train_samples=30, **QUIET)
    options.update(extra)
    return model, Solver(model, _data(), **options)


def test_checkpoint_resume_matches_uninterrupted_run(tmp_path):
    # Uninterrupted run, writing a checkpoint after every epoch.
    model_a, solver_a = _solver(tmp_path, 4, checkpoint_name=str(tmp_path / "run"))
    solver_a.train()
    files = sorted(os.path.basename(f) for f in glob.glob(str(tmp_path / "*")))
    assert files == [f"run_epoch_{k}.pkl" for k in range(1, 5)]  # no temporary files left behind

    # A fresh process would start from a different random state and a new model.
    np.random.seed(999)
    model_b, solver_b = _solver(tmp_path, 4)
    solver_b.restore_checkpoint(str(tmp_path / "run_epoch_2.pkl"))
    assert solver_b.epoch == 2 and solver_b.t == 10
    solver_b.train()

    assert solver_b.loss_history == solver_a.loss_history
    assert solver_b.train_acc_history == solver_a.train_acc_history
    assert solver_b.val_acc_history == solver_a.val_acc_history
    assert solver_b.lr_history == solver_a.lr_history
    for k in model_a.params:
        assert np.array_equal(model_a.params[k], model_b.params[k]), k
    for a, b in zip(model_a.bn_params, model_b.bn_params):
        assert np.array_equal(a["running_mean"], b["running_mean"])


def test_checkpoint_holds_the_course_keys(tmp_path):
    _, solver = _solver(tmp_path, 1, checkpoint_name=str(tmp_path / "cp"))
    solver.train()
    with open(tmp_path / "cp_epoch_1.pkl", "rb") as f:
        cp = pickle.load(f)
    for key in ("model", "update_rule", "lr_decay", "optim_config", "batch_size", "num_train_samples",
                "num_val_samples", "epoch", "loss_history", "train_acc_history", "val_acc_history",
                "optim_configs", "rng_state", "best_params"):
        assert key in cp, key


def test_interrupted_write_leaves_no_partial_checkpoint(tmp_path, monkeypatch):
    _, solver = _solver(tmp_path, 1, checkpoint_name=str(tmp_path / "cp"))

    def broken_dump(*args, **kwargs):
        raise KeyboardInterrupt  # as if the user interrupted while the file was being written

    monkeypatch.setattr(pickle, "dump", broken_dump)
    with pytest.raises(KeyboardInterrupt):
        solver.train()
    assert os.listdir(tmp_path) == []


def test_restore_rejects_a_mismatched_model(tmp_path):
    _, solver = _solver(tmp_path, 1, checkpoint_name=str(tmp_path / "cp"))
    solver.train()
    other = Solver(FullyConnectedNet([8], input_dim=12, num_classes=4), _data(), **QUIET)
    with pytest.raises(ValueError, match="do not match"):
        other.restore_checkpoint(str(tmp_path / "cp_epoch_1.pkl"))
    _, solver_c = _solver(tmp_path, 1, batch_size=10)
    with pytest.raises(ValueError, match="batch_size"):
        solver_c.restore_checkpoint(str(tmp_path / "cp_epoch_1.pkl"))


def test_progress_bar_and_verbose_output(capsys):
    solver = Solver(TwoLayerNet(input_dim=12, num_classes=4), _data(), num_epochs=1, batch_size=50,
                    verbose=True, progress_bar=True, print_every=1)
    solver.train()
    out, err = capsys.readouterr()
    assert "(Iteration 1 / 2) loss:" in out and "(Epoch 1 / 1) train acc:" in out
    assert "training" in err  # the tqdm bar
    solver = Solver(TwoLayerNet(input_dim=12, num_classes=4), _data(), num_epochs=1, batch_size=50, **QUIET)
    solver.train()
    out, err = capsys.readouterr()
    assert out == "" and err == ""
