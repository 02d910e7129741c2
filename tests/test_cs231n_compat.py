"""CS231n's own notebooks run on this package: their imports, CS231n's signatures, save/load,
the old dropout= keyword, and CS231n's helper functions (issue 13).

NOTEBOOK_IMPORTS lists the import statements of the official notebooks (Stanford CS231n,
assignment 1 and the NumPy parts of assignment 2, 2019-2025 editions), taken from their
import cells (the 2025 editions were read from a public copy of the released notebooks; the
older ones from the course's public releases as remembered, cross-checked against copies of
their support code), with the names each notebook then uses. Every statement is run exactly
as written. SIGNATURES lists CS231n's signatures of those names; each must be callable the
way CS231n's code and notebooks call it here.

Left out on purpose: the 2019 ConvolutionalNetworks notebook's `from scipy.misc import
imread, imresize` (removed from SciPy itself; the 2020+ editions use imageio and PIL, below).
"""
import importlib
import inspect
import io
import os
import pickle
import urllib.request
import warnings

import numpy as np
import pytest

# cs231n.features (extract_features, hog_feature, color_histogram_hsv) is built for the
# features notebook of issue 13, part 2; until it exists its rows skip.
FEATURES = "features"
# fast_layers.conv_forward_strides / conv_backward_strides come with issue 15.
STRIDES = "strides"

A1 = "assignment 1"
A2 = "assignment 2 (assignment 1 from 2024: FullyConnectedNets)"

