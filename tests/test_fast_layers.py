"""Fast convolution and max pooling (cs231n/fast_layers.py) on both of its paths,
the compiled extension and the pure-NumPy fallback: same results as the naive
layers, correct gradients, both dtypes, non-contiguous inputs, clear errors,
and one warning when the extension is missing."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from cs231n import fast_layers
from cs231n.fast_layers import (conv_backward_fast, conv_backward_im2col, conv_forward_fast,
                                conv_forward_im2col, max_pool_backward_fast,
                                max_pool_forward_fast)
from cs231n.gradient_check import eval_numerical_gradient_array, rel_error
from cs231n.layers import (conv_backward_naive, conv_forward_naive, max_pool_backward_naive,
                           max_pool_forward_naive)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The module chooses its path once, at import; each test here runs on every
# path there is (the compiled one whenever the extension is importable, which
# test_extension_is_built asserts), so the two are checked against the naive
# layers, against numerical gradients and so against each other.
BACKENDS = ["numpy"] + (["cython"] if fast_layers.extension_available() else [])


@pytest.fixture(params=BACKENDS)
def backend(request, monkeypatch):
    names = ("_conv_forward", "_conv_backward", "_pool_forward", "_pool_backward")
    for name, fn in zip(names, fast_layers._paths[request.param]):
        monkeypatch.setattr(fast_layers, name, fn)
    return request.param


def test_extension_is_built():
    if os.environ.get(fast_layers.DISABLE_ENV, "") not in ("", "0"):
        assert fast_layers.backend() == "numpy"
        return
    assert fast_layers.extension_available(), fast_layers._why_numpy
    assert fast_layers.backend() == "cython"


def test_the_paths_agree_with_each_other():
    """The compiled path against the NumPy reference on a batch of images
    larger than the thread count, both dtypes, for the forward and backward passes."""
    if not fast_layers.extension_available():
        pytest.skip(f"extension not built: {fast_layers._why_numpy}")
    rng = np.random.default_rng(5)
    for dtype in (np.float64, np.float32):
        x = rng.standard_normal((9, 3, 11, 11)).astype(dtype)
        w = rng.standard_normal((5, 3, 3, 3)).astype(dtype)
        b = rng.standard_normal(5).astype(dtype)
        for conv_param in ({"stride": 1, "pad": 1}, {"stride": 3, "pad": 2}, {"stride": 2, "pad": 0}):
            out_c, cache_c = fast_layers.conv_forward_cython(x, w, b, conv_param)
            out_n, cache_n = fast_layers.conv_forward_im2col(x, w, b, conv_param)
            dout = rng.standard_normal(out_c.shape).astype(dtype)
            assert close(out_c, out_n, dtype)
            for g_c, g_n in zip(fast_layers.conv_backward_cython(dout, cache_c),
                                fast_layers.conv_backward_im2col(dout, cache_n)):
                assert g_c.dtype == g_n.dtype == dtype and close(g_c, g_n, dtype)
        pool_param = {"pool_height": 3, "pool_width": 2, "stride": 1}
        out_c, cache_c = fast_layers.max_pool_forward_cython(x, pool_param)
        out_n, cache_n = fast_layers.max_pool_forward_numpy(x, pool_param)
        dout = rng.standard_normal(out_c.shape).astype(dtype)
        np.testing.assert_array_equal(out_c, out_n)
        dx_c = fast_layers.max_pool_backward_cython(dout, cache_c)   # overlapping windows:
        dx_n = fast_layers.max_pool_backward_numpy(dout, cache_n)    # sums in another order
        assert dx_c.dtype == dx_n.dtype == dtype and close(dx_c, dx_n, dtype)


def test_strides_names_are_the_fast_convolution():
    """CS231n's notebooks call conv_forward_strides / conv_backward_strides."""
    assert fast_layers.conv_forward_strides is conv_forward_fast
    assert fast_layers.conv_backward_strides is conv_backward_fast
    assert set(fast_layers.__all__) <= set(dir(fast_layers))


