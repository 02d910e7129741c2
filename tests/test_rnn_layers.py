"""cs231n/rnn_layers.py: every forward pass against its formula, every backward pass against
numerical gradients, the mask of the temporal loss, and the input checks."""
import numpy as np
import pytest

from cs231n.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array, rel_error
from cs231n.rnn_layers import (lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward, rnn_backward,
                               rnn_forward, rnn_step_backward, rnn_step_forward, sigmoid,
                               temporal_affine_backward, temporal_affine_forward, temporal_softmax_loss,
                               word_embedding_backward, word_embedding_forward)

N, T, D, H, V = 3, 4, 5, 6, 7


def _weights(rng, gates):
    return rng.randn(D, gates * H) * 0.4, rng.randn(H, gates * H) * 0.4, rng.randn(gates * H) * 0.3


def _numerical(f, args, dout):
    """Numerical gradients of sum(f(*args) * dout) with respect to each of args."""
    grads = []
    for i, a in enumerate(args):
        def g(v, i=i):
            return f(*args[:i], v, *args[i + 1:])
        grads.append(eval_numerical_gradient_array(g, a, dout))
    return grads


def test_sigmoid_is_the_logistic_function_and_never_overflows():
    x = np.linspace(-30, 30, 61)
    assert rel_error(sigmoid(x), 1 / (1 + np.exp(-x))) < 1e-12
    with np.errstate(over="raise"):
        assert np.all(np.isfinite(sigmoid(np.array([-1e4, 1e4]))))


def test_rnn_step_forward_is_tanh_of_the_affine_sum():
    rng = np.random.RandomState(0)
    x, h = rng.randn(N, D), rng.randn(N, H)
    Wx, Wh, b = _weights(rng, 1)
    next_h, _ = rnn_step_forward(x, h, Wx, Wh, b)
    assert rel_error(next_h, np.tanh(x @ Wx + h @ Wh + b)) < 1e-12


def test_rnn_step_backward_matches_numerical_gradients():
    rng = np.random.RandomState(1)
    args = [rng.randn(N, D), rng.randn(N, H), *_weights(rng, 1)]
    out, cache = rnn_step_forward(*args)
    dout = rng.randn(*out.shape)
    for got, num in zip(rnn_step_backward(dout, cache), _numerical(lambda *a: rnn_step_forward(*a)[0], args, dout)):
        assert rel_error(got, num) < 1e-8


def test_rnn_forward_runs_the_step_over_time_and_backward_matches_numerical_gradients():
    rng = np.random.RandomState(2)
    args = [rng.randn(N, T, D), rng.randn(N, H), *_weights(rng, 1)]
    h, cache = rnn_forward(*args)
    prev = args[1]
    for t in range(T):
        prev, _ = rnn_step_forward(args[0][:, t], prev, *args[2:])
        assert rel_error(h[:, t], prev) < 1e-12
    dh = rng.randn(*h.shape)
    grads = rnn_backward(dh, cache)
    for got, num in zip(grads, _numerical(lambda *a: rnn_forward(*a)[0], args, dh)):
        assert got.shape == num.shape and rel_error(got, num) < 1e-7


def test_lstm_step_forward_follows_the_gate_equations():
    rng = np.random.RandomState(3)
    x, h, c = rng.randn(N, D), rng.randn(N, H), rng.randn(N, H)
    Wx, Wh, b = _weights(rng, 4)
    next_h, next_c, _ = lstm_step_forward(x, h, c, Wx, Wh, b)
    a = x @ Wx + h @ Wh + b
    s = 1 / (1 + np.exp(-a))
    i, f, o, g = s[:, :H], s[:, H:2 * H], s[:, 2 * H:3 * H], np.tanh(a[:, 3 * H:])
    assert rel_error(next_c, f * c + i * g) < 1e-12
    assert rel_error(next_h, o * np.tanh(f * c + i * g)) < 1e-12


def test_lstm_step_backward_matches_numerical_gradients():
    rng = np.random.RandomState(4)
    args = [rng.randn(N, D), rng.randn(N, H), rng.randn(N, H), *_weights(rng, 4)]
    next_h, next_c, cache = lstm_step_forward(*args)
    dh, dc = rng.randn(N, H), rng.randn(N, H)

    def both(*a):  # sum(next_h dh + next_c dc) as one output
        h, c, _ = lstm_step_forward(*a)
        return np.concatenate([h, c], axis=1)

    nums = _numerical(both, args, np.concatenate([dh, dc], axis=1))
    for got, num in zip(lstm_step_backward(dh, dc, cache), nums):
        assert got.shape == num.shape and rel_error(got, num) < 1e-7


def test_lstm_forward_starts_from_a_zero_cell_and_backward_matches_numerical_gradients():
    rng = np.random.RandomState(5)
    args = [rng.randn(N, T, D), rng.randn(N, H), *_weights(rng, 4)]
    h, cache = lstm_forward(*args)
    prev_h, prev_c = args[1], np.zeros((N, H))
    for t in range(T):
        prev_h, prev_c, _ = lstm_step_forward(args[0][:, t], prev_h, prev_c, *args[2:])
        assert rel_error(h[:, t], prev_h) < 1e-12
    dh = rng.randn(*h.shape)
    for got, num in zip(lstm_backward(dh, cache), _numerical(lambda *a: lstm_forward(*a)[0], args, dh)):
        assert got.shape == num.shape and rel_error(got, num) < 1e-7


