"""Start one program of a student's sandbox: ``python launch.py SPEC_JSON PROGRAM ARGS...``.

Run by the grader (as root when isolating) in a new process; it prepares that
process and then replaces itself with PROGRAM, so everything the student's
code starts inherits what it set up:

1. resource limits (address space, CPU seconds, file size, number of
   processes, no core dumps);
2. when asked and the kernel allows it, a private mount namespace in which
   the grader's folders (its home, the solution, references, hidden tests,
   work and results) are covered by empty read-only file systems, ``/tmp`` and
   ``/dev/shm`` are small private ones (the disk quota), and only what the
   program needs (the Python installation, the environment's packages, the
   data, the sandbox folder) is put back, read-only except the sandbox;
3. as root, the sandbox user: no supplementary groups, its own gid and uid;
   not as root, where the kernel allows it, user, mount and process
   namespaces of its own instead (``own_namespaces``), so that the mounts of
   step 2 are possible and the program can neither see nor signal the grader;
4. a new session, the sandbox folder as working directory, the environment
   given in the spec and nothing else.

This file uses the standard library only: it runs before anything else is
imported and must not depend on the package it protects.
"""
import ctypes
import json
import os
import resource
import sys

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID = 0x00020000, 0x10000000, 0x20000000
PR_SET_PDEATHSIG = 1
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = \
    1, 2, 4, 32, 4096, 16384, 1 << 18


def _libc():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [ctypes.c_char_p] * 3 + [ctypes.c_ulong, ctypes.c_char_p]
    return libc


def _check(ret, what):
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(libc, src, target, fstype, flags, data=None):
    _check(libc.mount(src.encode() if src else None, target.encode(),
                      fstype.encode() if fstype else None, flags,
                      data.encode() if data else None), f"mount {target}")


def _inside(path, folder):
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def private_mounts(hide, keep, tmpfs_mb):
    """Cover ``hide`` with empty file systems and bind ``keep`` back (read-only unless asked)."""
    libc = _libc()
    _check(libc.unshare(CLONE_NEWNS), "unshare")
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    covered = [h for h in dict.fromkeys(hide + ["/tmp", "/dev/shm"]) if os.path.isdir(h)]
    # A folder inside another covered one disappears with it.
    covered = [c for c in covered if not any(o != c and _inside(c, o) for o in covered)]
    hide = [h for h in covered if h not in ("/tmp", "/dev/shm")]
    keep = [(k, rw) for k, rw in keep if os.path.exists(k) and any(_inside(k, c) for c in covered)]
    # Hold on to what goes back before covering it: a path-only descriptor
    # stays valid, and /proc/self/fd/N names it for the bind mount.
    held = [(os.open(path, os.O_PATH), path, rw) for path, rw in keep]
    for h in sorted(hide, key=len):
        _mount(libc, "none", h, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755")
    for d in ("/tmp", "/dev/shm"):
        if os.path.isdir(d):
            _mount(libc, "none", d, "tmpfs", MS_NOSUID | MS_NODEV, f"size={tmpfs_mb}m,mode=1777")
    for fd, path, rw in sorted(held, key=lambda t: len(t[1])):
        os.makedirs(path, exist_ok=True)
        _mount(libc, f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        if not rw:
            _mount(libc, None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID)
        os.close(fd)
    for h in sorted(hide, key=len, reverse=True):  # the covers become read-only too
        libc.mount(None, h.encode(), None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, None)


def own_namespaces():
    """For a grader that is not root: user, mount and process namespaces of our own.

    In them this process may mount (so the grader's files can be covered as
    for root), and the program runs as process 1 of a process namespace: it
    cannot see or signal the grader, and when it ends (or the launcher dies)
    everything it started ends with it. Returns in the child; the launcher
    waits for it and exits with its status.
    """
    uid, gid = os.getuid(), os.getgid()
    libc = _libc()
    _check(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID), "unshare")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as f:
            f.write(text)
    pid = os.fork()
    if pid:
        _, status = os.waitpid(pid, 0)
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)
    if os.getppid() == 1:  # the launcher is already gone
        os._exit(1)


def main(argv):
    spec = json.loads(argv[1])
    program = argv[2:]
    for name, value in spec["rlimits"].items():
        resource.setrlimit(getattr(resource, name), tuple(value))
    if spec.get("userns"):
        try:
            own_namespaces()
        except OSError as e:
            sys.stderr.write(f"sandbox: namespaces failed: {e}\n")
            os._exit(96)
    if spec.get("mounts"):
        m = spec["mounts"]
        try:
            private_mounts(m["hide"], [tuple(k) for k in m["keep"]], m["tmpfs_mb"])
            if spec.get("userns"):  # this process namespace's own /proc
                _mount(_libc(), "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | 8)
        except OSError as e:
            if m.get("required"):
                sys.stderr.write(f"sandbox: private mounts failed: {e}\n")
                os._exit(97)
    os.setsid()
    if spec.get("uid") is not None:
        os.setgroups([])
        os.setgid(spec["gid"])
        os.setuid(spec["uid"])
        if os.getuid() != spec["uid"] or os.geteuid() != spec["uid"]:
            os._exit(98)
    os.umask(0o077)
    os.chdir(spec["cwd"])
    os.execve(program[0], program, spec["env"])


if __name__ == "__main__":
    main(sys.argv)
