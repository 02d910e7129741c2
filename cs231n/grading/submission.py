"""Submissions: building the zip a student hands in, and unpacking one safely."""
from __future__ import annotations

import os
import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

from . import nbmeta
from .manifest import student_files_of

MAX_BYTES = 200 * (1 << 20)  # unpacked size limit of one submission
MAX_FILES = 2000


class SubmissionError(ValueError):
    """A submission that cannot be built or accepted; the message says why."""


# -- cs231n submit -----------------------------------------------------------

def build_submission(root: Path, out: Path, partial: bool = False, warn=print) -> list[str]:
    """Zip the notebooks and the package files a student changes; return what went in.

    Refuses (SubmissionError naming every problem) when a required file is
    missing, a notebook cannot be read, or a notebook was never executed
    (``cs231n check --save`` runs and saves it). With ``partial`` the problems
    are only warned about and whatever is there is handed in (what is missing
    scores 0).
    """
    root = Path(root).resolve()
    notebooks, files = student_files_of(root)
    if not notebooks and not files:
        raise SubmissionError(f"{root}: no notebooks/ or student files found; run this in the course folder")
    problems = []
    for rel in notebooks + files:
        if not (root / rel).is_file():
            problems.append(f"{rel}: missing (it is part of the assignment)")
    for rel in notebooks:
        if not (root / rel).is_file():
            continue
        try:
            nb = nbmeta.read(root / rel)
        except Exception as e:  # noqa: BLE001 - any unreadable notebook is refused
            problems.append(f"{rel}: not a readable notebook ({type(e).__name__}: {e})")
            continue
        if not nbmeta.was_executed(nb):
            problems.append(f"{rel}: was never executed; run all its cells, save it, then submit")
    if problems and not partial:
        raise SubmissionError("submission refused:\n  " + "\n  ".join(problems) +
                              "\n(cs231n submit --partial hands in what is there; the rest scores 0)")
    for p in problems:
        warn(f"warning: {p}")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        done = [rel for rel in notebooks + files if (root / rel).is_file()]
        for rel in done:
            zf.write(root / rel, rel)
    os.replace(tmp, out)
    return done


# -- unpacking ---------------------------------------------------------------

def _check_name(name: str, where: str) -> PurePosixPath:
    if "\\" in name or "\x00" in name:
        raise SubmissionError(f"{where}: refused: entry {name!r} has a backslash or NUL in its path")
    p = PurePosixPath(name)
    if p.is_absolute() or name.startswith("/") or (p.parts and ":" in p.parts[0]):
        raise SubmissionError(f"{where}: refused: entry {name!r} has an absolute path")
    if ".." in p.parts:
        raise SubmissionError(f"{where}: refused: entry {name!r} escapes the folder ('..')")
    return p


def safe_extract(zip_path: Path, dest: Path, max_bytes: int = MAX_BYTES,
                 max_files: int = MAX_FILES) -> None:
    """Unpack ``zip_path`` into ``dest`` (created), or raise SubmissionError.

    Every entry is checked before anything is written: no absolute paths, no
    '..', no symbolic links or special files, at most ``max_files`` entries and
    ``max_bytes`` unpacked (the declared sizes are checked first, then the
    bytes actually written are counted, so a lying header does not help).
    """
    where = Path(zip_path).name
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as e:
        raise SubmissionError(f"{where}: refused: not a readable zip file ({e})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > max_files:
            raise SubmissionError(f"{where}: refused: {len(infos)} entries (limit {max_files})")
        total = 0
        for info in infos:
            _check_name(info.filename, where)
            kind = stat.S_IFMT(info.external_attr >> 16)
            if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
                raise SubmissionError(f"{where}: refused: entry {info.filename!r} is a link or special file")
            total += info.file_size
            if total > max_bytes:
                raise SubmissionError(f"{where}: refused: unpacks to more than {max_bytes // (1 << 20)} MB")
        dest = Path(dest)
        dest.mkdir(parents=True, exist_ok=True)
        base = dest.resolve()
        written = 0
        for info in infos:
            target = (dest / info.filename).resolve()
            if base != target and base not in target.parents:
                raise SubmissionError(f"{where}: refused: entry {info.filename!r} escapes the folder")
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as dst:
                while True:
                    chunk = src.read(1 << 20)
                    if not chunk:
                        break
                    written += len(chunk)
                    if written > max_bytes:
                        raise SubmissionError(
                            f"{where}: refused: unpacks to more than {max_bytes // (1 << 20)} MB")
                    dst.write(chunk)


def safe_copy_tree(src: Path, dest: Path, max_bytes: int = MAX_BYTES,
                   max_files: int = MAX_FILES) -> None:
    """Copy a submission folder, refusing links, special files and oversize trees."""
    src = Path(src)
    total, count = 0, 0
    for root, dirs, files in os.walk(src):
        for name in dirs + files:
            p = Path(root) / name
            st = p.lstat()
            rel = p.relative_to(src)
            if stat.S_ISLNK(st.st_mode):
                raise SubmissionError(f"{src.name}: refused: {rel} is a symbolic link")
            if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
                raise SubmissionError(f"{src.name}: refused: {rel} is a special file")
            if stat.S_ISREG(st.st_mode):
                total += st.st_size
                count += 1
        if total > max_bytes or count > max_files:
            raise SubmissionError(f"{src.name}: refused: more than {max_bytes // (1 << 20)} MB "
                                  f"or {max_files} files")
    shutil.copytree(src, dest, symlinks=True)


def find_root(folder: Path) -> Path:
    """The folder of a submission that holds notebooks/ or cs231n/ (depth <= 2)."""
    folder = Path(folder)
    frontier = [folder]
    for _ in range(3):
        nxt = []
        for d in frontier:
            if (d / "notebooks").is_dir() or (d / "cs231n").is_dir():
                return d
            nxt += [c for c in sorted(d.iterdir()) if c.is_dir() and c.name != "__MACOSX"]
        frontier = nxt
    # Notebooks zipped without their folder: accept loose *.ipynb at the top.
    return folder


def unpack(submission: Path, dest: Path, max_bytes: int = MAX_BYTES) -> Path:
    """Unpack a zip or copy a folder into ``dest``; return the submission's root inside it."""
    submission = Path(submission)
    if submission.is_dir():
        safe_copy_tree(submission, dest, max_bytes)
    elif zipfile.is_zipfile(submission):
        safe_extract(submission, dest, max_bytes)
    else:
        raise SubmissionError(f"{submission.name}: refused: neither a zip file nor a folder")
    return find_root(dest)
