"""A two-layer fully connected network whose forward and backward passes are written out by hand.

The network computes, for a minibatch X of shape (N, D),

    h      = max(0, X W1 + b1)          hidden layer, shape (N, H)   (affine, then ReLU)
    scores = h W2 + b2                  class scores, shape (N, C)   (affine)

and is trained with the softmax (cross-entropy) loss on the scores plus the L2
penalty reg * (sum(W1 * W1) + sum(W2 * W2)); the biases are not regularized.
Every gradient is derived by walking the computational graph backwards, one
node at a time (see notebooks/03_two_layer_net.ipynb). Unlike the modular
networks of fc_net.py, nothing here calls into layers.py: this is the network a
student differentiates by hand.
"""
import warnings

import numpy as np

from cs231n import _checks
from cs231n.compat import SavesParams
from cs231n.progress import tqdm as _tqdm

__all__ = ["TwoLayerNet"]


class TwoLayerNet(SavesParams):
    """A two-layer fully connected neural network.

    The net has an input dimension of D, a hidden layer dimension of H, and
    performs classification over C classes. We train the network with a softmax
    loss function and L2 regularization on the weight matrices. The network uses
    a ReLU nonlinearity after the first fully connected layer.

    In other words, the network has the following architecture:

    input - fully connected layer - ReLU - fully connected layer - softmax

    The outputs of the second fully connected layer are the scores for each class.

    The learnable parameters live in the dictionary self.params:
    - W1: first layer weights, shape (D, H)
    - b1: first layer biases, shape (H,)
    - W2: second layer weights, shape (H, C)
    - b2: second layer biases, shape (C,)
    """

    def __init__(self, input_size, hidden_size, output_size, std=1e-4, dtype=np.float64):
        """Initialize the model.

        Weights are initialized to small random values (std * standard normal,
        drawn from numpy's global generator in the order W1, W2, so that
        np.random.seed makes a model reproducible) and biases to zero.

        Inputs:
        - input_size: The dimension D of the input data.
        - hidden_size: The number of neurons H in the hidden layer.
        - output_size: The number of classes C.
        - std: standard deviation of the initial weights (a positive number).
        - dtype: numpy float type of the parameters. float64 (the default) is
          what gradient checks need; float32 halves memory and roughly doubles
          the speed of training on CIFAR-10 (the draws are made in float64 and
          then cast, so a seed gives the same initial weights either way).
        """
        _checks.sizes(input_size=input_size, hidden_size=hidden_size, output_size=output_size)
        std, dtype = _checks.number("std", std), _checks.float_type(dtype)
        self.params = {}
        self.params["W1"] = (std * np.random.randn(input_size, hidden_size)).astype(dtype)
        self.params["b1"] = np.zeros(hidden_size, dtype=dtype)
        self.params["W2"] = (std * np.random.randn(hidden_size, output_size)).astype(dtype)
        self.params["b2"] = np.zeros(output_size, dtype=dtype)

    _INPUT = "the net expects input_size = {D}"  # how _checks.data names a wrong number of features

    def loss(self, X, y=None, reg=0.0):
        """Compute the loss and gradients for a two layer fully connected neural network.

        Inputs:
        - X: Input data of shape (N, D). Each X[i] is a training sample.
        - y: Vector of training labels, shape (N,). y[i] is the label for X[i],
          and each y[i] is an integer in the range 0 <= y[i] < C. This parameter
          is optional; if it is not passed then we only return scores, and if it
          is passed then we instead return the loss and gradients.
        - reg: Regularization strength (a non-negative number).

        Returns:
        If y is None, return a matrix scores of shape (N, C) where scores[i, c] is
        the score for class c on input X[i].

        If y is not None, instead return a tuple of:
        - loss: Loss (data loss and regularization loss) for this batch of
          training samples, a float.
        - grads: Dictionary mapping parameter names to gradients of those
          parameters with respect to the loss function; has the same keys as
          self.params, and grads[k] has the shape of self.params[k]:
          W1 (D, H), b1 (H,), W2 (H, C), b2 (C,).
        """
        X, y = _checks.labelled(X, y, len(self.params["W1"]), len(self.params["b2"]), self._INPUT)
        N, reg = X.shape[0], _checks.number("reg", reg, positive=False)

        # Unpack variables from the params dictionary
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]

        # Compute the forward pass: the class scores, an array of shape (N, C).
        scores = None
        ### BEGIN SOLUTION
        z1 = X.dot(W1) + b1                  # (N, H) first affine layer
        h1 = np.maximum(0, z1)               # (N, H) ReLU
        scores = h1.dot(W2) + b2             # (N, C) second affine layer
        ### END SOLUTION

        # If the targets are not given then jump out, we're done
        if y is None:
            return scores

        # Compute the loss: softmax data loss averaged over the batch, plus
        # reg * (sum(W1 * W1) + sum(W2 * W2)). Store the result in the variable
        # loss, which should be a scalar.
        loss = None
        ### BEGIN SOLUTION
        rows = np.arange(N)
        shifted = scores - np.max(scores, axis=1, keepdims=True)   # same softmax, no overflow
        exp_scores = np.exp(shifted)
        sum_exp = np.sum(exp_scores, axis=1, keepdims=True)        # (N, 1)
        log_probs = shifted - np.log(sum_exp)                      # (N, C) log p
        data_loss = -np.sum(log_probs[rows, y]) / N
        reg_loss = reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        loss = float(data_loss + reg_loss)
        ### END SOLUTION

        # Backward pass: compute gradients, storing them in the grads dictionary
        # (grads['W1'] is the gradient of the loss with respect to W1, and so on).
        grads = {}
        ### BEGIN SOLUTION
        # softmax + cross-entropy: dL/dscores = (p - one_hot(y)) / N
        dscores = exp_scores / sum_exp                       # (N, C) probabilities
        dscores[rows, y] -= 1.0
        dscores /= N
        # second affine layer: scores = h1 W2 + b2
        grads["W2"] = h1.T.dot(dscores) + 2 * reg * W2      # (H, C)
        grads["b2"] = np.sum(dscores, axis=0)               # (C,)
        dh1 = dscores.dot(W2.T)                              # (N, H)
        # ReLU routes the gradient only where its input was positive
        dz1 = dh1 * (z1 > 0)                                 # (N, H)
        # first affine layer: z1 = X W1 + b1
        grads["W1"] = X.T.dot(dz1) + 2 * reg * W1           # (D, H)
        grads["b1"] = np.sum(dz1, axis=0)                   # (H,)
        ### END SOLUTION

        return loss, grads

    def train(self, X, y, X_val, y_val,
              learning_rate=1e-3, learning_rate_decay=0.95,
              reg=5e-6, num_iters=100,
              batch_size=200, verbose=False, progress=True):
        """Train this neural network using stochastic gradient descent.

        Minibatches are drawn with replacement from numpy's global random
        generator (np.random.seed makes a run reproducible). Once per epoch
        (every max(N / batch_size, 1) iterations, starting with iteration 0) the
        accuracy on the current minibatch and on the validation set is recorded
        and the learning rate is multiplied by learning_rate_decay. If the loss
        becomes inf or nan (a learning rate far too large), training stops
        there with a RuntimeWarning, so loss_history is shorter than num_iters.

        Inputs:
        - X: A numpy array of shape (N, D) giving training data.
        - y: A numpy array of shape (N,) giving training labels; y[i] = c means that
          X[i] has label c, where 0 <= c < C.
        - X_val: A numpy array of shape (N_val, D) giving validation data.
        - y_val: A numpy array of shape (N_val,) giving validation labels.
        - learning_rate: Scalar giving learning rate for optimization.
        - learning_rate_decay: Scalar giving factor used to decay the learning rate
          after each epoch.
        - reg: Scalar giving regularization strength.
        - num_iters: Number of steps to take when optimizing.
        - batch_size: Number of training examples to use per step.
        - verbose: boolean; if true print progress during optimization.
        - progress: boolean; if true show a tqdm progress bar (with the latest
          loss) while training. Pass False for quiet runs, e.g. in a search.

        Returns a dictionary of lists:
        - loss_history: the minibatch loss at every iteration (num_iters floats)
        - train_acc_history: minibatch accuracy, once per epoch
        - val_acc_history: validation accuracy, once per epoch
        """
        W1, C = self.params["W1"], len(self.params["b2"])
        X, y, num_iters, batch_size = _checks.sgd(X, y, learning_rate, num_iters, batch_size, W1, C, self._INPUT,
                                                  learning_rate_decay=learning_rate_decay, reg=reg)
        X_val, y_val = _checks.labelled(X_val, y_val, len(W1), C, self._INPUT, name="y_val")

        num_train = X.shape[0]
        iterations_per_epoch = max(num_train // batch_size, 1)

        # Use SGD to optimize the parameters in self.model
        loss_history = []
        train_acc_history = []
        val_acc_history = []

        steps = range(num_iters)
        bar = None
        if progress:
            bar = _tqdm(steps, desc="training", unit="it", leave=True)
            steps = bar

        for it in steps:
            X_batch = None
            y_batch = None

            # Create a random minibatch of training data and labels, storing
            # them in X_batch (batch_size, D) and y_batch (batch_size,).
            ### BEGIN SOLUTION
            idx = np.random.choice(num_train, batch_size, replace=True)
            X_batch = X[idx]
            y_batch = y[idx]
            ### END SOLUTION

            # Compute loss and gradients using the current minibatch
            loss, grads = self.loss(X_batch, y=y_batch, reg=reg)
            loss_history.append(loss)

            # Use the gradients in the grads dictionary to update the parameters
            # of the network (stored in the dictionary self.params) using
            # stochastic gradient descent.
            ### BEGIN SOLUTION
            for name, grad in grads.items():
                self.params[name] -= learning_rate * grad
            ### END SOLUTION

            if not np.isfinite(loss):
                warnings.warn(f"the loss became {loss} at iteration {it}: training diverged "
                              f"and stops here; try a smaller learning_rate "
                              f"(now {learning_rate:g})", RuntimeWarning, stacklevel=2)
                break

            if verbose and it % 100 == 0:
                print("iteration %d / %d: loss %f" % (it, num_iters, loss))
            if bar is not None and it % 10 == 0:
                bar.set_postfix(loss=f"{loss:.3f}", refresh=False)

            # Every epoch, check train and val accuracy and decay learning rate.
            if it % iterations_per_epoch == 0:
                # Check accuracy
                train_acc = (self.predict(X_batch) == y_batch).mean()
                val_acc = (self.predict(X_val) == y_val).mean()
                train_acc_history.append(float(train_acc))
                val_acc_history.append(float(val_acc))

                # Decay learning rate
                learning_rate *= learning_rate_decay

        if bar is not None:
            bar.close()

        return {
            "loss_history": loss_history,
            "train_acc_history": train_acc_history,
            "val_acc_history": val_acc_history,
        }

    def predict(self, X):
        """Use the trained weights of this two-layer network to predict labels for data points.

        For each data point we predict scores for each of the C classes, and
        assign each data point to the class with the highest score.

        Inputs:
        - X: A numpy array of shape (N, D) giving N D-dimensional data points to
          classify.

        Returns:
        - y_pred: A numpy array of shape (N,) giving predicted labels for each of
          the elements of X. For all i, y_pred[i] = c means that X[i] is predicted
          to have class c, where 0 <= c < C.
        """
        X = _checks.data(X, len(self.params["W1"]), self._INPUT)
        y_pred = None
        ### BEGIN SOLUTION
        scores = self.loss(X)
        y_pred = np.argmax(scores, axis=1)
        ### END SOLUTION
        return y_pred
