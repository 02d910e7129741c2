"""Models: kNN, linear classifiers, the two-layer net, fully connected nets and ConvNets."""
