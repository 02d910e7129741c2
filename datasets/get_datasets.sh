#!/usr/bin/env bash
# Download CIFAR-10 (python version) into datasets/cifar-10-batches-py.
#
# - Does nothing when the data is already there.
# - Checks the archive's md5 before unpacking it.
# - Unpacks into a temporary folder that is renamed into place at the end, so an
#   interrupted run leaves no half dataset; refuses archive members that would
#   land outside that folder (absolute paths, "..", links, devices).
# - With no network it says so: the notebooks then run on the offline dataset.
#
# CIFAR10_URL and CIFAR10_MD5 override the source (used by the tests).
set -euo pipefail

cd "$(dirname "$0")"
URL="${CIFAR10_URL:-https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz}"
MD5="${CIFAR10_MD5:-c58f30108f718f92721af3b95e74349a}"
DEST="cifar-10-batches-py"
FILES="data_batch_1 data_batch_2 data_batch_3 data_batch_4 data_batch_5 test_batch batches.meta"
PYTHON="${PYTHON:-$(command -v python3 || command -v python)}"

complete=yes
for f in $FILES; do [ -s "$DEST/$f" ] || complete=no; done
if [ "$complete" = yes ]; then
  echo "CIFAR-10 is already in datasets/$DEST; nothing to do."
  exit 0
fi
if [ -e "$DEST" ]; then
  echo "datasets/$DEST exists but is incomplete; remove it and run this script again." >&2
  exit 1
fi

tmp="$(mktemp -d .download-XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

echo "Downloading CIFAR-10 from $URL ..."
if command -v curl >/dev/null 2>&1; then
  fetch=(curl -fL --retry 2 --connect-timeout 20 -o "$tmp/cifar-10-python.tar.gz" "$URL")
else
  fetch=(wget -q -O "$tmp/cifar-10-python.tar.gz" "$URL")
fi
if ! "${fetch[@]}"; then
  cat >&2 <<MSG
Could not download CIFAR-10 (no network, or the server did not answer).
The notebooks still run: with no CIFAR-10 they use a small offline dataset the
package generates. Run this script again when you are online, or set
CS231N_DATA_DIR to a folder that holds cifar-10-batches-py's files.
MSG
  exit 1
fi

"$PYTHON" - "$tmp/cifar-10-python.tar.gz" "$MD5" "$tmp/unpacked" <<'PY'
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

if [ ! -d "$tmp/unpacked/$DEST" ]; then
  echo "The archive has no $DEST folder; nothing was installed." >&2
  exit 1
fi
for f in $FILES; do
  if [ ! -s "$tmp/unpacked/$DEST/$f" ]; then
    echo "The archive lacks $DEST/$f; nothing was installed." >&2
    exit 1
  fi
done
mv "$tmp/unpacked/$DEST" "$DEST"
echo "CIFAR-10 is ready in datasets/$DEST."
