"""The search over a web worker's table of keys (numpy columns; facets by code, only the page's first places ordered)
answers every query exactly as the search it replaced: that search is kept here, word for word, as the oracle."""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from collections.abc import Mapping
from functools import cache

import pytest

from bench.market_seed import catalogue
from services.marketplace.domain.categories import categories, with_ancestors
from services.marketplace.domain.search import (
    KeyTable,
    Postings,
    Ranked,
    SearchKeys,
    SearchPage,
    SearchRequest,
    Sort,
    _after,
    _Filters,
    _sort_key,
    decode_cursor,
    encode_cursor,
    listing_keys,
    listing_terms,
    region_districts,
    regions_of,
    run_search,
)
from shared.bg.geography import geography
from shared.errors import InvalidInput


def reference_search(
    request: SearchRequest, postings: list[list[Postings]], keys: Mapping[str, SearchKeys]
) -> SearchPage:
    """The search as it was: a Counter per group, facets counted listing by listing, every match sorted."""
    scores: Counter[str] | None = None
    for group in postings:
        merged: Counter[str] = Counter()
        for posting in group:
            for listing_id, weight in posting.items():
                merged[listing_id] = max(merged[listing_id], weight)
        scores = merged if scores is None else Counter({i: scores[i] + w for i, w in merged.items() if i in scores})
    scores = scores or Counter()

    filters = _Filters(request)
    by_category: Counter[str] = Counter()
    by_region: Counter[str] = Counter()
    matched: Ranked = []
    for listing_id, score in scores.items():
        item = keys.get(listing_id)
        if item is None or not filters.others_ok(item):
            continue
        category_ok, place_ok = filters.category_ok(item), filters.place_ok(item)
        if place_ok:
            by_category.update(with_ancestors(item.category))
        if category_ok:
            by_region.update(regions_of(item.districts))
        if category_ok and place_ok:
            matched.append((_sort_key(request.sort, listing_id, score, item), listing_id))

    matched.sort()
    total = len(matched)
    if request.cursor:
        matched = _after(matched, decode_cursor(request.cursor))
    elif request.page > 1:
        matched = matched[(request.page - 1) * request.limit :]
    page = matched[: request.limit]
    next_cursor = encode_cursor(page[-1][0]) if len(matched) > request.limit else None
    return SearchPage(
        ids=[listing_id for _, listing_id in page],
        total=total,
        facets={"category": dict(by_category), "region": dict(by_region)},
        next_cursor=next_cursor,
        scores={listing_id: scores[listing_id] for _, listing_id in page},
    )


@cache
def index() -> tuple[dict[str, dict[str, int]], dict[str, SearchKeys]]:
    """1 500 listings of the benchmark's catalogue (Cyrillic and Latin, prices on request, many districts); every
    tenth listing's keys are missing, as a listing just withdrawn is."""
    postings: dict[str, dict[str, int]] = {}
    keys: dict[str, SearchKeys] = {}
    for n, listing in enumerate(catalogue(1500)):
        if n % 10:
            keys[listing.id] = listing_keys(listing)
        for term, weight in listing_terms(listing).items():
            postings.setdefault(term, {})[listing.id] = weight
    return postings, keys


TEXTS = ["", "мед", "med", "ме", "керам", "keram", "печат визитки", "липов мед", "сирене", "торта", "чорапи", "уеб",
         "ремонт компютри", "chorapi", "кошници", "zzzqx", "мед Габрово", "с. Абланица", "и на"]  # fmt: skip


def requests(count: int) -> list[SearchRequest]:
    rng = random.Random(21)
    districts = sorted(geography().districts)
    codes = sorted(categories())
    found = []
    for _ in range(count):
        low = rng.choice([None, None, 0, 500, 2000])
        found.append(
            SearchRequest(
                text=rng.choice(TEXTS),
                category=rng.choice([None, None, None, "food", "food.honey", "crafts", rng.choice(codes)]),
                districts=rng.choice(
                    [frozenset(), frozenset(), frozenset(region_districts("BG41")), frozenset(rng.sample(districts, 2))]
                ),
                classes=rng.choice([frozenset(), frozenset(), frozenset({"A+"}), frozenset({"A", "A+"})]),
                price_min_cents=low,
                price_max_cents=rng.choice([None, None, 1500, 100_000]) if low is None or low < 1500 else None,
                vulnerable_min_percent=rng.choice([None, None, 50, 90]),
                sort=rng.choice(list(Sort)),
                limit=rng.choice([1, 5, 20, 50]),
                page=rng.choice([1, 1, 1, 2, 3, 40, 10_000]),
            )
        )
    return found


