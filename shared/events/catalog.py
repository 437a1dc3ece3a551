"""Which event types a service produces or consumes, with their payload schemas and golden examples.

A producer validates every payload before it enters the outbox; a consumer validates what it
reads with its own schemas, so the two sides meet only on the golden examples (contract tests).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marshmallow import Schema, ValidationError

from shared.events.envelope import Envelope, InvalidEvent
from shared.events.loader import SchemaLoader


@dataclass(frozen=True)
class EventType:
    name: str
    version: int
    topic: str
    payload_schema: type[Schema]

    @property
    def example_file(self) -> str:
        return f"{self.name}.v{self.version}.json"


class EventCatalog:
    def __init__(self, event_types: list[EventType], examples_dir: Path | None = None) -> None:
        self._types = {(t.name, t.version): t for t in event_types}
        self._loaders = {key: SchemaLoader(t.payload_schema()) for key, t in self._types.items()}
        self._examples_dir = examples_dir

    def __iter__(self) -> Iterator[EventType]:
        return iter(self._types.values())

    def knows(self, event_type: str, version: int) -> bool:
        return (event_type, version) in self._types

    def get(self, event_type: str, version: int) -> EventType:
        try:
            return self._types[(event_type, version)]
        except KeyError:
            raise InvalidEvent(f"unknown event type {event_type} v{version}") from None

    def topics(self) -> set[str]:
        return {t.topic for t in self._types.values()}

    def validate_payload(self, event_type: str, version: int, payload: dict[str, Any]) -> dict[str, Any]:
        """Return the payload as the schema loads it; raise InvalidEvent naming the bad fields."""
        self.get(event_type, version)
        try:
            return self._loaders[(event_type, version)].load(payload)
        except ValidationError as exc:
            raise InvalidEvent(f"invalid {event_type} v{version} payload: {exc.messages}") from exc

    def validate(self, envelope: Envelope) -> dict[str, Any]:
        return self.validate_payload(envelope.event_type, envelope.schema_version, envelope.payload)

    def example(self, event_type: EventType) -> Envelope:
        if self._examples_dir is None:
            raise LookupError("this catalogue has no examples folder")
        path = self._examples_dir / event_type.example_file
        return Envelope.from_dict(json.loads(path.read_text(encoding="utf-8")))
