"""Time rules of the timetable: Sofia wall-clock times ⇄ UTC, and overlapping bookings of a trainer or a room.

People enter and read times as Europe/Sofia wall-clock times; the platform stores and compares UTC
instants. A wall-clock time is only a point in time once the zone's rules say which offset applies on
that day, so the conversion goes through ``zoneinfo`` (never a fixed +02:00): 10:00 in Sofia is 07:00 UTC
on the Sunday summer time starts (28 March 2027) and 08:00 UTC on the Sunday it ends (31 October 2027).
Two wall-clock times do not name exactly one instant and are refused: one that the clocks skip in spring
(03:00–03:59 on the last Sunday of March) and one that happens twice in autumn (03:00–03:59 on the last
Sunday of October), unless it comes with an explicit offset.

Intervals are half-open, ``[starts_at, ends_at)``: a meeting ending at 12:00 and another starting at 12:00
in the same room do not overlap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from shared.clock import SOFIA
from shared.errors import Conflict, Text


class LocalTimeError(ValueError):
    """A Sofia wall-clock time that does not name exactly one instant."""

    def __init__(self, moment: datetime, text: Text) -> None:
        super().__init__(text.en)
        self.moment = moment
        self.text = text


class NonexistentLocalTime(LocalTimeError):
    def __init__(self, moment: datetime) -> None:
        shown = moment.strftime("%d.%m.%Y %H:%M")
        super().__init__(
            moment,
            Text(
                f"Часът {shown} не съществува в София (часовниците се местят напред).",
                f"{shown} does not exist in Sofia (the clocks go forward).",
            ),
        )


class AmbiguousLocalTime(LocalTimeError):
    def __init__(self, moment: datetime) -> None:
        shown = moment.strftime("%d.%m.%Y %H:%M")
        super().__init__(
            moment,
            Text(
                f"Часът {shown} настъпва два пъти в София (часовниците се връщат назад); посочете отместване, "
                "напр. +03:00 или +02:00.",
                f"{shown} happens twice in Sofia (the clocks go back); give an offset such as +03:00 or +02:00.",
            ),
        )


def sofia_to_utc(wall_clock: datetime) -> datetime:
    """The UTC instant of a naive Sofia wall-clock time; raises ``LocalTimeError`` in the DST gap or overlap."""
    if wall_clock.tzinfo is not None:
        raise ValueError("a wall-clock time has no offset; use to_utc for aware times")
    earlier = wall_clock.replace(tzinfo=SOFIA, fold=0)
    later = wall_clock.replace(tzinfo=SOFIA, fold=1)
    if earlier.utcoffset() != later.utcoffset():
        # Either the clocks skip this hour or it happens twice; a time that round-trips exists once per fold.
        if earlier.astimezone(UTC).astimezone(SOFIA).replace(tzinfo=None) != wall_clock:
            raise NonexistentLocalTime(wall_clock)
        raise AmbiguousLocalTime(wall_clock)
    return earlier.astimezone(UTC)


def to_utc(moment: datetime) -> datetime:
    """An aware time in UTC; a naive one is read as Sofia wall-clock time."""
    if moment.tzinfo is None:
        return sofia_to_utc(moment)
    return moment.astimezone(UTC)


def in_sofia(moment: datetime) -> datetime:
    """An aware instant as Sofia local time (with its offset of that day: +02:00 or +03:00)."""
    if moment.tzinfo is None:
        raise ValueError("times are aware datetimes")
    return moment.astimezone(SOFIA)


def sofia_text(moment: datetime) -> str:
    """„28.03.2027 10:00“: how a time is shown in messages."""
    return in_sofia(moment).strftime("%d.%m.%Y %H:%M")


def span_text(starts_at: datetime, ends_at: datetime) -> str:
    """„28.03.2027 10:00–12:00“ (the end's date is shown too when it is another Sofia day)."""
    start, end = in_sofia(starts_at), in_sofia(ends_at)
    end_shown = end.strftime("%H:%M") if end.date() == start.date() else end.strftime("%d.%m.%Y %H:%M")
    return f"{start.strftime('%d.%m.%Y %H:%M')}–{end_shown}"


# ---------------------------------------------------------------------- overlaps
def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals overlap: back-to-back meetings (one ends as the other starts) do not."""
    return a_start < b_end and b_start < a_end


@dataclass(frozen=True)
class Slot:
    """An interval of time, in UTC."""

    starts_at: datetime
    ends_at: datetime

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at


@dataclass(frozen=True)
class Booked:
    """An interval a trainer or a room is already booked for, by a session."""

    session_id: str
    course_title: str
    starts_at: datetime
    ends_at: datetime


class Resource(StrEnum):
    TRAINER = "trainer"
    ROOM = "room"


RESOURCE_TEXT = {
    Resource.TRAINER: Text("Обучителят", "The trainer"),
    Resource.ROOM: Text("Залата", "The room"),
}
RESOURCE_FIELD = {Resource.TRAINER: "trainer_id", Resource.ROOM: "room"}
"""The request field each kind of booking belongs to (named in the error's ``fields``)."""


def first_conflict(
    wanted: Iterable[Slot], booked: Iterable[Booked], *, ignore_session: str | None = None
) -> tuple[int, Booked] | None:
    """The first wanted slot (its index) that overlaps a booking of another session, with that booking."""
    others = sorted((b for b in booked if b.session_id != ignore_session), key=lambda b: b.starts_at)
    for index, slot in sorted(enumerate(wanted), key=lambda pair: pair[1].starts_at):
        for booking in others:
            if booking.starts_at >= slot.ends_at:
                break
            if overlaps(slot.starts_at, slot.ends_at, booking.starts_at, booking.ends_at):
                return index, booking
    return None


def overlapping_pairs(slots: list[Slot]) -> list[tuple[int, int]]:
    """Pairs of indexes of slots that overlap each other (meetings of one session must not)."""
    found = []
    for i, a in enumerate(slots):
        for j in range(i + 1, len(slots)):
            b = slots[j]
            if overlaps(a.starts_at, a.ends_at, b.starts_at, b.ends_at):
                found.append((i, j))
    return found


class SchedulingConflict(Conflict):
    """A trainer or a room is already booked at an overlapping time: the error names the other session."""

    code = "schedule_conflict"

    def __init__(self, resource: Resource, booking: Booked, meeting_index: int | None = None) -> None:
        who = RESOURCE_TEXT[resource]
        when = span_text(booking.starts_at, booking.ends_at)
        message = Text(
            f"{who.bg} вече е зает(а) на {when} (София) със сесия „{booking.course_title}“ ({booking.session_id}).",
            f"{who.en} is already booked on {when} (Sofia time) for the session "
            f"“{booking.course_title}” ({booking.session_id}).",
        )
        fields = {RESOURCE_FIELD[resource]: message}
        if meeting_index is not None:
            fields[f"meetings.{meeting_index}"] = message
        super().__init__(message, fields)
        self.resource = resource
        self.session_id = booking.session_id
        self.course_title = booking.course_title
