"""Every event the marketplace publishes, with its golden example."""

from __future__ import annotations

from services.marketplace.events import EXAMPLES_DIR
from services.marketplace.events.listings import LISTING_EVENT_TYPES, LISTING_TOPIC
from services.marketplace.events.needs import NEED_EVENT_TYPES, NEED_TOPIC
from services.marketplace.events.orders import ORDER_EVENT_TYPES, ORDER_TOPIC
from shared.events import EventCatalog

TOPICS = (LISTING_TOPIC, ORDER_TOPIC, NEED_TOPIC)
MARKETPLACE_EVENTS = EventCatalog([*LISTING_EVENT_TYPES, *ORDER_EVENT_TYPES, *NEED_EVENT_TYPES], EXAMPLES_DIR)
