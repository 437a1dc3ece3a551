"""The benchmark's topics are named after its run and the benchmark that consumes them (``<run>.<bench>.``),
so no benchmark reads events another one wrote: notifications would otherwise e-mail the registry
events the marketplace consumer's benchmark wrote."""

from __future__ import annotations

from collections.abc import Iterable

from shared.events import EventCatalog, EventType


def renamed(event_types: Iterable[EventType], prefix: str) -> EventCatalog:
    """The same event types on ``<prefix><topic>``."""
    return EventCatalog([EventType(t.name, t.version, prefix + t.topic, t.payload_schema) for t in event_types])
