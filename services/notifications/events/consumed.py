"""The notifications service's reading of the events it turns into messages.

It reads the payloads leniently (any field may be added by a producer); a payload that lacks what a
message needs is poison, found when the message is built, and goes to the dead-letter topic.
"""

from __future__ import annotations

from collections.abc import Iterable

from marshmallow import INCLUDE, Schema

from shared.events import EventCatalog, EventType

# Which topic each producer publishes an event type on, by the type's name.
TOPIC_RULES: list[tuple[str, tuple[str, ...], str]] = [
    ("registry", ("Application", "InformationRequested"), "registry.application.v1"),
    ("registry", ("",), "registry.enterprise.v1"),
    ("marketplace", ("Listing",), "marketplace.listing.v1"),
    ("marketplace", ("Need", "Interest"), "marketplace.need.v1"),
    ("marketplace", ("",), "marketplace.order.v1"),
    ("training", ("Session",), "training.session.v1"),
    ("training", ("Assessment",), "training.assessment.v1"),
    ("training", ("",), "training.enrolment.v1"),
    ("grants", ("Call",), "grants.call.v1"),
    ("grants", ("Award", "Contract", "Delivery", "Payment", "Support"), "grants.award.v1"),
    ("grants", ("",), "grants.application.v1"),
    ("events", ("Event",), "events.event.v1"),
    ("events", ("",), "events.participation.v1"),
]


class AnyPayload(Schema):
    class Meta:
        unknown = INCLUDE


def topic_of(event_type: str) -> str:
    producer, _, name = event_type.partition(".")
    for service, prefixes, topic in TOPIC_RULES:
        if service == producer and name.startswith(prefixes):
            return topic
    raise ValueError(f"no topic known for {event_type}")


def consumed(event_types: Iterable[str]) -> EventCatalog:
    return EventCatalog([EventType(name, 1, topic_of(name), AnyPayload) for name in sorted(event_types)])
