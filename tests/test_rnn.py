"""cs231n/classifiers/rnn.py: CaptioningRNN's loss against numerical gradients (RNN and LSTM),
the mask of the padding, greedy sampling, and the checks of its inputs."""
import numpy as np
import pytest

from cs231n.classifiers.rnn import CaptioningRNN
from cs231n.gradient_check import eval_numerical_gradient, rel_error
from cs231n.rnn_layers import rnn_step_forward

WORDS = ["<NULL>", "<START>", "<END>", "<UNK>", "a", "red", "blue", "ring", "square"]
W2I = {w: i for i, w in enumerate(WORDS)}


def _captions(rng, N, T):
    caps = rng.randint(4, len(WORDS), size=(N, T))
    caps[:, 0] = W2I["<START>"]
    for i in range(N):  # rows of different lengths: <END>, then padding
        end = rng.randint(2, T)
        caps[i, end], caps[i, end + 1:] = W2I["<END>"], W2I["<NULL>"]
    return caps


@pytest.mark.parametrize("cell_type", ["rnn", "lstm"])
def test_loss_gradients_match_numerical_ones(cell_type):
    rng = np.random.RandomState(0)
    model = CaptioningRNN(W2I, input_dim=5, wordvec_dim=4, hidden_dim=6, cell_type=cell_type, dtype=np.float64)
    for k, v in model.params.items():
        model.params[k] = rng.randn(*v.shape) * 0.3
    features, captions = rng.randn(3, 5), _captions(rng, 3, 6)
    loss, grads = model.loss(features, captions)
    assert set(grads) == set(model.params)
    for name, value in model.params.items():
        num = eval_numerical_gradient(lambda _: model.loss(features, captions)[0], value, verbose=False, h=1e-4)
        assert rel_error(grads[name], num) < 1e-6, name


def test_padding_counts_for_nothing():
    rng = np.random.RandomState(1)
    model = CaptioningRNN(W2I, input_dim=5, wordvec_dim=4, hidden_dim=6, dtype=np.float64)
    features = rng.randn(2, 5)
    short = np.array([[1, 4, 5, 7, 2, 0, 0], [1, 4, 6, 8, 2, 0, 0]])
    loss, grads = model.loss(features, short)
    loss_trimmed, _ = model.loss(features, short[:, :5])
    assert loss == pytest.approx(loss_trimmed, rel=1e-12)
    assert np.all(grads["W_embed"][0] == 0), "<NULL> is never an input whose output counts"


def test_initial_loss_is_about_log_v_per_word():
    rng = np.random.RandomState(2)
    model = CaptioningRNN(W2I, input_dim=20, wordvec_dim=16, hidden_dim=32, cell_type="lstm")
    for k in ("W_proj", "Wx", "Wh", "W_vocab"):
        model.params[k] *= 0.01
    caps = np.tile([1, 4, 5, 7, 2], (50, 1))
    loss, _ = model.loss(rng.randn(50, 20), caps)
    assert loss == pytest.approx(4 * np.log(len(WORDS)), rel=0.02)


def test_sample_is_greedy_and_feeds_back_its_words():
    rng = np.random.RandomState(3)
    model = CaptioningRNN(W2I, input_dim=5, wordvec_dim=4, hidden_dim=6, dtype=np.float64)
    features = rng.randn(4, 5)
    captions = model.sample(features, max_length=6)
    assert captions.shape == (4, 6) and captions.dtype == np.int32
    p = model.params
    h, word = features @ p["W_proj"] + p["b_proj"], np.full(4, W2I["<START>"])
    for t in range(6):   # the same steps written out
        h, _ = rnn_step_forward(p["W_embed"][word], h, p["Wx"], p["Wh"], p["b"])
        word = (h @ p["W_vocab"] + p["b_vocab"]).argmax(axis=1)
        assert np.array_equal(captions[:, t], word)


def test_a_trained_lstm_writes_the_caption_it_memorised():
    rng = np.random.RandomState(4)
    model = CaptioningRNN(W2I, input_dim=8, wordvec_dim=8, hidden_dim=16, cell_type="lstm", dtype=np.float64)
    features = rng.randn(2, 8)
    captions = np.array([[1, 4, 5, 7, 2, 0], [1, 4, 6, 8, 2, 0]])
    from cs231n import optim
    configs = {k: {"learning_rate": 5e-2} for k in model.params}
    for _ in range(150):
        loss, grads = model.loss(features, captions)
        for k in model.params:
            model.params[k], configs[k] = optim.adam(model.params[k], grads[k], configs[k])
    assert loss < 0.05
    assert np.array_equal(model.sample(features, 4), captions[:, 1:5])


@pytest.mark.parametrize("kwargs, match", [
    ({"cell_type": "gru"}, "cell_type"),
    ({"hidden_dim": 0}, "hidden_dim"),
])
def test_bad_settings_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        CaptioningRNN(W2I, **kwargs)


def test_bad_inputs_are_refused():
    model = CaptioningRNN(W2I, input_dim=5, wordvec_dim=4, hidden_dim=6)
    with pytest.raises(ValueError, match="NULL"):
        CaptioningRNN({"a": 0})
    with pytest.raises(ValueError, match="captions must have shape"):
        model.loss(np.zeros((2, 5)), np.zeros((3, 4), dtype=int))
    with pytest.raises(ValueError, match="word indices must lie in"):
        model.loss(np.zeros((1, 5)), np.array([[1, 99]]))
    with pytest.raises(ValueError, match="features per example"):
        model.sample(np.zeros((1, 6)))
