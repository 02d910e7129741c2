"""Hidden probes of the automatic differentiation engine (cs231n/autodiff.py).

Staff-only, never released. Each ``probe_<name>`` builds a small graph from the
grader's inputs (``inputs_<name>``) with the student's ``Value`` or ``Dual`` and
returns its forward values and every gradient or tangent, for the grader to
compare with the solution's. Shapes differ from the notebook's checks; nothing
here draws random numbers.
"""

POINTS = {"reverse_ops_and_broadcasting": 2, "reverse_reuse_and_indexing": 2, "forward_mode": 2,
          "unbroadcast": 1}


def inputs_unbroadcast(rng):
    return {"g": rng.randn(3, 2, 5)}


def probe_unbroadcast(g):
    from cs231n.autodiff import unbroadcast
    return {"same": unbroadcast(g, (3, 2, 5)), "row": unbroadcast(g, (5,)), "mid": unbroadcast(g, (2, 1)),
            "ones": unbroadcast(g, (1, 2, 1)), "scalar": unbroadcast(g, ())}


def inputs_reverse_ops_and_broadcasting(rng):
    return {"x": rng.randn(6, 2, 3), "w": rng.randn(6, 4), "b": rng.randn(4), "s": rng.rand(6, 1) + 0.5,
            "dout": rng.randn(6, 4)}


def probe_reverse_ops_and_broadcasting(x, w, b, s, dout):
    from cs231n.autodiff import Value
    X, W, B, S = Value(x), Value(w), Value(b), Value(s)
    h = X.reshape(6, 6) @ W.T[:, :6].T + B                      # matmul, transpose, slicing, broadcast add
    out = (h * S).exp().log() + h.relu() ** 2 / S - h.max(axis=1, keepdims=True) + h.mean(axis=0)
    out = out.log_softmax(axis=1) + out.sum(axis=1, keepdims=True) * 0.1
    out.backward(dout)
    return {"out": out.data, "dx": X.grad, "dw": W.grad, "db": B.grad, "ds": S.grad}


def inputs_reverse_reuse_and_indexing(rng):
    return {"a": rng.randn(5, 3), "labels": rng.randint(3, size=7), "rows": rng.randint(5, size=7)}


def probe_reverse_reuse_and_indexing(a, labels, rows):
    from cs231n.autodiff import Value
    A = Value(a)
    picked = A[rows, labels]                                    # repeated entries: their gradients add
    q = A * A + A                                               # A used three times
    loss = (picked * picked).sum() + (q * A.exp()).mean() - A.log_softmax()[rows, labels].mean()
    loss.backward()
    grad_first = A.grad.copy()
    loss.backward()                                             # a second backward starts from zero
    return {"loss": loss.data, "grad": grad_first, "grad_again": A.grad}


def inputs_forward_mode(rng):
    return {"x": rng.randn(3, 4), "v": rng.randn(3, 4), "w": rng.randn(4, 2), "u": rng.randn(3, 2)}


def probe_forward_mode(x, v, w, u):
    import numpy as np
    from cs231n.autodiff import jvp, vjp

    def f(z):
        h = (z @ w + 1.0).relu() + (z * z).sum(axis=1, keepdims=True) ** 0.5
        return (h.exp() + 1.0).log() / (z.max(axis=1, keepdims=True).exp() + 2.0) + h.log_softmax()

    out, tangent = jvp(f, x, v)
    out_r, cotangent = vjp(f, x, u)
    return {"out": np.asarray(out), "tangent": tangent, "out_r": out_r, "cotangent": cotangent}
