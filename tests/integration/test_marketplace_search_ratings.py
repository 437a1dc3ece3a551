"""A search page shows each listing and its rating as they are now, while a web worker reads only the search index's
change counter for a page seen before, not the page's listings nor their ratings."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from pymongo import MongoClient, monitoring
from pymongo.database import Database

from services.marketplace.adapters.listings import MongoListings
from services.marketplace.adapters.ratings import RATINGS
from services.marketplace.domain.search import SearchRequest
from services.marketplace.entrypoints.app import create_app
from services.marketplace.entrypoints.wiring import build
from services.marketplace.events.catalog import MARKETPLACE_EVENTS
from shared.events import Envelope
from tests.integration.marketplace_api import published_listing, representative_of, seed_seller


def review(listing_id: str, seller_id: str, rating: int) -> Envelope:
    """A ``ReviewPosted`` as the consumer hands it to the ratings."""
    example = MARKETPLACE_EVENTS.example(MARKETPLACE_EVENTS.get("marketplace.ReviewPosted", 1))
    payload = example.payload | {"listing_id": listing_id, "seller_id": seller_id, "rating": rating}
    return dataclasses.replace(example, event_id=str(uuid.uuid4()), payload=payload)


class Reads(monitoring.CommandListener):
    def __init__(self) -> None:
        self.collections: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find":
            self.collections.append(event.command["find"])

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None: ...

    def failed(self, event: monitoring.CommandFailedEvent) -> None: ...


def test_a_review_shows_in_the_next_search_and_a_page_seen_before_reads_no_rating(
    infra: Any, market_db_name: str, market_db: Database[dict[str, Any]]
) -> None:
    searching = create_app().test_client()
    seller = seed_seller(market_db)
    honey = [published_listing(searching, seller, title_bg=f"Мед от акация {n}", title_en="")["id"] for n in range(3)]

    def ratings_shown() -> dict[str, Any]:
        found = searching.get("/api/v1/listings", query_string={"q": "мед"})
        assert found.status_code == 200, found.json
        return {item["id"]: item["rating"] for item in found.json["items"]}

    assert ratings_shown() == {i: {"count": 0, "average": None} for i in honey}

    consumer = build(market_db).ratings  # the consumer's process applies reviews
    event = review(honey[0], seller, 5)
    consumer.apply_review(event, event.payload)
    assert ratings_shown()[honey[0]] == {"count": 1, "average": 5.0}
    event = review(honey[0], seller, 2)
    consumer.apply_review(event, event.payload)
    consumer.apply_review(event, event.payload)  # redelivered: counted once
    assert ratings_shown()[honey[0]] == {"count": 2, "average": 3.5}
    assert ratings_shown()[honey[1]] == {"count": 0, "average": None}

    reads = Reads()
    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_uri, tz_aware=True, event_listeners=[reads])
    worker = build(client[market_db_name])

    def page() -> dict[str, dict[str, Any]]:
        """A search page's listings and their ratings, as the web worker's view reads them."""
        return worker.ratings.of_listings(
            listing.id for listing in worker.listings.search(SearchRequest(text="мед"))[1]
        )

    assert page()[honey[0]] == {"count": 2, "average": 3.5}
    assert reads.collections.count(RATINGS) == 3
    reads.collections.clear()
    for _ in range(3):
        assert page() == {
            honey[0]: {"count": 2, "average": 3.5},
            honey[1]: {"count": 0, "average": None},
            honey[2]: {"count": 0, "average": None},
        }
    assert reads.collections == ["counters"] * 3  # the ratings kept with the listings: the index's counter alone

    event = review(honey[2], seller, 4)
    consumer.apply_review(event, event.payload)
    reads.collections.clear()
    assert page()[honey[2]] == {"count": 1, "average": 4.0}
    assert reads.collections.count(RATINGS) == 1  # only the rating the change log named is read again
    client.close()


def test_a_search_page_shows_each_listing_as_stored_now_and_a_page_seen_before_reads_no_listing(
    infra: Any, market_db_name: str, market_db: Database[dict[str, Any]]
) -> None:
    searching, selling = create_app().test_client(), create_app().test_client()
    seller = seed_seller(market_db)
    listing = published_listing(selling, seller, title_bg="Мед от липа", title_en="")

    def shown() -> dict[str, Any]:
        found = searching.get("/api/v1/listings", query_string={"q": "мед"})
        assert found.status_code == 200, found.json
        [item] = found.json["items"]
        return item

    assert shown()["price"]["display"] == "12,50 €"
    # A change the search index does not hold (the price unit and minimum, not its words or keys), made by
    # another worker: the searching worker keeps the listing for its pages, and still shows the change.
    edited = selling.patch(
        f"/api/v1/listings/{listing['id']}",
        json={"unit": "буркан", "minimum_quantity": 3},
        headers=representative_of(seller),
    )
    assert edited.status_code == 200, edited.json
    assert shown()["price"] | {"display": None} == edited.json["price"] | {"display": None}
    assert shown()["price"]["unit"] == "буркан" and shown()["price"]["minimum_quantity"] == 3

    reads = Reads()
    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_uri, tz_aware=True, event_listeners=[reads])
    worker = build(client[market_db_name])
    [first] = worker.listings.search(SearchRequest(text="мед"))[1]
    reads.collections.clear()
    for _ in range(3):
        [again] = worker.listings.search(SearchRequest(text="мед"))[1]
        assert again is first
    assert "listings" not in reads.collections and reads.collections.count("counters") == 3, reads.collections

    edited = selling.patch(
        f"/api/v1/listings/{listing['id']}", json={"minimum_quantity": 5}, headers=representative_of(seller)
    )
    assert edited.status_code == 200, edited.json
    [after] = worker.listings.search(SearchRequest(text="мед"))[1]
    assert after.content == MongoListings(market_db).get(listing["id"]).content != first.content
    client.close()


def test_a_kept_page_shows_the_owner_fields_to_the_listing_s_representative_alone(
    market_db: Database[dict[str, Any]],
) -> None:
    searching = create_app().test_client()
    seller = seed_seller(market_db)
    listing = published_listing(searching, seller, title_bg="Мед от манука", title_en="")
    owner_only = {"pause_reason", "version", "created_at", "updated_at"}

    def item(headers: dict[str, str] | None = None) -> dict[str, Any]:
        found = searching.get("/api/v1/listings", query_string={"q": "манука"}, headers=headers)
        assert found.status_code == 200, found.json
        [shown] = found.json["items"]
        return shown

    for _ in range(2):  # the second time from what the worker kept of the page
        assert owner_only <= set(item(representative_of(seller)))
        assert not owner_only & set(item())
        assert not owner_only & set(item(representative_of("another-enterprise", subject="rep-x")))
    assert item()["id"] == listing["id"]
