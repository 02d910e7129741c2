"""Where student code runs: one sandbox per submission, and everything in it killed at the end.

A :class:`Sandbox` owns a folder (the submission's private course copy, an
empty home, a temporary folder) and, when the grader is root, a user id of its
own with no name, no groups and no rights beyond that folder. Every program
in it (the notebook runner and its kernel, the probe runner, whatever those
start) is started through ``launch.py`` with the limits and, where the kernel
allows, private mounts that hide the grader's files. Nothing a sandbox
program writes is trusted: the grader reads back only values files, without
following links, after :meth:`Sandbox.kill_all` has killed every process of
the sandbox user, and decides every verdict in its own process.

When the grader is not root there is no second user: student code could then
touch the grader's files, so ``cs231n grade`` warns loudly, and refuses with
``--require-isolation``.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import json
from dataclasses import dataclass, field
from pathlib import Path

from .limits import MB, Limits

UID_BASE = 61_000  # sandbox users are uids UID_BASE + slot, with no entry in /etc/passwd
LAUNCHER = Path(__file__).with_name("launch.py")
RUNNER = Path(__file__).with_name("runner.py")  # copied into each sandbox


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@dataclass
class RunResult:
    returncode: int | None
    stdout: bytes
    timed_out: bool = False
    over_quota: bool = False


@dataclass
class Sandbox:
    """A private folder, a user id (when root) and a way to run and kill programs in it."""
    limits: Limits
    slot: int = 0
    isolate: bool = field(default_factory=is_root)
    protect: list = field(default_factory=list)  # grader folders to hide from student code
    namespaces: bool = True  # not root: try user namespaces (False: plain processes)

    def __post_init__(self):
        base = tempfile.mkdtemp(prefix="cs231n-sandbox-")
        self.base = Path(base)
        os.chmod(self.base, 0o711)  # others may pass through to their folder, not list it
        self.folder = self.base / "box"
        self.uid = UID_BASE + self.slot if self.isolate else None
        self.folder.mkdir(mode=0o700)
        for sub in ("course", "home", "tmp", "record"):
            (self.folder / sub).mkdir(mode=0o700)
        shutil.copy2(RUNNER, self.base / "runner.py")  # root-owned: the sandbox cannot change it
        os.chmod(self.base / "runner.py", 0o644)
        self._chown_tree()
        self.mounts_ok = self.isolate and _can_unshare()
        # Not root: namespaces of its own, where the kernel lets an ordinary user make them.
        self.userns = not self.isolate and self.namespaces and _can_unshare_user()

    python = sys.executable

    @property
    def runner(self) -> Path:
        return self.base / "runner.py"

    def write_spec(self, name: str, data) -> Path:
        """A file the sandbox may read but not change (root-owned, beside the runner)."""
        path = self.base / "spec" / name
        path.parent.mkdir(mode=0o755, exist_ok=True)
        if isinstance(data, (bytes, bytearray)):
            path.write_bytes(data)
        else:
            path.write_text(json.dumps(data))
        os.chmod(path, 0o644)
        return path

    @property
    def course(self) -> Path:
        return self.folder / "course"

    @property
    def record_dir(self) -> Path:
        return self.folder / "record"

    def _chown_tree(self):
        if self.uid is None:
            return
        for root, dirs, files in os.walk(self.folder):
            for name in [root, *[os.path.join(root, d) for d in dirs],
                         *[os.path.join(root, f) for f in files]]:
                os.lchown(name, self.uid, self.uid)

    def hand_over(self):
        """Give the sandbox user what the grader just put into the folder."""
        self._chown_tree()

    def reset_record_dir(self):
        """An empty record folder (the old one is removed without following links)."""
        self.kill_all()
        shutil.rmtree(self.record_dir, ignore_errors=True)
        if self.record_dir.is_symlink() or self.record_dir.exists():
            self.record_dir.unlink()
        self.record_dir.mkdir(mode=0o700)
        if self.uid is not None:
            os.lchown(self.record_dir, self.uid, self.uid)

    def env(self, extra: dict | None = None) -> dict:
        env = {"PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin",
               "HOME": str(self.folder / "home"), "TMPDIR": str(self.folder / "tmp"),
               "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1",
               "JUPYTER_PLATFORM_DIRS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
               "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        for k, v in os.environ.items():
            if k.startswith("CS231N_") or k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
                env[k] = v
        env.update(extra or {})
        return env

    @property
    def sandboxed(self) -> bool:
        """Whether student code is kept from the grader's files (a user or namespaces of its own)."""
        return self.isolate or self.userns

    def _mounts(self) -> dict | None:
        if not (self.mounts_ok or self.userns):
            return None
        keep = [(str(Path(sys.base_prefix).resolve()), False), (str(Path(sys.prefix).resolve()), False),
                (str(self.base), False), (str(self.folder), True)]
        for p in (os.environ.get("CS231N_DATA_DIR"),):
            if p and os.path.isdir(p):
                keep.append((str(Path(p).resolve()), False))
        hide = [str(Path(p).resolve()) for p in self.protect if p] + [os.path.expanduser("~")]
        return {"hide": hide, "keep": keep, "tmpfs_mb": self.limits.disk_mb // 2, "required": True}

    def run(self, argv: list[str], timeout: float, env: dict | None = None,
            max_output: int = 64 * MB, cwd: Path | None = None) -> RunResult:
        """Run ``argv`` in the sandbox and kill all it started; stdout (capped) comes back.

        A watchdog stops the run at ``timeout`` seconds or when the sandbox has
        written more than the disk quota. Once the program exits, anything it
        left running (also a process holding its stdout open) is killed.
        """
        rlimits = self.limits.rlimits(self.isolate)
        if self.userns:  # counted per user: the user's own processes plus the sandbox's share
            n = len(processes_of(os.getuid())) + self.limits.processes
            rlimits["RLIMIT_NPROC"] = (n, n)
        spec = {"rlimits": rlimits, "uid": self.uid, "gid": self.uid, "userns": self.userns,
                "cwd": str(cwd or self.course), "env": self.env(env), "mounts": self._mounts()}
        cmd = [sys.executable, "-I", "-S", str(LAUNCHER), json.dumps(spec), *argv]
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=None if os.environ.get("CS231N_SANDBOX_STDERR") else subprocess.DEVNULL,
                                close_fds=True)
        chunks: list[bytes] = []

        def reader():
            size = 0
            while True:
                chunk = proc.stdout.read1(1 << 16)
                if not chunk:
                    return
                if size < max_output:
                    chunks.append(chunk[:max_output - size])
                size += len(chunk)

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        timed_out = over_quota = False
        end = time.monotonic() + timeout
        while True:
            try:
                proc.wait(timeout=1.0)
                break
            except subprocess.TimeoutExpired:
                pass
            if time.monotonic() > end:
                timed_out = True
                break
            if self.disk_usage() > self.limits.disk_mb * MB:
                over_quota = True
                break
        self.kill_all(proc)
        t.join(timeout=30)
        proc.stdout.close()
        return RunResult(proc.returncode, b"".join(chunks), timed_out, over_quota)

    def disk_usage(self) -> int:
        total = 0
        for root, dirs, files in os.walk(self.folder):
            for name in files:
                try:
                    total += os.lstat(os.path.join(root, name)).st_blocks * 512
                except OSError:
                    pass
        return total

    def kill_all(self, proc: subprocess.Popen | None = None) -> None:
        """Kill every process of the sandbox: by user when isolated, else ``proc``'s tree."""
        tree = _descendants(proc.pid) if proc is not None and self.uid is None else []
        if proc is not None and proc.poll() is None:
            tree.append(proc.pid)
        for pid in tree:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if proc is not None:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        if self.uid is None:
            return
        for _ in range(50):
            if not kill_user(self.uid):
                return
            time.sleep(0.05)

    def close(self) -> None:
        self.kill_all()
        for d in ("/tmp", "/var/tmp", "/dev/shm"):
            _remove_owned_by(Path(d), self.uid)
        shutil.rmtree(self.base, ignore_errors=True)


