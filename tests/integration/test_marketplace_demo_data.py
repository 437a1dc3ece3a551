"""The marketplace's demo data goes through the real use cases and can be loaded twice."""

from __future__ import annotations

import pytest
from pymongo.database import Database

from services.marketplace.domain.photo import PhotoSize
from services.marketplace.domain.search import SearchRequest
from services.marketplace.entrypoints.demo_data import ADMIN, load
from services.marketplace.entrypoints.wiring import build
from tests.integration.marketplace_api import seed_seller

pytestmark = pytest.mark.integration


def test_demo_sellers_get_published_listings_a_reviewed_order_and_a_matched_need(market_db: Database) -> None:
    seed_seller(market_db, name="Кооперация Пчелица")  # a sewing cooperative, by its register activities
    seed_seller(market_db, "EnterpriseDeleted", status="deleted")
    marketplace = build(market_db)
    assert load(marketplace) == {"listings": 3, "photos": 1, "deals": 2, "needs": 1}
    page, shown = marketplace.listings.search(SearchRequest(text="pchelitsa"))
    assert page.total == 3 and all(listing.visible for listing in shown)
    assert {listing.content.category for listing in shown} == {"textiles.workwear"}, "it sells what it sews"
    (with_photo,) = [listing for listing in shown if listing.photos]
    assert with_photo.photos[0].alt.startswith("Две работни престилки")
    assert marketplace.photos.show(ADMIN, with_photo.id, with_photo.photos[0].id, PhotoSize.THUMB).public
    assert load(marketplace) == {"listings": 0, "photos": 0, "deals": 0, "needs": 0}  # a second run adds nothing