def close(a, b, dtype):
    """Max abs difference relative to the size of the values (float32 sums
    round to about 1e-7 of their terms)."""
    scale = max(np.max(np.abs(b)), 1e-12)
    return np.max(np.abs(a - b)) / scale < (2e-6 if dtype == np.float32 else 1e-12)


CONV_CASES = [
    # x shape, w shape, stride, pad
    ((2, 3, 8, 8), (4, 3, 3, 3), 1, 1),
    ((3, 2, 7, 9), (3, 2, 3, 5), 2, 2),
    ((4, 3, 31, 31), (5, 3, 3, 3), 2, 1),
    ((2, 4, 6, 6), (3, 4, 1, 1), 1, 0),
    ((5, 3, 10, 10), (2, 3, 5, 5), 1, 2),
    ((3, 1, 5, 7), (2, 1, 5, 7), 1, 0),        # window as large as the image: 1x1 output
    ((2, 2, 9, 9), (3, 2, 3, 3), 3, 0),        # stride equal to the window
    ((1, 3, 4, 4), (2, 3, 2, 2), 2, 3),        # padding wider than the window
]


# ----------------------------------------------------------------------------- convolution

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_shape, w_shape, stride, pad", CONV_CASES)
def test_conv_fast_matches_naive(backend, dtype, x_shape, w_shape, stride, pad):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)
    conv_param = {"stride": stride, "pad": pad}
    out_naive, cache_naive = conv_forward_naive(x, w, b, conv_param)
    out_fast, cache_fast = conv_forward_fast(x, w, b, conv_param)
    dout = rng.standard_normal(out_naive.shape).astype(dtype)
    grads_naive = conv_backward_naive(dout, cache_naive)
    grads_fast = conv_backward_fast(dout, cache_fast)
    assert out_fast.shape == out_naive.shape and out_fast.dtype == dtype
    assert close(out_fast, out_naive, dtype)
    for name, g_fast, g_naive in zip(("dx", "dw", "db"), grads_fast, grads_naive):
        assert g_fast.shape == g_naive.shape, name
        assert g_fast.dtype == dtype, name
        assert close(g_fast, g_naive, dtype), (name, np.max(np.abs(g_fast - g_naive)))


@pytest.mark.parametrize("threads", [1, 2, 3, 9])
def test_conv_fast_is_independent_of_the_thread_count(backend, threads, monkeypatch):
    """The images are shared out over threads (here up to more threads than
    images); every split gives the naive layer's output and gradients."""
    monkeypatch.setenv("CS231N_THREADS", str(threads))
    rng = np.random.default_rng(1)
    x = rng.standard_normal((7, 3, 6, 6))
    w = rng.standard_normal((4, 3, 3, 3))
    b = rng.standard_normal(4)
    conv_param = {"stride": 1, "pad": 1}
    out, cache = conv_forward_fast(x, w, b, conv_param)
    out_n, cache_n = conv_forward_naive(x, w, b, conv_param)
    dout = rng.standard_normal(out.shape)
    assert rel_error(out, out_n) < 1e-12
    for g, g_n in zip(conv_backward_fast(dout, cache), conv_backward_naive(dout, cache_n)):
        assert rel_error(g, g_n) < 1e-10


@pytest.mark.parametrize("x_shape, w_shape, stride, pad", [
    ((2, 3, 5, 5), (3, 3, 3, 3), 1, 1),
    ((2, 2, 7, 7), (2, 2, 3, 3), 2, 1),
    ((3, 2, 4, 7), (2, 2, 2, 3), 2, 0),
])
def test_conv_fast_backward_matches_numerical_gradient(backend, x_shape, w_shape, stride, pad):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    conv_param = {"stride": stride, "pad": pad}
    out, cache = conv_forward_fast(x, w, b, conv_param)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = conv_backward_fast(dout, cache)
    dx_num = eval_numerical_gradient_array(lambda v: conv_forward_fast(v, w, b, conv_param)[0], x, dout)
    dw_num = eval_numerical_gradient_array(lambda v: conv_forward_fast(x, v, b, conv_param)[0], w, dout)
    db_num = eval_numerical_gradient_array(lambda v: conv_forward_fast(x, w, v, conv_param)[0], b, dout)
    # The course expects errors around 1e-8 (finite differences limit it).
    assert rel_error(dx, dx_num) < 1e-7, rel_error(dx, dx_num)
    assert rel_error(dw, dw_num) < 1e-7, rel_error(dw, dw_num)
    assert rel_error(db, db_num) < 1e-7, rel_error(db, db_num)


