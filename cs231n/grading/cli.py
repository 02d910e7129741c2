"""The ``cs231n`` command: ``check`` and ``submit`` for students; ``release``,
``references``, ``grade`` and ``autograder`` for course staff (``staff.py``,
which a student's release does not contain).

Run ``cs231n COMMAND --help`` for the options of each command.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .limits import Limits


def _limits_args(p: argparse.ArgumentParser, cell=600.0, notebook=1800.0, mem=4096) -> None:
    g = p.add_argument_group("limits")
    g.add_argument("--cell-timeout", type=float, default=cell, help="seconds per cell (default %(default)s)")
    g.add_argument("--notebook-timeout", type=float, default=notebook,
                   help="seconds per notebook (default %(default)s)")
    g.add_argument("--memory-mb", type=int, default=mem,
                   help="address-space limit of each student process, MB (default %(default)s)")
    g.add_argument("--disk-mb", type=int, default=1024,
                   help="what one submission's code may write, MB (default %(default)s)")


def _limits(a) -> Limits:
    return Limits(cell_timeout=a.cell_timeout, notebook_timeout=a.notebook_timeout,
                  memory_mb=a.memory_mb, disk_mb=getattr(a, "disk_mb", 1024))


def default_repo() -> Path:
    """The course folder this package was installed from (editable install)."""
    return Path(__file__).resolve().parents[2]


def cmd_check(a) -> int:
    from .check import check
    return 0 if check(Path(a.root).resolve(), a.notebooks, _limits(a), save=a.save) else 1


def cmd_submit(a) -> int:
    from .submission import build_submission
    files = build_submission(Path(a.root), Path(a.out), partial=a.partial)
    print(f"wrote {a.out} with {len(files)} files:")
    for f in files:
        print(f"  {f}")
    return 0


def has_staff_commands() -> bool:
    """Whether this is the staff's copy (a student's release has no staff.py beside this file)."""
    return Path(__file__).with_name("staff.py").is_file()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cs231n", description="The course's command: check and submit your work"
                                + (" (and, for staff, release and grade it)" if has_staff_commands() else "") + ".")
    sub = p.add_subparsers(dest="command", required=True)
    repo_default = str(default_repo())
    c = sub.add_parser("check", help="run notebooks in a fresh kernel; table of graded cells")
    c.add_argument("notebooks", nargs="*", help="notebook paths or names (default: all)")
    c.add_argument("--root", default=repo_default, help="course folder (default %(default)s)")
    c.add_argument("--save", action="store_true",
                   help="keep the executed notebooks (with their outputs), as submit wants them")
    _limits_args(c)
    c.set_defaults(func=cmd_check)

    s = sub.add_parser("submit", help="zip the notebooks and your package files to hand in")
    s.add_argument("--out", default="submission.zip", help="zip to write (default %(default)s)")
    s.add_argument("--root", default=repo_default, help="course folder (default %(default)s)")
    s.add_argument("--partial", action="store_true",
                   help="hand in what is there even if notebooks are missing or were never run")
    s.set_defaults(func=cmd_submit)

    if has_staff_commands():
        from .staff import add_commands
        add_commands(sub, repo_default)
    return p


def main(argv=None) -> int:
    a = parser().parse_args(argv)
    errors: tuple = (FileNotFoundError,)
    if has_staff_commands():
        from .staff import ERRORS
        errors += ERRORS
    try:
        return a.func(a)
    except errors as e:
        print(f"cs231n {a.command}: error: {e}", file=sys.stderr)
        return 1
    except ValueError as e:  # SubmissionError and bad metadata
        print(f"cs231n {a.command}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
