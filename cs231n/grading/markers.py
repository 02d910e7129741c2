"""Solution regions: find them, check them, replace them with stubs.

A region is the lines between a ``### BEGIN SOLUTION`` line and the next
``### END SOLUTION`` line (markers on lines of their own, nbgrader's
spelling). Regions may not nest and must be balanced; every problem is reported
as ``file:line: message`` through :class:`MarkerError`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
_BEGIN_RE = re.compile(r"^(\s*)### BEGIN SOLUTION\s*$")
_END_RE = re.compile(r"^(\s*)### END SOLUTION\s*$")

ANSWER_PROMPT = "*Write your answer here (replace this line).*"


class MarkerError(ValueError):
    """A malformed solution region; the message starts with ``file:line:``."""


@dataclass(frozen=True)
class Region:
    begin: int  # 0-based index of the BEGIN line
    end: int  # 0-based index of the END line
    indent: str


def _is_marker_like(line: str) -> bool:
    """A line that starts (after indentation) with a marker; mentions in prose don't."""
    stripped = line.lstrip()
    return stripped.startswith(BEGIN) or stripped.startswith(END)


def has_markers(text: str) -> bool:
    return any(_is_marker_like(line) for line in text.splitlines())


def find_regions(text: str, where: str = "<text>", line_offset: int = 0) -> list[Region]:
    """Return the regions in ``text``; raise MarkerError on a bad marker.

    ``where`` names the file (or notebook cell) in messages; ``line_offset`` is
    added to line numbers in messages.
    """
    regions: list[Region] = []
    open_at: int | None = None
    indent = ""
    for i, line in enumerate(text.splitlines()):
        lineno = i + 1 + line_offset
        if _BEGIN_RE.match(line):
            if open_at is not None:
                raise MarkerError(
                    f"{where}:{lineno}: nested '{BEGIN}' (the region opened at line "
                    f"{open_at + 1 + line_offset} is not closed)"
                )
            open_at, indent = i, _BEGIN_RE.match(line).group(1)
        elif _END_RE.match(line):
            if open_at is None:
                raise MarkerError(f"{where}:{lineno}: '{END}' without a matching '{BEGIN}'")
            regions.append(Region(open_at, i, indent))
            open_at = None
        elif _is_marker_like(line):
            raise MarkerError(f"{where}:{lineno}: a solution marker must be alone on its line")
    if open_at is not None:
        raise MarkerError(
            f"{where}:{open_at + 1 + line_offset}: '{BEGIN}' is never closed by '{END}'"
        )
    return regions


def strip_regions(text: str, where: str = "<text>", todo: str = "TODO: write this code",
                  kind: str = "code") -> str:
    """Replace every region by a stub at the region's indentation.

    kind="code": ``# <todo>`` and ``raise NotImplementedError(<todo>)``;
    kind="markdown": an answer prompt.
    """
    regions = find_regions(text, where)
    if not regions:
        return text
    lines = text.splitlines()
    out: list[str] = []
    prev = 0
    for r in regions:
        out.extend(lines[prev:r.begin])
        if kind == "markdown":
            out.append(r.indent + ANSWER_PROMPT)
        else:
            out.append(f"{r.indent}# {todo}")
            out.append(f"{r.indent}raise NotImplementedError({todo!r})")
        prev = r.end + 1
    out.extend(lines[prev:])
    result = "\n".join(out)
    if text.endswith("\n"):
        result += "\n"
    return result