def test_conv_fast_accepts_non_contiguous_inputs(backend):
    rng = np.random.default_rng(3)
    x_big = rng.standard_normal((6, 3, 9, 18))
    x = x_big[::2, :, :, ::2]                                   # (3, 3, 9, 9), strided
    w = np.asfortranarray(rng.standard_normal((4, 3, 3, 3)))
    b = rng.standard_normal(8)[::2]
    conv_param = {"stride": 2, "pad": 1}
    assert not x.flags.c_contiguous and not w.flags.c_contiguous and not b.flags.c_contiguous
    out, cache = conv_forward_fast(x, w, b, conv_param)
    out_n, cache_n = conv_forward_naive(np.ascontiguousarray(x), np.ascontiguousarray(w),
                                        np.ascontiguousarray(b), conv_param)
    assert rel_error(out, out_n) < 1e-12
    dout = rng.standard_normal((out.shape[0], out.shape[1], out.shape[3], out.shape[2]))
    dout = dout.transpose(0, 1, 3, 2)                           # non-contiguous upstream gradient
    for g, g_n in zip(conv_backward_fast(dout, cache),
                      conv_backward_naive(np.ascontiguousarray(dout), cache_n)):
        assert rel_error(g, g_n) < 1e-10


def test_conv_fast_promotes_mixed_dtypes(backend):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    w = rng.standard_normal((2, 3, 3, 3))                       # float64
    b = np.zeros(2, dtype=np.float32)
    out, cache = conv_forward_fast(x, w, b, {"stride": 1, "pad": 1})
    assert out.dtype == np.float64
    out32, _ = conv_forward_fast(x, w.astype(np.float32), b, {"stride": 1, "pad": 1})
    assert out32.dtype == np.float32
    assert np.allclose(out, out32, atol=1e-5)
    dx, dw, db = conv_backward_fast(np.ones_like(out), cache)
    assert dx.dtype == dw.dtype == db.dtype == np.float64


def test_conv_im2col_reference_matches_naive(backend):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 2, 7, 7))
    w = rng.standard_normal((4, 2, 3, 3))
    b = rng.standard_normal(4)
    conv_param = {"stride": 2, "pad": 1}
    out, cache = conv_forward_im2col(x, w, b, conv_param)
    out_n, cache_n = conv_forward_naive(x, w, b, conv_param)
    assert rel_error(out, out_n) < 1e-12
    dout = rng.standard_normal(out.shape)
    for g, g_n in zip(conv_backward_im2col(dout, cache), conv_backward_naive(dout, cache_n)):
        assert rel_error(g, g_n) < 1e-10


def test_conv_fast_rejects_bad_shapes(backend):
    x = np.zeros((2, 3, 8, 8))
    w = np.zeros((4, 3, 3, 3))
    b = np.zeros(4)
    with pytest.raises(ValueError, match="channels"):
        conv_forward_fast(x, np.zeros((4, 2, 3, 3)), b, {"stride": 1, "pad": 1})
    with pytest.raises(ValueError, match="not an integer"):
        conv_forward_fast(x, w, b, {"stride": 2, "pad": 1})      # (8 + 2 - 3) / 2
    with pytest.raises(ValueError, match="4 dimensions"):
        conv_forward_fast(x[0], w, b, {"stride": 1, "pad": 1})
    with pytest.raises(ValueError, match="4 dimensions"):
        conv_forward_fast(x, w[0], b, {"stride": 1, "pad": 1})
    with pytest.raises(ValueError, match="one bias per filter"):
        conv_forward_fast(x, w, np.zeros(3), {"stride": 1, "pad": 1})
    with pytest.raises(ValueError, match="'pad'"):
        conv_forward_fast(x, w, b, {"stride": 1})
    with pytest.raises(ValueError, match="stride"):
        conv_forward_fast(x, w, b, {"stride": 0, "pad": 1})
    with pytest.raises(ValueError, match="larger than the padded input"):
        conv_forward_fast(x, np.zeros((4, 3, 11, 11)), b, {"stride": 1, "pad": 1})
    with pytest.raises(TypeError, match="numpy array"):
        conv_forward_fast(x.tolist(), w, b, {"stride": 1, "pad": 1})
    out, cache = conv_forward_fast(x, w, b, {"stride": 1, "pad": 1})
    with pytest.raises(ValueError, match="dout must have shape"):
        conv_backward_fast(out[:, :, :-1], cache)


