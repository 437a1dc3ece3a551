"""What an event means for one person: which message they get, in which language, with which values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Recipient:
    key: str
    """Whose inbox: ``email:<address>``, ``user:<subject>``, ``enterprise:<id>`` or ``centre:<id>``."""
    email: str | None
    """Where e-mail goes; ``None`` for an inbox-only recipient (a centre's clerks, a trainer)."""
    name: str = ""
    language: str = "bg"

    @property
    def known_person(self) -> bool:
        """Someone signed in to the platform (``user:<sign-in subject>``: an applicant, a representative, a
        learner, a trainer), greeted by name; an address typed for an entity (``email:``), an enterprise's or
        a centre's shared inbox is greeted plainly."""
        return self.key.startswith("user:")


@dataclass(frozen=True)
class Notice:
    event_id: str
    event_type: str
    message: str
    """The template's key, e.g. ``application_approved``."""
    category: str
    """What a person may opt out of (``marketplace``, ``training``, ...)."""
    legal: bool
    """Register decisions and deletions: cannot be opted out of."""
    recipient: Recipient
    occurred_at: datetime
    context: dict[str, Any] = field(default_factory=dict)
    """The values the templates show."""
    link: str | None = None
    """The portal's page of what it is about (the application, the order, the session), a path."""
    thread: str | None = None
    """Messages of one thread replace each other in a person's inbox (a resubmitted application's
    "received"): one inbox message per (thread, recipient), the newest event's."""

    @property
    def values(self) -> dict[str, Any]:
        """What the templates show: the context and ``greeting_name``, the recipient's name when she is a known
        person ("Здравейте, Иванка Стоянова,"), empty for the enterprise's contact-address copy ("Здравейте,")."""
        return {**self.context, "greeting_name": self.recipient.name if self.recipient.known_person else ""}

    @property
    def delivery_key(self) -> str:
        """At most one delivery per (event, recipient) and channel: the channel is added by the delivery."""
        return f"{self.event_id}:{self.recipient.key}"

    @property
    def inbox_key(self) -> str:
        """The inbox message's key: the thread's when the rule names one, else the delivery's."""
        return f"{self.thread}:{self.recipient.key}" if self.thread else self.delivery_key
