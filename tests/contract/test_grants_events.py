"""The grants service's published language: every event type has a valid golden example on its topic, the
domain emits exactly each example's fields, and the grants consumer reads the registry's and training's
golden examples with its own schemas."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.grants.config import TOPICS
from services.grants.domain.application import Delivery, DigitalisedRule, FollowUp, Payment, PaymentKind
from services.grants.events import EXAMPLES_DIR
from services.grants.events.consumed import CONSUMED
from services.grants.events.schemas import GRANTS_EVENTS
from services.registry.events.schemas import REGISTRY_EVENTS
from services.training.events.catalog import TRAINING_EVENTS
from shared.events import EventType
from tests.unit.test_grants_rules import NOW, a_call, contracted, draft, evaluated

EVENT_TYPES = sorted(GRANTS_EVENTS, key=lambda t: t.name)


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda t: t.name)
def test_golden_example_is_a_valid_envelope_on_its_topic(event_type: EventType) -> None:
    example = GRANTS_EVENTS.example(event_type)
    assert (example.event_type, example.schema_version, example.producer) == (event_type.name, 1, "grants")
    id_field = "call_id" if event_type.topic == "grants.call.v1" else "application_id"
    assert example.aggregate_id == example.payload[id_field]
    GRANTS_EVENTS.validate(example)


def test_every_topic_has_events_and_every_example_file_belongs_to_one() -> None:
    assert GRANTS_EVENTS.topics() == set(TOPICS)
    assert {p.name for p in EXAMPLES_DIR.glob("*.json")} == {t.example_file for t in GRANTS_EVENTS}


def test_the_domain_emits_exactly_the_fields_of_each_example() -> None:
    call = a_call()
    recorded = []
    a = draft(call)
    a.submit(call, NOW, True)
    a.start_check()
    a.request_information("clerk-1", "Приложете оферта.", NOW)
    a.answer(call, "Приложена.", NOW)
    recorded += a.pull_events()
    r = draft(call)
    r.submit(call, NOW, True)
    r.reject("clerk-1", "Липсва оферта.", NOW)
    recorded += r.pull_events()
    e = evaluated(call)
    e.put_in_reserve("clerk-1", "Изчерпани средства.", NOW)
    recorded += e.pull_events()
    c = contracted(call)
    c.record_delivery(Delivery("l1", 100_000, "INV-1", "PR-1", date(2027, 4, 1)))
    c.record_delivery(Delivery("l2", 50_000, "INV-2", "PR-2", date(2027, 4, 2)))
    c.pay(Payment(PaymentKind.FINAL, 150_000, date(2027, 4, 10)))
    c.complete(FollowUp("as-2", datetime(2027, 6, 1, tzinfo=UTC), 38.0, 55.0), DigitalisedRule(), date(2027, 6, 2))
    recorded += c.pull_events()
    call.close("Средствата по поканата са разпределени.", NOW)
    recorded += call.pull_events()
    seen = set()
    for event in recorded:
        event_type = GRANTS_EVENTS.get(f"grants.{event.name}", 1)
        GRANTS_EVENTS.validate_payload(event_type.name, 1, event.payload)
        assert set(event.payload) == set(GRANTS_EVENTS.example(event_type).payload), event.name
        seen.add(event_type.name)
    assert seen == {t.name for t in GRANTS_EVENTS} - {"grants.CallPublished"}


@pytest.mark.parametrize("event_type", sorted(CONSUMED, key=lambda t: t.name), ids=lambda t: t.name)
def test_the_grants_consumer_reads_the_producers_golden_examples(event_type: EventType) -> None:
    producer = REGISTRY_EVENTS if event_type.name.startswith("registry.") else TRAINING_EVENTS
    example = producer.example(producer.get(event_type.name, 1))
    assert example.event_type == event_type.name
    CONSUMED.validate(example)
