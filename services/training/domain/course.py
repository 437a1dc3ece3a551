"""A course of the digital-skills catalogue: what it teaches and which maturity dimensions it improves.

Titles and descriptions are in Bulgarian, with English optional. A course is never deleted (sessions and
certificates name it); an admin or a clerk withdraws it from the catalogue (``active = False``), after which
no new session of it can be scheduled.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from services.training.domain.dimensions import Dimension
from shared.errors import Conflict, InvalidInput, Text

TITLE_LIMIT = 140
DESCRIPTION_LIMIT = 5000
MAX_HOURS = 400
"""The longest course the catalogue takes (academic hours)."""

INVALID = Text("Някои полета не са попълнени правилно.", "Some fields are not valid.")


class Level(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Format(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"

    @property
    def needs_room(self) -> bool:
        return self is not Format.ONLINE

    @property
    def needs_link(self) -> bool:
        return self is not Format.IN_PERSON


LEVEL_BG = {Level.BEGINNER: "начинаещи", Level.INTERMEDIATE: "средно ниво", Level.ADVANCED: "напреднали"}
FORMAT_BG = {Format.IN_PERSON: "присъствено", Format.ONLINE: "онлайн", Format.HYBRID: "хибридно"}


class CourseWithdrawn(Conflict):
    code = "course_withdrawn"

    def __init__(self, title: str) -> None:
        super().__init__(
            Text(
                f"Курсът „{title}“ е изваден от каталога: не могат да се насрочват нови сесии.",
                f"The course “{title}” has been withdrawn from the catalogue: no new sessions can be scheduled.",
            )
        )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _problems(course: Course) -> dict[str, Text]:
    """What is wrong with a course's fields, by field name (empty when it may be saved)."""
    problems: dict[str, Text] = {}
    for name, limit in (("title_bg", TITLE_LIMIT), ("description_bg", DESCRIPTION_LIMIT)):
        value = getattr(course, name)
        if not value:
            problems[name] = Text("Полето е задължително (на български).", "Required (in Bulgarian).")
        elif len(value) > limit:
            problems[name] = Text(f"По-дълго от допустимите {limit} знака.", f"Longer than {limit} characters.")
    for name, limit in (("title_en", TITLE_LIMIT), ("description_en", DESCRIPTION_LIMIT)):
        if len(getattr(course, name)) > limit:
            problems[name] = Text(f"По-дълго от допустимите {limit} знака.", f"Longer than {limit} characters.")
    if not course.dimensions:
        problems["dimensions"] = Text(
            "Изберете поне едно измерение на дигиталната зрялост.", "Choose at least one digital maturity dimension."
        )
    if not _is_int(course.hours) or not 1 <= course.hours <= MAX_HOURS:
        problems["hours"] = Text(
            f"Часовете трябва да са цяло число от 1 до {MAX_HOURS}.",
            f"Hours must be a whole number from 1 to {MAX_HOURS}.",
        )
    return problems


@dataclass
class Course:
    id: str
    title_bg: str
    description_bg: str
    dimensions: tuple[Dimension, ...]
    """The digital maturity dimensions the course improves (recommendations follow them)."""
    level: Level
    hours: int
    format: Format
    title_en: str = ""
    description_en: str = ""
    active: bool = True
    version: int = 0

    @classmethod
    def create(
        cls,
        id: str,
        title_bg: str,
        description_bg: str,
        dimensions: tuple[Dimension, ...] | list[Dimension],
        level: Level,
        hours: int,
        format: Format,
        title_en: str = "",
        description_en: str = "",
    ) -> Course:
        """A new course in the catalogue; ``InvalidInput`` names every bad field."""
        course = cls(
            id=id,
            title_bg=title_bg.strip(),
            description_bg=description_bg.strip(),
            dimensions=tuple(dict.fromkeys(Dimension(d) for d in dimensions)),
            level=Level(level),
            hours=hours,
            format=Format(format),
            title_en=title_en.strip(),
            description_en=description_en.strip(),
        )
        if problems := _problems(course):
            raise InvalidInput(INVALID, problems)
        return course

    def revise(self, **changes: Any) -> bool:
        """Change some fields (the same rules as creating); returns whether anything changed."""
        unknown = set(changes) - EDITABLE
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        for name in ("title_bg", "description_bg", "title_en", "description_en"):
            if name in changes:
                changes[name] = changes[name].strip()
        if "dimensions" in changes:
            changes["dimensions"] = tuple(dict.fromkeys(Dimension(d) for d in changes["dimensions"]))
        if "level" in changes:
            changes["level"] = Level(changes["level"])
        if "format" in changes:
            changes["format"] = Format(changes["format"])
        revised = replace(self, **changes)
        if problems := _problems(revised):
            raise InvalidInput(INVALID, problems)
        if revised == self:
            return False
        for name in changes:
            setattr(self, name, getattr(revised, name))
        return True

    def ensure_schedulable(self) -> None:
        if not self.active:
            raise CourseWithdrawn(self.title_bg)


EDITABLE = frozenset(
    {"title_bg", "description_bg", "title_en", "description_en", "dimensions", "level", "hours", "format", "active"}
)
