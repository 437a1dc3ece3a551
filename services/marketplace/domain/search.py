"""Search over published listings, in Bulgarian and Latin alike, as plain Python over posting lists.

FerretDB answers nothing but ``_id`` equality without reading the whole collection, so the search
never queries listings by their fields. Each term has one posting document (``_id`` = the term)
mapping listing ids to the term's weight in that listing; a query reads the postings of its words
(or of a filter, or of everything published when there are no words), intersects them, and then
filters, counts and sorts with each listing's :class:`SearchKeys`. The work therefore grows with
the number of listings that match, never with the number of listings there are.

Terms are words folded to lower-case Latin by the official transliteration, so "med" finds "мед"
and "кошници" finds "koshnitsi". Title, tags, the category's names and the seller's name are indexed
with every prefix from three letters (search as you type); the description by whole words. A word
of the query that names a place ("Габрово", "Stara Zagora", "Трявна", "с. Абланица") is not looked for
in the text: it narrows the search to the listings serving the place's district or sold by a seller
seated there.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import json
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, cached_property
from itertools import compress, repeat
from operator import and_, attrgetter, eq, le, lt, neg
from typing import Any

from services.marketplace.domain.categories import categories, with_ancestors
from services.marketplace.domain.listing import Listing
from shared.bg.geography import geography
from shared.bg.places import split_places as places_in
from shared.errors import InvalidInput, Text
from shared.text.search import MAX_TERM, words

MIN_PREFIX = 3
ALL = "*"
"""The posting of every published listing: the driver of a query with no words and no filter."""

STOPWORDS = frozenset(
    words("и в във на за от с със по до при без или но че да не се са е ако как като към през след")
    + words("the and of for with to in on by from")
)
"""Folded, like every term."""


class Field(StrEnum):
    TITLE = "title"
    TAGS = "tags"
    CATEGORY = "category"
    SELLER = "seller"
    DESCRIPTION = "description"


# Weight of a whole-word match and of a prefix match, by field: a word of the title counts most.
WEIGHTS: dict[Field, tuple[int, int]] = {
    Field.TITLE: (8, 4),
    Field.TAGS: (6, 3),
    Field.CATEGORY: (5, 2),
    Field.SELLER: (4, 2),
    Field.DESCRIPTION: (1, 0),
}


def _folded_words(text: str) -> list[str]:
    return [w[:MAX_TERM] for w in words(text) if w not in STOPWORDS]


def weighted_terms(texts: Mapping[Field, Iterable[str]]) -> dict[str, int]:
    """Every term of a listing with its weight (the best of its fields)."""
    found: dict[str, int] = {}

    def add(term: str, weight: int) -> None:
        if weight > found.get(term, 0):
            found[term] = weight

    for field_, values in texts.items():
        whole, prefix = WEIGHTS[field_]
        for text in values:
            for word in _folded_words(text):
                add(word, whole)
                if prefix:
                    for end in range(MIN_PREFIX, len(word)):
                        add(word[:end], prefix)
    return found


TERMS_VERSION = 3
"""What :func:`listing_terms` indexes; raised when that changes, so the scheduler reindexes every listing."""


def split_places(query: str) -> tuple[str, frozenset[str]]:
    """The query without its place names, and the districts those places lie in (see :mod:`shared.bg.places`)."""
    found = places_in(query)
    return found.rest, found.districts


def query_words(query: str) -> list[str]:
    """The terms a query asks for: each folded word is a whole word or, from three letters, a prefix."""
    return sorted(set(_folded_words(query)))


def category_term(code: str) -> str:
    return f"c:{code}"


def district_term(code: str) -> str:
    return f"d:{code}"


def seller_district_term(code: str) -> str:
    """The posting of the listings whose seller is seated in the district."""
    return f"s:{code}"


@cache
def _district_bits() -> dict[str, int]:
    return {code: 1 << i for i, code in enumerate(sorted(geography().districts))}


def district_mask(districts: Iterable[str]) -> int:
    bits = _district_bits()
    mask = 0
    for code in districts:
        mask |= bits[code]
    return mask


@cache
def regions_of(mask: int) -> frozenset[str]:
    places = geography().districts
    return frozenset(places[code].region for code, bit in _district_bits().items() if mask & bit)


@cache
def _region_bits() -> dict[int, int]:
    """The bit of each district's region (by the region's code, in order), by the district's bit."""
    places = geography().districts
    regions = sorted({district.region for district in places.values()})
    return {bit: 1 << regions.index(places[code].region) for code, bit in _district_bits().items()}


