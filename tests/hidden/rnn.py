"""Hidden probes of the recurrent layers (cs231n/rnn_layers.py) and CaptioningRNN
(cs231n/classifiers/rnn.py).

Staff-only, never released. Each ``probe_<name>`` runs the student's forward and backward
passes on the grader's inputs (``inputs_<name>``) and returns every output and gradient, for
the grader to compare with the solution's. Shapes differ from the notebook's checks; nothing
here draws random numbers.
"""

POINTS = {"rnn_step": 1, "rnn_sequence": 2, "lstm_step": 2, "lstm_sequence": 2,
          "embedding_and_temporal_loss": 2, "captioning_loss": 2, "captioning_sample": 2}
TOL = {"captioning_loss": 1e-6, "captioning_sample": 1e-6}


def inputs_rnn_step(rng):
    return {"x": rng.randn(4, 3), "h": rng.randn(4, 5), "Wx": rng.randn(3, 5) * 0.5, "Wh": rng.randn(5, 5) * 0.5,
            "b": rng.randn(5), "dnext": rng.randn(4, 5)}


def probe_rnn_step(x, h, Wx, Wh, b, dnext):
    from cs231n.rnn_layers import rnn_step_backward, rnn_step_forward
    out, cache = rnn_step_forward(x, h, Wx, Wh, b)
    dx, dh, dWx, dWh, db = rnn_step_backward(dnext, cache)
    return {"next_h": out, "dx": dx, "dprev_h": dh, "dWx": dWx, "dWh": dWh, "db": db}


def inputs_rnn_sequence(rng):
    return {"x": rng.randn(3, 7, 4), "h0": rng.randn(3, 6), "Wx": rng.randn(4, 6) * 0.4,
            "Wh": rng.randn(6, 6) * 0.4, "b": rng.randn(6) * 0.2, "dh": rng.randn(3, 7, 6)}


def probe_rnn_sequence(x, h0, Wx, Wh, b, dh):
    from cs231n.rnn_layers import rnn_backward, rnn_forward
    h, cache = rnn_forward(x, h0, Wx, Wh, b)
    dx, dh0, dWx, dWh, db = rnn_backward(dh, cache)
    only_last = dh * 0
    only_last[:, -1] = dh[:, -1]                 # gradient from the last step only: BPTT through all steps
    dx_last, dh0_last, _, _, _ = rnn_backward(only_last, cache)
    return {"h": h, "dx": dx, "dh0": dh0, "dWx": dWx, "dWh": dWh, "db": db, "dx_last": dx_last,
            "dh0_last": dh0_last}


def inputs_lstm_step(rng):
    return {"x": rng.randn(3, 4), "h": rng.randn(3, 2), "c": rng.randn(3, 2), "Wx": rng.randn(4, 8) * 0.5,
            "Wh": rng.randn(2, 8) * 0.5, "b": rng.randn(8), "dnext_h": rng.randn(3, 2), "dnext_c": rng.randn(3, 2)}


def probe_lstm_step(x, h, c, Wx, Wh, b, dnext_h, dnext_c):
    from cs231n.rnn_layers import lstm_step_backward, lstm_step_forward
    next_h, next_c, cache = lstm_step_forward(x, h, c, Wx, Wh, b)
    dx, dh, dc, dWx, dWh, db = lstm_step_backward(dnext_h, dnext_c, cache)
    return {"next_h": next_h, "next_c": next_c, "dx": dx, "dprev_h": dh, "dprev_c": dc, "dWx": dWx,
            "dWh": dWh, "db": db}


def inputs_lstm_sequence(rng):
    return {"x": rng.randn(2, 6, 3), "h0": rng.randn(2, 4), "Wx": rng.randn(3, 16) * 0.4,
            "Wh": rng.randn(4, 16) * 0.4, "b": rng.randn(16) * 0.3, "dh": rng.randn(2, 6, 4)}


def probe_lstm_sequence(x, h0, Wx, Wh, b, dh):
    from cs231n.rnn_layers import lstm_backward, lstm_forward
    h, cache = lstm_forward(x, h0, Wx, Wh, b)
    dx, dh0, dWx, dWh, db = lstm_backward(dh, cache)
    return {"h": h, "dx": dx, "dh0": dh0, "dWx": dWx, "dWh": dWh, "db": db}


def inputs_embedding_and_temporal_loss(rng):
    return {"words": rng.randint(6, size=(4, 5)), "W": rng.randn(6, 3), "dout": rng.randn(4, 5, 3),
            "scores": rng.randn(4, 5, 9), "y": rng.randint(9, size=(4, 5)), "mask": rng.rand(4, 5) > 0.35}


def probe_embedding_and_temporal_loss(words, W, dout, scores, y, mask):
    from cs231n.rnn_layers import temporal_softmax_loss, word_embedding_backward, word_embedding_forward
    out, cache = word_embedding_forward(words, W)
    dW = word_embedding_backward(dout, cache)
    loss, dscores = temporal_softmax_loss(scores, y, mask)
    return {"out": out, "dW": dW, "loss": loss, "dscores": dscores}


def inputs_captioning_loss(rng):
    captions = rng.randint(3, 8, size=(3, 7))
    captions[:, 0] = 1
    captions[0, 4], captions[0, 5:] = 2, 0
    captions[1, 6] = 2
    captions[2, 2], captions[2, 3:] = 2, 0
    return {"values": rng.randn(97), "features": rng.randn(3, 5), "captions": captions}


def probe_captioning_loss(values, features, captions):
    import numpy as np
    from cs231n.classifiers.rnn import CaptioningRNN
    words = ["<NULL>", "<START>", "<END>", "<UNK>", "w4", "w5", "w6", "w7"]
    out = {}
    for cell_type in ("rnn", "lstm"):
        model = CaptioningRNN({w: i for i, w in enumerate(words)}, input_dim=5, wordvec_dim=3, hidden_dim=4,
                              cell_type=cell_type, dtype=np.float64)
        for i, (k, v) in enumerate(sorted(model.params.items())):    # the grader's weights
            model.params[k] = 0.4 * np.resize(np.roll(values, 7 * i), v.size).reshape(v.shape)
        loss, grads = model.loss(features, captions)
        out[f"{cell_type}_loss"] = loss
        out.update({f"{cell_type}_d{k}": v for k, v in grads.items()})
    return out


def inputs_captioning_sample(rng):
    return {"values": rng.randn(89), "features": rng.randn(6, 5)}


def probe_captioning_sample(values, features):
    import numpy as np
    from cs231n.classifiers.rnn import CaptioningRNN
    words = ["<NULL>", "<START>", "<END>", "<UNK>", "w4", "w5", "w6", "w7"]
    out = {}
    for cell_type in ("rnn", "lstm"):
        model = CaptioningRNN({w: i for i, w in enumerate(words)}, input_dim=5, wordvec_dim=3, hidden_dim=6,
                              cell_type=cell_type, dtype=np.float64)
        for i, (k, v) in enumerate(sorted(model.params.items())):    # large weights: varied words
            model.params[k] = 2.5 * np.resize(np.roll(values, 5 * i), v.size).reshape(v.shape)
        out[f"{cell_type}_captions"] = model.sample(features, max_length=8)
    return out
