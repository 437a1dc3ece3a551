"""A learner's private calendar link: a random secret per learner, stored only as its hash, rotatable.

The link is the key (calendar applications cannot sign in), so it is a fresh random value of 256 bits
(``secrets.token_urlsafe(32)``) that nothing else derives: not the learner's e-mail, not any shared
secret. The training database keeps only its SHA-256 (the ``_id`` of the link's document, so a feed is
found by one primary-key read), keyed to the learner, so the address is shown once, when it is made.
Making a new one revokes the old one (its address then answers 404); revoking leaves none.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.training.domain.calendar_link import CalendarLink, token_hash
from services.training.domain.session import Session
from shared.auth import Principal
from shared.clock import Clock
from shared.errors import NotFound, Text

NO_SUCH_CALENDAR = Text("Няма такъв календар.", "No such calendar.")
TOKEN_BYTES = 32
LONGEST_TOKEN = 100
"""Longer than any link this service makes: refused without touching the database."""


@dataclass(frozen=True)
class NewCalendarLink:
    token: str
    """The secret: shown to the learner now, never stored."""
    created_at: datetime


class CalendarLinks(Protocol):
    def replace(self, learner: str, hashed: str, created_at: datetime) -> None:
        """Store the learner's new link and remove every other link of theirs."""

    def remove(self, learner: str) -> None: ...

    def of_learner(self, learner: str) -> CalendarLink | None: ...

    def by_hash(self, hashed: str) -> CalendarLink | None: ...


@dataclass
class CalendarService:
    links: CalendarLinks
    learner_of: Callable[[Principal], str]
    """The learner a signed-in person is (by their verified e-mail), or Forbidden."""
    sessions_of: Callable[[str], list[Session]]
    """The sessions a learner holds a seat in."""
    clock: Clock

    def status(self, principal: Principal) -> CalendarLink | None:
        """Whether the signed-in learner has a link, and since when (the address itself is not kept)."""
        return self.links.of_learner(self.learner_of(principal))

    def new_link(self, principal: Principal) -> NewCalendarLink:
        """A new private link for the signed-in learner; any earlier one stops working."""
        learner = self.learner_of(principal)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self.clock.now()
        self.links.replace(learner, token_hash(token), now)
        return NewCalendarLink(token, now)

    def revoke(self, principal: Principal) -> None:
        self.links.remove(self.learner_of(principal))

    def feed(self, token: str) -> list[Session]:
        """The sessions behind a link; NotFound for any address that is not a current link."""
        link = self.links.by_hash(token_hash(token)) if 0 < len(token) <= LONGEST_TOKEN else None
        if link is None:
            raise NotFound(NO_SUCH_CALENDAR)
        return self.sessions_of(link.learner)
