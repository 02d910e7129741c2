"""Tests for the hand-written two-layer net (cs231n/classifiers/neural_net.py)."""
import numpy as np
import pytest

from cs231n.classifiers.neural_net import TwoLayerNet
from cs231n.gradient_check import eval_numerical_gradient, rel_error

INPUT_SIZE, HIDDEN_SIZE, NUM_CLASSES, NUM_INPUTS = 4, 10, 3, 5


def toy_model():
    np.random.seed(0)
    return TwoLayerNet(INPUT_SIZE, HIDDEN_SIZE, NUM_CLASSES, std=1e-1)


def toy_data():
    np.random.seed(1)
    X = 10 * np.random.randn(NUM_INPUTS, INPUT_SIZE)
    y = np.array([0, 1, 2, 2, 1])
    return X, y


def reference_loss(params, X, y, reg):
    """Scores and loss computed one example at a time, independently of the model's code."""
    scores = np.zeros((X.shape[0], params["W2"].shape[1]))
    data_loss = 0.0
    for i in range(X.shape[0]):
        hidden = np.array([max(0.0, X[i] @ params["W1"][:, j] + params["b1"][j])
                           for j in range(params["W1"].shape[1])])
        scores[i] = hidden @ params["W2"] + params["b2"]
        probs = np.exp(scores[i]) / np.sum(np.exp(scores[i]))
        data_loss += -np.log(probs[y[i]])
    reg_loss = reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    return scores, data_loss / X.shape[0] + reg_loss


def test_init_draws_weights_in_course_order_and_zero_biases():
    np.random.seed(3)
    expected_W1 = 0.01 * np.random.randn(7, 5)
    expected_W2 = 0.01 * np.random.randn(5, 4)
    np.random.seed(3)
    net = TwoLayerNet(7, 5, 4, std=0.01)
    assert set(net.params) == {"W1", "b1", "W2", "b2"}
    np.testing.assert_array_equal(net.params["W1"], expected_W1)
    np.testing.assert_array_equal(net.params["W2"], expected_W2)
    np.testing.assert_array_equal(net.params["b1"], np.zeros(5))
    np.testing.assert_array_equal(net.params["b2"], np.zeros(4))


def test_scores_have_shape_N_by_C_and_match_a_loop_reference():
    net, (X, y) = toy_model(), toy_data()
    scores = net.loss(X)
    assert scores.shape == (NUM_INPUTS, NUM_CLASSES)
    expected, _ = reference_loss(net.params, X, y, 0.0)
    assert rel_error(scores, expected) < 1e-7


@pytest.mark.parametrize("reg", [0.0, 0.05])
def test_loss_matches_a_loop_reference(reg):
    net, (X, y) = toy_model(), toy_data()
    loss, _ = net.loss(X, y, reg=reg)
    _, expected = reference_loss(net.params, X, y, reg)
    assert isinstance(loss, float)
    assert abs(loss - expected) < 1e-10


def test_initial_loss_with_tiny_weights_is_log_of_num_classes():
    np.random.seed(0)
    net = TwoLayerNet(20, 15, 10, std=1e-6)
    X = np.random.randn(50, 20)
    y = np.random.randint(10, size=50)
    loss, _ = net.loss(X, y, reg=0.0)
    assert abs(loss - np.log(10)) < 1e-4


@pytest.mark.parametrize("reg", [0.0, 0.05])
def test_every_gradient_matches_the_numerical_gradient(reg):
    net, (X, y) = toy_model(), toy_data()
    loss, grads = net.loss(X, y, reg=reg)
    assert set(grads) == set(net.params)
    for name in net.params:
        assert grads[name].shape == net.params[name].shape
        f = lambda _: net.loss(X, y, reg=reg)[0]
        numerical = eval_numerical_gradient(f, net.params[name], verbose=False)
        assert rel_error(numerical, grads[name]) < 1e-8, name


