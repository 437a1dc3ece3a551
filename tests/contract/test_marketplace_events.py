"""The marketplace's published language: every event type has a valid golden example on its topic.

The deal and need unit tests check that the domain emits exactly the fields of each example;
the listing events are checked here. Notifications validates the same files with its own schemas.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from services.marketplace.domain.listing import Listing, ListingContent, ListingKind, Price, with_content
from services.marketplace.domain.seller import Seller
from services.marketplace.events import EXAMPLES_DIR
from services.marketplace.events.catalog import MARKETPLACE_EVENTS, TOPICS
from shared.events import EventType

EVENT_TYPES = sorted(MARKETPLACE_EVENTS, key=lambda t: t.name)
AGGREGATE = {
    "marketplace.listing.v1": ("listing", "listing_id"),
    "marketplace.order.v1": ("deal", "deal_id"),
    "marketplace.need.v1": ("need", "need_id"),
}
REQUIRED = {
    "ListingPublished", "ListingPaused", "QuoteRequested", "QuoteOffered", "QuoteDeclined", "QuoteExpired",
    "OrderPlaced", "OrderFulfilled", "OrderReceived", "ReviewPosted", "NeedPublished", "NeedMatched",
    "InterestExpressed",
}  # fmt: skip


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda t: t.name)
def test_golden_example_is_a_valid_envelope_on_its_topic(event_type: EventType) -> None:
    example = MARKETPLACE_EVENTS.example(event_type)
    aggregate_type, id_field = AGGREGATE[event_type.topic]
    assert (example.event_type, example.schema_version, example.producer) == (event_type.name, 1, "marketplace")
    assert example.aggregate_type == aggregate_type
    assert example.aggregate_id == example.payload[id_field]
    MARKETPLACE_EVENTS.validate(example)


def test_every_event_the_issue_names_exists_and_every_example_file_belongs_to_one() -> None:
    assert {t.name.removeprefix("marketplace.") for t in MARKETPLACE_EVENTS} >= REQUIRED
    assert MARKETPLACE_EVENTS.topics() == set(TOPICS)
    assert {p.name for p in EXAMPLES_DIR.glob("*.json")} == {t.example_file for t in MARKETPLACE_EVENTS}


def test_listing_events_carry_exactly_the_fields_of_their_examples() -> None:
    now = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    seller = Seller(
        "e-1",
        "СП-00042",
        "Родопски мед ЕООД",
        "A+",
        "active",
        "BG-21",
        "BG42",
        "plovdiv",
        "2028-03-01",
        12,
        7,
        "a@b.bg",
    )
    content = ListingContent(ListingKind.PRODUCT, "Мед", "Билков мед", "food.honey", Price(1150, "буркан"), ("BG-21",))
    listing = Listing(id="l-1", seller=seller, content=content, created_at=now)
    listing.publish(now)
    listing.edit(with_content(listing, price=Price(None, "буркан")), now)
    listing.follow_seller(replace(seller, register_status="deleted"))
    listing.archive()
    produced = listing.pull_events()
    assert [e.name for e in produced] == ["ListingPublished", "ListingUpdated", "ListingPaused", "ListingArchived"]
    for event in produced:
        event_type = MARKETPLACE_EVENTS.get(f"marketplace.{event.name}", 1)
        MARKETPLACE_EVENTS.validate_payload(event_type.name, 1, event.payload)
        assert set(event.payload) == set(MARKETPLACE_EVENTS.example(event_type).payload)
