"""Recurrent layers for sequences of vectors, in the course's style.

Every layer is a pair, as in ``layers.py``: ``*_forward(...) -> (out, cache)`` and
``*_backward(dout, cache) -> grads``. Sizes, everywhere below:

- N: examples in the minibatch (captions)
- T: time steps (words of a caption)
- D: size of an input vector (a word vector)
- H: hidden units of the recurrent layer
- V: words in the vocabulary (the classes of the scores)

A vanilla RNN keeps one hidden state ``h`` per example and updates it from each
input ``x_t``; an LSTM keeps a hidden state and a cell state ``c``, updated through
four gates. ``rnn_forward``/``lstm_forward`` run a step function over the whole
sequence; their backward passes run the step's backward pass in reverse time
order (backpropagation through time), adding up the gradients of the weights,
which every step shares.
"""
import numpy as np

from cs231n import _checks

__all__ = [
    "rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward",
    "word_embedding_forward", "word_embedding_backward", "sigmoid",
    "lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward",
    "temporal_affine_forward", "temporal_affine_backward", "temporal_softmax_loss",
]


# ---------------------------------------------------------------------------
# Vanilla RNN
# ---------------------------------------------------------------------------


def rnn_step_forward(x, prev_h, Wx, Wh, b):
    """One time step of a vanilla RNN: next_h = tanh(x Wx + prev_h Wh + b).

    Inputs:
    - x: input of this step, shape (N, D)
    - prev_h: hidden state of the previous step, shape (N, H)
    - Wx: input-to-hidden weights, shape (D, H)
    - Wh: hidden-to-hidden weights, shape (H, H)
    - b: biases, shape (H,)

    Returns a tuple of:
    - next_h: the next hidden state, shape (N, H)
    - cache: what the backward pass needs: (x, prev_h, Wx, Wh, next_h)
    """
    _checks.recurrent(x, prev_h, Wx, Wh, b, what="rnn_step_forward")
    next_h = None
    ### BEGIN SOLUTION
    next_h = np.tanh(x.dot(Wx) + prev_h.dot(Wh) + b)
    ### END SOLUTION
    cache = (x, prev_h, Wx, Wh, next_h)
    return next_h, cache


def rnn_step_backward(dnext_h, cache):
    """Backward pass of one vanilla RNN step.

    Inputs:
    - dnext_h: gradient of the loss with respect to next_h, shape (N, H)
    - cache: (x, prev_h, Wx, Wh, next_h) from rnn_step_forward

    Returns a tuple of:
    - dx: gradient with respect to x, shape (N, D)
    - dprev_h: gradient with respect to prev_h, shape (N, H)
    - dWx: gradient with respect to Wx, shape (D, H)
    - dWh: gradient with respect to Wh, shape (H, H)
    - db: gradient with respect to b, shape (H,)
    """
    x, prev_h, Wx, Wh, next_h = cache
    dx, dprev_h, dWx, dWh, db = None, None, None, None, None
    ### BEGIN SOLUTION
    da = dnext_h * (1 - next_h * next_h)       # through tanh: 1 - tanh^2
    dx = da.dot(Wx.T)
    dprev_h = da.dot(Wh.T)
    dWx = x.T.dot(da)
    dWh = prev_h.T.dot(da)
    db = da.sum(axis=0)
    ### END SOLUTION
    return dx, dprev_h, dWx, dWh, db


def rnn_forward(x, h0, Wx, Wh, b):
    """A vanilla RNN over a whole sequence: rnn_step_forward at every step t = 0, ..., T-1.

    Each step starts from the hidden state the previous one produced (h0 for the first).

    Inputs:
    - x: the inputs of every step, shape (N, T, D)
    - h0: the initial hidden state, shape (N, H)
    - Wx: input-to-hidden weights, shape (D, H)
    - Wh: hidden-to-hidden weights, shape (H, H)
    - b: biases, shape (H,)

    Returns a tuple of:
    - h: the hidden states of every step, shape (N, T, H)
    - cache: what rnn_backward needs: the list of the T steps' caches
    """
    N, D, H = _checks.recurrent(x, h0, Wx, Wh, b, what="rnn_forward")
    _checks.array("x", x, 3)
    h, cache = None, None
    ### BEGIN SOLUTION
    T = x.shape[1]
    h = np.empty((N, T, H), dtype=np.result_type(x, h0, Wx))
    cache = []
    prev_h = h0
    for t in range(T):
        prev_h, step_cache = rnn_step_forward(x[:, t], prev_h, Wx, Wh, b)
        h[:, t] = prev_h
        cache.append(step_cache)
    ### END SOLUTION
    return h, cache


