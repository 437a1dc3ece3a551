"""The registry's published language: every event has a golden example, and the producer keeps to it.

Consumers (marketplace, training, notifications) validate the same example files with their own
schemas in their contract tests; a change that breaks an example breaks them too.
"""

from __future__ import annotations

import json

import pytest

from services.registry.events.schemas import EXAMPLES_DIR, REGISTRY_EVENTS
from shared.events import Envelope, EventType
from tests.contract.registry_flows import every_registry_event

EVENT_TYPES = sorted(REGISTRY_EVENTS, key=lambda t: t.name)


@pytest.fixture(scope="module")
def produced() -> dict[str, list[Envelope]]:
    by_type: dict[str, list[Envelope]] = {}
    for envelope in every_registry_event():
        by_type.setdefault(envelope.event_type, []).append(envelope)
    return by_type


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda t: t.name)
def test_golden_example_is_a_valid_envelope_and_payload(event_type: EventType) -> None:
    example = REGISTRY_EVENTS.example(event_type)
    assert (example.event_type, example.schema_version, example.producer) == (event_type.name, 1, "registry")
    assert example.aggregate_type == "enterprise"
    assert example.aggregate_id == example.payload["enterprise_id"]
    REGISTRY_EVENTS.validate(example)


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda t: t.name)
def test_the_producer_emits_exactly_the_fields_of_the_example(
    event_type: EventType, produced: dict[str, list[Envelope]]
) -> None:
    example = REGISTRY_EVENTS.example(event_type)
    assert event_type.name in produced, f"no flow produces {event_type.name}"
    for envelope in produced[event_type.name]:
        assert set(envelope.payload) == set(example.payload)


def test_topics_and_keys_follow_the_naming_rules() -> None:
    assert REGISTRY_EVENTS.topics() == {"registry.enterprise.v1", "registry.application.v1"}
    assert {p.name for p in EXAMPLES_DIR.glob("*.json")} == {t.example_file for t in REGISTRY_EVENTS}


def test_no_personal_number_in_any_example() -> None:
    for path in EXAMPLES_DIR.glob("*.json"):
        text = json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False).lower()
        assert "egn" not in text and "егн" not in text and "personal_number" not in text


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda t: t.name)
def test_an_event_written_before_the_people_were_named_is_still_valid(event_type: EventType) -> None:
    """``applicant`` and ``representatives`` are additive: events already in the topics lack them."""
    example = REGISTRY_EVENTS.example(event_type)
    older = {k: v for k, v in example.payload.items() if k not in ("applicant", "representatives")}
    assert "representatives" in example.payload
    REGISTRY_EVENTS.validate_payload(event_type.name, 1, older)


def test_a_person_with_an_address_that_is_no_address_is_refused() -> None:
    event_type = REGISTRY_EVENTS.get("registry.ApplicationApproved", 1)
    example = REGISTRY_EVENTS.example(event_type)
    wrong = {**example.payload, "applicant": {"subject": "rep-1", "name": "Мария", "email": "not an address"}}
    with pytest.raises(Exception, match="email"):
        REGISTRY_EVENTS.validate_payload(event_type.name, 1, wrong)
