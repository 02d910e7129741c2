"""Values as data: read the ``.npz`` files that student processes write, safely.

Student code writes these files (``cs231n.record.record``, the probe runner),
so everything here treats them as hostile input: the file is opened without
following links and must be a regular file under a size limit; every member's
header is read before its data and the declared sizes are added up; object
arrays (pickles) are refused. What comes back is plain ``numpy`` arrays.
"""
from __future__ import annotations

import io
import os
import stat
import zipfile
from pathlib import Path

import numpy as np

MAX_FILE_BYTES = 256 << 20   # one values file
MAX_MEMBERS = 10_000


class BadValues(ValueError):
    """A values file that is not plain arrays within the limits."""


def read_file_nofollow(folder: Path, name: str, max_bytes: int = MAX_FILE_BYTES) -> bytes | None:
    """The bytes of ``folder/name`` if it is a regular file (not a link), else None.

    ``folder`` itself is opened without following a link, so neither a linked
    folder nor a linked file can make the grader read something else.
    """
    try:
        dfd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dfd)
    except OSError:
        return None
    finally:
        os.close(dfd)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None
        if st.st_size > max_bytes:
            raise BadValues(f"{name}: {st.st_size} bytes (limit {max_bytes})")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise BadValues(f"{name}: more than {max_bytes} bytes")
        return data
    finally:
        os.close(fd)


def load_npz(data: bytes, max_bytes: int = MAX_FILE_BYTES * 4) -> dict[str, np.ndarray]:
    """Parse npz bytes into arrays; raise BadValues on anything but plain arrays."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as e:
        raise BadValues(f"not an npz file ({type(e).__name__})") from None
    out: dict[str, np.ndarray] = {}
    total = 0
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise BadValues(f"{len(infos)} arrays (limit {MAX_MEMBERS})")
        for info in infos:
            if not info.filename.endswith(".npy"):
                raise BadValues("a member that is not an array")
            name = info.filename[:-4]
            try:
                with zf.open(info) as f:
                    version = np.lib.format.read_magic(f)
                    if version == (1, 0):
                        shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
                    elif version == (2, 0):
                        shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
                    else:
                        raise BadValues("unsupported array format")
                    if dtype.hasobject or dtype.kind not in "biufcU":
                        raise BadValues("an array of objects (refused: it could hold a pickle)")
                    total += int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
                    if total > max_bytes:
                        raise BadValues(f"arrays larger than {max_bytes} bytes in all")
                with zf.open(info) as f:
                    arr = np.lib.format.read_array(f, allow_pickle=False)
            except BadValues:
                raise
            except Exception as e:  # noqa: BLE001 - any malformed member
                raise BadValues(f"unreadable array ({type(e).__name__})") from None
            out[name] = arr
    return out


def dump_npz(values: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **values)
    return buf.getvalue()


def read_values(folder: Path, name: str) -> dict[str, np.ndarray] | None:
    """Arrays of ``folder/name``; None when the file is absent, a link or not a file."""
    data = read_file_nofollow(Path(folder), name)
    return None if data is None else load_npz(data)