def region_mask(districts: int) -> int:
    """The bits of the regions of the districts in a district mask (a few regions: a small number)."""
    bits = _region_bits()
    mask = 0
    while districts:
        lowest = districts & -districts
        mask |= bits.get(lowest, 0)
        districts ^= lowest
    return mask


@cache
def _regions_named(mask: int) -> tuple[str, ...]:
    """The codes of the regions in a region mask."""
    regions = sorted({district.region for district in geography().districts.values()})
    return tuple(code for n, code in enumerate(regions) if mask & 1 << n)


def region_districts(region: str) -> list[str]:
    return sorted(code for code, district in geography().districts.items() if district.region == region)


@dataclass(frozen=True, slots=True)
class SearchKeys:
    """What filters, facets and sorting need of a published listing (one for each in every web worker: slots)."""

    category: str
    districts: int
    """Bit mask of the districts served (see :func:`district_mask`)."""
    enterprise_class: str
    price_cents: int | None
    vulnerable_percent: int
    published_at: int
    """Seconds since the epoch: newest first."""
    seller_district: int = 0
    """The bit of the district the seller is seated in (0 when unknown)."""
    regions: int = field(init=False, repr=False, compare=False)
    """The regions of the districts served (:func:`region_mask`), counted for the region facet."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "regions", region_mask(self.districts))

    def encode(self) -> list[object]:
        return [
            self.category,
            self.districts,
            self.enterprise_class,
            self.price_cents,
            self.vulnerable_percent,
            self.published_at,
            self.seller_district,
        ]

    @classmethod
    def decode(cls, raw: list[object]) -> SearchKeys:
        """The keys as :meth:`encode` wrote them. A worker holds every listing's keys: the category, the class and
        the seller's district are one object each for all listings, not one each as the database's answer has them."""
        category, districts, enterprise_class, price, vulnerable, published, *seat = raw
        seat_bit = int(seat[0]) if seat else 0  # type: ignore[call-overload]
        return cls(
            sys.intern(str(category)),
            int(districts),  # type: ignore[call-overload]
            sys.intern(str(enterprise_class)),
            price,  # type: ignore[arg-type]
            int(vulnerable),  # type: ignore[call-overload]
            int(published),  # type: ignore[call-overload]
            _SEATS.setdefault(seat_bit, seat_bit),
        )


_SEATS: dict[int, int] = {}
"""The district bits sellers are seated in (one int object per district, shared by the keys of every listing)."""


class Sort(StrEnum):
    RELEVANCE = "relevance"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    NEWEST = "newest"


@dataclass(frozen=True)
class SearchRequest:
    text: str = ""
    category: str | None = None
    districts: frozenset[str] = frozenset()
    """Listings serving any of these districts (a region filter is given as its districts)."""
    classes: frozenset[str] = frozenset()
    price_min_cents: int | None = None
    price_max_cents: int | None = None
    vulnerable_min_percent: int | None = None
    sort: Sort = Sort.RELEVANCE
    limit: int = 20
    cursor: str | None = None
    page: int = 1
    """A numbered page of ``limit`` results (ignored with a cursor)."""

    @cached_property
    def _text_parts(self) -> tuple[tuple[str, ...], frozenset[str]]:
        """The query's words and the districts of its places, found once per request (not once per use)."""
        rest, districts = split_places(self.text)
        return tuple(query_words(rest)), districts

    @property
    def words(self) -> list[str]:
        return list(self._text_parts[0])

    @property
    def named_places(self) -> frozenset[str]:
        """The districts of the places named in the query's text ("мляко Габрово", "мед Трявна"): a listing must
        serve one of them or be sold by a seller seated in one."""
        return self._text_parts[1]

    def driver_terms(self) -> list[list[str]]:
        """Postings to read: a listing must be in at least one posting of every group.

        Words come first; without words, the narrowest filter drives; without either, everything.
        """
        if self.words:
            return [[w] for w in self.words]
        if self.category:
            return [[category_term(self.category)]]
        if self.named_places:
            named = sorted(self.named_places)
            return [[district_term(d) for d in named] + [seller_district_term(d) for d in named]]
        if self.districts:
            return [[district_term(d) for d in sorted(self.districts)]]
        return [[ALL]]


