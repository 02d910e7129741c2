#!/usr/bin/env bash
# Download the course's datasets into datasets/:
#
#   bash datasets/get_datasets.sh                CIFAR-10 (python version) into datasets/cifar-10-batches-py
#   bash datasets/get_datasets.sh coco           CS231n's COCO captioning data (about 1 GB) into
#                                                datasets/coco_captioning (notebook 06)
#   bash datasets/get_datasets.sh cifar10 coco   both
#
# For each dataset:
# - Does nothing when the data is already there.
# - CIFAR-10: checks the archive's md5 before unpacking it. COCO captioning has no
#   published checksum: every member's CRC is checked, and the layout (every file
#   the loader reads) before anything is installed.
# - Unpacks into a temporary folder that is renamed into place at the end, so an
#   interrupted run leaves no half dataset; refuses archive members that would
#   land outside that folder (absolute paths, "..", links, devices).
# - With no network it says so: the notebooks then run on the offline datasets.
#
# CIFAR10_URL, CIFAR10_MD5 and COCO_URL override the sources (used by the tests).
set -euo pipefail

cd "$(dirname "$0")"
PYTHON="${PYTHON:-$(command -v python3 || command -v python)}"

temporaries=()
trap 'for d in "${temporaries[@]+"${temporaries[@]}"}"; do rm -rf "$d"; done' EXIT

fetch() {  # fetch URL FILE
  if command -v curl >/dev/null 2>&1; then
    curl -fL --retry 2 --connect-timeout 20 -o "$2" "$1"
  else
    wget -q -O "$2" "$1"
  fi
}

# download NAME URL FILE VARIABLE DEST STANDIN: fetch URL into FILE; without network, say what still works.
download() {
  echo "Downloading $1 from $2 ..."
  if ! fetch "$2" "$3"; then
    cat >&2 <<MSG
Could not download ${1% (*} (no network, or the server did not answer).
The notebooks still run: without it they use $6 the
package generates. Run this script again when you are online, or set
$4 to a folder that holds $5's files.
MSG
    exit 1
  fi
}

# already_there NAME DEST FILES...: true when every file is there; fails when DEST is incomplete.
already_there() {
  local name="$1" dest="$2" f complete=yes
  shift 2
  for f in "$@"; do [ -s "$dest/$f" ] || complete=no; done
  if [ "$complete" = yes ]; then
    echo "$name is already in datasets/$dest; nothing to do."
    return 0
  fi
  if [ -e "$dest" ]; then
    echo "datasets/$dest exists but is incomplete; remove it and run this script again." >&2
    exit 1
  fi
  return 1
}

# install_dataset NAME DEST UNPACKED FILES...: check the layout of UNPACKED/DEST, then rename it into place.
install_dataset() {
  local name="$1" dest="$2" unpacked="$3" f
  shift 3
  if [ ! -d "$unpacked/$dest" ]; then
    echo "The archive has no $dest folder; nothing was installed." >&2
    exit 1
  fi
  for f in "$@"; do
    if [ ! -s "$unpacked/$dest/$f" ]; then
      echo "The archive lacks $dest/$f; nothing was installed." >&2
      exit 1
    fi
  done
  mv "$unpacked/$dest" "$dest"
  echo "$name is ready in datasets/$dest."
}

get_cifar10() {
  local url="${CIFAR10_URL:-https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz}"
  local md5="${CIFAR10_MD5:-c58f30108f718f92721af3b95e74349a}"
  local dest="cifar-10-batches-py"
  local files=(data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch batches.meta)
  already_there CIFAR-10 "$dest" "${files[@]}" && return 0

  local tmp
  tmp="$(mktemp -d .download-XXXXXX)"
  temporaries+=("$tmp")
  download CIFAR-10 "$url" "$tmp/cifar-10-python.tar.gz" CS231N_DATA_DIR "$dest" "a small offline dataset"

  "$PYTHON" - "$tmp/cifar-10-python.tar.gz" "$md5" "$tmp/unpacked" <<'PY'
import hashlib, os, sys, tarfile

archive, expected_md5, out = sys.argv[1:4]
md5 = hashlib.md5()
with open(archive, "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
        md5.update(block)
if md5.hexdigest() != expected_md5:
    sys.exit(f"checksum mismatch: got md5 {md5.hexdigest()}, expected {expected_md5}; "
             "the download is corrupt or not CIFAR-10. Nothing was unpacked.")
os.makedirs(out)
root = os.path.realpath(out)
with tarfile.open(archive, "r:gz") as tar:
    members = tar.getmembers()
    for m in members:
        target = os.path.realpath(os.path.join(root, m.name))
        if os.path.isabs(m.name) or not target.startswith(root + os.sep):
            sys.exit(f"refusing archive member {m.name!r}: it would land outside the target folder")
        if not (m.isfile() or m.isdir()):
            sys.exit(f"refusing archive member {m.name!r}: only plain files and folders are expected")
    # Python's own "data" filter, where it exists, repeats these checks.
    safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
    for m in members:
        tar.extract(m, root, set_attrs=False, **safe)
PY
  install_dataset CIFAR-10 "$dest" "$tmp/unpacked" "${files[@]}"
}

get_coco() {
  local url="${COCO_URL:-http://cs231n.stanford.edu/coco_captioning.zip}"
  local dest="coco_captioning"
  # What cs231n/coco_utils.py reads (the full 4096-number features are optional).
  local files=(coco2014_captions.h5 coco2014_vocab.json train2014_urls.txt val2014_urls.txt
               train2014_vgg16_fc7_pca.h5 val2014_vgg16_fc7_pca.h5)
  already_there "COCO captioning" "$dest" "${files[@]}" && return 0

  local tmp
  tmp="$(mktemp -d .download-XXXXXX)"
  temporaries+=("$tmp")
  download "COCO captioning (about 1 GB)" "$url" "$tmp/coco_captioning.zip" CS231N_COCO_DIR "$dest" \
    "captions of an offline dataset"

  "$PYTHON" - "$tmp/coco_captioning.zip" "$tmp/unpacked" <<'PY'
import os, stat, sys, zipfile

archive, out = sys.argv[1:3]
try:
    zf = zipfile.ZipFile(archive)
except zipfile.BadZipFile as e:
    sys.exit(f"the download is not a zip archive ({e}); nothing was unpacked.")
os.makedirs(out)
root = os.path.realpath(out)
with zf:
    members = zf.infolist()
    for m in members:
        name = m.filename
        target = os.path.realpath(os.path.join(root, name))
        if os.path.isabs(name) or ":" in name.split("/")[0] or not target.startswith(root + os.sep):
            sys.exit(f"refusing archive member {name!r}: it would land outside the target folder")
        kind = stat.S_IFMT(m.external_attr >> 16)
        if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
            sys.exit(f"refusing archive member {name!r}: only plain files and folders are expected")
    broken = zf.testzip()  # no checksum is published: every member's CRC is checked instead
    if broken is not None:
        sys.exit(f"archive member {broken!r} is corrupt; nothing was unpacked.")
    for m in members:
        zf.extract(m, root)
PY
  install_dataset "COCO captioning" "$dest" "$tmp/unpacked" "${files[@]}"
}

[ "$#" -gt 0 ] || set -- cifar10
for dataset in "$@"; do
  case "$dataset" in
    cifar10) get_cifar10 ;;
    coco) get_coco ;;
    *) echo "unknown dataset '$dataset'; usage: bash datasets/get_datasets.sh [cifar10] [coco]" >&2; exit 2 ;;
  esac
done
