"""The figures each fault scenario reports: what was written, what came out, and how fast it recovered.

A scenario counts effects where a user would see them (e-mails at the SMTP server, deliveries at a
webhook receiver, documents in a read model compared with the source of truth) and records one row.
The rows make the table printed at the end of the run (``conftest.py``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

TITLE = "fault injection: nothing lost, nothing doubled, nothing rolled back"
HEADER = (
    "| fault | events written | effects expected | effects found | duplicates suppressed | lost | doubled "
    "| rolled back | seconds to recover |"
)


@dataclass(frozen=True)
class FaultFigures:
    """One scenario's outcome; ``lost``, ``doubled`` and ``rolled_back`` must all be 0."""

    fault: str
    events_written: int
    expected: frozenset[Hashable]
    found: Counter[Hashable]
    duplicates_suppressed: int = 0
    rolled_back: int = 0
    seconds_to_recover: float = 0.0
    missing: tuple[Hashable, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "missing", tuple(sorted((k for k in self.expected if k not in self.found), key=str)))

    @property
    def effects_found(self) -> int:
        return sum(self.found.values())

    @property
    def lost(self) -> int:
        return len(self.missing)

    @property
    def doubled(self) -> int:
        return sum(count - 1 for count in self.found.values() if count > 1)

    @property
    def unexpected(self) -> list[Hashable]:
        return [key for key in self.found if key not in self.expected]

    def row(self) -> str:
        return (
            f"| {self.fault} | {self.events_written} | {len(self.expected)} | {self.effects_found} "
            f"| {self.duplicates_suppressed} | {self.lost} | {self.doubled} | {self.rolled_back} "
            f"| {self.seconds_to_recover:.1f} |"
        )

    def assert_exactly_once(self) -> None:
        """Fail naming what was lost, doubled, unexpected or rolled back."""
        doubled = {key: count for key, count in self.found.items() if count > 1}
        assert not self.missing, f"{self.fault}: lost {self.lost} effects, e.g. {list(self.missing)[:5]}"
        assert not doubled, f"{self.fault}: effects applied more than once: {dict(list(doubled.items())[:5])}"
        assert not self.unexpected, f"{self.fault}: effects nobody asked for: {self.unexpected[:5]}"
        assert self.rolled_back == 0, f"{self.fault}: {self.rolled_back} read-model documents moved backwards"


REPORT: list[FaultFigures] = []


def record(
    fault: str,
    *,
    events_written: int,
    expected: Iterable[Hashable],
    found: Iterable[Hashable],
    duplicates_suppressed: int = 0,
    rolled_back: int = 0,
    seconds_to_recover: float = 0.0,
) -> FaultFigures:
    """Count ``found`` (one item per observed effect, repeats included), keep the row, and return it."""
    figures = FaultFigures(
        fault=fault,
        events_written=events_written,
        expected=frozenset(expected),
        found=Counter(found),
        duplicates_suppressed=duplicates_suppressed,
        rolled_back=rolled_back,
        seconds_to_recover=seconds_to_recover,
    )
    REPORT.append(figures)
    return figures