@dataclass
class SearchPage:
    ids: list[str]
    total: int
    facets: dict[str, dict[str, int]]
    next_cursor: str | None
    scores: dict[str, int] = field(default_factory=dict)


Postings = Mapping[str, int]
Ranked = list[tuple[tuple[object, ...], str]]
"""Listing id → the weight of the term in that listing."""


def _sort_key(sort: Sort, listing_id: str, score: int, keys: SearchKeys) -> tuple[object, ...]:
    if sort is Sort.RELEVANCE:
        return (-score, -keys.published_at, listing_id)
    if sort is Sort.NEWEST:
        return (-keys.published_at, listing_id)
    on_request = keys.price_cents is None
    price = keys.price_cents or 0
    return (on_request, price if sort is Sort.PRICE_ASC else -price, listing_id)


def encode_cursor(key: tuple[object, ...]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key), ensure_ascii=False).encode()).decode()


def decode_cursor(cursor: str) -> tuple[object, ...]:
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        value = None
    if not isinstance(value, list) or not value:
        raise InvalidInput(
            Text("Невалидна страница.", "Invalid page cursor."),
            {"cursor": Text("Курсорът не е от това търсене.", "The cursor does not come from a search.")},
        )
    return tuple(value)


class _Filters:
    def __init__(self, request: SearchRequest) -> None:
        self.request = request
        self.category_codes = {c for c in categories() if request.category in with_ancestors(c)}
        self.district_mask = district_mask(request.districts) if request.districts else 0
        named = request.named_places
        self.named_mask = district_mask(named) if named else 0

    def category_ok(self, keys: SearchKeys) -> bool:
        return self.request.category is None or keys.category in self.category_codes

    def place_ok(self, keys: SearchKeys) -> bool:
        return not self.district_mask or bool(keys.districts & self.district_mask)

    def none_but_category_and_place(self) -> bool:
        r = self.request
        return not (
            self.named_mask
            or r.classes
            or r.price_min_cents is not None
            or r.price_max_cents is not None
            or r.vulnerable_min_percent is not None
        )

    def others_ok(self, keys: SearchKeys) -> bool:
        r = self.request
        if self.named_mask and not (keys.districts | keys.seller_district) & self.named_mask:
            return False
        if r.classes and keys.enterprise_class not in r.classes:
            return False
        if r.price_min_cents is not None or r.price_max_cents is not None:
            if keys.price_cents is None:
                return False
            if r.price_min_cents is not None and keys.price_cents < r.price_min_cents:
                return False
            if r.price_max_cents is not None and keys.price_cents > r.price_max_cents:
                return False
        return r.vulnerable_min_percent is None or keys.vulnerable_percent >= r.vulnerable_min_percent


def _merged(group: list[Postings]) -> Mapping[str, int]:
    """A listing's weight in any posting of the group: the best of them."""
    if len(group) == 1:
        return group[0]
    merged: dict[str, int] = {}
    for posting in group:
        for listing_id, weight in posting.items():
            if weight > merged.get(listing_id, -1):
                merged[listing_id] = weight
    return merged


def _scores(postings: list[list[Postings]]) -> Mapping[str, int]:
    """Each listing found in every group, with the sum of its weights (a single posting is used as it is)."""
    scores: Mapping[str, int] = {}
    for n, group in enumerate(postings):
        merged = _merged(group)
        if n == 0:
            scores = merged
            continue
        both = list(scores.keys() & merged.keys())
        scores = dict(
            zip(both, map(int.__add__, map(scores.__getitem__, both), map(merged.__getitem__, both)), strict=True)
        )
    return scores