def rnn_backward(dh, cache):
    """Backpropagation through time for a vanilla RNN over a whole sequence.

    dh holds the gradients that arrive at each hidden state from *above* (from the
    scores of each step). The hidden state h_t also feeds step t+1, so the gradient
    that step t's backward pass receives is dh[:, t] plus what step t+1 sent back
    to its prev_h. Run the steps backward from t = T-1 to 0, and add up the
    gradients of Wx, Wh and b, which every step uses.

    Inputs:
    - dh: upstream gradients of all hidden states, shape (N, T, H)
    - cache: from rnn_forward

    Returns a tuple of:
    - dx: gradient of the inputs, shape (N, T, D)
    - dh0: gradient of the initial hidden state, shape (N, H)
    - dWx: gradient of the input-to-hidden weights, shape (D, H)
    - dWh: gradient of the hidden-to-hidden weights, shape (H, H)
    - db: gradient of the biases, shape (H,)
    """
    dx, dh0, dWx, dWh, db = None, None, None, None, None
    ### BEGIN SOLUTION
    N, T, H = dh.shape
    x0, _, Wx, Wh, _ = cache[0]
    dx = np.empty((N, T, x0.shape[1]), dtype=np.result_type(dh, x0))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(H, dtype=Wh.dtype)
    dprev = np.zeros((N, H), dtype=dh.dtype)
    for t in reversed(range(T)):
        dx[:, t], dprev, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + dprev, cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = dprev
    ### END SOLUTION
    return dx, dh0, dWx, dWh, db


# ---------------------------------------------------------------------------
# Word embeddings
# ---------------------------------------------------------------------------


def word_embedding_forward(x, W):
    """Word embeddings: replace each word index by its row of W, the word's vector.

    Inputs:
    - x: integer array of shape (N, T), word indices, each in 0..V-1
    - W: the word vectors, shape (V, D)

    Returns a tuple of:
    - out: the vectors of the words, shape (N, T, D)
    - cache: (x, W)
    """
    x = _checks.tokens(x, _checks.array("W", W, 2).shape[0])
    out = None
    ### BEGIN SOLUTION
    out = W[x]
    ### END SOLUTION
    cache = (x, W)
    return out, cache


def word_embedding_backward(dout, cache):
    """Backward pass of word embeddings.

    A word that appears several times in the minibatch receives the sum of the
    gradients of all its occurrences (np.add.at adds up repeated indices; plain
    indexed assignment would keep only one of them).

    Inputs:
    - dout: upstream gradient, shape (N, T, D)
    - cache: (x, W) from word_embedding_forward

    Returns:
    - dW: gradient of the word vectors, shape (V, D)
    """
    x, W = cache
    dW = None
    ### BEGIN SOLUTION
    dW = np.zeros_like(W)
    np.add.at(dW, x.ravel(), dout.reshape(-1, W.shape[1]))
    ### END SOLUTION
    return dW


# ---------------------------------------------------------------------------
# LSTM
# ---------------------------------------------------------------------------


def sigmoid(x):
    """The logistic sigmoid 1 / (1 + exp(-x)), elementwise, without overflow for large |x|."""
    e = np.exp(-np.abs(x))                  # never more than 1
    return np.where(x >= 0, 1, e) / (1 + e)


def lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b):
    """One time step of an LSTM: four gates from x and prev_h, then the next cell and hidden states.

    The activations a = x Wx + prev_h Wh + b, of shape (N, 4H), are split into
    four blocks of H columns, in this order:

        i = sigmoid(a[:, 0:H])      input gate
        f = sigmoid(a[:, H:2H])     forget gate
        o = sigmoid(a[:, 2H:3H])    output gate
        g = tanh(a[:, 3H:4H])       candidate values

        next_c = f * prev_c + i * g
        next_h = o * tanh(next_c)

    Inputs:
    - x: input of this step, shape (N, D)
    - prev_h: previous hidden state, shape (N, H)
    - prev_c: previous cell state, shape (N, H)
    - Wx: input-to-gates weights, shape (D, 4H)
    - Wh: hidden-to-gates weights, shape (H, 4H)
    - b: biases, shape (4H,)

    Returns a tuple of:
    - next_h: next hidden state, shape (N, H)
    - next_c: next cell state, shape (N, H)
    - cache: what the backward pass needs
    """
    _checks.recurrent(x, prev_h, Wx, Wh, b, gates=4, what="lstm_step_forward", c=prev_c)
    next_h, next_c, cache = None, None, None
    ### BEGIN SOLUTION
    H = prev_h.shape[1]
    a = x.dot(Wx) + prev_h.dot(Wh) + b
    i, f, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(a[:, 2 * H:3 * H])
    g = np.tanh(a[:, 3 * H:])
    next_c = f * prev_c + i * g
    tanh_c = np.tanh(next_c)
    next_h = o * tanh_c
    cache = (x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c)
    ### END SOLUTION
    return next_h, next_c, cache


def lstm_step_backward(dnext_h, dnext_c, cache):
    """Backward pass of one LSTM step.

    next_c receives gradient twice: dnext_c (from the next step's cell state)
    and, through next_h = o * tanh(next_c), from dnext_h.

    Inputs:
    - dnext_h: gradient with respect to next_h, shape (N, H)
    - dnext_c: gradient with respect to next_c, shape (N, H)
    - cache: from lstm_step_forward

    Returns a tuple of:
    - dx: gradient with respect to x, shape (N, D)
    - dprev_h: gradient with respect to prev_h, shape (N, H)
    - dprev_c: gradient with respect to prev_c, shape (N, H)
    - dWx: gradient with respect to Wx, shape (D, 4H)
    - dWh: gradient with respect to Wh, shape (H, 4H)
    - db: gradient with respect to b, shape (4H,)
    """
    dx, dprev_h, dprev_c, dWx, dWh, db = None, None, None, None, None, None
    ### BEGIN SOLUTION
    x, prev_h, prev_c, Wx, Wh, i, f, o, g, tanh_c = cache
    dc = dnext_c + dnext_h * o * (1 - tanh_c * tanh_c)
    da = np.concatenate([
        dc * g * i * (1 - i),                    # input gate, through its sigmoid
        dc * prev_c * f * (1 - f),               # forget gate
        dnext_h * tanh_c * o * (1 - o),          # output gate
        dc * i * (1 - g * g),                    # candidate, through tanh
    ], axis=1)
    dprev_c = dc * f
    dx = da.dot(Wx.T)
    dprev_h = da.dot(Wh.T)
    dWx = x.T.dot(da)
    dWh = prev_h.T.dot(da)
    db = da.sum(axis=0)
    ### END SOLUTION
    return dx, dprev_h, dprev_c, dWx, dWh, db


def lstm_forward(x, h0, Wx, Wh, b):
    """An LSTM over a whole sequence: lstm_step_forward at every step, the cell state starting at zero.

    The hidden state starts at h0; only the hidden states are returned.

    Inputs:
    - x: the inputs of every step, shape (N, T, D)
    - h0: the initial hidden state, shape (N, H)
    - Wx: input-to-gates weights, shape (D, 4H)
    - Wh: hidden-to-gates weights, shape (H, 4H)
    - b: biases, shape (4H,)

    Returns a tuple of:
    - h: the hidden states of every step, shape (N, T, H)
    - cache: what lstm_backward needs: the list of the T steps' caches
    """
    N, D, H = _checks.recurrent(x, h0, Wx, Wh, b, gates=4, what="lstm_forward")
    _checks.array("x", x, 3)
    h, cache = None, None
    ### BEGIN SOLUTION
    T = x.shape[1]
    h = np.empty((N, T, H), dtype=np.result_type(x, h0, Wx))
    cache = []
    prev_h, prev_c = h0, np.zeros_like(h0)
    for t in range(T):
        prev_h, prev_c, step_cache = lstm_step_forward(x[:, t], prev_h, prev_c, Wx, Wh, b)
        h[:, t] = prev_h
        cache.append(step_cache)
    ### END SOLUTION
    return h, cache