def strip_source_file(text: str, where: str, keep=None) -> str:
    """Strip a .py/.pyx file; regions must sit inside a function body.

    A region at module level would make the released module raise on import,
    so it is refused. Each stub names its file, function and task (``stub_task``).
    ``keep(qualname)``: True for a region whose code stays (reference code of
    another assignment); only its markers go.
    """
    regions = find_regions(text, where)
    lines = text.splitlines()
    for r in regions:
        if r.indent == "":
            raise MarkerError(
                f"{where}:{r.begin + 1}: solution region at module level; the released "
                "module would raise on import (put the region inside a function body)"
            )
    if not regions:
        return text
    out: list[str] = []
    prev = 0
    for r in regions:
        out.extend(lines[prev:r.begin])
        if keep is not None and keep(region_owner(lines, r)):
            out.extend(lines[r.begin + 1:r.end])
        else:
            todo = stub_task(lines, r, where)
            out.append(f"{r.indent}# {todo}")
            out.append(f"{r.indent}raise NotImplementedError({todo!r})")
        prev = r.end + 1
    out.extend(lines[prev:])
    result = "\n".join(out)
    return result + "\n" if text.endswith("\n") else result


def region_owner(lines: list[str], r: Region) -> str:
    """``Class.method`` or ``function`` around region ``r`` ("" at module level)."""
    func = _enclosing_def(lines, r.begin, len(r.indent))
    if func is None:
        return ""
    cls = _enclosing_class(lines, func[0])
    return f"{cls}.{func[1]}" if cls else func[1]


def regions_by_owner(text: str, where: str) -> list[str]:
    """The owner (``region_owner``) of each region of a source file, in order."""
    lines = text.splitlines()
    return [region_owner(lines, r) for r in find_regions(text, where)]


def stub_task(lines: list[str], r: Region, where: str) -> str:
    """``TODO (file, Class.function): task``, the task one line long.

    The task is the comment line just above the region when there is one (a
    step of a longer function), else the first line of the function's docstring.
    """
    func = _enclosing_def(lines, r.begin, len(r.indent))
    owner = region_owner(lines, r)
    name = f"{where}, {owner}" if owner else where
    block = []  # the comment lines just above the region (past placeholders like `out = None`)
    j = r.begin - 1
    while j >= 0 and _PLACEHOLDER.match(lines[j]):
        j -= 1
    while j >= 0 and lines[j].strip().startswith("#") and not lines[j].strip().startswith("###"):
        block.insert(0, lines[j].strip().lstrip("#").strip())
        j -= 1
    task = " ".join(block)
    if len(task) > 160:
        task = task[:157].rsplit(" ", 1)[0] + " ..."
    if not task and func is not None:
        task = _docstring_line(lines, func[0])
    return f"TODO ({name}): {task or 'complete this code (see the docstring)'}"


def _docstring_line(lines: list[str], def_line: int) -> str:
    """The first line of the docstring of the def on ``def_line``, without its quotes."""
    j = def_line
    while j < len(lines) and not lines[j].rstrip().endswith(":"):
        j += 1  # a signature over several lines
    for k in range(j + 1, min(j + 3, len(lines))):
        t = lines[k].strip()
        for q in ('"""', "'''"):
            if t.startswith(q):
                return t[3:].split(q)[0].strip()
        if t:
            return ""
    return ""


_PLACEHOLDER = re.compile(r"^\s*[\w, ]+ = (None|0|0\.0|\{\}|\[\])(, (None|0|0\.0|\{\}|\[\]))*\s*$")
_CLASS_RE = re.compile(r"^(\s*)(?:cdef\s+)?class\s+(\w+)")


def _enclosing_class(lines: list[str], index: int) -> str | None:
    indent = len(lines[index]) - len(lines[index].lstrip())
    for j in range(index - 1, -1, -1):
        m = _CLASS_RE.match(lines[j])
        if m and len(m.group(1)) < indent:
            return m.group(2)
        d = _DEF_RE.match(lines[j])
        if d and len(d.group(1)) < indent:
            return None
    return None


_DEF_RE = re.compile(r"^(\s*)(?:async\s+)?(?:c?p?def|def)\s+(?:[\w\[\], .*]+\s+)?(\w+)\s*\(")


def _enclosing_def(lines: list[str], index: int, indent: int) -> tuple[int, str] | None:
    """(line index, name) of the innermost def around line ``index``."""
    for j in range(index - 1, -1, -1):
        m = _DEF_RE.match(lines[j])
        if m and len(m.group(1)) < indent:
            return j, m.group(2)
    return None