_CATEGORY = attrgetter("category")
_DISTRICTS = attrgetter("districts")
_REGIONS = attrgetter("regions")
_PUBLISHED = attrgetter("published_at")
_PRICE = attrgetter("price_cents")
_ON_REQUEST = float("inf")
"""The rank of a price on request: after every price, in either order."""


def _first_ranks(sort: Sort, ids: list[str], items: list[SearchKeys], scores: Mapping[str, int]) -> list[Any]:
    """Each match's rank by the first part of its :func:`_sort_key` (the price's two parts as one)."""
    if sort is Sort.RELEVANCE:
        return list(map(neg, map(scores.__getitem__, ids)))
    if sort is Sort.NEWEST:
        return list(map(neg, map(_PUBLISHED, items)))
    if sort is Sort.PRICE_ASC:
        return [_ON_REQUEST if price is None else price for price in map(_PRICE, items)]
    return [_ON_REQUEST if price is None else -price for price in map(_PRICE, items)]


def _smallest(ranks: list[Any], count: int) -> Any:
    """The last of the ``count`` smallest ranks: they, and every rank equal to it, are those up to it."""
    return heapq.nsmallest(count, ranks)[-1]


def run_search(request: SearchRequest, postings: list[list[Postings]], keys: Mapping[str, SearchKeys]) -> SearchPage:
    """One page of results from the postings of ``request.driver_terms()`` (same shape) and the listings' keys.

    Counts per category ignore the category filter and counts per region ignore the place filter,
    so a person sees how many they would find by changing that one choice. The work is a few passes over
    the matches, each in C (``map``, ``compress``, ``Counter``) but for the filters a request names: facets
    are counted per category and per set of districts served, then spread to ancestors and regions; the page
    is found by a rank per match (one integer where the order allows), and only the first places are ordered.
    """
    scores = _scores(postings)
    ids = list(scores)
    items = list(map(keys.get, ids))
    if not all(items):  # a listing no longer published has no keys
        ids = list(compress(ids, items))
        items = list(filter(None, items))
    ids, items, facets = _filtered(request, ids, items)
    if request.cursor:
        matched: Ranked = sorted(
            (_sort_key(request.sort, listing_id, scores[listing_id], item), listing_id)
            for listing_id, item in zip(ids, items, strict=True)
        )
        matched = _after(matched, decode_cursor(request.cursor))
        page_ids = [listing_id for _, listing_id in matched[: request.limit]]
        more = len(matched) > request.limit
    else:
        page_ids, more = _numbered_page(request, ids, items, scores)
    next_cursor = None
    if more:
        last = page_ids[-1]
        next_cursor = encode_cursor(_sort_key(request.sort, last, scores[last], keys[last]))
    return SearchPage(
        ids=page_ids,
        total=len(ids),
        facets=facets,
        next_cursor=next_cursor,
        scores={listing_id: scores[listing_id] for listing_id in page_ids},
    )


def _filtered(
    request: SearchRequest, ids: list[str], items: list[SearchKeys]
) -> tuple[list[str], list[SearchKeys], dict[str, dict[str, int]]]:
    """The matches every filter lets through, and the facets: per category of those the place filter lets
    through, per region of those the category filter lets through."""
    filters = _Filters(request)
    if not filters.none_but_category_and_place():
        chosen = [filters.others_ok(item) for item in items]
        ids, items = list(compress(ids, chosen)), list(compress(items, chosen))
    place_ok: list[int] | None = None
    if filters.district_mask:
        place_ok = list(map(and_, map(_DISTRICTS, items), repeat(filters.district_mask)))
    category_ok: list[bool] | None = None
    if request.category is not None:
        category_ok = list(map(filters.category_codes.__contains__, map(_CATEGORY, items)))

    per_category = Counter(map(_CATEGORY, items if place_ok is None else compress(items, place_ok)))
    if category_ok is not None:
        ids, items = list(compress(ids, category_ok)), list(compress(items, category_ok))
        if place_ok is not None:
            place_ok = list(compress(place_ok, category_ok))
    per_regions = Counter(map(_REGIONS, items))
    if place_ok is not None:
        ids, items = list(compress(ids, place_ok)), list(compress(items, place_ok))

    by_category: Counter[str] = Counter()
    for code, count in per_category.items():
        for ancestor in with_ancestors(code):
            by_category[ancestor] += count
    by_region: Counter[str] = Counter()
    for mask, count in per_regions.items():
        for region in _regions_named(mask):
            by_region[region] += count
    return ids, items, {"category": dict(by_category), "region": dict(by_region)}


