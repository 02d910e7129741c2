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


# ---- COCO captioning: no published checksum, so the layout and every member's CRC are checked ----

COCO_FILES = ["coco2014_captions.h5", "coco2014_vocab.json", "train2014_urls.txt", "val2014_urls.txt",
              "train2014_vgg16_fc7_pca.h5", "val2014_vgg16_fc7_pca.h5"]


def make_zip(path, members, links=()):
    """Write a .zip with the given {name: bytes} members, and symbolic links {name: target}."""
    import stat
    import zipfile
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name, target in dict(links).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)


def run_coco(tmp_path, url, *args):
    folder = tmp_path / "datasets"
    folder.mkdir(exist_ok=True)
    shutil.copy(SCRIPT, folder / "get_datasets.sh")
    env = dict(os.environ, COCO_URL=url, CIFAR10_URL=(tmp_path / "no-cifar.tar.gz").as_uri())
    return subprocess.run(["bash", str(folder / "get_datasets.sh"), *(args or ("coco",))], env=env,
                          capture_output=True, text=True, timeout=60)


def coco_members():
    members = {f"coco_captioning/{name}": b"y" * 10 for name in COCO_FILES}
    members["coco_captioning/train2014_vgg16_fc7.h5"] = b"z" * 10     # optional files come along
    return members


def test_coco_downloads_checks_its_layout_and_installs_only_coco(tmp_path):
    archive = tmp_path / "coco.zip"
    make_zip(archive, coco_members())
    result = run_coco(tmp_path, archive.as_uri())
    assert result.returncode == 0, result.stderr
    installed = tmp_path / "datasets" / "coco_captioning"
    assert sorted(p.name for p in installed.iterdir()) == sorted(COCO_FILES + ["train2014_vgg16_fc7.h5"])
    assert not (tmp_path / "datasets" / "cifar-10-batches-py").exists(), "coco alone does not fetch CIFAR-10"
    assert not list((tmp_path / "datasets").glob(".download-*"))
    again = run_coco(tmp_path, "file:///nonexistent")
    assert again.returncode == 0 and "nothing to do" in again.stdout


def test_coco_archive_without_a_needed_file_installs_nothing(tmp_path):
    archive = tmp_path / "coco.zip"
    members = coco_members()
    del members["coco_captioning/coco2014_vocab.json"]
    make_zip(archive, members)
    result = run_coco(tmp_path, archive.as_uri())
    assert result.returncode != 0 and "lacks coco_captioning/coco2014_vocab.json" in result.stderr
    assert not (tmp_path / "datasets" / "coco_captioning").exists()


@pytest.mark.parametrize("members, links", [
    ({"../escaped": b"evil"}, {}),
    ({"/tmp/absolute-escape": b"evil"}, {}),
    ({}, {"coco_captioning/link": "/etc/passwd"}),
], ids=["dotdot", "absolute", "symlink"])
def test_coco_members_that_could_escape_are_refused(tmp_path, members, links):
    archive = tmp_path / "coco.zip"
    make_zip(archive, {**coco_members(), **members}, links)
    result = run_coco(tmp_path, archive.as_uri())
    assert result.returncode != 0 and "refusing archive member" in result.stderr
    assert not (tmp_path / "escaped").exists()
    assert not (tmp_path / "datasets" / "coco_captioning").exists()


def test_coco_download_that_is_not_a_zip_installs_nothing(tmp_path):
    archive = tmp_path / "coco.zip"
    archive.write_bytes(b"<html>503 Service Unavailable</html>")
    result = run_coco(tmp_path, archive.as_uri())
    assert result.returncode != 0 and "not a zip archive" in result.stderr
    assert not (tmp_path / "datasets" / "coco_captioning").exists()


def test_coco_without_network_says_the_notebooks_still_run(tmp_path):
    result = run_coco(tmp_path, (tmp_path / "absent.zip").as_uri())
    assert result.returncode != 0
    assert "Could not download COCO captioning" in result.stderr and "offline dataset" in result.stderr


def test_an_unknown_dataset_name_is_refused(tmp_path):
    result = run_coco(tmp_path, "file:///nonexistent", "imagenet")
    assert result.returncode == 2 and "usage" in result.stderr
