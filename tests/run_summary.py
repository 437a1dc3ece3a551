"""Lines printed at the end of a test run (the fault figures, the fuzzing counts, where the screenshots are).

The suites add them in their own process; under pytest-xdist that is a worker, so ``tests/conftest.py``
sends each worker's sections to the controlling process, which prints them once, merged.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Section:
    """A titled block of the summary: ``head`` is printed once, ``rows`` from every worker follow it."""

    title: str
    head: list[str] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [*self.head, *self.rows]


SECTIONS: dict[str, Section] = {}


def add(title: str, rows: list[str], head: list[str] | None = None) -> None:
    section = SECTIONS.setdefault(title, Section(title, head or []))
    section.rows.extend(rows)


def as_data() -> list[dict[str, object]]:
    """The sections as plain data, to cross from a worker to the controller."""
    return [{"title": s.title, "head": s.head, "rows": s.rows} for s in SECTIONS.values()]


def merge(data: list[dict[str, object]]) -> None:
    for section in data:
        add(str(section["title"]), list(section["rows"]), list(section["head"]))  # type: ignore[call-overload]
