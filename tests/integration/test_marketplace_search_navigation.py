"""Finding listings by their category's name and narrowing by a place named in the query, against real FerretDB."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database

from services.marketplace.adapters.listings import LISTINGS
from services.marketplace.domain.search import listing_keys
from services.marketplace.entrypoints.scheduler import run_pass
from services.marketplace.entrypoints.wiring import build
from tests.integration.marketplace_api import published_listing, seed_seller

pytestmark = pytest.mark.integration


def found_titles(client: FlaskClient, **query: Any) -> list[str]:
    response = client.get("/api/v1/listings", query_string=query)
    assert response.status_code == 200, response.json
    return sorted(item["title"]["bg"] for item in response.json["items"])


def test_the_category_name_finds_its_listings_in_either_script(market: FlaskClient, market_db: Database) -> None:
    seller = seed_seller(market_db)
    published_listing(market, seller, title_bg="Ваза от глина", title_en="Clay vase", category="crafts.ceramics",
                      description_bg="Ръчно изработена.", tags=[])  # fmt: skip
    published_listing(market, seller, title_bg="Липов мед")
    assert found_titles(market, q="керамика") == ["Ваза от глина"]
    assert found_titles(market, q="keramika") == ["Ваза от глина"]
    assert found_titles(market, q="Ceramics") == ["Ваза от глина"]


def test_a_place_in_the_query_narrows_to_listings_serving_that_district(
    market: FlaskClient, market_db: Database
) -> None:
    seller = seed_seller(market_db, district="BG-28")
    published_listing(market, seller, title_bg="Краве мляко", category="food.dairy", districts_served=["BG-07"])
    published_listing(market, seller, title_bg="Козе мляко", category="food.dairy", districts_served=["BG-16"])
    published_listing(market, seller, title_bg="Сирене", category="food.dairy", districts_served=["BG-24"])
    assert found_titles(market, q="мляко Габрово") == ["Краве мляко"]  # no listing says "Габрово"
    assert found_titles(market, q="mlyako plovdiv") == ["Козе мляко"]
    assert found_titles(market, q="Стара Загора") == ["Сирене"]
    assert found_titles(market, q="мляко") == ["Козе мляко", "Краве мляко", "Сирене"]  # "Мляко и млечни продукти"


def test_a_municipality_or_town_in_the_query_narrows_to_sellers_delivering_to_its_district_or_seated_there(
    market: FlaskClient, market_db: Database
) -> None:
    in_yambol = seed_seller(market_db, district="BG-28")
    in_gabrovo = seed_seller(market_db, district="BG-07")
    published_listing(market, in_yambol, title_bg="Краве мляко", category="food.dairy", districts_served=["BG-07"])
    published_listing(market, in_gabrovo, title_bg="Овче мляко", category="food.dairy", districts_served=["BG-28"])
    published_listing(market, in_yambol, title_bg="Козе мляко", category="food.dairy", districts_served=["BG-16"])
    # Трявна is a municipality of the district of Габрово; nothing says "Трявна"
    assert found_titles(market, q="мляко Трявна") == ["Краве мляко", "Овче мляко"]
    assert found_titles(market, q="MLYAKO tryavna") == ["Краве мляко", "Овче мляко"]
    assert found_titles(market, q="Севлиево") == ["Краве мляко", "Овче мляко"]  # no other word: the place drives
    assert found_titles(market, q="мляко Бяла") == []  # the towns near Русе and Варна
    found = market.get("/api/v1/listings", query_string={"q": "мляко Трявна"}).json
    assert found["named_places"] == [{"code": "BG-07", "name": {"bg": "Габрово", "en": "Gabrovo"}}]


def test_listings_indexed_before_category_names_were_terms_are_found_after_the_scheduler_pass(
    market: FlaskClient, market_db: Database
) -> None:
    seller = seed_seller(market_db)
    shown = published_listing(market, seller, title_bg="Ваза от глина", category="crafts.ceramics",
                              description_bg="Ръчно изработена.", tags=[])  # fmt: skip
    marketplace = build(market_db)
    # As an earlier release left it: indexed without the category's words.
    old_terms = {t: w for t, w in marketplace.listings.listings.indexed(shown["id"]).terms.items() if "kerami" not in t}
    listing = marketplace.listings.listings.get(shown["id"])
    marketplace.listings.index.remove(listing.id, marketplace.listings.listings.indexed(listing.id).terms)
    marketplace.listings.index.put(listing.id, listing_keys(listing), old_terms, {})
    market_db[LISTINGS].update_one(
        {"_id": listing.id}, {"$set": {"indexed.terms": sorted(f"{t}|{w}" for t, w in old_terms.items())}}
    )
    market_db["counters"].update_one({"_id": "search_terms_version"}, {"$set": {"value": 1}}, upsert=True)
    assert found_titles(market, q="керамика") == []

    assert run_pass(marketplace)["listings_upgraded"] == 1
    assert found_titles(market, q="керамика") == ["Ваза от глина"]
    assert run_pass(build(market_db))["listings_upgraded"] == 0


def test_the_seller_page_carries_the_social_mission_the_register_published(
    market: FlaskClient, market_db: Database
) -> None:
    seller = seed_seller(
        market_db,
        activities=["Пчеларство", "Преработка на мед"],
        vulnerable_staff={"long_term_unemployed": 3, "disabilities": 0},
    )
    page = market.get(f"/api/v1/sellers/{seller}").json
    assert page["social_mission"] == {
        "activities": ["Пчеларство", "Преработка на мед"],
        "vulnerable_staff": {"long_term_unemployed": 3},
    }
    # A seller last heard of before the mission was kept still has its page, with an empty mission.
    market_db["sellers"].update_one({"_id": seller}, {"$unset": {"activities": "", "vulnerable_staff": ""}})
    assert market.get(f"/api/v1/sellers/{seller}").json["social_mission"] == {"activities": [], "vulnerable_staff": {}}


def test_numbered_pages_of_a_search(market: FlaskClient, market_db: Database) -> None:
    seller = seed_seller(market_db)
    for n, price in enumerate([900, 1500, 2100]):
        published_listing(market, seller, title_bg=f"Мед {n}", price_cents=price)
    pages = [
        market.get("/api/v1/listings", query_string={"q": "мед", "sort": "price_asc", "limit": 2, "page": number}).json
        for number in (1, 2, 3)
    ]
    assert [[i["price"]["cents"] for i in p["items"]] for p in pages] == [[900, 1500], [2100], []]
    assert {p["total"] for p in pages} == {3}
    refused = market.get("/api/v1/listings", query_string={"q": "мед", "page": 0})
    assert refused.status_code == 422 and "page" in refused.json["fields"]


def test_the_search_says_which_places_narrowed_it(market: FlaskClient, market_db: Database) -> None:
    found = market.get("/api/v1/listings", query_string={"q": "мляко Габрово"}).json
    assert found["named_places"] == [{"code": "BG-07", "name": {"bg": "Габрово", "en": "Gabrovo"}}]
    assert market.get("/api/v1/listings", query_string={"q": "мляко"}).json["named_places"] == []