def search_with(search: object, request: SearchRequest) -> list[SearchPage]:
    """The request's page and, by cursor, the pages after it."""
    postings, keys = index()
    groups = [[postings.get(term, {}) for term in group] for group in request.driver_terms()]
    pages = [search(request, groups, keys)]  # type: ignore[operator]
    while pages[-1].next_cursor and len(pages) < 6:
        pages.append(search(dataclasses.replace(request, cursor=pages[-1].next_cursor), groups, keys))  # type: ignore[operator]
    return pages


def test_every_query_filter_order_and_page_finds_what_the_previous_search_found() -> None:
    cases = requests(400)
    found_any = 0
    for request in cases:
        expected = search_with(reference_search, request)
        assert search_with(run_search, request) == expected, request
        found_any += expected[0].total > 0
    assert found_any > 150  # the requests find things, in many shapes


@pytest.mark.parametrize("cursor", ["bm90IGpzb24", "WyJ4Il0="])
def test_a_cursor_of_another_order_or_made_up_is_refused_alike(cursor: str) -> None:
    request = SearchRequest(text="мед", sort=Sort.PRICE_ASC, cursor=cursor)
    postings, keys = index()
    groups = [[postings.get(term, {}) for term in group] for group in request.driver_terms()]
    with pytest.raises(InvalidInput) as expected:
        reference_search(request, groups, keys)
    with pytest.raises(InvalidInput) as found:
        run_search(request, groups, keys)
    assert found.value.fields == expected.value.fields


def test_a_worker_table_answers_as_the_oracle_before_and_after_its_listings_change_under_the_same_postings() -> None:
    """The worker's table (all keys loaded at once, then changed listing by listing, with the postings' rows kept
    between searches) answers as the oracle does over a mapping of the same keys; read as a mapping it is one."""
    postings, every = index()
    listings = list(catalogue(1500))
    table = KeyTable.load((i, k.encode()) for i, k in every.items())
    keys = dict(every)
    cases = requests(60)

    def search_both(request: SearchRequest) -> None:
        groups = [[postings.get(term, {}) for term in group] for group in request.driver_terms()]
        pages = [run_search(request, groups, table)]
        while pages[-1].next_cursor and len(pages) < 4:
            pages.append(run_search(dataclasses.replace(request, cursor=pages[-1].next_cursor), groups, table))
        expected = [reference_search(request, groups, keys)]
        while expected[-1].next_cursor and len(expected) < 4:
            expected.append(
                reference_search(dataclasses.replace(request, cursor=expected[-1].next_cursor), groups, keys)
            )
        assert pages == expected, request

    for request in cases:
        search_both(request)
    assert dict(table) == keys

    # Listings withdrawn, changed (category, price on request, districts, class, newness) and published again,
    # while the same postings (and the rows the table made of them) stay.
    rng = random.Random(7)
    codes = sorted(categories())
    for n, listing in enumerate(listings):
        if n % 7 == 0 and listing.id in keys:
            table.put(listing.id, None)
            del keys[listing.id]
        elif n % 11 == 0:
            changed = dataclasses.replace(
                listing_keys(listing),
                category=rng.choice(codes),
                price_cents=rng.choice([None, 0, 250, 99_000]),
                districts=rng.getrandbits(28),
                enterprise_class=rng.choice(["A", "A+"]),
                published_at=1_790_000_000 + rng.randrange(3),
            )
            table.put(listing.id, changed)
            keys[listing.id] = changed
    for request in cases:
        search_both(request)
    assert dict(table) == keys and len(table) == len(keys)
