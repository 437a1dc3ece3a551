"""The marketplace's demo data goes through the real use cases and can be loaded twice."""

from __future__ import annotations

import pytest
from pymongo.database import Database

from services.marketplace.domain.search import SearchRequest
from services.marketplace.entrypoints.demo_data import load
from services.marketplace.entrypoints.wiring import build
from tests.integration.marketplace_api import seed_seller

pytestmark = pytest.mark.integration


def test_demo_sellers_get_published_listings_a_reviewed_order_and_a_matched_need(market_db: Database) -> None:
    seed_seller(market_db, name="Кооперация Пчелица")
    seed_seller(market_db, "EnterpriseDeleted", status="deleted")
    marketplace = build(market_db)
    assert load(marketplace) == {"listings": 3, "deals": 2, "needs": 1}
    page, shown = marketplace.listings.search(SearchRequest(text="pchelitsa"))
    assert page.total == 3 and all(listing.visible for listing in shown)
    assert load(marketplace) == {"listings": 0, "deals": 0, "needs": 0}  # a second run adds nothing