def lstm_backward(dh, cache):
    """Backpropagation through time for an LSTM over a whole sequence.

    As in rnn_backward, step t's hidden state receives dh[:, t] plus what step
    t+1 sent back to its prev_h; its cell state receives only what step t+1 sent
    back to prev_c (zero at the last step). Weights' gradients add up over steps.

    Inputs:
    - dh: upstream gradients of all hidden states, shape (N, T, H)
    - cache: from lstm_forward

    Returns a tuple of:
    - dx: gradient of the inputs, shape (N, T, D)
    - dh0: gradient of the initial hidden state, shape (N, H)
    - dWx: gradient of the input-to-gates weights, shape (D, 4H)
    - dWh: gradient of the hidden-to-gates weights, shape (H, 4H)
    - db: gradient of the biases, shape (4H,)
    """
    dx, dh0, dWx, dWh, db = None, None, None, None, None
    ### BEGIN SOLUTION
    N, T, H = dh.shape
    x0, Wx, Wh = cache[0][0], cache[0][3], cache[0][4]
    dx = np.empty((N, T, x0.shape[1]), dtype=np.result_type(dh, x0))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(4 * H, dtype=Wh.dtype)
    dprev_h = np.zeros((N, H), dtype=dh.dtype)
    dprev_c = np.zeros((N, H), dtype=dh.dtype)
    for t in reversed(range(T)):
        dx[:, t], dprev_h, dprev_c, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t] + dprev_h, dprev_c,
                                                                             cache[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    dh0 = dprev_h
    ### END SOLUTION
    return dx, dh0, dWx, dWh, db


# ---------------------------------------------------------------------------
# Scores of every step, and the loss
# ---------------------------------------------------------------------------


def temporal_affine_forward(x, w, b):
    """The same affine layer applied at every time step: out[:, t] = x[:, t] w + b.

    Inputs:
    - x: inputs, shape (N, T, D)
    - w: weights, shape (D, M)
    - b: biases, shape (M,)

    Returns a tuple of:
    - out: outputs, shape (N, T, M)
    - cache: (x, w, b, out)
    """
    N, T, D, M = _checks.temporal_affine(x, w, b)
    out = x.reshape(N * T, D).dot(w).reshape(N, T, M) + b
    cache = (x, w, b, out)
    return out, cache


def temporal_affine_backward(dout, cache):
    """Backward pass of the temporal affine layer.

    Inputs:
    - dout: upstream gradients, shape (N, T, M)
    - cache: from temporal_affine_forward

    Returns a tuple of:
    - dx: gradient of the inputs, shape (N, T, D)
    - dw: gradient of the weights, shape (D, M)
    - db: gradient of the biases, shape (M,)
    """
    x, w, b, out = cache
    N, T, D = x.shape
    M = b.shape[0]
    dx = dout.reshape(N * T, M).dot(w.T).reshape(N, T, D)
    dw = x.reshape(N * T, D).T.dot(dout.reshape(N * T, M))
    db = dout.sum(axis=(0, 1))
    return dx, dw, db


def temporal_softmax_loss(x, y, mask, verbose=False):
    """Softmax loss over every time step of every sequence, skipping the padding.

    Captions of different lengths are padded with <NULL> to a common length T;
    mask says which steps are real words. The loss is the sum, over examples and
    over the steps where mask is True, of the softmax loss of the scores x[i, t]
    for the target word y[i, t], divided by N (not by the number of words, as in
    CS231n).

    Inputs:
    - x: scores, shape (N, T, V)
    - y: target word indices, shape (N, T), each in 0..V-1
    - mask: booleans, shape (N, T); mask[i, t] says whether x[i, t] counts
    - verbose: print the shapes of the flattened arrays (for debugging)

    Returns a tuple of:
    - loss: scalar
    - dx: gradient of the loss with respect to the scores, shape (N, T, V)
    """
    y, mask = _checks.temporal_scores(x, y, mask)
    N, T, V = x.shape
    loss, dx = None, None
    ### BEGIN SOLUTION
    scores = x.reshape(N * T, V)
    targets, keep = y.ravel(), mask.ravel()
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(N * T)
    loss = -(log_probs[rows, targets] * keep).sum() / N
    dscores = np.exp(log_probs)
    dscores[rows, targets] -= 1
    dscores *= keep[:, None] / N
    if verbose:
        print("dx_flat:", dscores.shape)
    dx = dscores.reshape(N, T, V)
    ### END SOLUTION
    return loss, dx
