"""Multiclass SVM (hinge) loss of a linear classifier, with its gradient.

For scores s = x W of one example with correct class y, the loss is
    L = sum over j != y of max(0, s_j - s_y + 1),
averaged over the examples, plus the L2 penalty reg * sum(W * W).
"""
import numpy as np

from cs231n import _checks

__all__ = ["svm_loss_naive", "svm_loss_vectorized"]


def svm_loss_naive(W, X, y, reg):
    """Structured SVM loss function, naive implementation (with loops).

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
    dW = np.zeros(W.shape)  # initialize the gradient as zero

    # compute the loss and the gradient
    num_classes = W.shape[1]
    num_train = X.shape[0]
    loss = 0.0
    ### BEGIN SOLUTION
    for i in range(num_train):
        scores = X[i].dot(W)
        correct_class_score = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct_class_score + 1  # note delta = 1
            if margin > 0:
                loss += margin
                # an active margin pushes score j down and the correct score up
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]

    # Right now the loss is a sum over all training examples, but we want it
    # to be an average instead, so we divide by num_train; same for the gradient.
    loss /= num_train
    dW /= num_train

    # Add regularization to the loss and its gradient.
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    ### END SOLUTION
    return loss, dW


def svm_loss_vectorized(W, X, y, reg):
    """Structured SVM loss function, vectorized implementation.

    Inputs and outputs are the same as svm_loss_naive:
    - W: array of shape (D, C); X: array of shape (N, D); y: array of shape (N,)
    - reg: (float) regularization strength
    Returns (loss, dW) with loss a float and dW of shape (D, C).
    """
    W, X, y = _checks.linear_loss(W, X, y, reg)
    loss = 0.0
    dW = np.zeros(W.shape)  # initialize the gradient as zero
    ### BEGIN SOLUTION
    num_train = X.shape[0]
    rows = np.arange(num_train)
    scores = X.dot(W)                                          # (N, C)
    correct = scores[rows, y][:, np.newaxis]                   # (N, 1)
    margins = np.maximum(0.0, scores - correct + 1.0)          # (N, C)
    margins[rows, y] = 0.0                                     # the correct class does not count
    loss = np.sum(margins) / num_train + reg * np.sum(W * W)

    # dL/dscores: +1 for every active margin, and minus the number of active
    # margins at the correct class; then dW = X^T dscores.
    dscores = (margins > 0).astype(scores.dtype)
    dscores[rows, y] = -np.sum(dscores, axis=1)
    dW = X.T.dot(dscores) / num_train + 2 * reg * W
    ### END SOLUTION
    return loss, dW
