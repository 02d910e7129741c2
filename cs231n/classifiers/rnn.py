"""An image captioning model: a recurrent network that writes a caption from image features."""
import numpy as np

from cs231n import _checks
from cs231n.compat import SavesParams
from cs231n.layers import affine_backward, affine_forward
from cs231n.rnn_layers import (lstm_backward, lstm_forward, lstm_step_forward, rnn_backward, rnn_forward,
                               rnn_step_forward, temporal_affine_backward, temporal_affine_forward,
                               temporal_softmax_loss, word_embedding_backward, word_embedding_forward)

__all__ = ["CaptioningRNN"]


class CaptioningRNN(SavesParams):
    """Writes captions for images from their feature vectors, with a vanilla RNN or an LSTM.

    Architecture, for image features of size D, word vectors of size W, H hidden
    units and a vocabulary of V words:

        h0 = features W_proj + b_proj                      (N, H): the image sets the first state
        x  = W_embed[captions_in]                          (N, T, W): word vectors
        h  = rnn_forward or lstm_forward(x, h0, Wx, Wh, b) (N, T, H)
        scores = h W_vocab + b_vocab                       (N, T, V): the next word's scores

    A caption is a row of word indices, <START> first, then the words, then <END>,
    padded with <NULL>. The network reads caption[:, :-1] (captions_in) and is
    trained to predict caption[:, 1:] (captions_out), one word ahead, with a
    softmax loss over every step that is not padding. There is no regularization.

    Parameters (in self.params):
    - W_embed: word vectors, shape (V, W)
    - W_proj: image features to the initial hidden state, shape (D, H); b_proj: (H,)
    - Wx: shape (W, H) for an RNN, (W, 4H) for an LSTM; Wh: (H, H) or (H, 4H); b: (H,) or (4H,)
    - W_vocab: hidden states to word scores, shape (H, V); b_vocab: (V,)
    """

    def __init__(self, word_to_idx, input_dim=512, wordvec_dim=128, hidden_dim=128, cell_type="rnn",
                 dtype=np.float32):
        """Build a new CaptioningRNN with small random weights.

        Inputs:
        - word_to_idx: dict from each of the V words of the vocabulary to its index
          in 0..V-1; it must hold '<NULL>', and '<START>' and '<END>' to sample
        - input_dim: D, the size of an image feature vector
        - wordvec_dim: W, the size of a word vector
        - hidden_dim: H, hidden units of the recurrent layer
        - cell_type: 'rnn' (vanilla) or 'lstm'
        - dtype: np.float32 for speed, np.float64 for gradient checks
        """
        _checks.choice("cell_type", cell_type, ("rnn", "lstm"))
        _checks.sizes(input_dim=input_dim, wordvec_dim=wordvec_dim, hidden_dim=hidden_dim)
        if not isinstance(word_to_idx, dict) or "<NULL>" not in word_to_idx:
            raise ValueError("word_to_idx must be a dict from words to indices that holds '<NULL>'")
        if sorted(word_to_idx.values()) != list(range(len(word_to_idx))):
            raise ValueError(f"the indices of word_to_idx must be 0..{len(word_to_idx) - 1}, each once")
        self.cell_type = cell_type
        self.dtype = _checks.float_type(dtype)
        self.word_to_idx = word_to_idx
        self.idx_to_word = {i: w for w, i in word_to_idx.items()}
        self.input_dim, self.wordvec_dim, self.hidden_dim = input_dim, wordvec_dim, hidden_dim
        self._null = word_to_idx["<NULL>"]
        self._start = word_to_idx.get("<START>")
        self._end = word_to_idx.get("<END>")

        V, gates = len(word_to_idx), {"rnn": 1, "lstm": 4}[cell_type]
        self.params = {
            "W_embed": np.random.randn(V, wordvec_dim) / 100,
            "W_proj": np.random.randn(input_dim, hidden_dim) / np.sqrt(input_dim),
            "b_proj": np.zeros(hidden_dim),
            "Wx": np.random.randn(wordvec_dim, gates * hidden_dim) / np.sqrt(wordvec_dim),
            "Wh": np.random.randn(hidden_dim, gates * hidden_dim) / np.sqrt(hidden_dim),
            "b": np.zeros(gates * hidden_dim),
            "W_vocab": np.random.randn(hidden_dim, V) / np.sqrt(hidden_dim),
            "b_vocab": np.zeros(V),
        }
        for k, v in self.params.items():
            self.params[k] = v.astype(self.dtype)

    def _captions(self, captions, N):
        captions = _checks.tokens(captions, len(self.word_to_idx), "captions", "CaptioningRNN.loss")
        if captions.ndim != 2 or captions.shape[0] != N or captions.shape[1] < 2:
            raise ValueError(f"captions must have shape ({N}, T + 1), one row of at least 2 word indices "
                             f"per image, got shape {captions.shape}")
        return captions

    def loss(self, features, captions):
        """The training loss and its gradients on a minibatch of images and their captions.

        Inputs:
        - features: image features, shape (N, D)
        - captions: word indices, shape (N, T + 1), each row <START> ... <END> <NULL> ...

        Returns a tuple of:
        - loss: scalar, temporal_softmax_loss of the scores for captions[:, 1:], padding masked out
        - grads: dict with the keys of self.params, the gradient of the loss for each
        """
        features = _checks.data(features, self.input_dim).astype(self.dtype, copy=False)
        captions = self._captions(captions, features.shape[0])
        # The network reads captions_in and predicts captions_out, one word ahead; the mask
        # leaves out the <NULL> padding.
        captions_in, captions_out = captions[:, :-1], captions[:, 1:]
        mask = captions_out != self._null
        W_proj, b_proj = self.params["W_proj"], self.params["b_proj"]
        W_embed = self.params["W_embed"]
        Wx, Wh, b = self.params["Wx"], self.params["Wh"], self.params["b"]
        W_vocab, b_vocab = self.params["W_vocab"], self.params["b_vocab"]

        loss, grads = 0.0, {}
        # Forward pass: h0, word vectors, RNN or LSTM, scores, masked temporal softmax loss.
        # Then the backward pass in reverse order, filling grads (one key per parameter).
        ### BEGIN SOLUTION
        h0, cache_proj = affine_forward(features, W_proj, b_proj)
        x, cache_embed = word_embedding_forward(captions_in, W_embed)
        forward, backward = ((rnn_forward, rnn_backward) if self.cell_type == "rnn"
                             else (lstm_forward, lstm_backward))
        h, cache_rnn = forward(x, h0, Wx, Wh, b)
        scores, cache_vocab = temporal_affine_forward(h, W_vocab, b_vocab)
        loss, dscores = temporal_softmax_loss(scores, captions_out, mask)

        dh, grads["W_vocab"], grads["b_vocab"] = temporal_affine_backward(dscores, cache_vocab)
        dx, dh0, grads["Wx"], grads["Wh"], grads["b"] = backward(dh, cache_rnn)
        grads["W_embed"] = word_embedding_backward(dx, cache_embed)
        _, grads["W_proj"], grads["b_proj"] = affine_backward(dh0, cache_proj)
        ### END SOLUTION
        return loss, grads

    def sample(self, features, max_length=30):
        """Greedy captions for images: at each step, feed the word the network scores highest.

        The first input is the <START> word and the first hidden state comes from the
        features, as in training (an LSTM's cell state starts at zero). Each step
        embeds the previous word, takes one step of the RNN or LSTM, scores the
        vocabulary and keeps the best word, which is the next step's input. Every
        row runs for max_length steps, also past its <END> (decode_captions stops there).

        Inputs:
        - features: image features, shape (N, D)
        - max_length: T, the length of the captions written

        Returns:
        - captions: int32 array of shape (N, max_length), the words chosen at each
          step, the first word after <START> first
        """
        features = _checks.data(features, self.input_dim).astype(self.dtype, copy=False)
        max_length = _checks.integer("max_length", max_length)
        if self._start is None:
            raise ValueError("sampling needs '<START>' in word_to_idx")
        N = features.shape[0]
        captions = np.full((N, max_length), self._null, dtype=np.int32)
        W_proj, b_proj = self.params["W_proj"], self.params["b_proj"]
        W_embed = self.params["W_embed"]
        Wx, Wh, b = self.params["Wx"], self.params["Wh"], self.params["b"]
        W_vocab, b_vocab = self.params["W_vocab"], self.params["b_vocab"]

        # Greedy decoding, one step at a time: embed the previous word, one step of the cell,
        # score the vocabulary, keep the best word in captions[:, t].
        ### BEGIN SOLUTION
        h = features.dot(W_proj) + b_proj
        c = np.zeros_like(h)
        words = np.full(N, self._start)
        for t in range(max_length):
            x = W_embed[words]
            if self.cell_type == "rnn":
                h, _ = rnn_step_forward(x, h, Wx, Wh, b)
            else:
                h, c, _ = lstm_step_forward(x, h, c, Wx, Wh, b)
            words = (h.dot(W_vocab) + b_vocab).argmax(axis=1)
            captions[:, t] = words
        ### END SOLUTION
        return captions