# ----------------------------------------------------------------------------- max pooling

POOL_CASES = [
    # x shape, pool height, pool width, stride
    ((2, 3, 8, 8), 2, 2, 2),        # the usual 2x2 / 2, windows tile the input
    ((3, 2, 9, 9), 3, 3, 3),        # tiles, 3x3
    ((2, 3, 7, 7), 3, 3, 2),        # overlapping windows
    ((3, 2, 9, 8), 3, 2, 3),        # rectangular window, gaps between windows
    ((2, 2, 6, 6), 2, 2, 1),        # stride 1
    ((2, 2, 8, 8), 2, 2, 3),        # stride larger than the window: pixels no window sees
    ((1, 4, 5, 5), 5, 5, 1),        # global pooling
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_shape, ph, pw, stride", POOL_CASES)
def test_max_pool_fast_matches_naive_including_ties(backend, dtype, x_shape, ph, pw, stride):
    """Small integers make many tied maxima; the gradient must go to the same
    (first, row-major) maximum as in the naive version."""
    rng = np.random.default_rng(6)
    pool_param = {"pool_height": ph, "pool_width": pw, "stride": stride}
    for x in (rng.integers(0, 3, x_shape).astype(dtype), rng.standard_normal(x_shape).astype(dtype)):
        out_n, cache_n = max_pool_forward_naive(x, pool_param)
        out, cache = max_pool_forward_fast(x, pool_param)
        assert out.dtype == dtype
        np.testing.assert_array_equal(out, out_n)
        dout = rng.standard_normal(out.shape).astype(dtype)
        dx = max_pool_backward_fast(dout, cache)
        assert dx.dtype == dtype and dx.shape == x.shape
        dx_n = max_pool_backward_naive(dout, cache_n)
        if stride >= max(ph, pw):      # each pixel is in at most one window: the very same numbers
            np.testing.assert_array_equal(dx, dx_n)
        else:                          # overlapping windows add in another order
            np.testing.assert_allclose(dx, dx_n, rtol=1e-6, atol=1e-6)


def test_max_pool_gradient_goes_to_the_first_maximum(backend):
    x = np.array([[[[1.0, 3.0], [3.0, 0.0]]]])
    out, cache = max_pool_forward_fast(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
    assert out[0, 0, 0, 0] == 3.0
    dx = max_pool_backward_fast(np.array([[[[5.0]]]]), cache)
    np.testing.assert_array_equal(dx[0, 0], [[0.0, 5.0], [0.0, 0.0]])


@pytest.mark.parametrize("x_shape, ph, pw, stride", [((2, 2, 6, 6), 2, 2, 2), ((2, 3, 7, 7), 3, 3, 2)])
def test_max_pool_fast_backward_matches_numerical_gradient(backend, x_shape, ph, pw, stride):
    rng = np.random.default_rng(7)
    x = rng.permutation(np.prod(x_shape)).reshape(x_shape) / 10.0   # distinct values, no ties
    pool_param = {"pool_height": ph, "pool_width": pw, "stride": stride}
    out, cache = max_pool_forward_fast(x, pool_param)
    dout = rng.standard_normal(out.shape)
    dx = max_pool_backward_fast(dout, cache)
    dx_num = eval_numerical_gradient_array(lambda v: max_pool_forward_fast(v, pool_param)[0], x, dout)
    assert rel_error(dx, dx_num) < 1e-10


def test_max_pool_fast_accepts_non_contiguous_inputs(backend):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((4, 3, 16, 8)).transpose(0, 1, 3, 2)[:, :, :, ::2]   # (4, 3, 8, 8)
    pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    out, cache = max_pool_forward_fast(x, pool_param)
    out_n, cache_n = max_pool_forward_naive(np.ascontiguousarray(x), pool_param)
    np.testing.assert_array_equal(out, out_n)
    dout = rng.standard_normal((4, 3, 4, 4)).transpose(0, 1, 3, 2)
    assert not x.flags.c_contiguous and not dout.flags.c_contiguous
    np.testing.assert_array_equal(max_pool_backward_fast(dout, cache),
                                  max_pool_backward_naive(np.ascontiguousarray(dout), cache_n))


def test_max_pool_fast_rejects_bad_shapes(backend):
    x = np.zeros((2, 3, 7, 7))
    with pytest.raises(ValueError, match="not an integer"):
        max_pool_forward_fast(x, {"pool_height": 2, "pool_width": 2, "stride": 2})
    with pytest.raises(ValueError, match="4 dimensions"):
        max_pool_forward_fast(x[0], {"pool_height": 3, "pool_width": 3, "stride": 2})
    with pytest.raises(ValueError, match="pool_width"):
        max_pool_forward_fast(x, {"pool_height": 3, "stride": 2})
    with pytest.raises(ValueError, match="larger than the padded input"):
        max_pool_forward_fast(x, {"pool_height": 9, "pool_width": 3, "stride": 2})
    out, cache = max_pool_forward_fast(x, {"pool_height": 3, "pool_width": 3, "stride": 2})
    with pytest.raises(ValueError, match="dout must have shape"):
        max_pool_backward_fast(out[:1], cache)


# ----------------------------------------------------------------------------- the switch

def _run(code, env_extra):
    env = dict(os.environ, **env_extra)
    env["PYTHONPATH"] = REPO + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


FALLBACK_SCRIPT = """
    import sys, warnings
    import numpy as np
    if {hide}:
        sys.modules["cs231n.im2col_cython"] = None        # import fails as if never built
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from cs231n import fast_layers
        from cs231n.layers import conv_forward_naive
        x = np.random.randn(2, 3, 6, 6); w = np.random.randn(2, 3, 3, 3); b = np.zeros(2)
        for _ in range(3):
            out, cache = fast_layers.conv_forward_fast(x, w, b, {{"stride": 1, "pad": 1}})
            fast_layers.conv_backward_fast(np.ones_like(out), cache)
            o, c = fast_layers.max_pool_forward_fast(x, {{"pool_height": 2, "pool_width": 2, "stride": 2}})
            fast_layers.max_pool_backward_fast(o, c)
    ours = [w_ for w_ in caught if issubclass(w_.category, fast_layers.ExtensionNotBuiltWarning)]
    assert np.allclose(out, conv_forward_naive(x, w, b, {{"stride": 1, "pad": 1}})[0])
    try:
        fast_layers.conv_forward_cython(x, w, b, {{"stride": 1, "pad": 1}})
        refused = False
    except RuntimeError:
        refused = True
    print(len(ours), fast_layers.backend(), fast_layers.extension_available(), refused)
    print(ours[0].message)
"""


def test_missing_extension_warns_once_and_uses_numpy():
    out = _run(FALLBACK_SCRIPT.format(hide=True), {fast_layers.DISABLE_ENV: "0"})
    assert out.split("\n")[0].split() == ["1", "numpy", "False", "True"]
    assert "not built" in out


def test_environment_variable_forces_the_numpy_path_with_one_warning_that_says_so():
    out = _run(FALLBACK_SCRIPT.format(hide=False), {fast_layers.DISABLE_ENV: "1"})
    assert out.split("\n")[0].split() == ["1", "numpy", "False", "True"]
    assert "CS231N_DISABLE_EXTENSION=1" in out
