"""Benchmark the convolution and max-pooling layers.

    python -m benchmarks.run                   # everything, tables on stdout
    python -m benchmarks.run --json bench.json # also write the figures as JSON
    python -m benchmarks.run --quick           # fewer repeats, no training epoch

For every shape and dtype it times the forward and the backward pass of

- naive:  the loop versions in cs231n/layers.py (small shapes only)
- numpy:  cs231n/fast_layers.py on its pure-NumPy path
- fast:   cs231n/fast_layers.py on the compiled extension
- torch:  PyTorch's CPU kernels (only if PyTorch is installed; never required)
- floor:  (convolution) the three matrix products every im2col design must do,
          on ready-made contiguous operands: w_flat @ cols (forward),
          dout_flat @ cols.T and w_flat.T @ dout_flat (backward)

Timings are the best of several rounds in which the implementations take
turns, so that all of them meet the same machine; each turn is a short
pause (threads still spinning after one implementation must not slow the
next), one untimed call (it wakes the implementation's own threads) and
the timed call. The ratios are taken within
this one run; on a busy machine, compare them rather than the times. Last, it times one
epoch of ThreeLayerConvNet training with cs231n.solver.Solver (49,000 images,
batch 50), on real CIFAR-10 when CS231N_DATA_DIR points at it, else on random
images of the same shape.
"""
import argparse
import json
import os
import platform
import sys
import time

_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _threads_from_argv(argv):
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return None


# BLAS reads its thread count when it is loaded, so --threads must take effect
# before numpy is imported.
if __name__ == "__main__" and _threads_from_argv(sys.argv[1:]):
    for _var in _THREAD_VARS:
        os.environ[_var] = _threads_from_argv(sys.argv[1:])

import numpy as np  # noqa: E402

from cs231n import fast_layers  # noqa: E402
from cs231n import layers  # noqa: E402
from cs231n import parallel  # noqa: E402

try:  # optional
    import torch
    import torch.nn.functional as torch_F
except Exception:  # pragma: no cover - depends on the machine
    torch = None

CONV_SHAPES = [
    # (x shape, w shape, stride, pad, naive?)
    ((100, 3, 31, 31), (25, 3, 3, 3), 2, 1, True),
    ((50, 3, 32, 32), (32, 3, 7, 7), 1, 3, False),
    ((50, 64, 16, 16), (64, 64, 3, 3), 1, 1, False),
]
POOL_SHAPES = [
    # (x shape, pool size, stride, naive?)
    ((50, 32, 32, 32), 2, 2, True),
    ((100, 3, 32, 32), 2, 2, True),
]
DTYPES = [np.float64, np.float32]
SETTLE_SECONDS = 0.15     # pause before each timed turn: OpenBLAS threads spin ~0.1 s after a product


def _now():
    return time.perf_counter()


class Timer:
    """Best time per (implementation, phase) over interleaved rounds."""

    def __init__(self):
        self.best = {}

    def record(self, impl, phase, seconds):
        key = (impl, phase)
        self.best[key] = min(seconds, self.best.get(key, float("inf")))

    def get(self, impl, phase):
        return self.best.get((impl, phase))


# ----------------------------------------------------------------------------- conv

