"""The notifications service subscribes to the right topic for every event type it turns into messages,
and every producer's golden example of those types gives at least one notice."""

from __future__ import annotations

import pytest

from services.events.events.schemas import EVENTS_EVENTS
from services.grants.events.schemas import GRANTS_EVENTS
from services.marketplace.events.catalog import MARKETPLACE_EVENTS
from services.notifications.domain.mapping import RULES, notices_for
from services.notifications.events.consumed import consumed, topic_of
from services.registry.events.schemas import REGISTRY_EVENTS
from services.training.events.catalog import TRAINING_EVENTS

PRODUCERS = {
    "registry": REGISTRY_EVENTS,
    "marketplace": MARKETPLACE_EVENTS,
    "training": TRAINING_EVENTS,
    "grants": GRANTS_EVENTS,
    "events": EVENTS_EVENTS,
}


@pytest.mark.parametrize("event_type", sorted(RULES))
def test_the_topic_is_the_producers_and_the_example_gives_a_notice(event_type: str) -> None:
    producer = PRODUCERS[event_type.partition(".")[0]]
    produced = producer.get(event_type, 1)
    assert topic_of(event_type) == produced.topic
    example = producer.example(produced)
    consumed(RULES).validate(example)
    assert notices_for(example)
