"""The Kafka topics the code uses, read from the services' own event catalogues.

Produced topics come from each producer's catalogue; consumed topics from the catalogue each consumer
subscribes with. A consumer dead-letters into ``<consumed topic>.dlq``, so every consumed topic needs its
dead-letter topic, and every topic and dead-letter topic needs a KafkaTopic resource.
"""

from __future__ import annotations

from services.events.events.consumed import CONSUMED as EVENTS_CONSUMED
from services.events.events.schemas import EVENTS_EVENTS
from services.grants.events.consumed import CONSUMED as GRANTS_CONSUMED
from services.grants.events.schemas import GRANTS_EVENTS
from services.marketplace.entrypoints.consumer import consumed_events as marketplace_consumed
from services.marketplace.events.catalog import MARKETPLACE_EVENTS
from services.notifications.entrypoints.consumer import subscribed_event_types
from services.notifications.events.consumed import consumed as notifications_consumed
from services.registry.events.schemas import REGISTRY_EVENTS
from services.training.events.catalog import TRAINING_EVENTS
from services.training.events.registry import CONSUMED as TRAINING_CONSUMED
from shared.kafka import dlq_topic

PRODUCED = {
    "registry": REGISTRY_EVENTS.topics(),
    "marketplace": MARKETPLACE_EVENTS.topics(),
    "training": TRAINING_EVENTS.topics(),
    "grants": GRANTS_EVENTS.topics(),
    "events": EVENTS_EVENTS.topics(),
}
CONSUMED = {
    "marketplace": marketplace_consumed().topics(),
    "training": TRAINING_CONSUMED.topics(),
    "grants": GRANTS_CONSUMED.topics(),
    "events": EVENTS_CONSUMED.topics(),
    "notifications": notifications_consumed(subscribed_event_types()).topics(),
}


def topics_used() -> set[str]:
    """Every topic a service writes or reads, with the dead-letter topic of every consumed one."""
    used: set[str] = set()
    for topics in PRODUCED.values():
        used |= topics
    for topics in CONSUMED.values():
        used |= topics | {dlq_topic(topic) for topic in topics}
    return used