# (notebook and editions, import statement as the notebook writes it, names the notebook uses, pending)
NOTEBOOK_IMPORTS = [
    # assignment 1 ---------------------------------------------------------------------
    ("knn.ipynb 2019-2025", "from cs231n.data_utils import load_CIFAR10", ["load_CIFAR10"], None),
    ("knn.ipynb 2019-2025", "from cs231n.classifiers import KNearestNeighbor", ["KNearestNeighbor"], None),
    ("svm.ipynb 2019-2023", "from cs231n.data_utils import load_CIFAR10", ["load_CIFAR10"], None),
    ("svm.ipynb 2019-2023", "from cs231n.classifiers.linear_svm import svm_loss_naive", ["svm_loss_naive"], None),
    ("svm.ipynb 2019-2023", "from cs231n.gradient_check import grad_check_sparse", ["grad_check_sparse"], None),
    ("svm.ipynb 2019-2023", "from cs231n.classifiers.linear_svm import svm_loss_vectorized",
     ["svm_loss_vectorized"], None),
    ("svm.ipynb 2019-2023", "from cs231n.classifiers import LinearSVM", ["LinearSVM"], None),
    ("softmax.ipynb 2019-2025", "from cs231n.data_utils import load_CIFAR10", ["load_CIFAR10"], None),
    ("softmax.ipynb 2019-2025", "from cs231n.classifiers.softmax import softmax_loss_naive",
     ["softmax_loss_naive"], None),
    ("softmax.ipynb 2019-2025", "from cs231n.gradient_check import grad_check_sparse", ["grad_check_sparse"], None),
    ("softmax.ipynb 2019-2025", "from cs231n.classifiers.softmax import softmax_loss_vectorized",
     ["softmax_loss_vectorized"], None),
    ("softmax.ipynb 2019-2025", "from cs231n.classifiers import Softmax", ["Softmax"], None),
    ("two_layer_net.ipynb 2019-2020", "from cs231n.classifiers.neural_net import TwoLayerNet", ["TwoLayerNet"], None),
    ("two_layer_net.ipynb 2019-2020", "from cs231n.gradient_check import eval_numerical_gradient",
     ["eval_numerical_gradient"], None),
    ("two_layer_net.ipynb 2019-2020", "from cs231n.data_utils import load_CIFAR10", ["load_CIFAR10"], None),
    ("two_layer_net.ipynb 2019-2025", "from cs231n.vis_utils import visualize_grid", ["visualize_grid"], None),
    ("two_layer_net.ipynb 2021-2025", "from cs231n.classifiers.fc_net import *",
     ["affine_forward", "affine_backward", "relu_forward", "relu_backward", "svm_loss", "softmax_loss",
      "TwoLayerNet"], None),
    ("two_layer_net.ipynb 2021-2025", "from cs231n.data_utils import get_CIFAR10_data", ["get_CIFAR10_data"], None),
    ("two_layer_net.ipynb 2021-2025",
     "from cs231n.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array",
     ["eval_numerical_gradient", "eval_numerical_gradient_array"], None),
    ("two_layer_net.ipynb 2021-2025", "from cs231n.solver import Solver", ["Solver"], None),
    ("two_layer_net.ipynb 2021-2025", "from cs231n.layer_utils import affine_relu_forward, affine_relu_backward",
     ["affine_relu_forward", "affine_relu_backward"], None),
    ("features.ipynb 2019-2025", "from cs231n.data_utils import load_CIFAR10", ["load_CIFAR10"], None),
    ("features.ipynb 2019-2025", "from cs231n.features import color_histogram_hsv, hog_feature",
     ["color_histogram_hsv", "hog_feature"], FEATURES),
    ("features.ipynb 2019-2025", "from cs231n.features import *",
     ["extract_features", "hog_feature", "color_histogram_hsv"], FEATURES),
    ("features.ipynb 2019-2023", "from cs231n.classifiers.linear_classifier import LinearSVM", ["LinearSVM"], None),
    ("features.ipynb 2024-2025", "from cs231n.classifiers.linear_classifier import Softmax", ["Softmax"], None),
    ("features.ipynb 2019-2020", "from cs231n.classifiers.neural_net import TwoLayerNet", ["TwoLayerNet"], None),
    ("features.ipynb 2021-2025", "from cs231n.classifiers.fc_net import TwoLayerNet", ["TwoLayerNet"], None),
    ("features.ipynb 2021-2025", "from cs231n.solver import Solver", ["Solver"], None),
    # assignment 2 (FullyConnectedNets is in assignment 1 from 2024) ---------------------
    ("FullyConnectedNets.ipynb 2019-2025", "from cs231n.classifiers.fc_net import *",
     ["affine_forward", "affine_backward", "relu_forward", "relu_backward", "svm_loss", "softmax_loss",
      "affine_relu_forward", "affine_relu_backward", "TwoLayerNet", "FullyConnectedNet"], None),
    ("FullyConnectedNets.ipynb 2019-2025", "from cs231n.data_utils import get_CIFAR10_data",
     ["get_CIFAR10_data"], None),
    ("FullyConnectedNets.ipynb 2019-2025",
     "from cs231n.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array",
     ["eval_numerical_gradient", "eval_numerical_gradient_array"], None),
    ("FullyConnectedNets.ipynb 2019-2025", "from cs231n.solver import Solver", ["Solver"], None),
    ("FullyConnectedNets.ipynb 2019-2020",
     "from cs231n.layer_utils import affine_relu_forward, affine_relu_backward",
     ["affine_relu_forward", "affine_relu_backward"], None),
    ("FullyConnectedNets.ipynb 2019-2025", "from cs231n.optim import sgd_momentum", ["sgd_momentum"], None),
    ("FullyConnectedNets.ipynb 2019-2025", "from cs231n.optim import rmsprop", ["rmsprop"], None),
    ("FullyConnectedNets.ipynb 2019-2025", "from cs231n.optim import adam", ["adam"], None),
    ("BatchNormalization.ipynb 2019-2025", "from cs231n.classifiers.fc_net import *",
     ["batchnorm_forward", "batchnorm_backward", "batchnorm_backward_alt", "layernorm_forward",
      "layernorm_backward", "affine_forward", "relu_forward", "FullyConnectedNet"], None),
    ("BatchNormalization.ipynb 2019-2025", "from cs231n.data_utils import get_CIFAR10_data",
     ["get_CIFAR10_data"], None),
    ("BatchNormalization.ipynb 2019-2025",
     "from cs231n.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array",
     ["eval_numerical_gradient", "eval_numerical_gradient_array"], None),
    ("BatchNormalization.ipynb 2019-2025", "from cs231n.solver import Solver", ["Solver"], None),
    ("Dropout.ipynb 2019-2025", "from cs231n.classifiers.fc_net import *",
     ["dropout_forward", "dropout_backward", "FullyConnectedNet"], None),
    ("Dropout.ipynb 2019-2025", "from cs231n.data_utils import get_CIFAR10_data", ["get_CIFAR10_data"], None),
    ("Dropout.ipynb 2019-2025",
     "from cs231n.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array",
     ["eval_numerical_gradient", "eval_numerical_gradient_array"], None),
    ("Dropout.ipynb 2019-2025", "from cs231n.solver import Solver", ["Solver"], None),
    ("ConvolutionalNetworks.ipynb 2019-2025", "from cs231n.classifiers.cnn import *",
     ["ThreeLayerConvNet", "conv_forward_naive", "conv_backward_naive", "max_pool_forward_naive",
      "max_pool_backward_naive", "spatial_batchnorm_forward", "spatial_batchnorm_backward",
      "spatial_groupnorm_forward", "spatial_groupnorm_backward", "conv_relu_pool_forward",
      "conv_relu_pool_backward", "conv_forward_fast", "max_pool_forward_fast"], None),
    ("ConvolutionalNetworks.ipynb 2019-2025", "from cs231n.data_utils import get_CIFAR10_data",
     ["get_CIFAR10_data"], None),
    ("ConvolutionalNetworks.ipynb 2019-2025",
     "from cs231n.gradient_check import eval_numerical_gradient_array, eval_numerical_gradient",
     ["eval_numerical_gradient_array", "eval_numerical_gradient"], None),
    ("ConvolutionalNetworks.ipynb 2019-2025", "from cs231n.layers import *",
     ["conv_forward_naive", "max_pool_forward_naive", "spatial_batchnorm_forward"], None),
    ("ConvolutionalNetworks.ipynb 2019-2025", "from cs231n.fast_layers import *",
     ["conv_forward_fast", "conv_backward_fast", "max_pool_forward_fast", "max_pool_backward_fast"], None),
    ("ConvolutionalNetworks.ipynb 2019-2025", "from cs231n.solver import Solver", ["Solver"], None),
    ("ConvolutionalNetworks.ipynb 2019-2025", "from cs231n.fast_layers import conv_forward_fast, conv_backward_fast",
     ["conv_forward_fast", "conv_backward_fast"], None),
    ("ConvolutionalNetworks.ipynb 2019-2025",
     "from cs231n.fast_layers import max_pool_forward_fast, max_pool_backward_fast",
     ["max_pool_forward_fast", "max_pool_backward_fast"], None),
    ("ConvolutionalNetworks.ipynb 2019-2025",
     "from cs231n.layer_utils import conv_relu_pool_forward, conv_relu_pool_backward",
     ["conv_relu_pool_forward", "conv_relu_pool_backward"], None),
    ("ConvolutionalNetworks.ipynb 2019-2025", "from cs231n.layer_utils import conv_relu_forward, conv_relu_backward",
     ["conv_relu_forward", "conv_relu_backward"], None),
    ("ConvolutionalNetworks.ipynb 2019-2025", "from cs231n.vis_utils import visualize_grid", ["visualize_grid"], None),
    ("ConvolutionalNetworks.ipynb 2020-2025", "from imageio import imread", ["imread"], None),
    ("ConvolutionalNetworks.ipynb 2020-2025", "from PIL import Image", ["Image"], None),
    # CS231n's other support code of these assignments (issue 13's list) ------------------
    ("support code: fast_layers", "from cs231n.fast_layers import conv_forward_strides, conv_backward_strides",
     ["conv_forward_strides", "conv_backward_strides"], STRIDES),
    ("support code: data_utils",
     "from cs231n.data_utils import load_pickle, load_tiny_imagenet, load_imagenet_val, load_models",
     ["load_pickle", "load_tiny_imagenet", "load_imagenet_val", "load_models"], None),
    ("support code: gradient_check",
     "from cs231n.gradient_check import eval_numerical_gradient_blobs, eval_numerical_gradient_net",
     ["eval_numerical_gradient_blobs", "eval_numerical_gradient_net"], None),
    ("support code: vis_utils", "from cs231n.vis_utils import vis_grid, vis_nn", ["vis_grid", "vis_nn"], None),
    ("support code: image_utils", "from cs231n.image_utils import *",
     ["blur_image", "preprocess_image", "deprocess_image", "image_from_url", "load_image",
      "SQUEEZENET_MEAN", "SQUEEZENET_STD"], None),
]