def _descendants(pid: int) -> list[int]:
    """Processes started from ``pid`` that are still its descendants (no user of their own)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def processes_of(uid: int) -> list[int]:
    pids = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status") as f:
                for line in f:
                    if line.startswith("Uid:"):
                        if uid in {int(x) for x in line.split()[1:]}:
                            pids.append(int(entry.name))
                        break
        except OSError:
            pass
    return pids


def kill_user(uid: int) -> bool:
    """SIGKILL every process of ``uid``; True if there were any."""
    pids = processes_of(uid)
    if not pids:
        return False
    # kill(-1) as that user reaches all of its processes at once, so a fork
    # loop cannot outrun a walk over /proc.
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    return True


def _remove_owned_by(folder: Path, uid: int | None) -> None:
    if uid is None or not folder.is_dir():
        return
    for entry in os.scandir(folder):
        try:
            if entry.stat(follow_symlinks=False).st_uid == uid:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
        except OSError:
            pass


_UNSHARE: bool | None = None
_UNSHARE_USER: bool | None = None


def _can_unshare_user() -> bool:
    """Whether an ordinary user may make user, mount and process namespaces here."""
    global _UNSHARE_USER
    if _UNSHARE_USER is None:
        try:
            r = subprocess.run(["unshare", "--user", "--mount", "--pid", "--fork", "true"],
                               capture_output=True, timeout=10)
            _UNSHARE_USER = r.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            _UNSHARE_USER = False
    return _UNSHARE_USER


def _can_unshare() -> bool:
    """Whether this kernel lets the grader make private mounts (not inside most containers)."""
    global _UNSHARE
    if _UNSHARE is None:
        try:
            r = subprocess.run(["unshare", "-m", "true"], capture_output=True, timeout=10)
            _UNSHARE = r.returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            _UNSHARE = False
    return _UNSHARE
