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
class Person:
    """A representative as their sign-in names them: whom the register's messages concern.

    ``email`` is the address the identity provider verified ("" when the token vouched for none): the
    address typed into the form is the enterprise's contact, not necessarily this person's.
    """

    subject: str
    name: str
    email: str = ""

    def as_payload(self) -> dict[str, str | None]:
        return {"subject": self.subject, "name": self.name, "email": self.email or None}


@dataclass(frozen=True)
class HistoryRecord:
    at: datetime
    actor: Actor
    action: str
    public: bool
    changes: list[dict[str, Any]] = field(default_factory=list)
    """[{"field": "seat.address", "from": ..., "to": ...}] (a list: MongoDB keys may not contain dots)."""
    reason: str = ""
    public_changes: list[dict[str, Any]] | None = None
    """What the public register may show of ``changes``: computed when the change is made, from what was
    public before and after it (a contact marked non-public is never in it). None on records written
    before this existed: then only fields that are always public are shown (``ALWAYS_PUBLIC``)."""


ALWAYS_PUBLIC = ("name", "legal_form", "eik", "seat.", "representative.full_name", "activities", "description")
"""Fields the public entry always shows (contacts only when the enterprise chose to show them)."""


def shown_publicly(record: HistoryRecord) -> list[dict[str, Any]]:
    """The changes of a public record that the public may read."""
    if record.public_changes is not None:
        return record.public_changes
    return [
        c
        for c in record.changes
        if c["field"] == "enterprise_class" or any(c["field"].startswith(f) for f in ALWAYS_PUBLIC)
    ]


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