# CS231n's signatures (parameters after self), in Python's syntax. A "/" marks parameters
# CS231n's code and notebooks pass by position only, whose names may differ here. Ours
# may add parameters after CS231n's, with defaults, and may give a default where CS231n has none.
_M = "cs231n.classifiers."
SIGNATURES = {
    "cs231n.data_utils.load_CIFAR_batch": "filename",
    "cs231n.data_utils.load_CIFAR10": "ROOT, /",
    "cs231n.data_utils.get_CIFAR10_data": "num_training=49000, num_validation=1000, num_test=1000, subtract_mean=True",
    "cs231n.data_utils.load_pickle": "f",
    "cs231n.data_utils.load_tiny_imagenet": "path, dtype=np.float32, subtract_mean=True",
    "cs231n.data_utils.load_models": "models_dir",
    "cs231n.data_utils.load_imagenet_val": "num=None",
    "cs231n.gradient_check.eval_numerical_gradient": "f, x, verbose=True, h=0.00001",
    "cs231n.gradient_check.eval_numerical_gradient_array": "f, x, df, h=1e-5",
    "cs231n.gradient_check.eval_numerical_gradient_blobs": "f, inputs, output, h=1e-5",
    "cs231n.gradient_check.eval_numerical_gradient_net": "net, inputs, output, h=1e-5",
    "cs231n.gradient_check.grad_check_sparse": "f, x, analytic_grad, num_checks=10, h=1e-5",
    "cs231n.vis_utils.visualize_grid": "Xs, ubound=255.0, padding=1",
    "cs231n.vis_utils.vis_grid": "Xs",
    "cs231n.vis_utils.vis_nn": "rows",
    "cs231n.image_utils.blur_image": "X",
    "cs231n.image_utils.preprocess_image": "img",
    "cs231n.image_utils.deprocess_image": "img, rescale=False",
    "cs231n.image_utils.image_from_url": "url",
    "cs231n.image_utils.load_image": "filename, size=None",
    _M + "k_nearest_neighbor.KNearestNeighbor": "",
    _M + "k_nearest_neighbor.KNearestNeighbor.train": "X, y",
    _M + "k_nearest_neighbor.KNearestNeighbor.predict": "X, k=1, num_loops=0",
    _M + "k_nearest_neighbor.KNearestNeighbor.compute_distances_two_loops": "X",
    _M + "k_nearest_neighbor.KNearestNeighbor.compute_distances_one_loop": "X",
    _M + "k_nearest_neighbor.KNearestNeighbor.compute_distances_no_loops": "X",
    _M + "k_nearest_neighbor.KNearestNeighbor.predict_labels": "dists, k=1",
    _M + "linear_svm.svm_loss_naive": "W, X, y, reg",
    _M + "linear_svm.svm_loss_vectorized": "W, X, y, reg",
    _M + "softmax.softmax_loss_naive": "W, X, y, reg",
    _M + "softmax.softmax_loss_vectorized": "W, X, y, reg",
    _M + "linear_classifier.LinearClassifier": "",
    _M + "linear_classifier.LinearClassifier.train":
        "X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200, verbose=False",
    _M + "linear_classifier.LinearClassifier.predict": "X",
    _M + "linear_classifier.LinearClassifier.loss": "X_batch, y_batch, reg",
    _M + "linear_classifier.LinearClassifier.save": "fname",
    _M + "linear_classifier.LinearClassifier.load": "fname",
    _M + "neural_net.TwoLayerNet": "input_size, hidden_size, output_size, std=1e-4",
    _M + "neural_net.TwoLayerNet.loss": "X, y=None, reg=0.0",
    _M + "neural_net.TwoLayerNet.train": "X, y, X_val, y_val, learning_rate=1e-3, learning_rate_decay=0.95, "
                                         "reg=5e-6, num_iters=100, batch_size=200, verbose=False",
    _M + "neural_net.TwoLayerNet.predict": "X",
    _M + "fc_net.TwoLayerNet": "input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10, weight_scale=1e-3, reg=0.0",
    _M + "fc_net.TwoLayerNet.loss": "X, y=None",
    _M + "fc_net.TwoLayerNet.save": "fname",
    _M + "fc_net.TwoLayerNet.load": "fname",
    _M + "fc_net.FullyConnectedNet": "hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1, "
                                     "normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None",
    _M + "fc_net.FullyConnectedNet.loss": "X, y=None",
    _M + "fc_net.FullyConnectedNet.save": "fname",
    _M + "fc_net.FullyConnectedNet.load": "fname",
    _M + "cnn.ThreeLayerConvNet": "input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100, "
                                  "num_classes=10, weight_scale=1e-3, reg=0.0, dtype=np.float32",
    _M + "cnn.ThreeLayerConvNet.loss": "X, y=None",
    "cs231n.solver.Solver": "model, data, **kwargs",
    "cs231n.solver.Solver.train": "",
    "cs231n.solver.Solver.check_accuracy": "X, y, num_samples=None, batch_size=100",
    "cs231n.optim.sgd": "w, dw, config=None",
    "cs231n.optim.sgd_momentum": "w, dw, config=None",
    "cs231n.optim.rmsprop": "w, dw, config=None",
    "cs231n.optim.adam": "w, dw, config=None",
    "cs231n.layers.affine_forward": "x, w, b",
    "cs231n.layers.affine_backward": "dout, cache",
    "cs231n.layers.relu_forward": "x",
    "cs231n.layers.relu_backward": "dout, cache",
    "cs231n.layers.svm_loss": "x, y",
    "cs231n.layers.softmax_loss": "x, y",
    "cs231n.layers.batchnorm_forward": "x, gamma, beta, bn_param",
    "cs231n.layers.batchnorm_backward": "dout, cache",
    "cs231n.layers.batchnorm_backward_alt": "dout, cache",
    "cs231n.layers.layernorm_forward": "x, gamma, beta, ln_param",
    "cs231n.layers.layernorm_backward": "dout, cache",
    "cs231n.layers.dropout_forward": "x, dropout_param",
    "cs231n.layers.dropout_backward": "dout, cache",
    "cs231n.layers.conv_forward_naive": "x, w, b, conv_param",
    "cs231n.layers.conv_backward_naive": "dout, cache",
    "cs231n.layers.max_pool_forward_naive": "x, pool_param",
    "cs231n.layers.max_pool_backward_naive": "dout, cache",
    "cs231n.layers.spatial_batchnorm_forward": "x, gamma, beta, bn_param",
    "cs231n.layers.spatial_batchnorm_backward": "dout, cache",
    "cs231n.layers.spatial_groupnorm_forward": "x, gamma, beta, G, gn_param",
    "cs231n.layers.spatial_groupnorm_backward": "dout, cache",
    "cs231n.layer_utils.affine_relu_forward": "x, w, b",
    "cs231n.layer_utils.affine_relu_backward": "dout, cache",
    "cs231n.layer_utils.conv_relu_forward": "x, w, b, conv_param",
    "cs231n.layer_utils.conv_relu_backward": "dout, cache",
    "cs231n.layer_utils.conv_relu_pool_forward": "x, w, b, conv_param, pool_param",
    "cs231n.layer_utils.conv_relu_pool_backward": "dout, cache",
    "cs231n.layer_utils.conv_bn_relu_forward": "x, w, b, gamma, beta, conv_param, bn_param",
    "cs231n.layer_utils.conv_bn_relu_backward": "dout, cache",
    "cs231n.fast_layers.conv_forward_fast": "x, w, b, conv_param",
    "cs231n.fast_layers.conv_backward_fast": "dout, cache",
    "cs231n.fast_layers.max_pool_forward_fast": "x, pool_param",
    "cs231n.fast_layers.max_pool_backward_fast": "dout, cache",
    "cs231n.fast_layers.conv_forward_strides": "x, w, b, conv_param",
    "cs231n.fast_layers.conv_backward_strides": "dout, cache",
    "cs231n.fast_layers.conv_forward_im2col": "x, w, b, conv_param",
    "cs231n.fast_layers.conv_backward_im2col": "dout, cache",
    "cs231n.features.extract_features": "imgs, feature_fns, verbose=False",
    "cs231n.features.hog_feature": "im",
    "cs231n.features.color_histogram_hsv": "im, nbin=10, xmin=0, xmax=255, normalized=True",
}
PENDING = {"cs231n.features.": FEATURES, "cs231n.fast_layers.conv_forward_strides": STRIDES,
           "cs231n.fast_layers.conv_backward_strides": STRIDES}

