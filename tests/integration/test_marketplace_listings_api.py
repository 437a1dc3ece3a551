"""Listings and search over HTTP, against real FerretDB."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database

from services.marketplace.adapters.listings import LISTINGS
from services.marketplace.adapters.sellers import MongoSellers
from services.marketplace.entrypoints.consumer import RegisterFollower
from tests.integration.marketplace_api import (
    BUYER,
    LISTING,
    published_listing,
    registry_event,
    representative_of,
    seed_seller,
)

pytestmark = pytest.mark.integration


def search(client: FlaskClient, **query: Any) -> dict[str, Any]:
    response = client.get("/api/v1/listings", query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def test_a_published_listing_is_found_by_a_latin_prefix_and_shows_the_mark(
    market: FlaskClient, market_db: Database
) -> None:
    seller = seed_seller(market_db, name="Пчеларска кооперация Странджа", enterprise_class="A+")
    listing = published_listing(market, seller)
    found = search(market, q="lipo MED")  # prefixes from three letters, any case
    assert [item["id"] for item in found["items"]] == [listing["id"]]
    shown = found["items"][0]
    assert shown["seller"]["mark"] == "Продукт на социално предприятие"
    assert shown["seller"]["enterprise_class"] == "A+" and shown["seller"]["centre"]["id"]
    assert shown["price"]["display"] == "12,50 €"
    assert search(market, q="koshnitsi")["total"] == 0
    assert search(market, q="пчеларска")["total"] == 1  # the seller's name is searched too
    assert {f["code"]: f["count"] for f in found["facets"]["category"]} == {"food": 1, "food.honey": 1}


def test_drafts_stay_out_of_search_and_only_the_seller_sees_them(market: FlaskClient, market_db: Database) -> None:
    seller = seed_seller(market_db)
    created = market.post("/api/v1/listings", json=LISTING, headers=representative_of(seller))
    assert created.status_code == 201 and created.json["status"] == "draft"
    assert search(market, q="мед")["total"] == 0
    assert market.get(f"/api/v1/listings/{created.json['id']}").status_code == 404
    assert market.get(f"/api/v1/listings/{created.json['id']}", headers=representative_of(seller)).status_code == 200


def test_only_the_enterprise_representatives_edit_its_listings(market: FlaskClient, market_db: Database) -> None:
    seller, other = seed_seller(market_db), seed_seller(market_db)
    listing = published_listing(market, seller)
    url = f"/api/v1/listings/{listing['id']}"
    assert market.patch(url, json={"price_cents": 1400}, headers=representative_of(other)).status_code == 403
    assert market.patch(url, json={"price_cents": 1400}, headers=BUYER).status_code == 403
    changed = market.patch(url, json={"price_cents": 1400}, headers=representative_of(seller))
    assert changed.status_code == 200 and changed.json["price"]["cents"] == 1400
    assert search(market, q="med", price_max_cents=1300)["total"] == 0
    assert search(market, q="med", price_max_cents=1400)["total"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"price_cents": -5}, "price_cents"),
        ({"price_cents": 12.5}, "price_cents"),
        ({"price_cents": None}, "price_cents"),
        ({"category": "food.caviar"}, "category"),
        ({"districts_served": ["BG-99"]}, "districts_served.0"),
        ({"title_bg": ""}, "title_bg"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_listings_are_refused_naming_the_field_and_nothing_is_written(
    market: FlaskClient, market_db: Database, body: dict[str, Any], field: str
) -> None:
    seller = seed_seller(market_db)
    response = market.post("/api/v1/listings", json={**LISTING, **body}, headers=representative_of(seller))
    assert response.status_code == 422, response.json
    assert field in response.json["fields"]
    assert market_db[LISTINGS].count_documents({}) == 0


def test_an_enterprise_without_an_active_entry_cannot_publish(market: FlaskClient, market_db: Database) -> None:
    seller = seed_seller(market_db, "EnterpriseDeleted", status="deleted")
    created = market.post("/api/v1/listings", json=LISTING, headers=representative_of(seller))
    refused = market.post(f"/api/v1/listings/{created.json['id']}/publish", headers=representative_of(seller))
    assert refused.status_code == 409 and "регистъра" in refused.json["message"]["bg"]


def test_leaving_the_register_hides_listings_and_coming_back_restores_them(
    market: FlaskClient, market_db: Database
) -> None:
    seller = seed_seller(market_db)
    listing = published_listing(market, seller)
    context = market.application.extensions["marketplace"]
    service = context.listings
    follow = RegisterFollower(MongoSellers(market_db), service, deals=context.deals)
    deleted = registry_event("EnterpriseDeleted", seller, status="deleted")
    follow(deleted, deleted.payload)
    follow(deleted, deleted.payload)  # a duplicate delivery changes nothing more
    assert search(market, q="med")["total"] == 0
    assert market.get(f"/api/v1/listings/{listing['id']}").status_code == 404
    paused = market.get(f"/api/v1/listings/{listing['id']}", headers=representative_of(seller)).json
    assert (paused["status"], paused["pause_reason"]) == ("paused", "register")

    renewed = registry_event("EnterpriseRenewed", seller, status="active")
    follow(renewed, renewed.payload)
    assert [item["id"] for item in search(market, q="med")["items"]] == [listing["id"]]
    events = [e["envelope"]["event_type"] for e in market_db[LISTINGS].find_one({"_id": listing["id"]})["outbox"]]
    assert events == ["marketplace.ListingPublished", "marketplace.ListingPaused", "marketplace.ListingPublished"]


def test_filters_facets_sorting_and_cursor_pages(market: FlaskClient, market_db: Database) -> None:
    plovdiv = seed_seller(market_db, district="BG-16", region="BG42", centre="plovdiv", enterprise_class="A")
    varna = seed_seller(market_db, district="BG-03", region="BG33", centre="varna", enterprise_class="A+")
    cheap = published_listing(market, plovdiv, title_bg="Мед акациев", price_cents=900, districts_served=["BG-16"])
    dear = published_listing(market, varna, title_bg="Мед манов", price_cents=2100, districts_served=["BG-03"])
    asked = published_listing(market, varna, title_bg="Мед на пита", price_cents=None, price_on_request=True,
                              districts_served=["BG-03"])  # fmt: skip
    published_listing(market, plovdiv, title_bg="Кошница плетена", category="crafts.basketry", price_cents=3000)

    by_price = search(market, q="мед", sort="price_asc")
    assert [i["id"] for i in by_price["items"]] == [cheap["id"], dear["id"], asked["id"]]
    assert search(market, q="мед", region="BG33")["total"] == 2
    assert search(market, q="мед", enterprise_class="A+", price_min_cents=1000)["items"][0]["id"] == dear["id"]
    regions = {f["code"]: f["count"] for f in search(market, q="мед", region="BG33")["facets"]["region"]}
    assert regions["BG33"] == 2 and regions["BG42"] == 1  # counts per region ignore the region chosen

    first = search(market, q="мед", sort="price_asc", limit=2)
    rest = search(market, q="мед", sort="price_asc", limit=2, cursor=first["next_cursor"])
    assert [i["id"] for i in first["items"] + rest["items"]] == [cheap["id"], dear["id"], asked["id"]]
    assert rest["next_cursor"] is None
    assert search(market, category="crafts")["total"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [({"sort": "cheapest"}, "sort"), ({"district": "BG-99"}, "district"), ({"cursor": "zzz"}, "cursor"),
     ({"price_min_cents": 500, "price_max_cents": 100}, "price_max_cents"), ({"colour": "red"}, "colour")],
)  # fmt: skip
def test_bad_search_queries_name_the_field(market: FlaskClient, query: dict[str, Any], field: str) -> None:
    response = market.get("/api/v1/listings", query_string=query)
    assert response.status_code == 422, response.json
    assert any(name.startswith(field) for name in response.json["fields"])
