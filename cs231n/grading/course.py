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


@dataclass
class Course:
    assignments: dict[str, Assignment] = field(default_factory=dict)
    checks: dict[str, dict] = field(default_factory=dict)  # grade_id -> {value name: rule}

    def assignment(self, name: str | None) -> Assignment | None:
        if name is None:
            return None
        if name not in self.assignments:
            raise CourseError(f"no assignment {name!r} in {COURSE_FILE} "
                              f"(there are: {', '.join(self.assignments) or 'none'})")
        return self.assignments[name]

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
    course = Course(checks=dict(data.get("checks", {})))
    for name, a in data.get("assignments", {}).items():
        nbs = [Path(n).stem for n in a.get("notebooks", [])]
        if not nbs:
            raise CourseError(f"{path}: assignment {name} lists no notebooks")
        hidden = a.get("hidden")
        course.assignments[name] = Assignment(name, a.get("title", name), nbs,
                                              None if hidden is None else [Path(h).stem for h in hidden])
    return course
