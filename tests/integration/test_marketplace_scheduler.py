"""The marketplace scheduler's pass repairs what a crash between two writes can leave behind."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database

from services.marketplace.adapters.sellers import SELLERS
from services.marketplace.domain.listing import with_content
from services.marketplace.domain.search import SearchRequest
from services.marketplace.entrypoints.scheduler import run_pass
from services.marketplace.entrypoints.wiring import build
from tests.integration.marketplace_api import published_listing, seed_seller

pytestmark = pytest.mark.integration


def test_a_listing_saved_but_not_reindexed_is_found_after_the_pass(market: FlaskClient, market_db: Database) -> None:
    seller = seed_seller(market_db)
    shown = published_listing(market, seller, title_bg="Мед от Балкана")
    marketplace = build(market_db)
    listing = marketplace.listings.listings.get(shown["id"])
    listing.edit(with_content(listing, title_bg="Сладко от смокини"), listing.created_at)
    # The process dies after the save and before the index: the listing is saved and marked for repair.
    events = listing.pull_events()
    marketplace.listings.listings.save(listing, [])
    assert events and marketplace.listings.search(SearchRequest(text="smokini"))[0].total == 0

    assert run_pass(marketplace)["listings_reindexed"] == 1
    assert marketplace.listings.search(SearchRequest(text="smokini"))[0].total == 1
    assert marketplace.listings.search(SearchRequest(text="balkana"))[0].total == 0
    assert run_pass(marketplace)["listings_reindexed"] == 0


def test_a_seller_whose_listings_missed_the_register_change_is_caught_up(
    market: FlaskClient, market_db: Database
) -> None:
    seller = seed_seller(market_db)
    published_listing(market, seller, price_cents=900)
    # The consumer stored the seller's deletion and died before pausing its listings.
    market_db[SELLERS].update_one({"_id": seller}, {"$set": {"register_status": "deleted"}})
    marketplace = build(market_db)
    assert marketplace.listings.search(SearchRequest(text="med"))[0].total == 1

    done = run_pass(marketplace)
    assert done["listings_realigned"] == 1
    assert marketplace.listings.search(SearchRequest(text="med"))[0].total == 0
    assert run_pass(marketplace)["listings_realigned"] == 0
