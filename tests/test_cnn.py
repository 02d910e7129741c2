"""ThreeLayerConvNet in cs231n/classifiers/cnn.py."""
import numpy as np
import pytest

from cs231n.classifiers.cnn import ThreeLayerConvNet
from cs231n.gradient_check import eval_numerical_gradient, rel_error
from cs231n.solver import Solver


def test_parameter_shapes_and_dtype():
    model = ThreeLayerConvNet(input_dim=(3, 32, 32), num_filters=8, filter_size=5, hidden_dim=20,
                              num_classes=7, weight_scale=1e-2)
    shapes = {k: v.shape for k, v in model.params.items()}
    assert shapes == {"W1": (8, 3, 5, 5), "b1": (8,), "W2": (8 * 16 * 16, 20), "b2": (20,),
                      "W3": (20, 7), "b3": (7,)}
    assert all(v.dtype == np.float32 for v in model.params.values())
    assert np.all(model.params["b1"] == 0) and np.all(model.params["b3"] == 0)
    assert abs(model.params["W2"].std() - 1e-2) < 1e-3
    scores = model.loss(np.random.randn(4, 3, 32, 32))          # float64 input is cast
    assert scores.shape == (4, 7) and scores.dtype == np.float32
    loss, grads = model.loss(np.random.randn(4, 3, 32, 32), np.arange(4))
    assert set(grads) == set(model.params)
    assert all(grads[k].shape == model.params[k].shape and grads[k].dtype == np.float32 for k in grads)


def test_initial_loss_is_about_log_num_classes_and_reg_increases_it():
    N = 20
    X = np.random.randn(N, 3, 32, 32)
    y = np.random.randint(10, size=N)
    model = ThreeLayerConvNet(dtype=np.float64)
    loss, _ = model.loss(X, y)
    assert abs(loss - np.log(10)) < 0.01, loss
    model.reg = 0.5
    loss_reg, _ = model.loss(X, y)
    assert loss_reg > loss + 1e-4


@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_gradients_match_numerical(reg):
    num_inputs, input_dim, num_classes = 2, (3, 8, 8), 10
    np.random.seed(231)
    X = np.random.randn(num_inputs, *input_dim)
    y = np.random.randint(num_classes, size=num_inputs)
    # weight_scale 0.1 keeps the gradients well above the finite-difference noise.
    model = ThreeLayerConvNet(num_filters=3, filter_size=3, input_dim=input_dim, hidden_dim=7,
                              weight_scale=0.1, reg=reg, dtype=np.float64)
    loss, grads = model.loss(X, y)
    for name in sorted(grads):
        f = lambda _: model.loss(X, y)[0]
        num = eval_numerical_gradient(f, model.params[name], verbose=False)
        assert rel_error(num, grads[name]) < 1e-5, f"{name}: {rel_error(num, grads[name])}"


def test_overfits_a_small_training_set():
    np.random.seed(0)
    N = 30
    data = {"X_train": np.random.randn(N, 3, 16, 16), "y_train": np.random.randint(10, size=N),
            "X_val": np.random.randn(10, 3, 16, 16), "y_val": np.random.randint(10, size=10)}
    model = ThreeLayerConvNet(input_dim=(3, 16, 16), num_filters=8, filter_size=3, hidden_dim=50,
                              weight_scale=1e-2)
    solver = Solver(model, data, update_rule="adam", optim_config={"learning_rate": 5e-3},
                    num_epochs=20, batch_size=10, verbose=False, progress_bar=False)
    solver.train()
    assert solver.train_acc_history[-1] >= 0.9, solver.train_acc_history
    assert solver.loss_history[-1] < 0.5 * solver.loss_history[0]


@pytest.mark.parametrize("kwargs,message", [
    ({"filter_size": 4}, r"max pool after the conv \(height\): output size .* is not an integer"),
    ({"input_dim": (3, 32)}, r"\(C, H, W\)"),
    ({"num_filters": 0}, "num_filters"),
])
def test_bad_configuration_gets_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ThreeLayerConvNet(**kwargs)


def test_bad_input_shape_gets_clear_error():
    model = ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=2, filter_size=3, hidden_dim=4)
    with pytest.raises(ValueError, match=r"X must have shape \(N, 3, 8, 8\)"):
        model.loss(np.zeros((2, 3, 9, 9)))
