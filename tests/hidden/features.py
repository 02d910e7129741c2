"""Hidden probes of the image features (cs231n/features.py, notebook 03b).

Staff-only, never released. Each ``probe_<name>`` calls the student's
``orientation_histograms`` and ``normalize_blocks`` (directly, and through
``hog_features``) on the grader's images, of other sizes, cell sizes and bin
counts than the notebook's checks use. Nothing here draws random numbers.
"""

POINTS = {"orientation_histograms_unsigned": 2, "orientation_histograms_signed": 1,
          "normalize_blocks_l2hys": 1, "hog_features_batch": 1}
# float32 histograms summed in another order (np.add.at, loops) differ in the last digits
TOL = {"orientation_histograms_unsigned": 1e-4, "orientation_histograms_signed": 1e-4,
       "normalize_blocks_l2hys": 1e-4, "hog_features_batch": 1e-4}


def inputs_orientation_histograms_unsigned(rng):
    return {"gray": 255 * rng.rand(3, 12, 18)}


def probe_orientation_histograms_unsigned(gray):
    from cs231n.features import orientation_histograms
    return {"cells3": orientation_histograms(gray, cell_size=3, nbins=7),
            "cells6": orientation_histograms(gray, cell_size=6, nbins=9, signed=False)}


def inputs_orientation_histograms_signed(rng):
    return {"gray": 255 * rng.rand(2, 16, 8)}


def probe_orientation_histograms_signed(gray):
    from cs231n.features import orientation_histograms
    return {"cells": orientation_histograms(gray, cell_size=4, nbins=12, signed=True)}


def inputs_normalize_blocks_l2hys(rng):
    hist = 30 * rng.rand(2, 5, 4, 6)
    hist[1, :2, :2] = 0.0   # a flat corner: the block there must stay finite
    return {"hist": hist}


def probe_normalize_blocks_l2hys(hist):
    from cs231n.features import normalize_blocks
    return {"hys2": normalize_blocks(hist, block_size=2),
            "l2_3": normalize_blocks(hist, block_size=3, clip=None),
            "eps": normalize_blocks(hist, block_size=2, eps=5.0, clip=0.3)}


def inputs_hog_features_batch(rng):
    return {"imgs": 255 * rng.rand(4, 16, 24, 3)}


def probe_hog_features_batch(imgs):
    from cs231n.features import hog_feature, hog_features
    return {"batch": hog_features(imgs, cell_size=4, nbins=9),
            "signed": hog_features(imgs, cell_size=8, nbins=18, signed=True, block_size=2),
            "one": hog_feature(imgs[2])}
