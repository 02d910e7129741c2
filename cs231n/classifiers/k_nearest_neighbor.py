"""k-nearest neighbour classifier with L2 (Euclidean) distance.

Training only memorises the data; prediction measures the distance from every
test point to every training point and lets the k closest training points vote.
The three ``compute_distances_*`` methods compute the same matrix three ways, to
show how much removing Python loops in favour of array operations buys.
"""
import numpy as np

from cs231n import _checks

__all__ = ["KNearestNeighbor"]


class KNearestNeighbor(object):
    """A kNN classifier with L2 distance."""

    def __init__(self):
        self.X_train = None
        self.y_train = None

    def train(self, X, y):
        """Train the classifier: for k-nearest neighbours this just memorises the data.

        Inputs:
        - X: numpy array of shape (num_train, D) holding the training data,
          one example per row
        - y: numpy array of shape (num_train,) holding the labels; y[i] is the
          (non-negative integer) label of X[i]
        """
        X, y = _checks.labelled(X, y)
        self.X_train = X
        self.y_train = y

    def predict(self, X, k=1, num_loops=0):
        """Predict labels for test data.

        Inputs:
        - X: numpy array of shape (num_test, D) holding the test data
        - k: number of nearest neighbours that vote for the predicted label
        - num_loops: which implementation computes the distances (0, 1 or 2 loops)

        Returns:
        - y: numpy array of shape (num_test,) with the predicted labels; y[i] is
          the label predicted for the test point X[i]
        """
        if num_loops == 0:
            dists = self.compute_distances_no_loops(X)
        elif num_loops == 1:
            dists = self.compute_distances_one_loop(X)
        elif num_loops == 2:
            dists = self.compute_distances_two_loops(X)
        else:
            raise ValueError(f"Invalid value {num_loops!r} for num_loops (use 0, 1 or 2)")
        return self.predict_labels(dists, k=k)

    def compute_distances_two_loops(self, X):
        """Compute the L2 distance between each test point in X and each training
        point in self.X_train, with a nested loop over both.

        Inputs:
        - X: numpy array of shape (num_test, D) holding the test data

        Returns:
        - dists: numpy array of shape (num_test, num_train) where dists[i, j] is
          the Euclidean distance between the ith test point and the jth training point
        """
        X = _checks.test_data(self, X, self.X_train)
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        for i in range(num_test):
            for j in range(num_train):
                ### BEGIN SOLUTION
                diff = X[i] - self.X_train[j]
                dists[i, j] = np.sqrt(np.sum(diff * diff))
                ### END SOLUTION
        return dists

    def compute_distances_one_loop(self, X):
        """Compute the L2 distance between each test point in X and each training
        point in self.X_train, with one loop over the test points.

        Inputs:
        - X: numpy array of shape (num_test, D) holding the test data

        Returns:
        - dists: numpy array of shape (num_test, num_train), as for
          compute_distances_two_loops
        """
        X = _checks.test_data(self, X, self.X_train)
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        for i in range(num_test):
            ### BEGIN SOLUTION
            diff = self.X_train - X[i]          # (num_train, D): X[i] broadcast over rows
            # einsum sums diff * diff row by row without a second (num_train, D) temporary
            dists[i, :] = np.sqrt(np.einsum("ij,ij->i", diff, diff))
            ### END SOLUTION
        return dists

    def compute_distances_no_loops(self, X):
        """Compute the L2 distance between each test point in X and each training
        point in self.X_train without any explicit loop.

        Uses ||x - t||^2 = ||x||^2 + ||t||^2 - 2 x.t: one matrix product for all
        the dot products, plus two vectors of squared norms added by broadcasting.
        Rounding can make a squared distance that should be 0 come out a tiny bit
        negative, so squared distances are clamped at 0 before the square root.

        Inputs:
        - X: numpy array of shape (num_test, D) holding the test data

        Returns:
        - dists: numpy array of shape (num_test, num_train), as for
          compute_distances_two_loops
        """
        X = _checks.test_data(self, X, self.X_train)
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        ### BEGIN SOLUTION
        test_sq = np.sum(X * X, axis=1)                               # (num_test,)
        train_sq = np.sum(self.X_train * self.X_train, axis=1)        # (num_train,)
        sq = X.dot(self.X_train.T)                                    # (num_test, num_train)
        sq *= -2.0
        sq += test_sq[:, np.newaxis]
        sq += train_sq[np.newaxis, :]
        np.maximum(sq, 0.0, out=sq)
        dists = np.sqrt(sq, out=sq)
        ### END SOLUTION
        return dists

    def predict_labels(self, dists, k=1):
        """Given a matrix of distances between test and training points, predict
        a label for each test point by a vote of its k nearest training points.

        A tie in the vote goes to the smallest label. Which training points count
        as the k nearest is deterministic; among training points at exactly the
        same distance, the one with the smaller index is taken first.

        Inputs:
        - dists: numpy array of shape (num_test, num_train) where dists[i, j]
          gives the distance between the ith test point and the jth training point
        - k: number of nearest neighbours that vote, 1 <= k <= num_train

        Returns:
        - y: numpy array of shape (num_test,) with the predicted labels; y[i] is
          the label predicted for the ith test point
        """
        dists, k = _checks.distances(self, dists, self.y_train, k)
        num_train = self.y_train.shape[0]
        num_test = dists.shape[0]
        y_pred = np.zeros(num_test, dtype=self.y_train.dtype)
        ### BEGIN SOLUTION
        # Which training points are the k nearest of each test point: every point
        # closer than the k-th smallest distance, plus, among the points exactly
        # at that distance, those with the smallest indices until there are k.
        # (np.partition finds the k-th smallest in linear time; a full sort of
        # every row would be several times slower.)
        kth = np.partition(dists, k - 1, axis=1)[:, k - 1:k]          # (num_test, 1)
        closer = dists < kth                                           # (num_test, num_train)
        at_kth = dists == kth
        room = k - np.sum(closer, axis=1, keepdims=True)               # how many ties still fit
        chosen = closer | (at_kth & (np.cumsum(at_kth, axis=1) <= room))
        # Votes: chosen (num_test, num_train) times one-hot labels (num_train, C).
        num_classes = int(self.y_train.max()) + 1
        one_hot = np.zeros((num_train, num_classes))
        one_hot[np.arange(num_train), self.y_train] = 1.0
        votes = chosen.astype(np.float64).dot(one_hot)                 # (num_test, C)
        # argmax returns the first maximum: ties go to the smallest label.
        y_pred = np.argmax(votes, axis=1).astype(self.y_train.dtype)
        ### END SOLUTION
        return y_pred