# Every module whose `import *` CS231n's notebooks rely on, or that this issue touched.
STAR_MODULES = [
    "cs231n.layers", "cs231n.layer_utils", "cs231n.data_utils", "cs231n.gradient_check", "cs231n.vis_utils",
    "cs231n.solver", "cs231n.optim", "cs231n.image_utils", "cs231n.compat", "cs231n.classifiers",
    "cs231n.classifiers.fc_net", "cs231n.classifiers.cnn", "cs231n.classifiers.k_nearest_neighbor",
    "cs231n.classifiers.linear_classifier", "cs231n.classifiers.linear_svm", "cs231n.classifiers.softmax",
    "cs231n.classifiers.neural_net",
]


def _skip_pending(pending):
    if pending == FEATURES:
        pytest.importorskip("cs231n.features", reason="cs231n.features comes with issue 13, part 2")
    elif pending == STRIDES:
        from cs231n import fast_layers
        if not hasattr(fast_layers, "conv_forward_strides"):
            pytest.skip("conv_forward_strides / conv_backward_strides come with issue 15")


@pytest.mark.parametrize("notebook, statement, names, pending", NOTEBOOK_IMPORTS,
                         ids=[f"{nb}: {st}" for nb, st, _, _ in NOTEBOOK_IMPORTS])
