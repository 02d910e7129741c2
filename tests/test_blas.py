"""cs231n/blas.py: finding the CBLAS products of the BLAS that NumPy uses."""
import numpy as np
import pytest
import threadpoolctl

from cs231n import blas


def _numpy_uses_openblas():
    libs = threadpoolctl.ThreadpoolController().select(user_api="blas").lib_controllers
    return any(lib.internal_api == "openblas" for lib in libs)


def test_find_gemm_finds_numpys_openblas_products():
    np.ones((2, 2)) @ np.ones((2, 2))                 # BLAS is loaded
    found, reason = blas.find_gemm()
    if not _numpy_uses_openblas():
        pytest.skip(f"NumPy does not use OpenBLAS here ({reason})")
    assert found is not None, reason
    sgemm, dgemm, int64 = found
    assert sgemm and dgemm and sgemm != dgemm
    assert isinstance(int64, bool)


def test_find_gemm_says_why_when_it_cannot_tell_the_library(monkeypatch):
    monkeypatch.setattr(blas, "_numpy_blas_path", lambda: None)
    found, reason = blas.find_gemm()
    assert found is None and "which BLAS" in reason
