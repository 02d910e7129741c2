"""Update rules checked against values worked out by hand."""
import math

import numpy as np
import pytest

from cs231n import optim


def _run(rule, grads, config, w0=1.0):
    w = np.array([w0])
    for g in grads:
        w, config = rule(w, np.array([g]), config)
    return float(w[0]), config


def test_sgd_by_hand():
    w, cfg = _run(optim.sgd, [2.0], {"learning_rate": 0.1})
    assert w == pytest.approx(1 - 0.1 * 2)


def test_sgd_momentum_by_hand():
    # v1 = -0.1, w1 = 0.9; v2 = 0.9 * -0.1 - 0.1 = -0.19, w2 = 0.71
    w, cfg = _run(optim.sgd_momentum, [1.0, 1.0], {"learning_rate": 0.1, "momentum": 0.9})
    assert w == pytest.approx(0.71)
    assert cfg["velocity"][0] == pytest.approx(-0.19)


def test_nesterov_by_hand():
    # step 1: v = -0.1, w = 1 - 0.9 * 0 + 1.9 * -0.1 = 0.81
    # step 2: v_prev = -0.1, v = -0.19, w = 0.81 + 0.09 + 1.9 * -0.19 = 0.539
    w, cfg = _run(optim.nesterov, [1.0], {"learning_rate": 0.1, "momentum": 0.9})
    assert w == pytest.approx(0.81)
    w, cfg = _run(optim.nesterov, [1.0, 1.0], {"learning_rate": 0.1, "momentum": 0.9})
    assert w == pytest.approx(0.539)


def test_adagrad_by_hand_steps_shrink():
    # cache 4 -> w = 1 - 0.1 * 2 / 2 = 0.9; cache 8 -> w = 0.9 - 0.2 / sqrt(8)
    w, cfg = _run(optim.adagrad, [2.0, 2.0], {"learning_rate": 0.1, "epsilon": 0.0})
    assert w == pytest.approx(0.9 - 0.2 / math.sqrt(8))
    assert cfg["cache"][0] == pytest.approx(8.0)


def test_rmsprop_by_hand():
    # cache = 0.01 * 4 = 0.04 -> w = 1 - 0.01 * 2 / 0.2 = 0.9
    # cache = 0.99 * 0.04 + 0.04 = 0.0796 -> w = 0.9 - 0.02 / sqrt(0.0796)
    w, cfg = _run(optim.rmsprop, [2.0], {"epsilon": 0.0})
    assert w == pytest.approx(0.9)
    w, cfg = _run(optim.rmsprop, [2.0, 2.0], {"epsilon": 0.0})
    assert w == pytest.approx(0.9 - 0.02 / math.sqrt(0.0796))
    assert cfg["cache"][0] == pytest.approx(0.0796)


def test_adam_by_hand():
    # Step 1: bias correction makes m_hat = g and v_hat = g^2, so the step is lr * sign(g).
    w, cfg = _run(optim.adam, [3.0], {"epsilon": 0.0})
    assert w == pytest.approx(1 - 1e-3)
    assert cfg["t"] == 1
    # Step 2 with g = -1: m = 0.9*0.3 - 0.1 = 0.17, v = 0.999*0.009 + 0.001 = 0.009991
    w, cfg = _run(optim.adam, [3.0, -1.0], {"epsilon": 0.0})
    m_hat = 0.17 / (1 - 0.9 ** 2)
    v_hat = 0.009991 / (1 - 0.999 ** 2)
    assert w == pytest.approx(1 - 1e-3 - 1e-3 * m_hat / math.sqrt(v_hat))
    assert cfg["t"] == 2
    assert cfg["m"][0] == pytest.approx(0.17) and cfg["v"][0] == pytest.approx(0.009991)


def test_defaults_are_the_courses():
    w, dw = np.ones(3), np.ones(3)
    assert optim.sgd(w, dw)[1]["learning_rate"] == 1e-2
    cfg = optim.sgd_momentum(w, dw)[1]
    assert (cfg["learning_rate"], cfg["momentum"]) == (1e-2, 0.9)
    cfg = optim.nesterov(w, dw)[1]
    assert (cfg["learning_rate"], cfg["momentum"]) == (1e-2, 0.9)
    cfg = optim.rmsprop(w, dw)[1]
    assert (cfg["learning_rate"], cfg["decay_rate"], cfg["epsilon"]) == (1e-2, 0.99, 1e-8)
    cfg = optim.adam(w, dw)[1]
    assert (cfg["learning_rate"], cfg["beta1"], cfg["beta2"], cfg["epsilon"], cfg["t"]) == (1e-3, 0.9, 0.999, 1e-8, 1)
    cfg = optim.adagrad(w, dw)[1]
    assert (cfg["learning_rate"], cfg["epsilon"]) == (1e-2, 1e-8)


@pytest.mark.parametrize("name", ["sgd", "sgd_momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_rules_descend_a_quadratic_and_keep_shape(name):
    rule = getattr(optim, name)
    w = np.linspace(-2, 2, 12).reshape(3, 4)
    # AdaGrad's steps shrink like 1 / sqrt(t), so it needs a larger base rate.
    config = {"learning_rate": 0.5 if name == "adagrad" else 0.05}
    for _ in range(200):
        w, config = rule(w, 2 * w, config)  # gradient of sum(w^2)
    assert w.shape == (3, 4)
    assert np.sum(w ** 2) < 0.05 * np.sum(np.linspace(-2, 2, 12) ** 2)


def test_config_must_be_a_dict():
    with pytest.raises(TypeError, match="config"):
        optim.sgd(np.ones(2), np.ones(2), config=[0.1])
