"""Shared fixtures for the unit tests."""
import os

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _seed_numpy():
    """Every test starts from the same global random state."""
    np.random.seed(231)


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """Make the loaders use the offline dataset, whatever is on this machine."""
    monkeypatch.setenv("CS231N_DATA_DIR", str(tmp_path / "no-cifar-here"))
    monkeypatch.setenv("CS231N_OFFLINE", "1")


@pytest.fixture
def real_cifar_dir():
    """The CIFAR-10 folder named by CS231N_DATA_DIR, if it holds CIFAR-10; else skip."""
    path = os.environ.get("CS231N_DATA_DIR")
    if not path or not os.path.isfile(os.path.join(path, "data_batch_1")):
        pytest.skip("CS231N_DATA_DIR does not hold CIFAR-10")
    return path
