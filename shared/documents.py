"""Dataclasses to MongoDB documents and back: the mapping every repository needs, kept in one place.

Dates are stored as ISO strings (BSON has no date-only type), datetimes as BSON dates, enums as
their values, durations as seconds; tuples come back as tuples and enums as enums.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
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


def _stored(value: Any) -> Any:
    """``plain`` of what ``dataclasses.asdict`` would give, in one pass and without its deep copy of every
    value (dates, strings and enums are never changed in place; every list and dict is a new one)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _stored(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {k: _stored(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_stored(v) for v in value]
    return plain(value)


def to_document(aggregate: Any, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """An aggregate dataclass as a document: ``id`` becomes ``_id``; private fields and ``drop`` are left out."""
    state = {
        f.name: _stored(getattr(aggregate, f.name))
        for f in fields(aggregate)
        if not f.name.startswith("_") and f.name not in drop
    }
    state["_id"] = state.pop("id")
    return state


def from_document(cls: type[T], document: dict[str, Any], **extra: Any) -> T:
    """The aggregate back from its document (fields the class does not know, like the outbox, are ignored)."""
    state = {**document, **extra}
    state["id"] = state.pop("_id")
    return dacite.from_dict(cls, state, config=DACITE_CONFIG)
