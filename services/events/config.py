"""The events service's configuration: its topics and the topics it reads."""

from __future__ import annotations

SERVICE = "events"
EVENT_TOPIC = "events.event.v1"
PARTICIPATION_TOPIC = "events.participation.v1"
TOPICS = (EVENT_TOPIC, PARTICIPATION_TOPIC)
REGISTRY_ENTERPRISE_TOPIC = "registry.enterprise.v1"
MARKETPLACE_LISTING_TOPIC = "marketplace.listing.v1"
CONSUMER_GROUP = "events"
