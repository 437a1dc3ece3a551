"""Time as a dependency, so that rules about deadlines can be tested without waiting."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SOFIA = ZoneInfo("Europe/Sofia")
"""Bulgaria's time zone: deadlines and dates people see are Sofia dates."""


def sofia_date(moment: datetime) -> date:
    """The calendar date in Bulgaria at ``moment`` (an aware datetime)."""
    if moment.tzinfo is None:
        raise ValueError("times are aware datetimes")
    return moment.astimezone(SOFIA).date()


def end_of_sofia_day(day: date) -> datetime:
    """The UTC instant the Sofia day after ``day`` begins: a deadline "until 30 November" lasts until then."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=SOFIA).astimezone(UTC)


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock for tests: stands still until moved."""

    def __init__(self, at: datetime) -> None:
        self._at = at

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta: float) -> None:
        self._at += timedelta(**delta)
