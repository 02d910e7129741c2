"""Automatic differentiation on NumPy arrays, in reverse mode (Value) and forward mode (Dual).

Each operation computes its output and says how derivatives pass through it, in the
same few lines. A Value remembers its parents and a rule g -> (dL/dparent, ...) for
g = dL/d(output), like layers.py's ``*_backward(dout, cache)``; ``loss.backward()``
applies the rules in reverse topological order, adding up the gradients of a value
used twice. A Dual carries a value and its tangent (its derivative along one input
direction) forward together. Both support +, -, *, /, ** (broadcast), @ (2-D), sum,
mean, exp, log, relu, max, reshape, transpose (.T), indexing and log_softmax, so one
function runs on either. See notebooks/04d_autodiff.ipynb.
"""
import numpy as np


def unbroadcast(grad, shape):
    """Sum grad down to shape: the backward pass of NumPy's broadcasting."""
    # Sum away the leading axes broadcasting added, then every axis that is 1 in shape.
    ### BEGIN SOLUTION
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape))))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    return grad.sum(axis=axes, keepdims=True)
    ### END SOLUTION


def _as_array(data):
    data = np.asarray(data)
    return data if data.dtype.kind == "f" else data.astype(np.float64)


class _Ops:
    """What Value and Dual share: operations composed of the others, which need no rule of their own."""
    __array_ufunc__ = None  # so that ndarray + Value calls Value.__radd__

    shape = property(lambda self: self._array().shape)
    T = property(lambda self: self.transpose())

    def __repr__(self): return f"{type(self).__name__}(shape={self.shape})"
    def _lift(self, x): return x if isinstance(x, type(self)) else type(self)(x)
    def __neg__(self): return self * -1.0
    def __sub__(self, other): return self + (-self._lift(other))
    def __rsub__(self, other): return self._lift(other) + (-self)
    def __radd__(self, other): return self + other
    def __rmul__(self, other): return self * other
    def __truediv__(self, other): return self * self._lift(other) ** -1
    def __rtruediv__(self, other): return self._lift(other) * self ** -1
    def __rmatmul__(self, other): return self._lift(other) @ self

    def mean(self, axis=None, keepdims=False):  # a sum times 1 / (number of entries in each sum)
        total = self.sum(axis, keepdims)
        return total * (total._array().size / self._array().size)

    def max(self, axis=None, keepdims=False):
        """Largest entries over axis: sum(share * self), share 1 / (number of ties) where self is largest, else 0."""
        a = self._array()
        is_max = a == a.max(axis=axis, keepdims=True)
        return (self * (is_max / is_max.sum(axis=axis, keepdims=True))).sum(axis, keepdims)

    def log_softmax(self, axis=-1):
        """s - log(sum(exp(s))) over axis; shifting s by its max (a constant) first keeps exp finite."""
        shifted = self - self._array().max(axis=axis, keepdims=True)
        return shifted - shifted.exp().sum(axis, keepdims=True).log()


class Value(_Ops):
    """A node of the reverse-mode graph: an array, its gradient, its parents and its backward rule."""

    def __init__(self, data, parents=(), op="", backward=None):
        self.data = _as_array(data)
        self.grad = None            # dL/d(self), an array of data's shape, once backward() ran
        self.parents = parents      # the Values this one was computed from
        self.op = op                # the operation's name, for drawings
        self._backward = backward   # g -> (dL/dparent for each parent), g = dL/d(self)

    def _array(self): return self.data

    def __add__(self, other):
        """self + other, broadcast; dL/dself = g summed back to self's shape (other alike)."""
        other = self._lift(other)
        ### BEGIN SOLUTION
        return Value(self.data + other.data, (self, other), "+",
                     lambda g: (unbroadcast(g, self.shape), unbroadcast(g, other.shape)))
        ### END SOLUTION

    def __mul__(self, other):
        """self * other, broadcast; dL/dself = g * other summed back to self's shape (other alike)."""
        other = self._lift(other)     # given, as the pattern for the others: output, parents, name, rule
        return Value(self.data * other.data, (self, other), "*",
                     lambda g: (unbroadcast(g * other.data, self.shape),
                                unbroadcast(g * self.data, other.shape)))

    def __pow__(self, p):
        """self ** p for a number p; dL/dself = g * p * self ** (p - 1)."""
        ### BEGIN SOLUTION
        return Value(self.data ** p, (self,), f"**{p}", lambda g: (g * p * self.data ** (p - 1),))
        ### END SOLUTION

    def __matmul__(self, other):
        """A @ B for 2-D A, B; dL/dA = g B^T, dL/dB = A^T g."""
        other = self._lift(other)
        ### BEGIN SOLUTION
        return Value(self.data @ other.data, (self, other), "@",
                     lambda g: (g @ other.data.T, self.data.T @ g))
        ### END SOLUTION

    def sum(self, axis=None, keepdims=False):
        """Sum over axis (int, tuple or None); each entry gets the g of the sum it is in."""
        ### BEGIN SOLUTION
        expand = (lambda g: g) if axis is None or keepdims else (lambda g: np.expand_dims(g, axis))
        return Value(self.data.sum(axis=axis, keepdims=keepdims), (self,), "sum",
                     lambda g: (np.broadcast_to(expand(g), self.shape),))
        ### END SOLUTION

    def exp(self):
        """e ** self; dL/dself = g * e ** self."""
        ### BEGIN SOLUTION
        e = np.exp(self.data)
        return Value(e, (self,), "exp", lambda g: (g * e,))
        ### END SOLUTION

    def log(self):
        """Natural logarithm; dL/dself = g / self."""
        ### BEGIN SOLUTION
        return Value(np.log(self.data), (self,), "log", lambda g: (g / self.data,))
        ### END SOLUTION

    def relu(self):
        """max(0, self) entrywise; g passes where self > 0."""
        ### BEGIN SOLUTION
        return Value(np.maximum(self.data, 0), (self,), "relu", lambda g: (g * (self.data > 0),))
        ### END SOLUTION

    def reshape(self, *shape):
        """The same entries in another shape; g is reshaped back."""
        ### BEGIN SOLUTION
        return Value(self.data.reshape(*shape), (self,), "reshape", lambda g: (g.reshape(self.shape),))
        ### END SOLUTION

    def transpose(self, *axes):
        """Axes permuted (reversed by default); g is permuted back."""
        ### BEGIN SOLUTION
        perm = axes or tuple(reversed(range(self.data.ndim)))
        return Value(self.data.transpose(perm), (self,), "T", lambda g: (g.transpose(np.argsort(perm)),))
        ### END SOLUTION

    def __getitem__(self, index):
        """self[index] for any NumPy index; g is added back where the entries came from."""
        ### BEGIN SOLUTION
        def backward(g):
            grad = np.zeros_like(self.data)
            np.add.at(grad, index, g)   # an entry picked twice gets both gradients
            return (grad,)
        return Value(self.data[index], (self,), "[]", backward)
        ### END SOLUTION

    def log_softmax(self, axis=-1):
        """_Ops.log_softmax as one operation, which stores one array, not four; dL/ds = g - softmax(s) * sum(g)."""
        ### BEGIN SOLUTION
        shifted = self.data - self.data.max(axis=axis, keepdims=True)
        out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        return Value(out, (self,), "log_softmax",
                     lambda g: (g - np.exp(out) * g.sum(axis=axis, keepdims=True),))
        ### END SOLUTION

    def topological_order(self):
        """Every Value self depends on, each one after its parents, self last."""
        order, seen = [], set()
        ### BEGIN SOLUTION
        def visit(v):
            if id(v) not in seen:
                seen.add(id(v))
                for p in v.parents:
                    visit(p)
                order.append(v)
        visit(self)
        ### END SOLUTION
        return order

    def backward(self, seed=None):
        """Set .grad of every Value self depends on to d(sum(seed * self))/d(that Value); seed 1 by default."""
        order = self.topological_order()
        seed = np.ones_like(self.data) if seed is None else np.asarray(seed, dtype=self.data.dtype)
        # Zero every .grad, set self.grad = seed, then apply the rules in reverse order, adding
        # each parent's share into its .grad.
        ### BEGIN SOLUTION
        for v in order:
            v.grad = np.zeros_like(v.data)
        self.grad = seed.copy()
        for v in reversed(order):
            if v._backward is not None:
                for parent, g in zip(v.parents, v._backward(v.grad)):
                    parent.grad += g
        ### END SOLUTION


