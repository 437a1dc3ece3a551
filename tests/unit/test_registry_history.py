"""What the public may read of an entry's history."""

from __future__ import annotations

from datetime import UTC, datetime

from services.registry.domain.history import SYSTEM, HistoryRecord, shown_publicly

AT = datetime(2026, 11, 20, tzinfo=UTC)
CHANGES = [
    {"field": "contacts.phone", "from": "+359 32 600 700", "to": "+359 88 123 4567"},
    {"field": "contacts.email", "from": "a@example.bg", "to": "b@example.bg"},
    {"field": "representative.position", "from": "", "to": "управител"},
    {"field": "seat.address", "from": "бул. Руски 15", "to": "ул. Нова 1"},
]


def test_a_record_written_before_public_changes_shows_only_fields_always_public() -> None:
    legacy = HistoryRecord(AT, SYSTEM, "details_updated", True, CHANGES)
    assert shown_publicly(legacy) == [CHANGES[3]]


def test_a_record_shows_the_public_changes_computed_when_it_was_written() -> None:
    record = HistoryRecord(AT, SYSTEM, "details_updated", True, CHANGES, public_changes=[])
    assert shown_publicly(record) == []
