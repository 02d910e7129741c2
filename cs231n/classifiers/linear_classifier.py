"""Linear classifiers trained with minibatch stochastic gradient descent.

``LinearClassifier`` holds the weights W of shape (D, C) and the training loop;
a subclass supplies the loss: ``LinearSVM`` (multiclass hinge loss) or
``Softmax`` (cross-entropy loss). With the bias trick (a constant 1 appended to
every example) the last row of W acts as the biases.
"""
import numpy as np

from cs231n import _checks
from cs231n.classifiers.linear_svm import svm_loss_vectorized
from cs231n.classifiers.softmax import softmax_loss_vectorized
from cs231n.compat import SavesWeights

__all__ = ["LinearClassifier", "LinearSVM", "Softmax"]


class LinearClassifier(SavesWeights):
    """A linear classifier scores = X W; subclasses define loss(). save(fname)/load(fname) keep W."""

    def __init__(self):
        self.W = None

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100,
              batch_size=200, verbose=False):
        """Train this linear classifier using stochastic gradient descent.

        Minibatches are drawn with replacement using numpy's global random
        generator (seed it with np.random.seed for reproducible runs). If the
        classifier has no weights yet they start as 0.001 * randn(D, C), with
        C = max(y) + 1.

        Inputs:
        - X: A numpy array of shape (N, D) containing training data; there are N
          training samples each of dimension D.
        - y: A numpy array of shape (N,) containing training labels; y[i] = c
          means that X[i] has label 0 <= c < C for C classes.
        - learning_rate: (float) learning rate for optimization.
        - reg: (float) regularization strength.
        - num_iters: (integer) number of steps to take when optimizing
        - batch_size: (integer) number of training examples to use at each step.
        - verbose: (boolean) If true, print progress during optimization.

        Outputs:
        A list containing the value of the loss function at each training iteration.
        """
        X, y, num_iters, batch_size = _checks.sgd(X, y, learning_rate, num_iters, batch_size, self.W)
        num_train, dim = X.shape
        num_classes = int(np.max(y)) + 1  # assume y takes values 0...K-1 where K is number of classes
        if self.W is None:
            # lazily initialize W
            self.W = 0.001 * np.random.randn(dim, num_classes)

        # Run stochastic gradient descent to optimize W
        loss_history = []
        for it in range(num_iters):
            X_batch = None
            y_batch = None

            # Sample batch_size elements from the training data and their labels
            # into X_batch (batch_size, D) and y_batch (batch_size,). Sampling with
            # replacement is faster than without, and fine for SGD.
            ### BEGIN SOLUTION
            idx = np.random.choice(num_train, batch_size, replace=True)
            X_batch = X[idx]
            y_batch = y[idx]
            ### END SOLUTION

            # evaluate loss and gradient
            loss, grad = self.loss(X_batch, y_batch, reg)
            loss_history.append(loss)

            # perform parameter update: one step against the gradient
            ### BEGIN SOLUTION
            self.W -= learning_rate * grad
            ### END SOLUTION

            if verbose and it % 100 == 0:
                print("iteration %d / %d: loss %f" % (it, num_iters, loss))

        return loss_history

    def predict(self, X):
        """Use the trained weights of this linear classifier to predict labels for
        data points.

        Inputs:
        - X: A numpy array of shape (N, D) containing training data; there are N
          training samples each of dimension D.

        Returns:
        - y_pred: Predicted labels for the data in X. y_pred is a 1-dimensional
          array of length N, and each element is an integer giving the predicted
          class.
        """
        X = _checks.data(X, len(_checks.trained(self, self.W)), "W has {D} rows")
        y_pred = np.zeros(X.shape[0], dtype=np.int64)
        ### BEGIN SOLUTION
        y_pred = np.argmax(X.dot(self.W), axis=1)
        ### END SOLUTION
        return y_pred

    def loss(self, X_batch, y_batch, reg):
        """Compute the loss function and its derivative.
        Subclasses will override this.

        Inputs:
        - X_batch: A numpy array of shape (N, D) containing a minibatch of N
          data points; each point has dimension D.
        - y_batch: A numpy array of shape (N,) containing labels for the minibatch.
        - reg: (float) regularization strength.

        Returns: A tuple containing:
        - loss as a single float
        - gradient with respect to self.W; an array of the same shape as W
        """
        raise NotImplementedError("LinearClassifier is abstract: use LinearSVM or Softmax, "
                                  "or override loss() in a subclass")


class LinearSVM(LinearClassifier):
    """A subclass that uses the Multiclass SVM loss function."""

    def loss(self, X_batch, y_batch, reg):
        """Multiclass SVM loss of self.W on a minibatch: X_batch (N, D), y_batch (N,).
        Returns (loss, dW) with dW of shape (D, C)."""
        return svm_loss_vectorized(self.W, X_batch, y_batch, reg)


class Softmax(LinearClassifier):
    """A subclass that uses the Softmax + Cross-entropy loss function."""

    def loss(self, X_batch, y_batch, reg):
        """Softmax loss of self.W on a minibatch: X_batch (N, D), y_batch (N,).
        Returns (loss, dW) with dW of shape (D, C)."""
        return softmax_loss_vectorized(self.W, X_batch, y_batch, reg)