def _numbered_page(
    request: SearchRequest, ids: list[str], items: list[SearchKeys], scores: Mapping[str, int]
) -> tuple[list[str], bool]:
    """The ids of the request's numbered page, and whether a page follows. The matches that may be among the
    first ``page × limit + 1`` are found by the first part of their sort key, and by how new they are among
    those tied on the relevance at the edge, in C; only they are ordered by their whole key."""
    first = (request.page - 1) * request.limit if request.page > 1 else 0
    if first >= len(ids):
        return [], False
    wanted = first + request.limit + 1  # one more tells whether a next page exists
    sort = request.sort
    if wanted < len(ids):
        ranks = _first_ranks(sort, ids, items, scores)
        edge = _smallest(ranks, wanted)
        if sort is Sort.RELEVANCE:
            better = list(map(lt, ranks, repeat(edge)))
            tied = list(map(eq, ranks, repeat(edge)))
            tied_ids, tied_items = list(compress(ids, tied)), list(compress(items, tied))
            need = wanted - sum(better)
            if need < len(tied_ids):
                newness = list(map(neg, map(_PUBLISHED, tied_items)))
                newest = list(map(le, newness, repeat(_smallest(newness, need))))
                tied_ids, tied_items = list(compress(tied_ids, newest)), list(compress(tied_items, newest))
            ids = [*compress(ids, better), *tied_ids]
            items = [*compress(items, better), *tied_items]
        else:
            near = list(map(le, ranks, repeat(edge)))
            ids, items = list(compress(ids, near)), list(compress(items, near))
    ranked = sorted(
        (_sort_key(sort, listing_id, scores[listing_id], item), listing_id)
        for listing_id, item in zip(ids, items, strict=True)
    )
    page = [listing_id for _, listing_id in ranked[first : first + request.limit]]
    return page, len(ranked) > first + request.limit


def _after(
    matched: list[tuple[tuple[object, ...], str]], cursor: tuple[object, ...]
) -> list[tuple[tuple[object, ...], str]]:
    try:
        return [m for m in matched if m[0] > cursor]  # type: ignore[operator]
    except TypeError:  # a cursor of another sort order, or made up
        raise InvalidInput(
            Text("Невалидна страница.", "Invalid page cursor."),
            {"cursor": Text("Курсорът е от друго подреждане.", "The cursor belongs to another sort order.")},
        ) from None


def listing_terms(listing: Listing) -> dict[str, int]:
    """The terms a published listing is found by: its words, and its category and districts for filters."""
    c = listing.content
    terms = weighted_terms(
        {
            Field.TITLE: [c.title_bg, c.title_en],
            Field.TAGS: list(c.tags),
            Field.CATEGORY: [
                name
                for code in with_ancestors(c.category)
                for name in (categories()[code].name_bg, categories()[code].name_en)
            ],
            Field.SELLER: [listing.seller.name],
            Field.DESCRIPTION: [c.description_bg, c.description_en],
        }
    )
    terms[ALL] = 0
    terms.update({category_term(code): 0 for code in with_ancestors(c.category)})
    terms.update({district_term(code): 0 for code in c.districts_served})
    if listing.seller.district in geography().districts:
        terms[seller_district_term(listing.seller.district)] = 0
    return terms


def listing_keys(listing: Listing) -> SearchKeys:
    published = listing.published_at or listing.created_at
    return SearchKeys(
        category=listing.content.category,
        districts=district_mask(listing.content.districts_served),
        enterprise_class=listing.seller.enterprise_class,
        price_cents=listing.content.price.cents,
        vulnerable_percent=round(100 * listing.seller.vulnerable_staff_share),
        published_at=int(published.timestamp()),
        seller_district=district_mask([listing.seller.district])
        if listing.seller.district in geography().districts
        else 0,
    )