class Dual(_Ops):
    """Forward mode: a value and its tangent, the value's derivative along one input direction."""

    def __init__(self, val, tan=None):
        self.val = _as_array(val)
        self.tan = np.zeros_like(self.val) if tan is None else _as_array(tan)

    def _array(self): return self.val

    def _linear(self, f): return Dual(f(self.val), f(self.tan))   # a linear map acts alike on the tangent
    def sum(self, axis=None, keepdims=False): return self._linear(lambda a: a.sum(axis, keepdims=keepdims))
    def reshape(self, *shape): return self._linear(lambda a: a.reshape(*shape))
    def transpose(self, *axes): return self._linear(lambda a: a.transpose(*axes))
    def __getitem__(self, index): return self._linear(lambda a: a[index])

    # Each rule: the value as NumPy computes it, and its tangent by the chain rule.
    def __add__(self, other):
        """(u + v)' = u' + v'."""
        other = self._lift(other)
        ### BEGIN SOLUTION
        return Dual(self.val + other.val, self.tan + other.tan)
        ### END SOLUTION

    def __mul__(self, other):
        """(u v)' = u' v + u v'."""
        other = self._lift(other)
        ### BEGIN SOLUTION
        return Dual(self.val * other.val, self.tan * other.val + self.val * other.tan)
        ### END SOLUTION

    def __pow__(self, p):
        """(u ** p)' = p u ** (p - 1) u'."""
        ### BEGIN SOLUTION
        return Dual(self.val ** p, p * self.val ** (p - 1) * self.tan)
        ### END SOLUTION

    def __matmul__(self, other):
        """(A B)' = A' B + A B'."""
        other = self._lift(other)
        ### BEGIN SOLUTION
        return Dual(self.val @ other.val, self.tan @ other.val + self.val @ other.tan)
        ### END SOLUTION

    def exp(self):
        """(exp u)' = exp(u) u'."""
        ### BEGIN SOLUTION
        e = np.exp(self.val)
        return Dual(e, e * self.tan)
        ### END SOLUTION

    def log(self):
        """(log u)' = u' / u."""
        ### BEGIN SOLUTION
        return Dual(np.log(self.val), self.tan / self.val)
        ### END SOLUTION

    def relu(self):
        """max(0, u)' = u' where u > 0, else 0."""
        ### BEGIN SOLUTION
        return Dual(np.maximum(self.val, 0), self.tan * (self.val > 0))
        ### END SOLUTION


def jvp(f, x, v):
    """f(x) and the Jacobian-vector product J(x) v, by one forward-mode pass."""
    ### BEGIN SOLUTION
    out = f(Dual(x, v))
    return out.val, out.tan
    ### END SOLUTION


def vjp(f, x, u):
    """f(x) and the vector-Jacobian product u^T J(x) (shaped like x), by one reverse-mode pass."""
    ### BEGIN SOLUTION
    xv = Value(x)
    out = f(xv)
    out.backward(u)
    return out.data, xv.grad
    ### END SOLUTION

