"""Turning an aggregate's domain events into validated envelopes for its outbox."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from shared.events import EventCatalog, new_envelope
from shared.logs import current_correlation_id
from shared.outbox.fields import OutboxEntry


class RecordedEvent(Protocol):
    """What an aggregate records: the event's name without the service prefix, and its payload."""

    @property
    def name(self) -> str: ...

    @property
    def payload(self) -> dict[str, Any]: ...


def to_outbox(
    catalog: EventCatalog,
    producer: str,
    aggregate_type: str,
    aggregate_id: str,
    events: Iterable[RecordedEvent],
    now: datetime,
) -> list[OutboxEntry]:
    """Envelopes for ``events`` (version 1 of ``<producer>.<name>``), each payload validated before it is stored."""
    entries = []
    for event in events:
        event_type = catalog.get(f"{producer}.{event.name}", 1)
        catalog.validate_payload(event_type.name, event_type.version, event.payload)
        envelope = new_envelope(
            event_type=event_type.name,
            schema_version=event_type.version,
            producer=producer,
            aggregate_type=aggregate_type,
            aggregate_id=aggregate_id,
            correlation_id=current_correlation_id(),
            payload=event.payload,
            occurred_at=now,
        )
        entries.append(OutboxEntry(event_type.topic, envelope))
    return entries
