"""Turning the enterprise's domain events into validated envelopes for its outbox."""

from __future__ import annotations

from datetime import datetime

from services.registry.config import SERVICE
from services.registry.domain.events import DomainEvent
from shared.events import EventCatalog
from shared.outbox import OutboxEntry
from shared.outbox.entries import to_outbox as envelopes_for

AGGREGATE_TYPE = "enterprise"


def to_outbox(catalog: EventCatalog, enterprise_id: str, events: list[DomainEvent], now: datetime) -> list[OutboxEntry]:
    return envelopes_for(catalog, SERVICE, AGGREGATE_TYPE, enterprise_id, events, now)