def _conv_impls(x, w, b, conv_param, dout, naive, stride, pad):
    """name -> (forward thunk, backward thunk(forward result))."""
    impls = {}
    if naive:
        impls["naive"] = (lambda: layers.conv_forward_naive(x, w, b, conv_param)[1],
                          lambda cache: layers.conv_backward_naive(dout, cache))

    def path(forward, backward):
        return (lambda: forward(x, w, b, conv_param)[1], lambda cache: backward(dout, cache))

    impls["numpy"] = path(fast_layers.conv_forward_im2col, fast_layers.conv_backward_im2col)
    if fast_layers.extension_available():
        impls["fast"] = path(fast_layers.conv_forward_cython, fast_layers.conv_backward_cython)

    if torch is not None:
        xt = torch.from_numpy(x).requires_grad_(True)
        wt = torch.from_numpy(w).requires_grad_(True)
        bt = torch.from_numpy(b).requires_grad_(True)
        dt_ = torch.from_numpy(dout)

        def tfwd():
            return torch_F.conv2d(xt, wt, bt, stride=stride, padding=pad)

        def tbwd(out):
            return torch.autograd.grad(out, (xt, wt, bt), dt_)
        impls["torch"] = (tfwd, tbwd)

    # The floor: the three products on ready-made contiguous 2-D operands.
    N, F = x.shape[0], w.shape[0]
    w_flat = np.ascontiguousarray(w.reshape(F, -1))
    w_flat_t = np.ascontiguousarray(w_flat.T)
    P = dout.shape[2] * dout.shape[3]
    rng = np.random.default_rng(0)
    cols = rng.standard_normal((w_flat.shape[1], N * P)).astype(x.dtype)
    dout_flat = np.ascontiguousarray(dout.transpose(1, 0, 2, 3).reshape(F, -1))
    # dW = dout_flat @ cols.T can also be computed as (cols @ dout_flat.T).T;
    # OpenBLAS is often much faster in the second orientation, so the floor
    # uses whichever of the two is faster here (a tighter, fairer floor).
    dw_a = lambda: dout_flat @ cols.T                               # noqa: E731
    dw_b = lambda: (cols @ dout_flat.T).T                           # noqa: E731
    tries = {dw_a: [], dw_b: []}
    for _ in range(5):                      # interleaved, like the rounds below
        for f in tries:
            tries[f].append(_timed(f))
    dw = min(tries, key=lambda f: min(tries[f]))
    impls["floor"] = (lambda: w_flat @ cols,
                      lambda _: (dw(), w_flat_t @ dout_flat))
    return impls


def _timed(f):
    t0 = _now()
    f()
    return _now() - t0


def bench_conv(x_shape, w_shape, stride, pad, dtype, repeats, naive):
    rng = np.random.default_rng(231)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = (0.1 * rng.standard_normal(w_shape)).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)
    conv_param = {"stride": stride, "pad": pad}
    H_out = 1 + (x_shape[2] + 2 * pad - w_shape[2]) // stride
    W_out = 1 + (x_shape[3] + 2 * pad - w_shape[3]) // stride
    dout = rng.standard_normal((x_shape[0], w_shape[0], H_out, W_out)).astype(dtype)
    impls = _conv_impls(x, w, b, conv_param, dout, naive, stride, pad)
    return _time_impls(impls, repeats)


# ----------------------------------------------------------------------------- pool

def bench_pool(x_shape, size, stride, dtype, repeats, naive):
    rng = np.random.default_rng(231)
    x = rng.standard_normal(x_shape).astype(dtype)
    pool_param = {"pool_height": size, "pool_width": size, "stride": stride}
    H_out = 1 + (x_shape[2] - size) // stride
    W_out = 1 + (x_shape[3] - size) // stride
    dout = rng.standard_normal(x_shape[:2] + (H_out, W_out)).astype(dtype)
    impls = {}
    if naive:
        impls["naive"] = (lambda: layers.max_pool_forward_naive(x, pool_param)[1],
                          lambda cache: layers.max_pool_backward_naive(dout, cache))

    def path(forward, backward):
        return (lambda: forward(x, pool_param)[1], lambda cache: backward(dout, cache))

    impls["numpy"] = path(fast_layers.max_pool_forward_numpy, fast_layers.max_pool_backward_numpy)
    if fast_layers.extension_available():
        impls["fast"] = path(fast_layers.max_pool_forward_cython,
                             fast_layers.max_pool_backward_cython)
    if torch is not None:
        xt = torch.from_numpy(x).requires_grad_(True)
        dt_ = torch.from_numpy(dout)
        impls["torch"] = (lambda: torch_F.max_pool2d(xt, size, stride),
                          lambda out: torch.autograd.grad(out, (xt,), dt_))
    return _time_impls(impls, repeats)


def _time_impls(impls, repeats):
    """Time each (forward, backward) pair of impls; the best of `repeats` rounds is kept.

    The implementations take turns, round by round, so that all of them see
    the same machine: on a shared or throttled machine the speed drifts over
    seconds, and timing one implementation's rounds after another's would put
    that drift into the ratios. Each turn starts with a short pause, because
    BLAS threads keep spinning for about 0.1 s after a product (see
    SETTLE_SECONDS) and would otherwise slow whichever runs next, then one
    untimed call, which wakes the implementation's own threads (a sleeping
    core can take milliseconds to start) and warms its caches, then the timed
    call. The naive loops are slow and single-threaded, so they run in the
    first two rounds only, without the untimed call.
    """
    timer = Timer()
    for r in range(repeats):
        for name, (fwd, bwd) in impls.items():
            if name == "naive" and r > 1:
                continue
            time.sleep(SETTLE_SECONDS)
            if name != "naive":
                bwd(fwd())
            t0 = _now()
            res = fwd()
            t1 = _now()
            bwd(res)
            t2 = _now()
            timer.record(name, "forward", t1 - t0)
            timer.record(name, "backward", t2 - t1)
    return _summarise(timer, impls)


