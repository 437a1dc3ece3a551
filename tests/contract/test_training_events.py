"""The training service's published language: every event type has a valid golden example on its topic.

Written over the whole catalogue, so every part of the service (sessions, enrolments, assessments) is held
to the same rules: the example is a full envelope from the training producer, its aggregate id is the
payload's ``<aggregate type>_id``, one topic holds one aggregate type, and every example file belongs to a
type. The domain tests check that each aggregate emits exactly the fields of its examples.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from services.training.config import SERVICE, TOPICS
from services.training.events import EXAMPLES_DIR
from services.training.events.catalog import TRAINING_EVENTS
from shared.events import EventType

EVENT_TYPES = sorted(TRAINING_EVENTS, key=lambda t: t.name)
SESSION_EVENTS = {"SessionScheduled", "SessionRescheduled", "SessionCancelled"}


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda t: t.name)
def test_golden_example_is_a_valid_envelope_on_its_topic(event_type: EventType) -> None:
    example = TRAINING_EVENTS.example(event_type)
    assert (example.event_type, example.schema_version, example.producer) == (event_type.name, 1, SERVICE)
    assert event_type.name.startswith(f"{SERVICE}.")
    assert event_type.topic in TOPICS
    assert example.aggregate_id == example.payload[f"{example.aggregate_type}_id"]
    TRAINING_EVENTS.validate(example)


def test_one_topic_carries_one_kind_of_aggregate() -> None:
    kinds: dict[str, set[str]] = defaultdict(set)
    for event_type in TRAINING_EVENTS:
        kinds[event_type.topic].add(TRAINING_EVENTS.example(event_type).aggregate_type)
    assert all(len(found) == 1 for found in kinds.values()), dict(kinds)


def test_the_session_events_exist_and_every_example_file_belongs_to_a_type() -> None:
    sessions = {t.name.removeprefix("training.") for t in TRAINING_EVENTS if t.topic == "training.session.v1"}
    assert sessions == SESSION_EVENTS
    assert {p.name for p in EXAMPLES_DIR.glob("*.json")} == {t.example_file for t in TRAINING_EVENTS}


@pytest.mark.parametrize("name", sorted(SESSION_EVENTS))
def test_a_session_event_without_a_required_field_is_refused(name: str) -> None:
    event_type = TRAINING_EVENTS.get(f"training.{name}", 1)
    payload = dict(TRAINING_EVENTS.example(event_type).payload)
    del payload["meetings"]
    with pytest.raises(ValueError, match="meetings"):
        TRAINING_EVENTS.validate_payload(event_type.name, 1, payload)
