"""TwoLayerNet and FullyConnectedNet: shapes, initialisation, gradients, modes."""
import numpy as np
import pytest

from cs231n.classifiers.fc_net import FullyConnectedNet, TwoLayerNet, init_weights
from cs231n.gradient_check import eval_numerical_gradient, rel_error


def _check_grads(model, X, y, tol):
    """Numerical gradient check of every parameter.

    Centred differences that straddle a ReLU kink make a few entries of the
    numerical gradient slightly wrong, so (as in CS231n's notebooks) a whole
    net is checked to about 1e-5 to 1e-4, not the 1e-8 of a single layer; a
    wrong gradient is off by 1e-2 or more. A bias followed by batch
    normalization has an exact zero gradient; there the relative error only
    measures rounding noise, so its absolute size is checked instead.
    """
    loss, grads = model.loss(X, y)
    assert set(grads) == set(model.params)
    for name in sorted(model.params):
        num = eval_numerical_gradient(lambda _: model.loss(X, y)[0], model.params[name], verbose=False, h=1e-5)
        if np.max(np.abs(num)) < 1e-8:
            assert np.max(np.abs(grads[name])) < 1e-8, f"{name}: gradient should be zero"
            continue
        err = rel_error(num, grads[name])
        assert err < tol, f"{name}: relative error {err:.2e}"
    return loss


def test_two_layer_net_course_values():
    # The forward check from CS231n's notebook, with its fixed parameters.
    N, D, H, C = 3, 5, 50, 7
    X = np.random.randn(N, D)
    y = np.random.randint(C, size=N)
    model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=1e-3)
    for name, shape in {"W1": (D, H), "b1": (H,), "W2": (H, C), "b2": (C,)}.items():
        assert model.params[name].shape == shape
    assert np.all(model.params["b1"] == 0) and abs(model.params["W1"].std() - 1e-3) < 2.5e-4
    model.params["W1"] = np.linspace(-0.7, 0.3, num=D * H).reshape(D, H)
    model.params["b1"] = np.linspace(-0.1, 0.9, num=H)
    model.params["W2"] = np.linspace(-0.3, 0.4, num=H * C).reshape(H, C)
    model.params["b2"] = np.linspace(-0.9, 0.1, num=C)
    X = np.linspace(-5.5, 4.5, num=N * D).reshape(D, N).T
    scores = model.loss(X)
    correct_scores = np.asarray(
        [[11.53165108, 12.2917344, 13.05181771, 13.81190102, 14.57198434, 15.33206765, 16.09215096],
         [12.05769098, 12.74614105, 13.43459113, 14.1230412, 14.81149128, 15.49994135, 16.18839143],
         [12.58373087, 13.20054771, 13.81736455, 14.43418138, 15.05099822, 15.66781506, 16.2846319]])
    assert np.abs(scores - correct_scores).sum() < 1e-6
    y = np.asarray([0, 5, 1])
    assert abs(model.loss(X, y)[0] - 3.4702243556) < 1e-10
    model.reg = 1.0
    assert abs(model.loss(X, y)[0] - 26.5948426952) < 1e-10


@pytest.mark.parametrize("reg", [0.0, 0.7])
def test_two_layer_net_gradients(reg):
    N, D, H, C = 3, 5, 50, 7
    X, y = np.random.randn(N, D), np.random.randint(C, size=N)
    model = TwoLayerNet(input_dim=D, hidden_dim=H, num_classes=C, weight_scale=1e-1, reg=reg)
    _check_grads(model, X, y, 1e-6)


@pytest.mark.parametrize("reg", [0.0, 3.14])
def test_fc_net_gradients_with_and_without_reg(reg):
    N, D, H1, H2, C = 2, 15, 20, 30, 10
    X, y = np.random.randn(N, D), np.random.randint(C, size=(N,))
    model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, reg=reg, weight_scale=5e-2, dtype=np.float64)
    loss = _check_grads(model, X, y, 1e-4)
    if reg == 0:
        assert abs(loss - np.log(C)) < 0.1  # small weights: about uniform scores