def _summarise(timer, impls):
    times = {}
    for name in impls:
        f, b = timer.get(name, "forward"), timer.get(name, "backward")
        if f is not None:
            times[name] = {"forward": f, "backward": b, "total": f + b}
    ratios = {}
    fast = times.get("fast")
    if fast:
        for other in ("floor", "torch"):
            if other in times:
                for phase in ("forward", "backward", "total"):
                    ratios[f"fast/{other} {phase}"] = fast[phase] / times[other][phase]
        for other in ("naive", "numpy"):
            if other in times:
                ratios[f"{other}/fast total"] = times[other]["total"] / fast["total"]
    return {"times": times, "ratios": ratios}


# ----------------------------------------------------------------------------- epoch

def bench_epoch(dtype=np.float32, num_train=49000, batch_size=50):
    """One epoch of ThreeLayerConvNet with Solver over num_train images; returns a
    dict with the seconds measured and, when num_train < 49000, the time
    scaled to a full epoch of 49,000 images ('epoch_seconds')."""
    try:
        from cs231n.classifiers.cnn import ThreeLayerConvNet
        from cs231n.solver import Solver
    except ImportError as exc:
        return {"error": f"ThreeLayerConvNet/Solver not importable: {exc}"}
    data_name = "random images"
    data = None
    try:
        from cs231n.data_utils import dataset_info, get_CIFAR10_data
        info = dataset_info()
        if info.is_cifar10:
            data = get_CIFAR10_data(num_training=num_train, num_validation=1000, num_test=1000)
            data = {k: (v.astype(np.float32) if k.startswith("X") else v)
                    for k, v in data.items() if k in ("X_train", "y_train", "X_val", "y_val")}
            data_name = "CIFAR-10"
    except Exception:  # no data helper or no data: random images of the same shape
        data = None
    if data is None:
        rng = np.random.default_rng(0)
        data = {
            "X_train": rng.standard_normal((num_train, 3, 32, 32), dtype=np.float32),
            "y_train": rng.integers(0, 10, num_train),
            "X_val": rng.standard_normal((1000, 3, 32, 32), dtype=np.float32),
            "y_val": rng.integers(0, 10, 1000),
        }
    np.random.seed(0)
    model = ThreeLayerConvNet(weight_scale=1e-3, hidden_dim=100, reg=1e-3, dtype=dtype)
    solver = Solver(model, data, num_epochs=1, batch_size=batch_size, update_rule="adam",
                    optim_config={"learning_rate": 1e-3}, verbose=False,
                    progress_bar=False, num_train_samples=1000, num_val_samples=1000)
    t0 = _now()
    solver.train()
    seconds = _now() - t0
    images = len(data["X_train"])
    result = {"seconds": seconds, "epoch_seconds": seconds * 49000 / images,
              "images": images, "batch_size": batch_size,
              "dtype": np.dtype(dtype).name, "data": data_name, "backend": fast_layers.backend()}
    if getattr(solver, "val_acc_history", None):
        result["val_acc"] = float(solver.val_acc_history[-1])
    return result


# ----------------------------------------------------------------------------- output

IMPL_ORDER = ["naive", "numpy", "fast", "torch", "floor"]


def _ms(t):
    return "-" if t is None else f"{1e3 * t:10.2f}"


