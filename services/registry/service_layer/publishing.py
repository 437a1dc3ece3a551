"""Turning the aggregate's domain events into validated envelopes for the outbox."""

from __future__ import annotations

from datetime import datetime

from services.registry.config import SERVICE
from services.registry.domain.events import DomainEvent
from shared.events import EventCatalog, new_envelope
from shared.logs import current_correlation_id
from shared.outbox import OutboxEntry

AGGREGATE_TYPE = "enterprise"


def to_outbox(catalog: EventCatalog, enterprise_id: str, events: list[DomainEvent], now: datetime) -> list[OutboxEntry]:
    entries = []
    for event in events:
        event_type = catalog.get(f"{SERVICE}.{event.name}", 1)
        catalog.validate_payload(event_type.name, event_type.version, event.payload)
        envelope = new_envelope(
            event_type=event_type.name,
            schema_version=event_type.version,
            producer=SERVICE,
            aggregate_type=AGGREGATE_TYPE,
            aggregate_id=enterprise_id,
            correlation_id=current_correlation_id(),
            payload=event.payload,
            occurred_at=now,
        )
        entries.append(OutboxEntry(event_type.topic, envelope))
    return entries
