"""The marketplace's reading of the registry's events, checked on the registry's golden examples."""

from __future__ import annotations

import pytest

from services.marketplace.domain.seller import Seller
from services.marketplace.events.registry import CONSUMED
from services.registry.events.schemas import REGISTRY_EVENTS
from shared.events import EventType

ENTERPRISE_TOPIC_TYPES = sorted(
    (t for t in REGISTRY_EVENTS if t.topic == "registry.enterprise.v1"), key=lambda t: t.name
)


def test_the_marketplace_reads_every_event_of_the_enterprise_topic() -> None:
    assert {t.name for t in CONSUMED} == {t.name for t in ENTERPRISE_TOPIC_TYPES}


@pytest.mark.parametrize("event_type", ENTERPRISE_TOPIC_TYPES, ids=lambda t: t.name)
def test_every_golden_example_gives_a_seller(event_type: EventType) -> None:
    example = REGISTRY_EVENTS.example(event_type)
    payload = CONSUMED.validate(example)
    seller = Seller.from_registry(payload)
    assert seller.enterprise_id == example.aggregate_id
    assert seller.in_good_standing is (example.payload["status"] == "active")
