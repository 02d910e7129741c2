"""Multiclass SVM (hinge) loss of a linear classifier, with its gradient.

For scores s = x W of one example with correct class y, the loss is
    L = sum over j != y of max(0, s_j - s_y + 1),
averaged over the examples, plus the L2 penalty reg * sum(W * W).
"""
import numpy as np

__all__ = ["svm_loss_naive", "svm_loss_vectorized"]


def _check_loss_inputs(W, X, y, reg):
    """Check the arguments shared by the loss functions; return W, X, y as arrays.

    Raises ValueError with a message that names the problem: wrong number of
    dimensions, X and W that do not fit together, y of the wrong length or with
    labels outside 0..C-1, a negative regularization strength.
    """
    W = np.asarray(W)
    X = np.asarray(X)
    y = np.asarray(y)
    if W.ndim != 2:
        raise ValueError(f"W must have shape (D, C), got shape {W.shape}")
    if X.ndim != 2:
        raise ValueError(f"X must have shape (N, D), got shape {X.shape}")
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X has D = {X.shape[1]} features per example but W has {W.shape[0]} rows; "
                         f"they must match (did you forget the bias column?)")
    if X.shape[0] == 0:
        raise ValueError("X holds no examples (N = 0)")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},) to match X, got shape {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"labels y must be integers, got dtype {y.dtype}")
    num_classes = W.shape[1]
    if y.min() < 0 or y.max() >= num_classes:
        raise ValueError(f"labels must lie in 0..{num_classes - 1} (W has {num_classes} columns), "
                         f"got labels from {y.min()} to {y.max()}")
    if not np.isscalar(reg) or not np.isfinite(reg) or reg < 0:
        raise ValueError(f"reg must be a non-negative number, got {reg!r}")
    return W, X, y


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
    W, X, y = _check_loss_inputs(W, X, y, reg)
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
    W, X, y = _check_loss_inputs(W, X, y, reg)
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
