"""Hidden probes of the layers of assignment 1 (cs231n/layers.py: affine, ReLU, losses).

Staff-only, never released. Each ``probe_<name>`` calls the student's layers on
the grader's inputs (``inputs_<name>``) and returns every forward output and
every gradient, so the grader can compare them with the solution's. Shapes and
seeds differ from the notebooks' checks; nothing here draws random numbers.
"""

POINTS = {"affine_forward_backward": 2, "relu_forward_backward": 1, "softmax_and_svm_loss": 2}


def inputs_affine_forward_backward(rng):
    return {"x": rng.randn(5, 2, 3, 2), "w": rng.randn(12, 7), "b": rng.randn(7),
            "dout": rng.randn(5, 7)}


def probe_affine_forward_backward(x, w, b, dout):
    from cs231n.layers import affine_backward, affine_forward
    out, cache = affine_forward(x, w, b)
    dx, dw, db = affine_backward(dout, cache)
    return {"out": out, "dx": dx, "dw": dw, "db": db}


def inputs_relu_forward_backward(rng):
    return {"x": rng.randn(4, 3, 5), "dout": rng.randn(4, 3, 5)}


def probe_relu_forward_backward(x, dout):
    from cs231n.layers import relu_backward, relu_forward
    out, cache = relu_forward(x)
    dx = relu_backward(dout, cache)
    return {"out": out, "dx": dx}


def inputs_softmax_and_svm_loss(rng):
    return {"x": 3 * rng.randn(9, 6), "y": rng.randint(6, size=9)}


def probe_softmax_and_svm_loss(x, y):
    from cs231n.layers import softmax_loss, svm_loss
    softmax, dx_softmax = softmax_loss(x, y)
    svm, dx_svm = svm_loss(x, y)
    return {"softmax_loss": softmax, "softmax_dx": dx_softmax, "svm_loss": svm, "svm_dx": dx_svm}
