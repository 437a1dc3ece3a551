"""A fact an aggregate records as it happens; the service layer turns it into an envelope for the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DomainEvent:
    name: str
    """The event type without the service prefix, e.g. ``QuoteOffered``."""
    payload: dict[str, Any]
