"""Softmax (cross-entropy) loss of a linear classifier, with its gradient.

For scores s = x W of one example with correct class y, the probabilities are
p_j = exp(s_j) / sum_k exp(s_k) and the loss is L = -log p_y, averaged over the
examples, plus the L2 penalty reg * sum(W * W). Subtracting max_k s_k from every
score first leaves p unchanged and keeps exp from overflowing.
"""
import numpy as np

from cs231n import _checks

__all__ = ["softmax_loss_naive", "softmax_loss_vectorized"]


def softmax_loss_naive(W, X, y, reg):
    """Softmax loss function, naive implementation (with loops).

    Inputs have dimension D, there are C classes, and we operate on minibatches
    of N examples.

    Inputs:
    - W: A numpy array of shape (D, C) containing weights.
    - X: A numpy array of shape (N, D) containing a minibatch of data.
    - y: A numpy array of shape (N,) containing training labels; y[i] = c means
      that X[i] has label c, where 0 <= c < C.
    - reg: (float) regularization strength

    Returns a tuple of:
    - loss as single float
    - gradient with respect to weights W; an array of same shape as W
    """
    W, X, y = _checks.linear_loss(W, X, y, reg)
    # Initialize the loss and gradient to zero.
    loss = 0.0
    dW = np.zeros(W.shape)
    ### BEGIN SOLUTION
    num_train, num_classes = X.shape[0], W.shape[1]
    for i in range(num_train):
        scores = X[i].dot(W)
        scores = scores - np.max(scores)          # numerical stability: p is unchanged
        exp_scores = np.exp(scores)
        total = np.sum(exp_scores)
        loss += np.log(total) - scores[y[i]]      # -log(exp(s_y) / sum exp(s))
        for j in range(num_classes):
            p_j = exp_scores[j] / total
            # dL_i/ds_j = p_j - [j == y_i], and ds_j/dW[:, j] = X[i]
            dW[:, j] += (p_j - (j == y[i])) * X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    ### END SOLUTION
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    """Softmax loss function, vectorized version.

    Inputs and outputs are the same as softmax_loss_naive:
    - W: array of shape (D, C); X: array of shape (N, D); y: array of shape (N,)
    - reg: (float) regularization strength
    Returns (loss, dW) with loss a float and dW of shape (D, C).
    """
    W, X, y = _checks.linear_loss(W, X, y, reg)
    # Initialize the loss and gradient to zero.
    loss = 0.0
    dW = np.zeros(W.shape)
    ### BEGIN SOLUTION
    num_train = X.shape[0]
    rows = np.arange(num_train)
    scores = X.dot(W)                                           # (N, C)
    scores = scores - np.max(scores, axis=1, keepdims=True)     # shift by the row max
    exp_scores = np.exp(scores)
    sums = np.sum(exp_scores, axis=1, keepdims=True)            # (N, 1)
    log_probs = scores - np.log(sums)                           # log p, computed stably
    loss = -np.sum(log_probs[rows, y]) / num_train + reg * np.sum(W * W)

    dscores = exp_scores / sums                                 # p, (N, C)
    dscores[rows, y] -= 1.0                                     # p - one_hot(y)
    dW = X.T.dot(dscores) / num_train + 2 * reg * W
    ### END SOLUTION
    return loss, dW
