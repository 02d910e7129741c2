"""cs231n/autodiff.py: every operation's gradient against numerical gradients, broadcasting,
gradients adding up where a value is used twice, and forward mode against reverse mode."""
import numpy as np
import pytest

from cs231n.autodiff import Dual, Value, jvp, unbroadcast, vjp
from cs231n.gradient_check import eval_numerical_gradient_array, rel_error

rng = np.random.RandomState(0)

# name -> (function of the inputs, input arrays); each runs on Values, Duals and arrays alike
# through the operations they share (arrays only where NumPy spells it the same way).
CASES = {
    "add_broadcast": (lambda a, b: a + b, [rng.randn(4, 3), rng.randn(3)]),
    "add_broadcast_keepdim": (lambda a, b: a + b, [rng.randn(4, 3), rng.randn(4, 1)]),
    "add_scalar_array": (lambda a, b: a + b, [rng.randn(2, 3, 4), rng.randn(1, 4)]),
    "sub": (lambda a, b: a - b, [rng.randn(3, 4), rng.randn(4)]),
    "rsub": (lambda a: 2.0 - a, [rng.randn(3, 4)]),
    "mul_broadcast": (lambda a, b: a * b, [rng.randn(4, 3), rng.randn(3)]),
    "mul_column": (lambda a, b: a * b, [rng.randn(4, 3), rng.randn(4, 1)]),
    "div": (lambda a, b: a / b, [rng.randn(3, 4), rng.rand(4) + 1]),
    "rdiv": (lambda a: 1.0 / a, [rng.rand(3, 4) + 1]),
    "pow": (lambda a: a ** 3, [rng.randn(3, 4)]),
    "pow_neg_half": (lambda a: a ** -0.5, [rng.rand(3, 4) + 0.5]),
    "neg": (lambda a: -a, [rng.randn(5)]),
    "matmul": (lambda a, b: a @ b, [rng.randn(4, 5), rng.randn(5, 3)]),
    "sum_all": (lambda a: a.sum(), [rng.randn(3, 4)]),
    "sum_axis0": (lambda a: a.sum(0), [rng.randn(3, 4)]),
    "sum_axis1_keepdims": (lambda a: a.sum(1, keepdims=True), [rng.randn(3, 4)]),
    "sum_tuple_axes": (lambda a: a.sum((0, 2)), [rng.randn(2, 3, 4)]),
    "mean_all": (lambda a: a.mean(), [rng.randn(3, 4)]),
    "mean_axis0": (lambda a: a.mean(axis=0), [rng.randn(3, 4)]),
    "exp": (lambda a: a.exp(), [rng.randn(3, 4)]),
    "log": (lambda a: a.log(), [rng.rand(3, 4) + 0.5]),
    "relu": (lambda a: a.relu(), [rng.randn(3, 4)]),
    "max_all": (lambda a: a.max(), [rng.randn(3, 4)]),
    "max_axis1": (lambda a: a.max(axis=1), [rng.randn(3, 4)]),
    "max_axis0_keepdims": (lambda a: a.max(axis=0, keepdims=True), [rng.randn(3, 4)]),
    "reshape": (lambda a: a.reshape(4, 3) * np.arange(12.0).reshape(4, 3), [rng.randn(3, 4)]),
    "transpose": (lambda a: a.T * np.arange(12.0).reshape(4, 3), [rng.randn(3, 4)]),
    "transpose_axes": (lambda a: a.transpose(2, 0, 1) * np.arange(24.0).reshape(4, 2, 3), [rng.randn(2, 3, 4)]),
    "index_rows_labels": (lambda a: a[np.arange(4), np.array([0, 2, 2, 1])], [rng.randn(4, 3)]),
    "index_repeated": (lambda a: a[np.array([0, 0, 2])], [rng.randn(3, 2)]),
    "index_slice": (lambda a: a[1:, :2], [rng.randn(3, 4)]),
    "log_softmax": (lambda a: a.log_softmax(), [rng.randn(4, 5)]),
    "log_softmax_axis0": (lambda a: a.log_softmax(axis=0), [rng.randn(4, 5)]),
    "reuse": (lambda a: a * a + a.exp() * a, [rng.randn(3, 4)]),
    "mlp": (lambda x, w, b: ((x @ w + b).relu() @ w.T).log_softmax().sum(1).mean(),
            [rng.randn(4, 5), rng.randn(5, 6), rng.randn(6)]),
}


def _reverse(f, arrays, dout):
    vals = [Value(a) for a in arrays]
    out = f(*vals)
    out.backward(dout)
    return out.data, [v.grad for v in vals]