def test_notebook_imports(notebook, statement, names, pending):
    _skip_pending(pending)
    namespace = {}
    exec(statement, namespace)  # exactly as the notebook writes it
    missing = [n for n in names if n not in namespace]
    assert not missing, f"{notebook}: after `{statement}`, {missing} are not defined"


def _resolve(path):
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(path)


def _parameters(spec):
    return list(inspect.signature(eval(f"lambda {spec}: None", {"np": np})).parameters.values())


@pytest.mark.parametrize("path", sorted(SIGNATURES))
def test_signature_matches_cs231n(path):
    for prefix, pending in PENDING.items():
        if path.startswith(prefix):
            _skip_pending(pending)
    obj = _resolve(path)
    ours = list(inspect.signature(obj.__init__ if inspect.isclass(obj) else obj).parameters.values())
    if inspect.isclass(obj) or ours and ours[0].name == "self":
        ours = ours[1:]
    theirs = _parameters(SIGNATURES[path])
    P = inspect.Parameter
    for i, t in enumerate(theirs):
        if t.kind == P.VAR_KEYWORD:
            assert any(o.kind == P.VAR_KEYWORD for o in ours), f"{path}: CS231n takes **{t.name}"
            continue
        assert i < len(ours), f"{path}: CS231n's parameter {t.name!r} is missing"
        o = ours[i]
        assert o.kind in (P.POSITIONAL_OR_KEYWORD, P.POSITIONAL_ONLY), f"{path}: {o.name} is not positional"
        if t.kind != P.POSITIONAL_ONLY:
            assert o.name == t.name, f"{path}: parameter {i + 1} is {o.name!r} here, {t.name!r} in CS231n"
        if t.default is not P.empty:
            assert o.default is not P.empty and (o.default is t.default or o.default == t.default), \
                f"{path}: {o.name} defaults to {o.default!r} here, {t.default!r} in CS231n"
    for o in ours[len(theirs):]:
        assert o.default is not P.empty or o.kind in (P.VAR_POSITIONAL, P.VAR_KEYWORD), \
            f"{path}: {o.name} is required here but CS231n does not pass it"


def test_classifiers_star_import_is_unambiguous():
    namespace = {}
    exec("from cs231n.classifiers import *", namespace)
    assert {"KNearestNeighbor", "LinearSVM", "Softmax", "LinearClassifier", "svm_loss_naive",
            "svm_loss_vectorized", "softmax_loss_naive", "softmax_loss_vectorized"} <= set(namespace)
    # two classes are called TwoLayerNet (neural_net and fc_net): it comes from its own module only
    assert "TwoLayerNet" not in namespace


@pytest.mark.parametrize("module", STAR_MODULES)
def test_star_import_gives_exactly_all(module):
    mod = importlib.import_module(module)
    assert hasattr(mod, "__all__"), f"{module} has no __all__"
    assert len(set(mod.__all__)) == len(mod.__all__), f"{module}.__all__ repeats a name"
    namespace = {}
    exec(f"from {module} import *", namespace)
    namespace.pop("__builtins__")
    assert set(namespace) == set(mod.__all__)
    assert not [n for n in namespace if n.startswith("_")]
    assert "np" not in namespace


def test_fc_net_and_cnn_pass_on_every_layer():
    from cs231n import fast_layers, layer_utils, layers
    from cs231n.classifiers import cnn, fc_net
    assert set(layers.__all__) | set(layer_utils.__all__) <= set(fc_net.__all__)
    assert set(layers.__all__) | set(layer_utils.__all__) | set(fast_layers.__all__) <= set(cnn.__all__)


# ---------------------------------------------------------------------------
# save / load
# ---------------------------------------------------------------------------

@pytest.fixture
def save_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CS231N_SAVE_DIR", str(tmp_path))
    return tmp_path


def _models():
    from cs231n.classifiers.cnn import ThreeLayerConvNet
    from cs231n.classifiers.fc_net import FullyConnectedNet, TwoLayerNet
    from cs231n.classifiers.neural_net import TwoLayerNet as HandTwoLayerNet
    return {
        "neural_net.TwoLayerNet": (lambda: HandTwoLayerNet(12, 7, 3), (5, 12)),
        "fc_net.TwoLayerNet": (lambda: TwoLayerNet(input_dim=12, hidden_dim=7, num_classes=3), (5, 12)),
        "FullyConnectedNet": (lambda: FullyConnectedNet([6, 5], input_dim=12, num_classes=3), (5, 12)),
        "ThreeLayerConvNet": (lambda: ThreeLayerConvNet(input_dim=(3, 8, 8), num_filters=2, filter_size=3,
                                                        hidden_dim=5, num_classes=3), (4, 3, 8, 8)),
    }


@pytest.mark.parametrize("name", ["neural_net.TwoLayerNet", "fc_net.TwoLayerNet", "FullyConnectedNet",
                                  "ThreeLayerConvNet"])
def test_save_load_round_trip(name, save_dir, capsys):
    make, shape = _models()[name]
    np.random.seed(0)
    model = make()
    X = np.random.randn(*shape)
    before = model.loss(X)
    model.save("best_model.npy")  # a CS231n-style name: written as a plain .npz whatever the suffix
    assert capsys.readouterr().out.strip() == "best_model.npy saved."
    with np.load(save_dir / "best_model.npy", allow_pickle=False) as archive:
        assert set(model.params) <= set(archive.files)
    np.random.seed(1)
    fresh = make()
    assert not np.allclose(fresh.loss(X), before)
    assert fresh.load("best_model.npy") is True
    assert capsys.readouterr().out.strip() == "best_model.npy loaded."
    np.testing.assert_array_equal(fresh.loss(X), before)
    for k, v in model.params.items():
        assert fresh.params[k].dtype == v.dtype


