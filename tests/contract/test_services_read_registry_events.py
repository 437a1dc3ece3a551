"""Each consumer's own reading of the registry's enterprise events, checked on the registry's golden examples."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from services.marketplace.domain.seller import Seller
from services.marketplace.events.registry import CONSUMED as MARKETPLACE_READS
from services.registry.events.schemas import REGISTRY_EVENTS
from services.training.domain.enterprise import Enterprise
from services.training.events.registry import CONSUMED as TRAINING_READS
from shared.events import EventCatalog, EventType, InvalidEvent

ENTERPRISE_TOPIC_TYPES = sorted(
    (t for t in REGISTRY_EVENTS if t.topic == "registry.enterprise.v1"), key=lambda t: t.name
)
CONSUMERS: dict[str, tuple[EventCatalog, Callable[[dict[str, Any]], Any], str]] = {
    # service: (its schemas, what it builds from a payload, that thing's "may take part" property)
    "marketplace": (MARKETPLACE_READS, Seller.from_registry, "in_good_standing"),
    "training": (TRAINING_READS, Enterprise.from_registry, "active"),
}


@pytest.mark.parametrize("service", sorted(CONSUMERS))
def test_the_consumer_reads_every_event_of_the_enterprise_topic(service: str) -> None:
    reads, _, _ = CONSUMERS[service]
    assert {t.name for t in reads} == {t.name for t in ENTERPRISE_TOPIC_TYPES}


@pytest.mark.parametrize("service", sorted(CONSUMERS))
@pytest.mark.parametrize("event_type", ENTERPRISE_TOPIC_TYPES, ids=lambda t: t.name)
def test_every_golden_example_gives_the_consumer_its_enterprise(service: str, event_type: EventType) -> None:
    reads, build, standing = CONSUMERS[service]
    example = REGISTRY_EVENTS.example(event_type)
    enterprise = build(reads.validate(example))
    assert enterprise.enterprise_id == example.aggregate_id
    assert getattr(enterprise, standing) is (example.payload["status"] == "active")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("activities", "кетъринг"),
        ("activities", [{"name": "кетъринг"}]),
        ("vulnerable_staff", {"disability": {"n": 3}}),
    ],
)
def test_a_malformed_social_mission_makes_the_event_poison_for_the_marketplace(field: str, value: Any) -> None:
    # Before, a text became its letters on the seller's page, and a count that was no number stopped the consumer.
    example = REGISTRY_EVENTS.example(REGISTRY_EVENTS.get("registry.EnterpriseUpdated", 1))
    payload = {**example.payload, field: value}
    with pytest.raises(InvalidEvent, match=field):
        MARKETPLACE_READS.validate_payload(example.event_type, example.schema_version, payload)


def test_an_event_recorded_before_the_social_mission_was_published_still_gives_the_marketplace_its_seller() -> None:
    example = REGISTRY_EVENTS.example(REGISTRY_EVENTS.get("registry.EnterpriseUpdated", 1))
    payload = {k: v for k, v in example.payload.items() if k not in ("activities", "vulnerable_staff")}
    seller = Seller.from_registry(MARKETPLACE_READS.validate_payload(example.event_type, 1, payload))
    assert (seller.activities, seller.vulnerable_staff) == ((), {})
