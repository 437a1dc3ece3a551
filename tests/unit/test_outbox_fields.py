"""The outbox fields a use case writes together with its state change (no servers needed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from shared.events.envelope import Envelope, new_envelope
from shared.outbox import OutboxEntry, outbox_for_insert, outbox_for_update

TOPIC = "test.counters"


def _event(aggregate_id: str, amount: int) -> Envelope:
    return new_envelope(
        event_type="test.CounterIncremented",
        schema_version=1,
        producer="tests",
        aggregate_type="counter",
        aggregate_id=aggregate_id,
        correlation_id="corr-1",
        payload={"counter_id": aggregate_id, "amount": amount},
        occurred_at=datetime(2025, 5, 1, 12, 0, tzinfo=UTC),
    )


def test_insert_numbers_entries_from_one_and_marks_the_document_pending() -> None:
    first, second = _event("c-1", 1), _event("c-1", 2)

    fields = outbox_for_insert([OutboxEntry(TOPIC, first), OutboxEntry(TOPIC, second)])

    assert fields == {
        "outbox": [
            {"seq": 1, "topic": TOPIC, "key": "c-1", "envelope": first.to_dict() | {"aggregate_version": 1}},
            {"seq": 2, "topic": TOPIC, "key": "c-1", "envelope": second.to_dict() | {"aggregate_version": 2}},
        ],
        "outbox_seq": 2,
        "outbox_sent_seq": 0,
    }


def test_insert_without_events_leaves_nothing_for_the_relay() -> None:
    assert outbox_for_insert([]) == {"outbox": [], "outbox_seq": 0, "outbox_sent_seq": 0}


def test_stored_envelope_is_the_event_itself_at_its_aggregate_version() -> None:
    event = _event("c-9", 3)

    stored = outbox_for_insert([OutboxEntry(TOPIC, event)])["outbox"][0]["envelope"]

    assert Envelope.from_dict(stored) == replace(event, aggregate_version=1)


def test_update_continues_the_sequence_and_only_appends() -> None:
    third, fourth = _event("c-1", 3), _event("c-1", 4)

    update = outbox_for_update(2, [OutboxEntry(TOPIC, third), OutboxEntry(TOPIC, fourth)])

    assert update == {
        "$set": {"outbox_seq": 4},
        "$push": {
            "outbox": {
                "$each": [
                    {"seq": 3, "topic": TOPIC, "key": "c-1", "envelope": third.to_dict() | {"aggregate_version": 3}},
                    {"seq": 4, "topic": TOPIC, "key": "c-1", "envelope": fourth.to_dict() | {"aggregate_version": 4}},
                ]
            }
        },
    }
    # The relay owns these two: a writer that touched them could undo the relay's bookkeeping.
    assert "outbox_sent_seq" not in update["$set"]
    assert "outbox" not in update["$set"]


def test_update_without_events_changes_nothing() -> None:
    assert outbox_for_update(7, []) == {}