def test_gradient_of_regularization_alone_is_2_reg_W():
    net, (X, y) = toy_model(), toy_data()
    _, g0 = net.loss(X, y, reg=0.0)
    _, g1 = net.loss(X, y, reg=0.3)
    for name in ("W1", "W2"):
        assert rel_error(g1[name] - g0[name], 2 * 0.3 * net.params[name]) < 1e-10
    for name in ("b1", "b2"):
        np.testing.assert_array_equal(g1[name], g0[name])


def test_loss_is_stable_for_huge_scores():
    net, (X, y) = toy_model(), toy_data()
    net.params["W2"] *= 1e4
    loss, grads = net.loss(X, y)
    assert np.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads.values())


def test_predict_returns_argmax_of_scores():
    net, (X, _) = toy_model(), toy_data()
    y_pred = net.predict(X)
    assert y_pred.shape == (NUM_INPUTS,)
    assert np.issubdtype(y_pred.dtype, np.integer)
    np.testing.assert_array_equal(y_pred, np.argmax(net.loss(X), axis=1))


def test_predict_finds_the_class_a_hand_set_net_encodes():
    # Hidden unit j copies input j (if positive); class c scores hidden unit c.
    net = TwoLayerNet(3, 3, 3)
    net.params["W1"] = np.eye(3)
    net.params["W2"] = np.eye(3)
    X = np.array([[5.0, 1.0, 0.0], [0.0, 2.0, -1.0], [-3.0, -2.0, 4.0]])
    np.testing.assert_array_equal(net.predict(X), [0, 1, 2])


def test_training_on_toy_data_drives_the_loss_down():
    net, (X, y) = toy_model(), toy_data()
    np.random.seed(0)
    stats = net.train(X, y, X, y, learning_rate=1e-1, reg=5e-6, num_iters=100,
                      verbose=False, progress=False)
    history = stats["loss_history"]
    assert len(history) == 100
    assert history[-1] < 0.05 < history[0]


def test_training_learns_separable_blobs_and_records_histories():
    np.random.seed(0)
    centers = 3 * np.random.randn(3, 8)
    y = np.random.randint(3, size=600)
    X = centers[y] + np.random.randn(600, 8)
    net = TwoLayerNet(8, 20, 3, std=1e-2)
    stats = net.train(X[:500], y[:500], X[500:], y[500:], learning_rate=0.5,
                      learning_rate_decay=0.9, reg=1e-4, num_iters=200, batch_size=50,
                      progress=False)
    assert set(stats) == {"loss_history", "train_acc_history", "val_acc_history"}
    # one accuracy per epoch: 500 / 50 = 10 iterations per epoch, 200 iterations
    assert len(stats["train_acc_history"]) == len(stats["val_acc_history"]) == 20
    assert np.mean(stats["loss_history"][-20:]) < 0.5 * np.mean(stats["loss_history"][:5])
    assert (net.predict(X[500:]) == y[500:]).mean() > 0.9


def test_training_is_reproducible_with_a_seed():
    X, y = toy_data()
    runs = []
    for _ in range(2):
        np.random.seed(7)
        net = TwoLayerNet(INPUT_SIZE, HIDDEN_SIZE, NUM_CLASSES, std=1e-1)
        runs.append(net.train(X, y, X, y, learning_rate=0.05, num_iters=20, batch_size=3,
                              progress=False)["loss_history"])
    assert runs[0] == runs[1]


def test_diverging_training_stops_with_a_warning():
    net, (X, y) = toy_model(), toy_data()
    with pytest.warns(RuntimeWarning, match="diverged"), np.errstate(all="ignore"):
        stats = net.train(X, y, X, y, learning_rate=1e150, num_iters=50, progress=False)
    assert len(stats["loss_history"]) < 50


def test_progress_bar_can_be_switched_on_and_off(capsys):
    net, (X, y) = toy_model(), toy_data()
    net.train(X, y, X, y, num_iters=3, progress=False)
    assert capsys.readouterr().err == ""
    net.train(X, y, X, y, num_iters=3, progress=True)
    assert "3/3" in capsys.readouterr().err


