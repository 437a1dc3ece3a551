"""The record of every change of an application or entry: who, when, what, why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Actor:
    subject: str
    name: str
    role: str


SYSTEM = Actor(subject="system", name="Регистър (автоматично)", role="system")


@dataclass(frozen=True)
class HistoryRecord:
    at: datetime
    actor: Actor
    action: str
    public: bool
    changes: list[dict[str, Any]] = field(default_factory=list)
    """[{"field": "seat.address", "from": ..., "to": ...}] (a list: MongoDB keys may not contain dots)."""
    reason: str = ""


def diff(before: dict[str, Any], after: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    """Field-by-field changes, nested fields named with dots: [{"field": "seat.address", "from", "to"}]."""
    changes: list[dict[str, Any]] = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        name = f"{prefix}{key}"
        if isinstance(old, dict) and isinstance(new, dict):
            changes += diff(old, new, f"{name}.")
        elif old != new:
            changes.append({"field": name, "from": old, "to": new})
    return changes