def print_table(title, res, file=sys.stdout):
    print(f"\n{title}", file=file)
    head = f"  {'':7s} {'forward ms':>10s} {'backward ms':>11s} {'total ms':>10s}  {'x fast':>7s}"
    print(head, file=file)
    fast = res["times"].get("fast")
    for name in IMPL_ORDER:
        t = res["times"].get(name)
        if not t:
            continue
        rel = f"{t['total'] / fast['total']:7.2f}" if fast else "      -"
        print(f"  {name:7s} {_ms(t['forward'])} {_ms(t['backward']):>11s} {_ms(t['total'])}  "
              f"{rel}", file=file)
    for k, v in res["ratios"].items():
        print(f"    {k:24s} {v:8.2f}", file=file)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", metavar="FILE", help="also write all figures to FILE as JSON")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds per case (best is kept)")
    parser.add_argument("--quick", action="store_true", help="2 rounds and no training epoch")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive loop versions")
    parser.add_argument("--no-epoch", action="store_true", help="skip the ThreeLayerConvNet epoch")
    parser.add_argument("--epoch-images", type=int, default=49000,
                        help="training images in the timed epoch (default 49000, a full "
                             "CIFAR-10 epoch; fewer gives a time scaled to 49,000)")
    parser.add_argument("--only", choices=["conv", "pool", "epoch"], action="append",
                        help="run only these parts (repeatable)")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for BLAS and PyTorch (default: their own choice, "
                             "all cores); 1 gives steadier ratios on a busy machine")
    args = parser.parse_args(argv)
    if args.threads is not None:
        if os.environ.get("OPENBLAS_NUM_THREADS") != str(args.threads):
            print("warning: --threads only reaches BLAS when run as `python -m benchmarks.run`",
                  file=sys.stderr)
        if torch is not None:
            torch.set_num_threads(args.threads)
    repeats = 2 if args.quick else max(1, args.repeats)
    parts = set(args.only or ["conv", "pool", "epoch"])
    if args.quick or args.no_epoch:
        parts.discard("epoch")

    report = {
        "machine": {"python": platform.python_version(), "numpy": np.__version__,
                    "cpu_count": os.cpu_count(), "platform": platform.platform(),
                    "torch": None if torch is None else torch.__version__,
                    "torch_threads": None if torch is None else torch.get_num_threads(),
                    "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
                    "layer_threads": parallel.thread_count(),
                    "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
                    "extension": fast_layers.extension_available()},
        "repeats": repeats, "conv": [], "pool": [], "epoch": None,
    }
    load = report["machine"]["load_average"]
    print(f"numpy {np.__version__}, {os.cpu_count()} CPUs"
          f"{f' (load average {load[0]:.1f} at start)' if load else ''}, "
          f"threads: {os.environ.get('OPENBLAS_NUM_THREADS', 'default')} "
          f"(conv layers split over {parallel.thread_count()}), compiled extension: "
          f"{'yes' if fast_layers.extension_available() else 'NO (NumPy path only)'}, "
          f"PyTorch: {torch.__version__ if torch is not None else 'not installed'}; "
          f"best of {repeats} rounds")
    if "conv" in parts:
        for x_shape, w_shape, stride, pad, naive in CONV_SHAPES:
            for dtype in DTYPES:
                res = bench_conv(x_shape, w_shape, stride, pad, dtype, repeats,
                                 naive and not args.no_naive)
                name = np.dtype(dtype).name
                print_table(f"conv x{x_shape} w{w_shape} stride {stride} pad {pad} {name}", res)
                report["conv"].append({"x_shape": x_shape, "w_shape": w_shape, "stride": stride,
                                       "pad": pad, "dtype": name, **res})
    if "pool" in parts:
        for x_shape, size, stride, naive in POOL_SHAPES:
            for dtype in DTYPES:
                res = bench_pool(x_shape, size, stride, dtype, repeats, naive and not args.no_naive)
                name = np.dtype(dtype).name
                print_table(f"max pool {size}x{size} stride {stride} on {x_shape} {name}", res)
                report["pool"].append({"x_shape": x_shape, "pool": size, "stride": stride,
                                       "dtype": name, **res})
    if "epoch" in parts:
        res = bench_epoch(num_train=args.epoch_images)
        report["epoch"] = res
        if res and "seconds" in res:
            scaled = ("" if res["images"] >= 49000 else
                      f" -> {res['epoch_seconds']:.1f} s scaled to 49,000 images")
            print(f"\nThreeLayerConvNet, one epoch ({res['images']} images of {res['data']}, "
                  f"batch {res['batch_size']}, {res['dtype']}, {res['backend']} path): "
                  f"{res['seconds']:.1f} s{scaled}")
        else:
            print(f"\nThreeLayerConvNet epoch skipped: {res}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