@pytest.mark.parametrize("args, match", [
    ((0, 10, 3), "input_size"),
    ((4, 2.5, 3), "hidden_size"),
    ((4, 10, -1), "output_size"),
])
def test_constructor_rejects_bad_sizes(args, match):
    with pytest.raises(ValueError, match=match):
        TwoLayerNet(*args)


def test_constructor_rejects_non_positive_std():
    with pytest.raises(ValueError, match="std"):
        TwoLayerNet(4, 10, 3, std=0.0)


def test_loss_rejects_bad_X():
    net, (X, y) = toy_model(), toy_data()
    with pytest.raises(ValueError, match="input_size = 4"):
        net.loss(np.zeros((5, 6)))
    with pytest.raises(ValueError, match="flatten"):
        net.loss(np.zeros((5, 2, 2)))
    with pytest.raises(ValueError, match="no examples"):
        net.loss(np.zeros((0, 4)))
    with pytest.raises(TypeError, match="real numbers"):
        net.loss(np.array([["a"] * 4]))


def test_loss_rejects_bad_labels_and_reg():
    net, (X, y) = toy_model(), toy_data()
    with pytest.raises(ValueError, match=r"shape \(5,\)"):
        net.loss(X, y[:4])
    with pytest.raises(ValueError, match=r"0\.\.2"):
        net.loss(X, np.array([0, 1, 2, 3, 1]))
    with pytest.raises(TypeError, match="integers"):
        net.loss(X, y.astype(float))
    with pytest.raises(ValueError, match="reg"):
        net.loss(X, y, reg=-1.0)


@pytest.mark.parametrize("kwargs, match", [
    ({"learning_rate": 0.0}, "learning_rate"),
    ({"learning_rate_decay": -0.5}, "learning_rate_decay"),
    ({"reg": float("nan")}, "reg"),
    ({"num_iters": 1.5}, "num_iters"),
    ({"batch_size": 0}, "batch_size"),
])
def test_train_rejects_bad_hyperparameters(kwargs, match):
    net, (X, y) = toy_model(), toy_data()
    with pytest.raises(ValueError, match=match):
        net.train(X, y, X, y, progress=False, **kwargs)


def test_train_rejects_mismatched_validation_data():
    net, (X, y) = toy_model(), toy_data()
    with pytest.raises(ValueError, match="y_val"):
        net.train(X, y, X, y[:3], progress=False)
    with pytest.raises(ValueError, match="input_size"):
        net.train(X, y, X[:, :3], y, progress=False)


def test_float32_net_keeps_its_dtype_and_matches_float64():
    X, y = toy_data()
    np.random.seed(0)
    net64 = TwoLayerNet(INPUT_SIZE, HIDDEN_SIZE, NUM_CLASSES, std=1e-1)
    np.random.seed(0)
    net32 = TwoLayerNet(INPUT_SIZE, HIDDEN_SIZE, NUM_CLASSES, std=1e-1, dtype=np.float32)
    assert all(p.dtype == np.float32 for p in net32.params.values())
    np.testing.assert_allclose(net32.params["W1"], net64.params["W1"], rtol=1e-6)
    loss32, grads32 = net32.loss(X.astype(np.float32), y, reg=0.05)
    loss64, grads64 = net64.loss(X, y, reg=0.05)
    assert abs(loss32 - loss64) < 1e-5
    for name in grads64:
        assert grads32[name].dtype == np.float32
        np.testing.assert_allclose(grads32[name], grads64[name], rtol=1e-3, atol=1e-5)
    net32.train(X.astype(np.float32), y, X.astype(np.float32), y, num_iters=5, batch_size=3, progress=False)
    assert all(p.dtype == np.float32 for p in net32.params.values())


def test_constructor_rejects_a_non_float_dtype():
    with pytest.raises(TypeError, match="dtype"):
        TwoLayerNet(4, 10, 3, dtype=np.int32)
