"""Each web worker keeps the postings people search for: its answers stay exactly what the database's postings give,
and another worker's changes show in its very next search."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient
from pymongo.database import Database

from bench.market_seed import catalogue
from services.marketplace.adapters.search_index import TERMS, MongoSearchIndex
from services.marketplace.domain.listing import Listing
from services.marketplace.domain.search import (
    SearchKeys,
    SearchPage,
    SearchRequest,
    Sort,
    listing_keys,
    listing_terms,
    region_districts,
    run_search,
)
from services.marketplace.entrypoints.app import create_app
from shared.text.postings import ChunkedPostings
from tests.integration.marketplace_api import published_listing, representative_of, seed_seller

CHANGED_AT = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def requests() -> list[SearchRequest]:
    """Cyrillic and Latin words and prefixes, two words, places, no words, unknown words, every filter and order."""
    orders = [(Sort.RELEVANCE, 20), (Sort.NEWEST, 7), (Sort.PRICE_ASC, 4), (Sort.PRICE_DESC, 50)]
    texts = ["мед", "med", "керам", "keram", "печат визитки", "липов мед", "сирене", "торта", "уеб", ""]
    found = [SearchRequest(text=text, sort=orders[n % 4][0], limit=orders[n % 4][1]) for n, text in enumerate(texts)]
    found += [
        SearchRequest(text="кошници"),  # no listing has it
        SearchRequest(text="zzzqx"),
        SearchRequest(text="ме"),  # shorter than a prefix
        SearchRequest(text="мед Габрово"),
        SearchRequest(text="с. Абланица"),
        SearchRequest(text="почистване", districts=frozenset(region_districts("BG41"))),
        SearchRequest(text="", districts=frozenset({"BG-02"})),
        SearchRequest(text="", category="food"),
        SearchRequest(text="мед", category="food.honey", sort=Sort.PRICE_ASC),
        SearchRequest(text="", classes=frozenset({"A+"}), sort=Sort.NEWEST),
        SearchRequest(text="мед", price_min_cents=500, price_max_cents=1500),
        SearchRequest(text="", vulnerable_min_percent=60, sort=Sort.PRICE_DESC),
        SearchRequest(text="мед", page=2, limit=5),
        SearchRequest(text="мед", page=10_000),  # past the end
    ]
    return found


def stored_keys(db: Database[dict[str, Any]]) -> dict[str, SearchKeys]:
    return {d["_id"]: SearchKeys.decode(d["keys"]) for d in db["search_keys"].find({}, {"keys": 1})}


def from_database(
    db: Database[dict[str, Any]], keys: dict[str, SearchKeys], request: SearchRequest
) -> list[SearchPage]:
    """The search as it is without a worker's postings: every posting read from the database."""
    terms = ChunkedPostings(db[TERMS])
    groups = request.driver_terms()
    postings = {
        term: {i.rpartition("|")[0]: int(i.rpartition("|")[2]) for i in terms.of(term)} for g in groups for term in g
    }
    return walk(request, lambda r: run_search(r, [[postings[t] for t in g] for g in groups], keys))


def from_worker(index: MongoSearchIndex, request: SearchRequest) -> list[SearchPage]:
    """The search as a web worker runs it (``ListingService.search``)."""
    groups = request.driver_terms()

    def one(r: SearchRequest) -> SearchPage:
        postings = index.postings(term for g in groups for term in g)
        keys = index.keys({listing_id for found in postings.values() for listing_id in found})
        return run_search(r, [[postings[t] for t in g] for g in groups], keys)

    return walk(request, one)


def walk(request: SearchRequest, search: Any) -> list[SearchPage]:
    """The request's page and, by cursor, every page after it (the cursors are compared as well)."""
    pages = [search(request)]
    while pages[-1].next_cursor and len(pages) < 6:
        pages.append(search(dataclasses.replace(request, cursor=pages[-1].next_cursor)))
    return pages


def renamed(listing: Listing, title: str) -> Listing:
    listing.edit(dataclasses.replace(listing.content, title_bg=title, title_en=""), CHANGED_AT)
    return listing


def test_a_worker_answers_every_search_as_the_database_postings_do_before_and_after_other_workers_change_them(
    db: Database[dict[str, Any]],
) -> None:
    listings = list(catalogue(200))
    writer, reader = MongoSearchIndex(db), MongoSearchIndex(db)
    writer.load((item.id, listing_keys(item), listing_terms(item)) for item in listings)
    cases = requests()
    keys = stored_keys(db)
    for request in cases:  # the reader keeps these postings
        assert from_worker(reader, request) == from_database(db, keys, request), request
    honey_before = from_worker(reader, SearchRequest(text="мед"))[0].total

    # Another worker changes listings: new words, words taken away, listings withdrawn, new listings.
    for item in listings[:3]:
        previous = listing_terms(item)
        renamed(item, "Мед и керамика – кошници")
        writer.put(item.id, listing_keys(item), listing_terms(item), previous)
    honey = [item for item in listings[3:150] if "med" in listing_terms(item)]
    for item in honey[:4]:
        previous = listing_terms(item)
        renamed(item, "Торта за рожден ден")
        writer.put(item.id, listing_keys(item), listing_terms(item), previous)
    for item in listings[150:155]:
        writer.remove(item.id, listing_terms(item))
    for item in list(catalogue(204))[200:]:
        item.edit(dataclasses.replace(item.content, title_bg="Липов мед"), item.created_at + timedelta(hours=1))
        writer.put(item.id, listing_keys(item), listing_terms(item), {})

    keys = stored_keys(db)
    for request in cases:
        assert from_worker(reader, request) == from_database(db, keys, request), request
    honey_after = from_worker(reader, SearchRequest(text="мед"))[0].total
    assert honey_after != honey_before  # the changes were among the reader's kept postings
    assert from_worker(reader, SearchRequest(text="кошници"))[0].total == 3


def search(client: FlaskClient, **query: Any) -> dict[str, Any]:
    response = client.get("/api/v1/listings", query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def test_what_one_worker_publishes_changes_or_withdraws_shows_in_the_next_search_of_another(
    market_db_name: str, market_db: Database[dict[str, Any]]
) -> None:
    searching, selling = create_app().test_client(), create_app().test_client()
    seller = seed_seller(market_db)
    other = published_listing(selling, seller, title_bg="Мед от акация", title_en="")
    assert search(searching, q="мед")["total"] == 1  # the searching worker keeps "мед"
    assert search(searching, q="кошница")["total"] == 0

    listing = published_listing(selling, seller)
    found = search(searching, q="мед")
    assert found["total"] == 2 and {i["id"] for i in found["items"]} == {other["id"], listing["id"]}

    url, headers = f"/api/v1/listings/{listing['id']}", representative_of(seller)
    edited = selling.patch(
        url,
        json={
            "title_bg": "Кошница от ракита",
            "title_en": "",
            "description_bg": "Ръчна.",
            "category": "crafts.basketry",
        },
        headers=headers,
    )
    assert edited.status_code == 200, edited.json
    assert [i["id"] for i in search(searching, q="мед")["items"]] == [other["id"]]
    assert [i["id"] for i in search(searching, q="кошница")["items"]] == [listing["id"]]

    assert selling.post(f"{url}/archive", headers=headers).status_code == 200
    assert search(searching, q="кошница") | {"facets": None} == search(selling, q="zzzqx") | {"facets": None}
    assert search(searching, q="кошница")["total"] == 0
    assert search(searching, q="мед")["total"] == 1
