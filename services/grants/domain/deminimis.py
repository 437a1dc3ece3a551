"""De minimis aid under Regulation (EU) 2023/2831: €300 000 per single undertaking over any three years.

The ceiling is checked at the date the right to the aid is conferred (the award's date). The period is
rolling: it is the three years that end on that date, counted in calendar years back from it. Aid counts
when it was granted *after* the same calendar date three years earlier and *not after* the award's date:
for an award on 15 June 2027 the window holds aid granted from 16 June 2024 to 15 June 2027. When the
award falls on 29 February, three years earlier has no 29 February and the window starts on 1 March
(after 28 February). Aid the enterprise declares from elsewhere and aid granted on the platform both count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from services.grants.domain.money import DE_MINIMIS_CEILING_CENTS

WINDOW_YEARS = 3


class AidSource(StrEnum):
    DECLARED = "declared"
    """Declared by the enterprise: de minimis aid from another grantor."""
    PLATFORM = "platform"
    """Awarded on this platform."""


@dataclass(frozen=True)
class Aid:
    granted_on: date
    amount_cents: int
    source: AidSource
    grantor: str = ""


def years_before(day: date, years: int) -> date:
    """The same calendar date ``years`` earlier; 29 February falls back to 28 February in a common year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February → a year without it
        return day.replace(year=day.year - years, day=28)


def window(on: date) -> tuple[date, date]:
    """The first and last day (both included) of the three-year period that ends on ``on``."""
    return years_before(on, WINDOW_YEARS) + timedelta(days=1), on


def counted(aids: Iterable[Aid], on: date) -> list[Aid]:
    first, last = window(on)
    return [aid for aid in aids if first <= aid.granted_on <= last]


@dataclass(frozen=True)
class DeMinimisCheck:
    on: date
    first_day: date
    received_cents: int
    requested_cents: int
    ceiling_cents: int

    @property
    def headroom_cents(self) -> int:
        """What may still be granted on ``on`` (never negative)."""
        return max(0, self.ceiling_cents - self.received_cents)

    @property
    def passed(self) -> bool:
        return self.received_cents + self.requested_cents <= self.ceiling_cents


def check(
    aids: Iterable[Aid], requested_cents: int, on: date, ceiling_cents: int = DE_MINIMIS_CEILING_CENTS
) -> DeMinimisCheck:
    """Whether ``requested_cents`` granted on ``on`` keeps the undertaking within the ceiling."""
    inside = counted(aids, on)
    first, _ = window(on)
    return DeMinimisCheck(
        on=on,
        first_day=first,
        received_cents=sum(aid.amount_cents for aid in inside),
        requested_cents=requested_cents,
        ceiling_cents=ceiling_cents,
    )
