"""Find the matrix-product routines (CBLAS sgemm/dgemm) of the BLAS that NumPy uses.

The compiled convolution (``cs231n/im2col_cython.pyx``) runs each image's
im2col, matrix products and col2im in one loop without the GIL. For the
products it calls the very library behind ``numpy.dot``, so it is exactly as
fast as NumPy's own products and follows the same thread settings
(``cs231n/parallel.py`` holds it at one thread per worker). NumPy does not
publish a C interface to it, so this module looks the library up with
threadpoolctl and the two functions up by name:

- NumPy's wheels ship OpenBLAS with a 64-bit integer interface and prefixed
  names (``scipy_cblas_sgemm64_``; older wheels ``cblas_sgemm64_``);
- other OpenBLAS builds export plain ``cblas_sgemm``, whose integer width
  their configuration string tells.

Anything else (MKL, Accelerate, an unknown build) is not used: then
``find_gemm()`` returns None with the reason, and the fast layers do their
products with NumPy instead, a little slower.
"""
import ctypes
import os

import numpy as np

try:
    import threadpoolctl
except ImportError:                       # optional dependency: then no direct BLAS
    threadpoolctl = None

# (single, double, 64-bit integers?) in the order they are tried.
_NAMES = [
    ("scipy_cblas_sgemm64_", "scipy_cblas_dgemm64_", True),
    ("cblas_sgemm64_", "cblas_dgemm64_", True),
    ("cblas_sgemm", "cblas_dgemm", None),     # None: ask the library
]


def _numpy_blas_path():
    """Path of the BLAS library NumPy loaded, or None."""
    if threadpoolctl is None:
        return None
    libs = threadpoolctl.ThreadpoolController().select(user_api="blas").lib_controllers
    site = os.path.dirname(os.path.dirname(os.path.abspath(np.__file__)))
    # NumPy's own copy ships with it (numpy.libs/ in a Linux wheel, inside
    # numpy/ elsewhere); with a single BLAS loaded there is no doubt either.
    mine = [lib for lib in libs
            if os.path.relpath(os.path.abspath(lib.filepath), site).split(os.sep)[0]
            in ("numpy", "numpy.libs")]
    if len(mine) == 1:
        return mine[0].filepath
    if len(libs) == 1:
        return libs[0].filepath
    return None


def _openblas_int64(lib):
    """True/False for an OpenBLAS built with 64-/32-bit integers, None if unknown."""
    for name in ("openblas_get_config", "scipy_openblas_get_config64_",
                 "openblas_get_config64_"):
        fn = getattr(lib, name, None)
        if fn is not None:
            fn.restype = ctypes.c_char_p
            return b"USE64BITINT" in fn()
    return None


def find_gemm():
    """((sgemm address, dgemm address, 64-bit integers?), None) for NumPy's
    CBLAS products, or (None, reason) when they cannot be used safely."""
    path = _numpy_blas_path()
    if path is None:
        return None, "could not tell which BLAS library NumPy uses"
    try:
        lib = ctypes.CDLL(path)            # already loaded: this only finds it
    except OSError as exc:
        return None, f"could not open {path}: {exc}"
    for single, double, int64 in _NAMES:
        fs, fd = getattr(lib, single, None), getattr(lib, double, None)
        if fs is None or fd is None:
            continue
        if int64 is None:
            int64 = _openblas_int64(lib)
            if int64 is None:
                return None, f"{os.path.basename(path)} is not an OpenBLAS whose integer size is known"
        return (ctypes.cast(fs, ctypes.c_void_p).value,
                ctypes.cast(fd, ctypes.c_void_p).value, int64), None
    return None, f"{os.path.basename(path)} has no CBLAS sgemm/dgemm"
