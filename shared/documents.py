"""Dataclasses to MongoDB documents and back: the mapping every repository needs, kept in one place.

Dates are stored as ISO strings (BSON has no date-only type), datetimes as BSON dates, enums as
their values, durations as seconds; tuples come back as tuples and enums as enums.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

import dacite

T = TypeVar("T")

DACITE_CONFIG = dacite.Config(
    cast=[Enum, tuple],
    type_hooks={
        date: date.fromisoformat,
        timedelta: lambda seconds: timedelta(seconds=seconds),
    },
)


def plain(value: Any) -> Any:
    """Values MongoDB can store: dates as ISO strings, durations as seconds, enums as their value."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def to_document(aggregate: Any, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """An aggregate dataclass as a document: ``id`` becomes ``_id``; private fields and ``drop`` are left out."""
    state = {k: v for k, v in asdict(aggregate).items() if not k.startswith("_") and k not in drop}
    state["_id"] = state.pop("id")
    return plain(state)


def from_document(cls: type[T], document: dict[str, Any], **extra: Any) -> T:
    """The aggregate back from its document (fields the class does not know, like the outbox, are ignored)."""
    state = {**document, **extra}
    state["id"] = state.pop("_id")
    return dacite.from_dict(cls, state, config=DACITE_CONFIG)
