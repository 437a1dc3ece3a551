"""The benchmark's topics are named after its run, so a run never reads another's events."""

from __future__ import annotations

from collections.abc import Iterable

from shared.events import EventCatalog, EventType


def renamed(event_types: Iterable[EventType], prefix: str) -> EventCatalog:
    """The same event types on ``<prefix><topic>``."""
    return EventCatalog([EventType(t.name, t.version, prefix + t.topic, t.payload_schema) for t in event_types])
