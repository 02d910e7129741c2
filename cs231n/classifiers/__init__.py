"""Models: kNN, linear classifiers, the two-layer net, fully connected nets and ConvNets.

``from cs231n.classifiers import *`` gives what CS231n's assignment-1 notebooks
take from here: KNearestNeighbor, the linear classifiers (LinearClassifier,
LinearSVM, Softmax) and their loss functions. The networks are imported from
their own modules, because two of them share a name: ``neural_net.TwoLayerNet``
is the net differentiated by hand (CS231n 2019-2020, notebook 03) and
``fc_net.TwoLayerNet`` the one built from layers (CS231n 2021 on, notebook 04a);
``fc_net.FullyConnectedNet`` and ``cnn.ThreeLayerConvNet`` likewise.
"""
from cs231n.classifiers.k_nearest_neighbor import KNearestNeighbor
from cs231n.classifiers.linear_classifier import LinearClassifier, LinearSVM, Softmax
from cs231n.classifiers.linear_svm import svm_loss_naive, svm_loss_vectorized
from cs231n.classifiers.softmax import softmax_loss_naive, softmax_loss_vectorized

__all__ = ["KNearestNeighbor", "LinearClassifier", "LinearSVM", "Softmax",
           "svm_loss_naive", "svm_loss_vectorized", "softmax_loss_naive", "softmax_loss_vectorized"]
