"""Numerical gradients, to check the analytic ones every backward pass computes.

All use the centred difference (f(x + h) - f(x - h)) / 2h, whose error shrinks
like h^2, and put every perturbed entry back exactly as it was.
"""
import numpy as np

__all__ = ["rel_error", "eval_numerical_gradient", "eval_numerical_gradient_array", "grad_check_sparse",
           "eval_numerical_gradient_blobs", "eval_numerical_gradient_net", "set_weights"]


def rel_error(x, y):
    """Largest relative error between two arrays (or numbers) of the same shape.

    Returns max |x - y| / max(1e-8, |x| + |y|), elementwise. About 1e-7 or
    less means two gradients agree; 1e-2 or more means a bug.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape:
        raise ValueError(f"rel_error needs arrays of the same shape, got {x.shape} and {y.shape}")
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def eval_numerical_gradient(f, x, verbose=True, h=1e-5):
    """Numerical gradient of a scalar function at x.

    Inputs:
    - f: function taking one array argument (of x's shape) and returning a number
    - x: float array of any shape; perturbed in place and restored
    - verbose: print every entry's index and gradient as it is computed
    - h: step of the centred difference

    Returns an array of x's shape: df/dx.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        fxph = f(x)
        x[ix] = old - h
        fxmh = f(x)
        x[ix] = old
        grad[ix] = (fxph - fxmh) / (2 * h)
        if verbose:
            print(ix, grad[ix])
        it.iternext()
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Numerical gradient of sum(f(x) * df) with respect to x: the backward pass of f given df.

    Inputs:
    - f: function taking an array of x's shape, returning an array of df's shape
    - x: float array of any shape; perturbed in place and restored
    - df: upstream gradient, array of the shape of f(x)
    - h: step of the centred difference

    Returns an array of x's shape.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        pos = np.array(f(x), dtype=np.float64)  # copied: f may return a view into a buffer
        x[ix] = old - h
        neg = np.array(f(x), dtype=np.float64)
        x[ix] = old
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
        it.iternext()
    return grad


def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5, seed=None, verbose=True):
    """Compare an analytic gradient with numerical ones at a few random entries.

    Inputs:
    - f: function taking an array of x's shape and returning a number
    - x: float array of any shape; perturbed in place and restored
    - analytic_grad: array of x's shape, the gradient to check
    - num_checks: how many random entries to check
    - h: step of the centred difference
    - seed: seeds the choice of entries (None: numpy's global generator)
    - verbose: print numerical, analytic and relative error for each entry

    Returns a list of num_checks relative errors.
    """
    if analytic_grad.shape != x.shape:
        raise ValueError(f"analytic_grad has shape {analytic_grad.shape}, x has shape {x.shape}")
    rng = np.random.default_rng(seed) if seed is not None else None
    errors = []
    for _ in range(num_checks):
        if rng is None:  # numpy's global generator, which notebooks seed with np.random.seed
            ix = tuple(int(np.random.randint(m)) for m in x.shape)
        else:
            ix = tuple(int(rng.integers(m)) for m in x.shape)
        old = x[ix]
        x[ix] = old + h
        fxph = f(x)
        x[ix] = old - h
        fxmh = f(x)
        x[ix] = old
        grad_numerical = (fxph - fxmh) / (2 * h)
        grad_analytic = analytic_grad[ix]
        err = abs(grad_numerical - grad_analytic) / max(1e-12, abs(grad_numerical) + abs(grad_analytic))
        errors.append(float(err))
        if verbose:
            print(f"numerical: {grad_numerical:f} analytic: {grad_analytic:f}, relative error: {err:e}")
    return errors


def set_weights(model, scale, seed=0):
    """Give every weight matrix of ``model`` (parameters named ``W...``) a draw of its own.

    A check that compares a net's loss and gradients with stored values calls
    this right after building the net, so that what it checks does not depend
    on the order in which the constructor drew its weights (any order is right).
    Biases, gamma and beta keep their initial values.

    Args:
        model: a model with a ``params`` dict.
        scale: standard deviation of the new weights.
        seed: seed of the draws (one RandomState, weights in name order).
    """
    rng = np.random.RandomState(seed)
    for name in sorted(model.params):
        if name.startswith("W"):
            w = model.params[name]
            model.params[name] = (scale * rng.randn(*w.shape)).astype(w.dtype)


def eval_numerical_gradient_blobs(f, inputs, output, h=1e-5):
    """Numerical gradients of a function that works on blobs (CS231n's interface for layer-like objects).

    A blob is any object with two arrays of one shape: ``vals`` (its values)
    and ``diffs`` (its gradient). ``f(*inputs, output)`` reads the input blobs'
    vals and writes ``output.vals``; the upstream gradient is ``output.diffs``.

    Inputs:
    - f: function called as f(*inputs, output)
    - inputs: tuple of input blobs; each one's vals is perturbed in place and restored
    - output: the output blob
    - h: step of the centred difference

    Returns a list with, for each input blob, an array of its vals' shape: the
    gradient of sum(output.vals * output.diffs) with respect to its vals.
    """
    inputs = tuple(inputs)
    grads = []
    for blob in inputs:
        def g(_, blob=blob):
            f(*(inputs + (output,)))
            return output.vals
        grads.append(eval_numerical_gradient_array(g, blob.vals, output.diffs, h=h))
    return grads


def eval_numerical_gradient_net(net, inputs, output, h=1e-5):
    """eval_numerical_gradient_blobs for a net whose ``forward()`` reads the input blobs and writes ``output``."""
    return eval_numerical_gradient_blobs(lambda *blobs: net.forward(), inputs, output, h=h)