def test_save_load_batchnorm_running_statistics(save_dir):
    from cs231n.classifiers.fc_net import FullyConnectedNet
    np.random.seed(0)
    net = FullyConnectedNet([6, 5], input_dim=4, num_classes=3, normalization="batchnorm", dtype=np.float64)
    X, y = np.random.randn(10, 4) * 3 + 1, np.random.randint(3, size=10)
    for _ in range(3):
        net.loss(X, y)  # training mode: running statistics move away from their start
    scores = net.loss(X)
    net.save(str(save_dir / "bn.npz"))
    fresh = FullyConnectedNet([6, 5], input_dim=4, num_classes=3, normalization="batchnorm", dtype=np.float64)
    fresh.load(str(save_dir / "bn.npz"))
    np.testing.assert_array_equal(fresh.loss(X), scores)
    for a, b in zip(net.bn_params, fresh.bn_params):
        np.testing.assert_array_equal(a["running_mean"], b["running_mean"])
        np.testing.assert_array_equal(a["running_var"], b["running_var"])


@pytest.mark.parametrize("cls", ["LinearSVM", "Softmax"])
def test_save_load_linear_classifiers(cls, save_dir):
    from cs231n import classifiers
    np.random.seed(0)
    X, y = np.random.randn(30, 5), np.random.randint(3, size=30)
    clf = getattr(classifiers, cls)()
    with pytest.raises(ValueError, match="no weights yet"):
        clf.save("w.npy")
    clf.train(X, y, num_iters=5)
    clf.save("w.npy")
    fresh = getattr(classifiers, cls)()
    fresh.load("w.npy")
    np.testing.assert_array_equal(fresh.W, clf.W)
    np.testing.assert_array_equal(fresh.predict(X), clf.predict(X))


def test_relative_names_go_to_the_saved_folder(monkeypatch, tmp_path):
    from cs231n import compat
    monkeypatch.delenv("CS231N_SAVE_DIR", raising=False)
    assert compat.saved_path("best.npy") == compat.DEFAULT_SAVE_DIR / "best.npy"
    assert compat.DEFAULT_SAVE_DIR.parent.name == "cs231n"  # where CS231n's own save() writes
    assert compat.saved_path(tmp_path / "x.npz") == tmp_path / "x.npz"
    monkeypatch.setenv("CS231N_SAVE_DIR", str(tmp_path))
    assert compat.saved_path("sub/best.npy") == tmp_path / "sub" / "best.npy"


def test_load_reads_a_file_saved_by_cs231n_code(save_dir):
    from cs231n.classifiers.fc_net import TwoLayerNet
    np.random.seed(0)
    model = TwoLayerNet(input_dim=6, hidden_dim=4, num_classes=3)
    np.save(save_dir / "theirs.npy", model.params, allow_pickle=True)  # what CS231n's save() writes
    fresh = TwoLayerNet(input_dim=6, hidden_dim=4, num_classes=3)
    fresh.load("theirs.npy")
    for k in model.params:
        np.testing.assert_array_equal(fresh.params[k], model.params[k])


def test_load_refuses_a_pickle_that_would_run_code(save_dir):
    from cs231n.classifiers.fc_net import TwoLayerNet
    from cs231n.compat import ModelFileError

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    np.save(save_dir / "evil.npy", np.array({"W1": Evil()}, dtype=object), allow_pickle=True)
    with pytest.raises(ModelFileError, match="refusing to load"):
        TwoLayerNet(input_dim=6, hidden_dim=4, num_classes=3).load("evil.npy")


def test_load_errors_are_clear_and_leave_the_model_unchanged(save_dir):
    from cs231n.classifiers.fc_net import FullyConnectedNet, TwoLayerNet
    from cs231n.compat import ModelFileError
    model = TwoLayerNet(input_dim=6, hidden_dim=4, num_classes=3)
    with pytest.raises(FileNotFoundError, match="no saved model 'nothing.npy'"):
        model.load("nothing.npy")
    (save_dir / "junk.npy").write_bytes(b"not a model at all")
    with pytest.raises(ModelFileError, match="not a saved model"):
        model.load("junk.npy")
    (save_dir / "cut.npz").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ModelFileError, match="corrupt"):
        model.load("cut.npz")
    TwoLayerNet(input_dim=6, hidden_dim=5, num_classes=3).save("wider.npz")
    before = {k: v.copy() for k, v in model.params.items()}
    with pytest.raises(ModelFileError, match=r"W1 has shape \(6, 5\) in the file but \(6, 4\)"):
        model.load("wider.npz")
    for k in before:
        np.testing.assert_array_equal(model.params[k], before[k])
    FullyConnectedNet([4, 4], input_dim=6, num_classes=3).save("deeper.npz")
    with pytest.raises(ModelFileError, match=r"unexpected \['W3', 'b3'\]"):
        model.load("deeper.npz")


