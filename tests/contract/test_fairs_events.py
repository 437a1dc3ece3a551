"""The events service's published language: every event type has a valid golden example on its topic, the
domain emits exactly each example's fields, and its consumer reads the register's and the marketplace's
golden examples with its own schemas."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.events.config import TOPICS
from services.events.domain.event import Event, Told
from services.events.domain.participation import Registration, WithdrawnBy
from services.events.domain.reports import event_report
from services.events.events import EXAMPLES_DIR
from services.events.events.consumed import CONSUMED
from services.events.events.schemas import EVENTS_EVENTS
from services.marketplace.events.catalog import MARKETPLACE_EVENTS
from services.registry.events.schemas import REGISTRY_EVENTS
from shared.events import EventType, InvalidEvent
from shared.events.recorded import DomainEvent
from tests.unit.test_fairs_domain import NOW, START, apply, plan

EVENT_TYPES = sorted(EVENTS_EVENTS, key=lambda t: t.name)


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda t: t.name)
def test_golden_example_is_a_valid_envelope_on_its_topic(event_type: EventType) -> None:
    example = EVENTS_EVENTS.example(event_type)
    assert (example.event_type, example.schema_version, example.producer) == (event_type.name, 1, "events")
    id_field = "event_id" if event_type.topic == "events.event.v1" else "participation_id"
    assert example.aggregate_id == example.payload[id_field]
    EVENTS_EVENTS.validate(example)


def test_every_topic_has_events_and_every_example_file_belongs_to_one() -> None:
    assert EVENTS_EVENTS.topics() == set(TOPICS)
    assert {p.name for p in EXAMPLES_DIR.glob("*.json")} == {t.example_file for t in EVENTS_EVENTS}


def recorded_by_the_domain() -> list[DomainEvent]:
    recorded: list[DomainEvent] = []
    fair = Event.draft("ev-1", plan(), NOW)
    fair.publish(NOW)
    later = START + timedelta(days=7)
    fair.reschedule(
        later,
        later + timedelta(hours=8),
        NOW,
        exhibitor_window=fair.plan.exhibitor_window,
        visitor_window=fair.plan.visitor_window,
        told=Told(("ent-1",), ("m@example.bg",)),
    )
    selected = apply(fair)
    selected.select(fair, "A1")
    waiting = apply(fair)
    waiting.wait("Няма свободни щандове.")
    waiting.reject("Продуктите не са от социално предприятие.")
    gone = apply(fair)
    gone.select(fair, "A2")
    gone.withdraw(WithdrawnBy.REGISTER, "Предприятието е заличено от регистъра.")
    visitor = Registration.register(fair, name="Мария Петрова", email="maria@example.bg", now=NOW)
    visitor.follow_seat(False, 1)
    visitor.follow_seat(True, None)
    visitor.cancel()
    fair.hold(later)
    selected.report(fair, contacts=14, sales_cents=48_050)
    fair.record_attendance(320)
    fair.report(event_report(fair, [selected], []).as_figures())
    cancelled = Event.draft("ev-2", plan(), NOW)
    cancelled.publish(NOW)
    cancelled.cancel("Залата се ремонтира.", NOW, told=Told())
    for aggregate in (fair, cancelled, selected, waiting, gone, visitor):
        recorded += aggregate.pull_events()
    return recorded


def test_the_domain_emits_exactly_the_fields_of_each_example() -> None:
    seen = set()
    for event in recorded_by_the_domain():
        event_type = EVENTS_EVENTS.get(f"events.{event.name}", 1)
        EVENTS_EVENTS.validate_payload(event_type.name, 1, event.payload)
        assert set(event.payload) == set(EVENTS_EVENTS.example(event_type).payload), event.name
        seen.add(event_type.name)
    assert seen == {t.name for t in EVENTS_EVENTS}


@pytest.mark.parametrize("event_type", sorted(CONSUMED, key=lambda t: t.name), ids=lambda t: t.name)
def test_the_events_consumer_reads_the_producers_golden_examples(event_type: EventType) -> None:
    producer = REGISTRY_EVENTS if event_type.name.startswith("registry.") else MARKETPLACE_EVENTS
    example = producer.example(producer.get(event_type.name, 1))
    assert example.event_type == event_type.name
    CONSUMED.validate(example)


@pytest.mark.parametrize(
    ("field", "value"), [("title_en", {"en": "Honey"}), ("price_cents", "12.50"), ("unit", ["kg"])]
)
def test_a_listing_shown_with_an_exhibitor_must_have_the_kind_of_value_it_shows(field: str, value: object) -> None:
    # Before, a title that was no text was shown on the fair's page as it came.
    example = MARKETPLACE_EVENTS.example(MARKETPLACE_EVENTS.get("marketplace.ListingPublished", 1))
    with pytest.raises(InvalidEvent, match=field):
        CONSUMED.validate_payload(example.event_type, 1, {**example.payload, field: value})
