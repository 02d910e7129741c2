"""datasets/get_datasets.sh: checksum, safe extraction, atomic install, idempotence, offline message."""
import hashlib
import io
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "datasets" / "get_datasets.sh"
FILES = ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5",
         "test_batch", "batches.meta"]

pytestmark = pytest.mark.skipif(shutil.which("curl") is None and shutil.which("wget") is None,
                                reason="needs curl or wget")


def make_archive(path, members):
    """Write a .tar.gz with the given {name: bytes} members; returns its md5."""
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return hashlib.md5(path.read_bytes()).hexdigest()


def run_script(tmp_path, url, md5):
    """Run a copy of the script in tmp_path/datasets (so the repository's folder is untouched)."""
    folder = tmp_path / "datasets"
    folder.mkdir(exist_ok=True)
    shutil.copy(SCRIPT, folder / "get_datasets.sh")
    env = dict(os.environ, CIFAR10_URL=url, CIFAR10_MD5=md5)
    return subprocess.run(["bash", str(folder / "get_datasets.sh")], env=env,
                          capture_output=True, text=True, timeout=60)


def good_members():
    return {f"cifar-10-batches-py/{name}": b"x" * 10 for name in FILES}


def test_downloads_checks_and_installs(tmp_path):
    archive = tmp_path / "cifar.tar.gz"
    md5 = make_archive(archive, good_members())
    result = run_script(tmp_path, archive.as_uri(), md5)
    assert result.returncode == 0, result.stderr
    installed = tmp_path / "datasets" / "cifar-10-batches-py"
    assert sorted(p.name for p in installed.iterdir()) == sorted(FILES)
    assert not list((tmp_path / "datasets").glob(".download-*"))  # temporary folder removed
    again = run_script(tmp_path, "file:///nonexistent", md5)
    assert again.returncode == 0 and "nothing to do" in again.stdout


def test_checksum_mismatch_installs_nothing(tmp_path):
    archive = tmp_path / "cifar.tar.gz"
    make_archive(archive, good_members())
    result = run_script(tmp_path, archive.as_uri(), "0" * 32)
    assert result.returncode != 0 and "checksum mismatch" in result.stderr
    assert not (tmp_path / "datasets" / "cifar-10-batches-py").exists()


def test_member_escaping_the_folder_is_refused(tmp_path):
    archive = tmp_path / "cifar.tar.gz"
    members = good_members()
    members["../escaped"] = b"evil"
    md5 = make_archive(archive, members)
    result = run_script(tmp_path, archive.as_uri(), md5)
    assert result.returncode != 0 and "refusing" in result.stderr
    assert not (tmp_path / "escaped").exists()
    assert not (tmp_path / "datasets" / "cifar-10-batches-py").exists()


def test_no_network_says_the_notebooks_still_run(tmp_path):
    result = run_script(tmp_path, (tmp_path / "absent.tar.gz").as_uri(), "0" * 32)
    assert result.returncode != 0
    assert "Could not download" in result.stderr and "offline dataset" in result.stderr
    assert not (tmp_path / "datasets" / "cifar-10-batches-py").exists()
