"""The event envelope shared by every service (see DESIGN.md, "Events")."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from shared.events.loader import SchemaLoader


class InvalidEvent(ValueError):
    """A message that is not a valid event: it can never be handled, only dead-lettered."""


EVENT_TYPE_PATTERN = r"^[a-z]+\.[A-Z][A-Za-z0-9]+$"
UNVERSIONED = 0
"""The ``aggregate_version`` of an event recorded before events carried one."""
MAX_AGGREGATE_VERSION = 2**53


class EnvelopeSchema(Schema):
    class Meta:
        unknown = RAISE

    event_id = fields.UUID(required=True)
    event_type = fields.String(required=True, validate=validate.Regexp(EVENT_TYPE_PATTERN))
    schema_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True, format="iso")
    producer = fields.String(required=True, validate=validate.Length(min=1, max=64))
    aggregate_type = fields.String(required=True, validate=validate.Length(min=1, max=64))
    aggregate_id = fields.String(required=True, validate=validate.Length(min=1, max=128))
    correlation_id = fields.String(required=True, validate=validate.Length(min=1, max=128))
    payload = fields.Dict(required=True, keys=fields.String())
    aggregate_version = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_AGGREGATE_VERSION))


_ENVELOPE = SchemaLoader(EnvelopeSchema())


@dataclass(frozen=True)
class Envelope:
    event_id: str
    event_type: str
    schema_version: int
    occurred_at: str
    producer: str
    aggregate_type: str
    aggregate_id: str
    correlation_id: str
    payload: dict[str, Any]
    aggregate_version: int = UNVERSIONED
    """The aggregate's outbox sequence number of this event: it increases with every event of the aggregate,
    so a read model applies an event only if it is not older than what it holds. Set when the event
    is recorded in the aggregate's outbox; events recorded before versions existed decode with
    ``UNVERSIONED`` (0), older than any versioned event."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_dict(cls, data: Any) -> Envelope:
        if not isinstance(data, dict):
            raise InvalidEvent("the event is not a JSON object")
        try:
            _ENVELOPE.load(data)
        except ValidationError as exc:
            raise InvalidEvent(f"invalid envelope: {exc.messages}") from exc
        return cls(**data)

    @classmethod
    def from_json(cls, raw: bytes | None) -> Envelope:
        if raw is None:
            raise InvalidEvent("the message has no value")
        return cls.from_dict(_parsed(raw))


_DIGITS_ONLY = bytes(ord("9") if chr(byte).isdigit() and byte < 128 else ord(" ") for byte in range(256))
_LONG_NUMBER = b"9" * 19
"""Nineteen digits in a row: perhaps an integer outside 64 bits, which orjson reads as a float near it. Looked
for in the message with every digit made a 9 and every other byte a space (``bytes.translate``: a regular
expression took ten times as long as orjson's parse)."""


def _parsed(raw: bytes) -> Any:
    """The message's JSON, read by orjson (a third of a consumer's CPU went to ``json.loads``).

    ``json.loads`` reads what orjson refuses (a text in UTF-16, a lone surrogate escape) and any message with a
    number that may not fit in 64 bits (orjson would read ``2**64`` as ``1.8446744073709552e+19``), so every
    message reads exactly as the standard parser reads it, and the error a dead letter names is still its own.
    """
    if _LONG_NUMBER not in raw.translate(_DIGITS_ONLY):
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:  # also an integer of thousands of digits, or arrays a thousand deep
        raise InvalidEvent(f"the message is not JSON: {exc}") from exc


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def new_envelope(
    *,
    event_type: str,
    schema_version: int,
    producer: str,
    aggregate_type: str,
    aggregate_id: str,
    correlation_id: str,
    payload: dict[str, Any],
    occurred_at: datetime,
) -> Envelope:
    return Envelope(
        event_id=str(uuid.uuid4()),
        event_type=event_type,
        schema_version=schema_version,
        occurred_at=utc_iso(occurred_at),
        producer=producer,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        correlation_id=correlation_id,
        payload=payload,
    )