@pytest.mark.parametrize("name", sorted(CASES))
def test_reverse_mode_matches_numerical_gradients(name):
    f, arrays = CASES[name]
    arrays = [a.copy() for a in arrays]
    out0 = f(*[Value(a) for a in arrays]).data
    dout = np.random.RandomState(1).randn(*out0.shape)
    out, grads = _reverse(f, arrays, dout)
    for i, (a, g) in enumerate(zip(arrays, grads)):
        assert g.shape == a.shape, f"{name}: gradient {i} has shape {g.shape}, input {a.shape}"

        def fi(ai, i=i):
            args = [Value(b) for b in arrays]
            args[i] = Value(ai)
            return f(*args).data
        num = eval_numerical_gradient_array(fi, a, dout)
        assert rel_error(g, num) < 1e-7, f"{name}: gradient {i} off by {rel_error(g, num):.1e}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_forward_mode_agrees_with_reverse_mode(name):
    # <u, J v> from a jvp must equal <u^T J, v> from a vjp, for random u and v, per input
    f, arrays = CASES[name]
    r = np.random.RandomState(2)
    for i, a in enumerate(arrays):
        def fi(ai, i=i):
            args = list(arrays)
            args[i] = ai
            return f(*args)
        v = r.randn(*a.shape)
        out_f, jv = jvp(fi, a, v)
        u = r.randn(*np.shape(out_f))
        out_r, uj = vjp(fi, a, u)
        assert np.allclose(out_f, out_r, rtol=1e-13, atol=1e-13)
        assert np.shape(jv) == np.shape(out_f)
        assert abs(np.sum(u * jv) - np.sum(uj * v)) <= 1e-10 * (1 + abs(np.sum(u * jv))), name


def test_unbroadcast_shapes():
    g = np.ones((2, 3, 4))
    assert unbroadcast(g, (2, 3, 4)).shape == (2, 3, 4)
    assert np.array_equal(unbroadcast(g, (4,)), np.full(4, 6.0))
    assert np.array_equal(unbroadcast(g, (3, 1)), np.full((3, 1), 8.0))
    assert np.array_equal(unbroadcast(g, (1, 3, 1)), np.full((1, 3, 1), 8.0))
    assert unbroadcast(g, ()).shape == () and unbroadcast(g, ()) == 24


def test_gradients_add_up_where_a_value_is_used_twice():
    x, y = Value(3.0), Value(-2.0)
    f = x * y + x.exp() + x * x          # df/dx = y + e^x + 2x, df/dy = x
    f.backward()
    assert np.isclose(x.grad, -2.0 + np.exp(3.0) + 6.0) and np.isclose(y.grad, 3.0)
    # a diamond: both paths from a to d are counted once each
    a = Value(2.0)
    b, c = a * 3.0, a ** 2
    d = b * c                             # d = 3 a^3, dd/da = 9 a^2
    d.backward()
    assert np.isclose(a.grad, 36.0)


def test_backward_again_restarts_from_zero_and_seeds():
    x = Value(np.arange(3.0))
    y = (x * x).sum()
    y.backward()
    y.backward()
    assert np.array_equal(x.grad, 2 * np.arange(3.0)), "a second backward must not add to the first"
    z = x * 2.0
    z.backward(np.array([1.0, 0.0, 5.0]))
    assert np.array_equal(x.grad, [2.0, 0.0, 10.0])


def test_topological_order_puts_parents_first_and_visits_each_once():
    x = Value(1.0)
    y = x * x
    z = y + x
    order = z.topological_order()
    assert order[-1] is z and len(order) == len({id(v) for v in order}) == 3
    pos = {id(v): i for i, v in enumerate(order)}
    for v in order:
        assert all(pos[id(p)] < pos[id(v)] for p in v.parents)


def test_deep_graph_and_constants_from_numpy():
    x = Value(np.ones(3))
    h = x
    for _ in range(300):
        h = h * 1.01 + 0.0
    h.sum().backward()
    assert np.allclose(x.grad, 1.01 ** 300)
    out = np.ones((2, 3)) @ Value(np.ones((3, 2))) - np.float64(1.0)
    assert isinstance(out, Value) and np.array_equal(out.data, np.full((2, 2), 2.0))


def test_log_softmax_is_stable_and_matches_the_composition():
    s = np.array([[123.0, 456.0, 789.0], [-1000.0, 0.0, 1000.0]])
    out = Value(s).log_softmax()
    assert np.all(np.isfinite(out.data)) and np.allclose(np.exp(out.data).sum(1), 1)
    g = np.random.RandomState(3).randn(*s.shape)
    a, b = Value(s), Value(s)
    a.log_softmax().backward(g)
    comp = b - b.data.max(1, keepdims=True)          # log_softmax from its parts
    (comp - comp.exp().sum(1, keepdims=True).log()).backward(g)
    assert rel_error(a.grad, b.grad) < 1e-10
    d = Dual(s, np.ones_like(s)).log_softmax()
    assert np.allclose(d.tan, 0), "adding the same amount to every score leaves log-softmax unchanged"


def test_dual_numbers_on_scalars():
    x = Dual(2.0, 1.0)
    f = x * x * x + x.exp() / x - (x ** 0.5).log()     # f' = 3x^2 + e^x (x - 1) / x^2 - 1 / (2x)
    assert np.isclose(f.tan, 12 + np.exp(2) / 4 - 0.25)
    c = Dual(3.0)
    assert c.tan == 0 and (c * x).tan == 3.0