def test_word_embedding_picks_rows_and_adds_the_gradients_of_repeated_words():
    rng = np.random.RandomState(6)
    W = rng.randn(V, D)
    x = np.array([[0, 3, 3, 1], [3, 6, 0, 0]])
    out, cache = word_embedding_forward(x, W)
    assert out.shape == (2, 4, D) and np.array_equal(out[1, 0], W[3])
    dout = rng.randn(*out.shape)
    dW = word_embedding_backward(dout, cache)
    assert np.allclose(dW[3], dout[0, 1] + dout[0, 2] + dout[1, 0])
    assert np.allclose(dW[2], 0)
    num = eval_numerical_gradient_array(lambda w: word_embedding_forward(x, w)[0], W, dout)
    assert rel_error(dW, num) < 1e-9


def test_temporal_affine_is_an_affine_layer_at_every_step():
    rng = np.random.RandomState(7)
    x, w, b = rng.randn(N, T, D), rng.randn(D, V), rng.randn(V)
    out, cache = temporal_affine_forward(x, w, b)
    assert rel_error(out[:, 2], x[:, 2] @ w + b) < 1e-12
    dout = rng.randn(*out.shape)
    for got, num in zip(temporal_affine_backward(dout, cache),
                        _numerical(lambda *a: temporal_affine_forward(*a)[0], [x, w, b], dout)):
        assert rel_error(got, num) < 1e-8


def test_temporal_softmax_loss_sums_the_unmasked_steps_over_n():
    rng = np.random.RandomState(8)
    x, y = rng.randn(N, T, V), rng.randint(V, size=(N, T))
    mask = rng.rand(N, T) > 0.4
    loss, dx = temporal_softmax_loss(x, y, mask)
    logp = x - np.log(np.exp(x).sum(axis=2, keepdims=True))
    expected = -sum(logp[i, t, y[i, t]] for i in range(N) for t in range(T) if mask[i, t]) / N
    assert loss == pytest.approx(expected, rel=1e-12)
    assert np.all(dx[~mask] == 0), "masked steps get no gradient"
    num = eval_numerical_gradient(lambda s: temporal_softmax_loss(s, y, mask)[0], x, verbose=False)
    assert rel_error(dx, num) < 1e-7


def test_temporal_softmax_loss_of_uniform_scores_is_log_v_per_word():
    x = np.zeros((100, 5, V))
    y = np.zeros((100, 5), dtype=int)
    loss, _ = temporal_softmax_loss(x, y, np.ones((100, 5), dtype=bool))
    assert loss == pytest.approx(5 * np.log(V))
    loss, _ = temporal_softmax_loss(x, y, np.zeros((100, 5), dtype=bool))
    assert loss == 0


def test_float32_in_float32_out():
    rng = np.random.RandomState(9)
    x, h = rng.randn(N, T, D).astype(np.float32), rng.randn(N, H).astype(np.float32)
    for fw, gates in ((rnn_forward, 1), (lstm_forward, 4)):
        Wx, Wh, b = (a.astype(np.float32) for a in _weights(rng, gates))
        out, _ = fw(x, h, Wx, Wh, b)
        assert out.dtype == np.float32


@pytest.mark.parametrize("call, match", [
    (lambda r: rnn_step_forward(r.randn(N, D), r.randn(N, H), r.randn(D + 1, H), r.randn(H, H), r.randn(H)),
     r"Wx must have shape \(5, 6\)"),
    (lambda r: rnn_step_forward(r.randn(N, D), r.randn(N + 1, H), r.randn(D, H), r.randn(H, H), r.randn(H)),
     "hidden state must have shape"),
    (lambda r: rnn_forward(r.randn(N, T, D), r.randn(N, H), r.randn(D, H), r.randn(H, H), r.randn(H + 1)),
     r"b must have shape \(6,\)"),
    (lambda r: lstm_forward(r.randn(N, T, D), r.randn(N, H), r.randn(D, H), r.randn(H, H), r.randn(H)),
     "4 gates"),
    (lambda r: lstm_step_forward(r.randn(N, D), r.randn(N, H), r.randn(N, H + 1), *_weights(r, 4)),
     "cell state"),
    (lambda r: word_embedding_forward(np.array([[0, V]]), r.randn(V, D)), "word indices must lie in 0..6"),
    (lambda r: word_embedding_forward(np.array([[0.5]]), r.randn(V, D)), "integer word indices"),
    (lambda r: temporal_affine_forward(r.randn(N, T, D), r.randn(D + 1, V), r.randn(V)), "x has D = 5"),
    (lambda r: temporal_softmax_loss(r.randn(N, T, V), np.zeros((N, T + 1), int), np.ones((N, T))),
     r"y and mask must have shape \(3, 4\)"),
])
def test_wrong_inputs_are_refused_with_a_message_that_names_them(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call(np.random.RandomState(0))
