"""The course file (``course.toml`` at the repository root): assignments and check rules."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.9/3.10
    import tomli as tomllib

COURSE_FILE = "course.toml"


class CourseError(ValueError):
    """course.toml is missing something or names something that does not exist."""


@dataclass
class Assignment:
    name: str
    title: str
    notebooks: list[str]  # stems, e.g. "01_knn"
    hidden: list[str] | None = None  # stems of the hidden probe files it uses (None: all)
    owns: list[str] = field(default_factory=list)  # "file" or "file:function" regions it owns
    earlier: str = "stubs"  # what its release does with earlier assignments' regions


@dataclass
class Course:
    assignments: dict[str, Assignment] = field(default_factory=dict)
    checks: dict[str, dict] = field(default_factory=dict)  # grade_id -> {value name: rule}
    notebooks: dict[str, dict] = field(default_factory=dict)  # stem -> {"about", "seconds"}

    def assignment(self, name: str | None) -> Assignment | None:
        if name is None:
            return None
        if name not in self.assignments:
            raise CourseError(f"no assignment {name!r} in {COURSE_FILE} "
                              f"(there are: {', '.join(self.assignments) or 'none'})")
        return self.assignments[name]

    def owner(self, rel: str, qualname: str) -> str | None:
        """The assignment that owns the region of ``qualname`` in file ``rel`` (a function
        entry wins over a whole-file one); None when no assignment names it."""
        whole = None
        for a in self.assignments.values():
            for entry in a.owns:
                f, _, fn = entry.partition(":")
                if f == rel and fn and fn == qualname:
                    return a.name
                if f == rel and not fn and whole is None:
                    whole = a.name
        return whole

    def has_owners(self) -> bool:
        return any(a.owns for a in self.assignments.values())

    def order(self, name: str) -> int:
        return list(self.assignments).index(name)

    def rules(self, grade_id: str) -> dict:
        return self.checks.get(grade_id, {})


def load(repo: Path) -> Course:
    """Read ``repo/course.toml``; a course without one has no assignments and default rules."""
    path = Path(repo) / COURSE_FILE
    if not path.is_file():
        return Course()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise CourseError(f"{path}: {e}") from None
    course = Course(checks=dict(data.get("checks", {})), notebooks=dict(data.get("notebooks", {})))
    for name, a in data.get("assignments", {}).items():
        nbs = [Path(n).stem for n in a.get("notebooks", [])]
        if not nbs:
            raise CourseError(f"{path}: assignment {name} lists no notebooks")
        hidden = a.get("hidden")
        earlier = a.get("earlier", "stubs")
        if earlier not in ("stubs", "reference"):
            raise CourseError(f"{path}: assignment {name}: earlier must be \"stubs\" or \"reference\"")
        course.assignments[name] = Assignment(name, a.get("title", name), nbs,
                                              None if hidden is None else [Path(h).stem for h in hidden],
                                              list(a.get("owns", [])), earlier)
    return course
