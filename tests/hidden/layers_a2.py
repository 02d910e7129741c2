"""Hidden probes of the layers of assignment 2 (cs231n/layers.py: batch normalization, convolution, pooling).

Staff-only, never released. Each ``probe_<name>`` calls the student's layers on
the grader's inputs (``inputs_<name>``) and returns every forward output and
every gradient, so the grader can compare them with the solution's. Shapes and
seeds differ from the notebooks' checks; nothing here draws random numbers.
"""

POINTS = {"batchnorm_train_and_test": 2, "conv_and_pool_naive": 3}


def inputs_batchnorm_train_and_test(rng):
    return {"x": 3 * rng.randn(40, 4) - 7, "gamma": rng.rand(4) + 0.5, "beta": rng.randn(4),
            "dout": rng.randn(40, 4), "x_test": 3 * rng.randn(6, 4) - 7,
            "running_mean": rng.randn(4) - 7, "running_var": 9 * rng.rand(4) + 1}


def probe_batchnorm_train_and_test(x, gamma, beta, dout, x_test, running_mean, running_var):
    from cs231n.layers import batchnorm_backward, batchnorm_forward
    bn_param = {"mode": "train", "eps": 1e-5, "momentum": 0.8,
                "running_mean": running_mean.copy(), "running_var": running_var.copy()}
    out, cache = batchnorm_forward(x, gamma, beta, bn_param)
    dx, dgamma, dbeta = batchnorm_backward(dout, cache)
    test_param = {"mode": "test", "eps": 1e-5, "momentum": 0.8,
                  "running_mean": running_mean.copy(), "running_var": running_var.copy()}
    test_out, _ = batchnorm_forward(x_test, gamma, beta, test_param)
    return {"out": out, "dx": dx, "dgamma": dgamma, "dbeta": dbeta,
            "running_mean": bn_param["running_mean"], "running_var": bn_param["running_var"],
            "test_out": test_out}


def inputs_conv_and_pool_naive(rng):
    return {"x": rng.randn(3, 2, 9, 7), "w": rng.randn(5, 2, 3, 3), "b": rng.randn(5),
            "x_pool": rng.randn(2, 3, 7, 8)}


def probe_conv_and_pool_naive(x, w, b, x_pool):
    from cs231n.layers import conv_forward_naive, max_pool_forward_naive
    conv, _ = conv_forward_naive(x, w, b, {"stride": 2, "pad": 1})           # (3, 5, 5, 4)
    pool, _ = max_pool_forward_naive(x_pool, {"pool_height": 3, "pool_width": 2,
                                              "stride": 2})                   # (2, 3, 3, 4)
    return {"conv": conv, "pool": pool}