def test_save_is_atomic(save_dir, monkeypatch):
    from cs231n.classifiers.fc_net import TwoLayerNet
    model = TwoLayerNet(input_dim=6, hidden_dim=4, num_classes=3)
    model.save("m.npz")
    good = (save_dir / "m.npz").read_bytes()
    monkeypatch.setattr(np, "savez", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        model.save("m.npz")
    assert (save_dir / "m.npz").read_bytes() == good
    assert sorted(p.name for p in save_dir.iterdir()) == ["m.npz"]


# ---------------------------------------------------------------------------
# FullyConnectedNet(dropout=...), CS231n 2019-2020
# ---------------------------------------------------------------------------

def test_dropout_is_the_old_name_of_dropout_keep_ratio():
    from cs231n.classifiers.fc_net import FullyConnectedNet
    with pytest.warns(FutureWarning, match="dropout_keep_ratio=0.75"):
        old = FullyConnectedNet([5], input_dim=4, num_classes=3, dropout=0.75, seed=1)
    new = FullyConnectedNet([5], input_dim=4, num_classes=3, dropout_keep_ratio=0.75, seed=1)
    assert old.use_dropout and old.dropout_param == new.dropout_param
    with pytest.warns(FutureWarning):
        assert not FullyConnectedNet([5], input_dim=4, num_classes=3, dropout=1).use_dropout
    with pytest.raises(TypeError, match="pass only dropout_keep_ratio="):
        FullyConnectedNet([5], input_dim=4, num_classes=3, dropout=0.5, dropout_keep_ratio=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        FullyConnectedNet([5], input_dim=4, num_classes=3, dropout_keep_ratio=0.5)  # no warning
    with pytest.warns(FutureWarning), pytest.raises(ValueError, match="dropout_keep_ratio"):
        FullyConnectedNet([5], input_dim=4, num_classes=3, dropout=0)


# ---------------------------------------------------------------------------
# CS231n's helpers: working with data, clear without it
# ---------------------------------------------------------------------------

class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_load_pickle_reads_data_and_refuses_code(tmp_path):
    from cs231n.data_utils import UnsafePickleError, load_pickle
    data = {"model": {"W1": np.arange(6.0).reshape(2, 3), "b1": np.zeros(3, np.float32)}, "n": 3, "s": "x",
            "loss": np.float64(1.5)}
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        got = load_pickle(io.BytesIO(pickle.dumps(data, protocol=protocol)))
        np.testing.assert_array_equal(got["model"]["W1"], data["model"]["W1"])
        assert got["model"]["b1"].dtype == np.float32 and got["loss"] == 1.5 and got["s"] == "x"
    (tmp_path / "p.pkl").write_bytes(pickle.dumps(data))
    assert load_pickle(tmp_path / "p.pkl")["n"] == 3
    with pytest.raises(UnsafePickleError, match="refusing to load posix.system|refusing to load nt.system"):
        load_pickle(io.BytesIO(pickle.dumps({"a": _Evil()})))


def test_load_models(tmp_path):
    from cs231n.data_utils import DatasetError, load_models
    with pytest.raises(DatasetError, match="not a folder of saved models"):
        load_models(tmp_path / "missing")
    (tmp_path / "README.txt").write_text("not a pickle")
    (tmp_path / "good.pkl").write_bytes(pickle.dumps({"model": {"W": np.ones((2, 2))}}))
    (tmp_path / "evil.pkl").write_bytes(pickle.dumps({"model": _Evil()}))
    with pytest.warns(RuntimeWarning, match="skipped evil.pkl"):
        models = load_models(tmp_path)
    assert list(models) == ["good.pkl"]
    np.testing.assert_array_equal(models["good.pkl"]["W"], np.ones((2, 2)))


def test_load_imagenet_val(tmp_path, monkeypatch):
    from cs231n import data_utils
    monkeypatch.setattr(data_utils, "REPO_ROOT", tmp_path)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(data_utils.DatasetError, match=r"imagenet_val_25\.npz is missing.*cs231n\.stanford\.edu"):
        data_utils.load_imagenet_val()
    (tmp_path / "datasets").mkdir()
    X = np.random.randint(0, 256, size=(3, 224, 224, 3), dtype=np.uint8)
    np.savez(tmp_path / "datasets" / "imagenet_val_25.npz", X=X, y=np.array([5, 7, 9]),
             label_map=np.array({5: "a", 7: "b", 9: "c"}, dtype=object))  # as CS231n's file holds it
    Xs, ys, names = data_utils.load_imagenet_val(num=2)
    np.testing.assert_array_equal(Xs, X[:2])
    assert list(ys) == [5, 7] and names == {5: "a", 7: "b", 9: "c"}
    (tmp_path / "datasets" / "imagenet_val_25.npz").write_bytes(b"PK broken")
    with pytest.raises(data_utils.DatasetError, match="corrupt"):
        data_utils.load_imagenet_val()


def _write_tiny_imagenet(root):
    from imageio.v2 import imwrite
    rng = np.random.default_rng(0)
    wnids = ["n01", "n02"]
    (root / "wnids.txt").write_text("\n".join(wnids) + "\n")
    (root / "words.txt").write_text("n01\tgoldfish, Carassius auratus\nn02\tsalamander\nn99\tunused\n")
    for wnid in wnids:
        images = root / "train" / wnid / "images"
        images.mkdir(parents=True)
        names = [f"{wnid}_{i}.png" for i in range(3)]
        for name in names:
            imwrite(images / name, rng.integers(0, 256, (64, 64, 3), dtype=np.uint8))
        (root / "train" / wnid / f"{wnid}_boxes.txt").write_text("".join(f"{n}\t0\t0\t9\t9\n" for n in names))
    (root / "val" / "images").mkdir(parents=True)
    imwrite(root / "val" / "images" / "v0.png", rng.integers(0, 256, (64, 64), dtype=np.uint8))  # grey
    imwrite(root / "val" / "images" / "v1.png", rng.integers(0, 256, (64, 64, 3), dtype=np.uint8))
    (root / "val" / "val_annotations.txt").write_text("v0.png\tn02\t0\t0\t9\t9\nv1.png\tn01\t0\t0\t9\t9\n")
    (root / "test" / "images").mkdir(parents=True)
    imwrite(root / "test" / "images" / "t0.png", rng.integers(0, 256, (64, 64, 3), dtype=np.uint8))


def test_load_tiny_imagenet(tmp_path):
    from cs231n.data_utils import DatasetError, load_tiny_imagenet
    with pytest.raises(DatasetError, match=r"not a Tiny ImageNet folder.*tiny-imagenet-200\.zip"):
        load_tiny_imagenet(tmp_path / "tiny-imagenet-200")
    _write_tiny_imagenet(tmp_path)
    data = load_tiny_imagenet(tmp_path, subtract_mean=False)
    assert data["class_names"] == [["goldfish", "Carassius auratus"], ["salamander"]]
    assert data["X_train"].shape == (6, 3, 64, 64) and data["X_train"].dtype == np.float32
    assert list(data["y_train"]) == [0, 0, 0, 1, 1, 1]
    assert data["X_val"].shape == (2, 3, 64, 64) and list(data["y_val"]) == [1, 0]
    np.testing.assert_array_equal(data["X_val"][0, 0], data["X_val"][0, 2])  # grey image: 3 equal channels
    assert data["X_test"].shape == (1, 3, 64, 64) and data["y_test"] is None
    centred = load_tiny_imagenet(tmp_path, dtype=np.float64)
    np.testing.assert_allclose(centred["X_train"].mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(centred["mean_image"], data["X_train"].mean(axis=0), rtol=1e-6)


class _Blob:
    def __init__(self, vals, diffs=None):
        self.vals = vals
        self.diffs = np.zeros_like(vals) if diffs is None else diffs


def test_eval_numerical_gradient_blobs_and_net():
    from cs231n.gradient_check import eval_numerical_gradient_blobs, eval_numerical_gradient_net
    rng = np.random.default_rng(0)
    x, w = _Blob(rng.standard_normal((3, 4))), _Blob(rng.standard_normal((4, 2)))
    out = _Blob(np.zeros((3, 2)), rng.standard_normal((3, 2)))

    def matmul(a, b, result):
        result.vals = a.vals @ b.vals

    dx, dw = eval_numerical_gradient_blobs(matmul, (x, w), out)
    np.testing.assert_allclose(dx, out.diffs @ w.vals.T, rtol=1e-6)
    np.testing.assert_allclose(dw, x.vals.T @ out.diffs, rtol=1e-6)

    class Net:
        def forward(self):
            matmul(x, w, out)

    dx2, dw2 = eval_numerical_gradient_net(Net(), (x, w), out)
    np.testing.assert_allclose(dx2, dx)
    np.testing.assert_allclose(dw2, dw)


def test_vis_grid():
    from cs231n.vis_utils import vis_grid
    Xs = np.arange(5 * 2 * 3 * 3, dtype=np.float64).reshape(5, 2, 3, 3)
    grid = vis_grid(Xs)
    assert grid.shape == (3 * 3, 3 * 4, 3) and grid.min() == 0 and grid.max() == 1
    with pytest.raises(ValueError, match="vis_grid"):
        vis_grid(np.zeros((2, 3)))


def test_image_utils_make_no_network_call_at_import(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("network used at import")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    import cs231n.image_utils
    importlib.reload(cs231n.image_utils)


def test_image_from_url_offline_is_clear(monkeypatch):
    from cs231n import image_utils

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(OSError, match=r"cannot download http://example.com/cat.jpg.*needs the network"):
        image_utils.image_from_url("http://example.com/cat.jpg")


def test_load_image_and_preprocessing(tmp_path):
    from imageio.v2 import imwrite

    from cs231n import image_utils
    with pytest.raises(FileNotFoundError, match="no image at"):
        image_utils.load_image(tmp_path / "kitten.jpg")
    (tmp_path / "text.png").write_text("not an image")
    with pytest.raises(OSError, match="not an image"):
        image_utils.load_image(tmp_path / "text.png")
    img = np.random.default_rng(0).integers(0, 256, (40, 60, 3), dtype=np.uint8)
    imwrite(tmp_path / "photo.png", img)
    np.testing.assert_array_equal(image_utils.load_image(tmp_path / "photo.png"), img)
    assert image_utils.load_image(tmp_path / "photo.png", size=20).shape == (20, 30, 3)  # shorter side 20
    pre = image_utils.preprocess_image(img)
    assert pre.dtype == np.float32 and abs(pre.mean()) < 1.5
    # CS231n's deprocess_image truncates to uint8: a pixel may come back one lower
    np.testing.assert_allclose(image_utils.deprocess_image(pre), img, atol=1)
    assert image_utils.deprocess_image(pre * 7, rescale=True).max() == 255


def test_blur_image_keeps_flat_regions():
    from cs231n.image_utils import blur_image
    X = np.full((2, 3, 6, 6), 4.0)
    X[1, 0, 3, 3] = 204.0
    out = blur_image(X)
    assert out.shape == X.shape
    np.testing.assert_allclose(out[0, :, 1:-1, 1:-1], 4.0)  # the kernel sums to one
    assert out[1, 0, 3, 3] == pytest.approx(4.0 + 200.0 * 188 / 200)
    np.testing.assert_allclose(out[1, 1:, 1:-1, 1:-1], 4.0)  # channels do not mix
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\)"):
        blur_image(np.zeros((1, 1, 4, 4)))