@pytest.mark.parametrize("normalization", ["batchnorm", "layernorm"])
def test_fc_net_gradients_with_normalization(normalization):
    N, D, H1, H2, C = 2, 15, 20, 30, 10
    X, y = np.random.randn(N, D), np.random.randint(C, size=(N,))
    model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, reg=0.5, weight_scale=5e-2,
                              dtype=np.float64, normalization=normalization)
    assert {"gamma1", "beta1", "gamma2", "beta2"} <= set(model.params) and "gamma3" not in model.params
    _check_grads(model, X, y, 5e-4)


@pytest.mark.parametrize("keep", [1, 0.75, 0.5])
def test_fc_net_gradients_with_dropout(keep):
    N, D, H1, H2, C = 2, 15, 20, 30, 10
    X, y = np.random.randn(N, D), np.random.randint(C, size=(N,))
    model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, weight_scale=5e-2, dtype=np.float64,
                              dropout_keep_ratio=keep, seed=123)
    _check_grads(model, X, y, 1e-4)


def test_fc_net_train_and_test_modes():
    X = np.random.randn(20, 8)
    y = np.random.randint(3, size=20)
    model = FullyConnectedNet([6], input_dim=8, num_classes=3, normalization="batchnorm", dropout_keep_ratio=0.5)
    s1, s2 = model.loss(X), model.loss(X)
    assert s1.shape == (20, 3) and s1.dtype == np.float32
    assert np.array_equal(s1, s2)  # test mode: deterministic, no dropout
    assert "running_mean" in model.bn_params[0] and np.all(model.bn_params[0]["running_mean"] == 0)
    model.loss(X, y)
    assert model.bn_params[0]["mode"] == "train" and np.any(model.bn_params[0]["running_mean"] != 0)
    model.loss(X)
    assert model.bn_params[0]["mode"] == "test" and model.dropout_param["mode"] == "test"


def test_init_options():
    np.random.seed(0)
    W = init_weights(1000, 500, "xavier")
    assert abs(W.std() - np.sqrt(1 / 1000)) < 1e-3
    W = init_weights(1000, 500, "he")
    assert abs(W.std() - np.sqrt(2 / 1000)) < 1e-3
    W = init_weights(1000, 500, 0.5)
    assert abs(W.std() - 0.5) < 1e-2
    model = FullyConnectedNet([400, 300], weight_scale="he")
    assert abs(model.params["W2"].std() - np.sqrt(2 / 400)) < 2e-3
    assert model.params["W1"].dtype == np.float32
    for bad in ("glorot", -1.0, 0):
        with pytest.raises(ValueError, match="weight_scale"):
            init_weights(10, 10, bad)


def test_fc_net_rejects_bad_arguments():
    with pytest.raises(ValueError, match="normalization"):
        FullyConnectedNet([10], normalization="batch")
    with pytest.raises(ValueError, match="dropout_keep_ratio"):
        FullyConnectedNet([10], dropout_keep_ratio=0)
    with pytest.raises(ValueError, match="hidden_dims"):
        FullyConnectedNet([10, 0])


@pytest.mark.parametrize("depth", [3, 5])
def test_fc_net_overfits_small_data(depth):
    # A few hidden layers learn 50 random points perfectly.
    from cs231n.optim import adam
    rng = np.random.RandomState(0)
    X, y = rng.randn(50, 20), rng.randint(10, size=50)
    model = FullyConnectedNet([50] * (depth - 1), input_dim=20, weight_scale="he")
    configs = {p: {"learning_rate": 1e-2} for p in model.params}
    for _ in range(300):
        loss, grads = model.loss(X, y)
        for p in model.params:
            model.params[p], configs[p] = adam(model.params[p], grads[p], configs[p])
    assert np.mean(model.loss(X).argmax(axis=1) == y) == 1.0
