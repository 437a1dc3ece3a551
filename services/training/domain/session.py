"""A session of a course: when and where it meets, who teaches it, and how many can take part.

Times are stored as aware UTC datetimes and entered and shown in Europe/Sofia. The seats themselves
(who holds one, who waits) are not part of this aggregate: see ``services.training.domain.enrolment``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from shared.events.recorded import DomainEvent


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


@dataclass(frozen=True)
class Meeting:
    starts_at: datetime
    ends_at: datetime


@dataclass
class Session:
    id: str
    course_id: str
    course_title: str
    trainer_id: str
    trainer_name: str
    centre: str
    """The regional centre running it (``plovdiv``, ``varna``, ...), also for online sessions."""
    room: str | None
    """A room at the centre; ``None`` for an online session."""
    online_link: str | None
    meetings: list[Meeting]
    capacity: int
    enrolment_opens_at: datetime
    enrolment_closes_at: datetime
    funded: bool = True
    """Free for workers of enterprises active in the register."""
    open_to_all: bool = False
    """Others may enrol too (a funded session may still accept them)."""
    status: SessionStatus = SessionStatus.SCHEDULED
    version: int = 0
    _events: list[DomainEvent] = field(default_factory=list, repr=False, compare=False)

    @property
    def starts_at(self) -> datetime:
        return min(m.starts_at for m in self.meetings)

    @property
    def ends_at(self) -> datetime:
        return max(m.ends_at for m in self.meetings)

    @property
    def online(self) -> bool:
        return self.room is None

    def accepts_enrolments(self, now: datetime) -> bool:
        return self.status is SessionStatus.SCHEDULED and self.enrolment_opens_at <= now <= self.enrolment_closes_at

    def pull_events(self) -> list[DomainEvent]:
        events, self._events = self._events, []
        return events
