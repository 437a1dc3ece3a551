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
import dataclasses
import json
import sys
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, cached_property
from typing import Any, TypeVar

import numpy as np

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


class KeyTable(Mapping[str, SearchKeys]):
    """Every listing's :class:`SearchKeys` as columns, one row per listing id: what a web worker holds of all listings.

    A row is given to each id the first time it is put or found in a posting, and never to another id; a listing
    no longer published keeps its row, marked absent. As a mapping it holds the listings present, each read back
    as :class:`SearchKeys`. A posting handed to :meth:`rows_of` is turned into the ascending rows of its listings
    and their weights once, and kept by the posting's identity: postings handed in are never changed (a kept
    posting is replaced, not changed, when a listing's terms change). One lock keeps a search's reading of the
    columns apart from changes, so a search sees each listing's keys as one change left them.
    """

    def __init__(self, capacity: int = 1024, *, converted_members: int = 300_000) -> None:
        self._lock = threading.Lock()
        self._number = _RowIndex()
        self._size = 0
        self._present_count = 0
        self._names: dict[str, list[str]] = {"category": [], "class": []}
        self._codes: dict[str, dict[str, int]] = {"category": {}, "class": {}}
        self._keys = np.zeros(capacity, _ROW)
        """One record of :data:`_ROW` per listing: a search gathers its matches' rows in one step."""
        self._ids: np.ndarray = np.empty(capacity, object)
        self._converted: OrderedDict[int, tuple[Postings, np.ndarray, np.ndarray]] = OrderedDict()
        self._converted_members = 0
        self._converted_limit = converted_members
        self._term_posting: dict[str, int] = {}

    @classmethod
    def of(cls, keys: Iterable[tuple[str, SearchKeys | None]]) -> KeyTable:
        table = cls()
        for listing_id, item in keys:
            table.put(listing_id, item)
        return table

    @classmethod
    def load(cls, encoded: Iterable[tuple[str, list[object]]]) -> KeyTable:
        """A table of listings' keys as :meth:`SearchKeys.encode` wrote them, built a few thousand rows at a time (the
        rows as Python objects are never all in memory at once)."""
        ids: list[str] = []
        values: list[tuple[int, ...]] = []
        chunks: list[np.ndarray] = []
        table = cls()
        for listing_id, raw in encoded:
            ids.append(sys.intern(listing_id))
            values.append(table._row_values(SearchKeys.decode(raw)))
            if len(values) == 4096:
                chunks.append(np.array(values, _ROW))
                values.clear()
        chunks += [np.array(values, _ROW), np.zeros(1024, _ROW)]
        table._ids = np.array(ids + [None] * 1024, object)
        table._keys = np.concatenate(chunks)
        table._size = table._present_count = len(ids)
        table._number.rebuild(table._ids, table._size)
        return table

    # ------------------------------------------------------------------ the mapping
    def __getitem__(self, listing_id: str) -> SearchKeys:
        row = self._number.get(listing_id, self._ids)
        values = self._keys[row].tolist() if row is not None else None  # one row, read at once
        if values is None or not values[_PRESENT]:
            raise KeyError(listing_id)
        value = dict(zip(_COLUMNS, values, strict=True))
        return SearchKeys(
            category=self._names["category"][value["category"]],
            districts=value["districts"],
            enterprise_class=self._names["class"][value["klass"]],
            price_cents=None if value["on_request"] else value["price"],
            vulnerable_percent=value["vulnerable"],
            published_at=value["published"],
            seller_district=value["seat"],
        )

    def __contains__(self, listing_id: object) -> bool:
        row = self._number.get(listing_id, self._ids) if isinstance(listing_id, str) else None
        return row is not None and bool(self._keys["present"][row])

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            present = self._ids[: self._size][self._keys["present"][: self._size] != 0]
        return iter(present.tolist())

    def __len__(self) -> int:
        return self._present_count

    # ------------------------------------------------------------------ changes
    def put(self, listing_id: str, keys: SearchKeys | None) -> None:
        """A listing's keys as they are now (``None``: no longer published)."""
        with self._lock:
            row = self._number.get(listing_id, self._ids)
            present = self._keys["present"]
            if keys is None:
                if row is not None and present[row]:
                    present[row] = 0
                    self._present_count -= 1
                return
            if row is None:
                row = self._append(listing_id)
            self._present_count += not self._keys["present"][row]
            self._keys[row] = self._row_values(keys)

    def _row_values(self, keys: SearchKeys) -> tuple[int, ...]:
        """The record of :data:`_ROW` of a present listing (a value too wide for its column raises OverflowError)."""
        return (
            keys.price_cents or 0,
            keys.published_at,
            keys.districts,
            keys.seller_district,
            self._code("category", keys.category),
            self._code("class", keys.enterprise_class),
            1,
            keys.regions,
            keys.price_cents is None,
            keys.vulnerable_percent,
        )

    def _code(self, kind: str, name: str) -> int:
        codes = self._codes[kind]
        code = codes.get(name)
        if code is None:
            code = codes[name] = len(self._names[kind])
            self._names[kind].append(name)
        return code

    def _append(self, listing_id: str) -> int:
        """A new absent row for the id (under the lock)."""
        row = self._size
        if row == len(self._ids):
            grown = max(1024, 2 * row)
            self._ids = np.concatenate([self._ids, np.empty(grown - row, object)])
            self._keys = np.concatenate([self._keys, np.zeros(grown - row, _ROW)])
        listing_id = sys.intern(listing_id)
        self._ids[row] = listing_id
        self._size += 1
        self._number.add(listing_id, row, self._ids, self._size)
        return row

    # ------------------------------------------------------------------ searching
    def converted(self, posting: Postings) -> bool:
        """Whether the posting's rows are kept (its listings all have rows)."""
        kept = self._converted.get(id(posting))
        return kept is not None and kept[0] is posting

    def rows_of(self, posting: Postings, term: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The rows of the posting's listings, ascending, and each one's weight (never to be changed). Named by its
        term, a posting's rows replace those kept of the term's earlier posting."""
        with self._lock:
            kept = self._converted.get(id(posting))
            if kept is not None and kept[0] is posting:
                self._converted.move_to_end(id(posting))
                return kept[1], kept[2]
            if term is not None:
                earlier = self._converted.pop(self._term_posting.pop(term, 0), None)
                self._converted_members -= len(earlier[0]) if earlier else 0
            count = len(posting)
            listing_ids = np.fromiter(posting, object, count)
            rows = self._number.rows(listing_ids, self._ids)
            for n in np.flatnonzero(rows < 0).tolist():  # in no row yet
                rows[n] = self._append(listing_ids[n])
            weights = np.fromiter(posting.values(), np.int16, count)
            order = np.argsort(rows)
            rows, weights = rows[order].astype(np.int32), weights[order]
            rows.flags.writeable = weights.flags.writeable = False
            if count <= self._converted_limit:
                while self._converted and self._converted_members + count > self._converted_limit:
                    _, (dropped, _, _) = self._converted.popitem(last=False)
                    self._converted_members -= len(dropped)
                self._converted[id(posting)] = (posting, rows, weights)
                self._converted_members += count
                if term is not None:
                    self._term_posting[term] = id(posting)
            return rows, weights

    def gather(self, rows: np.ndarray, scores: np.ndarray) -> _Matches:
        """The matches among ``rows`` that are present, with their keys, as of one moment."""
        with self._lock:
            keys = np.take(self._keys, rows)  # records gathered by copying their bytes (indexing copies field by field)
            ids = self._ids
            categories = list(self._names["category"])
            classes = dict(self._codes["class"])
        present = keys["present"] != 0
        if not present.all():
            kept = np.flatnonzero(present)
            rows, scores, keys = rows[kept], scores[kept], np.take(keys, kept)
        return _Matches(rows=rows, scores=scores, ids=ids, keys=keys, categories=categories, classes=classes)


_ROW = np.dtype(
    [
        ("price", np.int64),
        ("published", np.int64),
        ("districts", np.int32),
        ("seat", np.int32),
        ("category", np.int16),
        ("klass", np.int16),
        ("present", np.uint8),
        ("regions", np.uint8),
        ("on_request", np.uint8),
        ("vulnerable", np.uint8),
    ]
)
"""A :class:`KeyTable` row, each column as narrow as its values (32 bytes, each field at its own alignment): the price
(0 on request); the publication time; the bits of the districts served (28), of the seller's district and of the
regions (6); codes of its category and class in the table; 1 for a listing present; 1 for a price on request; the
share of vulnerable staff (0–100)."""
_COLUMNS = _ROW.names
_PRESENT = _COLUMNS.index("present")
assert len(geography().districts) < 32 and len({d.region for d in geography().districts.values()}) <= 8


class _RowIndex:
    """Listing id → its row in a :class:`KeyTable`, without a dict of every id: the ids' hashes in order (int64) with
    their rows (int32), 12 bytes an id, each row found by a binary search and checked against the id in it; the
    rows given since the last rebuild in a small dict, folded in when it grows."""

    def __init__(self) -> None:
        self._hashes = np.zeros(0, np.int64)
        self._rows = np.zeros(0, np.int32)
        self._recent: dict[str, int] = {}

    def rebuild(self, ids: np.ndarray, size: int) -> None:
        """Index the first ``size`` ids (a row each, never reused)."""
        hashes = np.fromiter(map(hash, ids[:size]), np.int64, size)
        order = np.argsort(hashes, kind="stable")
        self._hashes, self._rows, self._recent = hashes[order], order.astype(np.int32), {}

    def add(self, listing_id: str, row: int, ids: np.ndarray, size: int) -> None:
        self._recent[listing_id] = row
        if len(self._recent) > max(4096, len(self._hashes) // 8):
            self.rebuild(ids, size)

    def get(self, listing_id: str, ids: np.ndarray) -> int | None:
        row = self._recent.get(listing_id)
        if row is not None:
            return row
        hashed = hash(listing_id)
        at = int(np.searchsorted(self._hashes, hashed))
        while at < len(self._hashes) and self._hashes[at] == hashed:  # equal hashes of other ids: each checked
            row = int(self._rows[at])
            if ids[row] == listing_id:
                return row
            at += 1
        return None

    def rows(self, listing_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """The row of each id (an object array of them), -1 for an id in no row."""
        if not len(self._hashes):
            found = np.full(len(listing_ids), -1, np.intp)
        else:
            hashes = np.fromiter(map(hash, listing_ids), np.int64, len(listing_ids))
            at = np.minimum(np.searchsorted(self._hashes, hashes), len(self._hashes) - 1)
            found = self._rows[at].astype(np.intp)
            ok = (self._hashes[at] == hashes) & (ids[found] == listing_ids)
            found[~ok] = -1
        for n in np.flatnonzero(found < 0).tolist():  # given since the rebuild, or behind an equal hash
            row = self.get(listing_ids[n], ids)
            found[n] = -1 if row is None else row
        return found


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
"""Listing id → the weight of the term in that listing."""
Ranked = list[tuple[tuple[object, ...], str]]
_Placed = list[tuple[tuple[object, ...], str, int]]
"""Matches placed by their sort key: (:func:`_sort_key`, listing id, score)."""
_Sorted = TypeVar("_Sorted", bound=tuple[Any, ...])


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


@dataclass
class _Matches:
    """The listings found, present, with the keys a search needs (numpy arrays, one entry per match)."""

    rows: np.ndarray
    scores: np.ndarray
    ids: np.ndarray
    """Every row's listing id (rows index it)."""
    keys: np.ndarray
    """The matches' rows of :data:`_COLUMNS`."""
    categories: list[str]
    """Category by its code in the table."""
    classes: dict[str, int]
    """Code of each enterprise class in the table."""

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def columns(self) -> dict[str, np.ndarray]:
        return {name: self.keys[name] for name in _COLUMNS}

    def take(self, chosen: np.ndarray) -> _Matches:
        chosen = np.flatnonzero(chosen) if chosen.dtype == np.bool_ else chosen
        return dataclasses.replace(
            self, rows=self.rows[chosen], scores=self.scores[chosen], keys=np.take(self.keys, chosen)
        )

    def sort_keys(self, sort: Sort, positions: np.ndarray) -> _Placed:
        """(:func:`_sort_key`, listing id, score) of the matches at ``positions``, from the columns."""
        ids = self.ids[self.rows[positions]].tolist()
        scores = self.scores[positions].tolist()
        column = self.columns
        published = column["published"][positions].tolist()
        if sort is Sort.RELEVANCE:
            return [((-s, -p, i), i, s) for s, p, i in zip(scores, published, ids, strict=True)]
        if sort is Sort.NEWEST:
            return [((-p, i), i, s) for s, p, i in zip(scores, published, ids, strict=True)]
        on_request = (column["on_request"][positions] != 0).tolist()
        prices = column["price"][positions]
        signed = (prices if sort is Sort.PRICE_ASC else -prices).tolist()
        return [((o, p, i), i, s) for o, p, i, s in zip(on_request, signed, ids, scores, strict=True)]


def _group_rows(table: KeyTable, group: list[Postings]) -> tuple[np.ndarray, np.ndarray]:
    """The rows in any posting of the group, ascending, each with its best weight in them."""
    found = [table.rows_of(posting) for posting in group]
    if len(found) == 1:
        return found[0]
    if not found:
        return _NO_ROWS, _NO_ROWS
    rows = np.concatenate([r for r, _ in found])
    weights = np.concatenate([w for _, w in found])
    order = np.lexsort((-weights, rows))
    rows, weights = rows[order], weights[order]
    first = np.ones(len(rows), np.bool_)
    first[1:] = rows[1:] != rows[:-1]
    return rows[first], weights[first]


_NO_ROWS = np.zeros(0, np.intp)


def _found(table: KeyTable, postings: list[list[Postings]]) -> tuple[np.ndarray, np.ndarray]:
    """The rows in every group, with the sum of their weights."""
    rows, scores = _NO_ROWS, _NO_ROWS
    for n, group in enumerate(postings):
        group_rows, weights = _group_rows(table, group)
        if n == 0:
            rows, scores = group_rows, weights.astype(np.int64)
            continue
        rows, mine, theirs = np.intersect1d(rows, group_rows, assume_unique=True, return_indices=True)
        scores = scores[mine] + weights[theirs]
    return rows, scores


def _table_of(keys: Mapping[str, SearchKeys], postings: list[list[Postings]]) -> KeyTable:
    """A table of the keys of the listings in the postings, for a caller holding its keys as a mapping."""
    named = {listing_id for group in postings for posting in group for listing_id in posting}
    return KeyTable.of((listing_id, keys.get(listing_id)) for listing_id in sorted(named))


def run_search(request: SearchRequest, postings: list[list[Postings]], keys: Mapping[str, SearchKeys]) -> SearchPage:
    """One page of results from the postings of ``request.driver_terms()`` (same shape) and the listings' keys
    (a :class:`KeyTable`, or any mapping, turned into one for the listings in the postings).

    Counts per category ignore the category filter and counts per region ignore the place filter,
    so a person sees how many they would find by changing that one choice. The work is a few numpy passes
    over the matches' rows: postings intersected as ascending rows, filters as masks over the keys' columns,
    facets by ``bincount`` per category code and per set of regions (then spread to ancestors and regions), and
    the page found by a partition on the first part of the sort key; only its first places are ordered in Python.
    """
    table = keys if isinstance(keys, KeyTable) else _table_of(keys, postings)
    rows, scores = _found(table, postings)
    matches, facets = _filtered(request, table.gather(rows, scores))
    if request.cursor:
        matched = sorted(matches.sort_keys(request.sort, np.arange(len(matches))))
        matched = _after(matched, decode_cursor(request.cursor))
        page = matched[: request.limit]
        more = len(matched) > request.limit
    else:
        page, more = _numbered_page(request, matches)
    return SearchPage(
        ids=[listing_id for _, listing_id, _ in page],
        total=len(matches),
        facets=facets,
        next_cursor=encode_cursor(page[-1][0]) if more else None,
        scores={listing_id: score for _, listing_id, score in page},
    )


def _filtered(request: SearchRequest, matches: _Matches) -> tuple[_Matches, dict[str, dict[str, int]]]:
    """The matches every filter lets through, and the facets: per category of those the place filter lets
    through, per region of those the category filter lets through."""
    filters = _Filters(request)
    column = matches.columns
    chosen = np.ones(len(matches), np.bool_)
    if filters.named_mask:
        chosen &= ((column["districts"] | column["seat"]) & filters.named_mask) != 0
    if request.classes:
        codes = [code for name, code in matches.classes.items() if name in request.classes]
        chosen &= np.isin(column["klass"], codes)
    if request.price_min_cents is not None or request.price_max_cents is not None:
        chosen &= column["on_request"] == 0
        if request.price_min_cents is not None:
            chosen &= column["price"] >= request.price_min_cents
        if request.price_max_cents is not None:
            chosen &= column["price"] <= request.price_max_cents
    if request.vulnerable_min_percent is not None:
        chosen &= column["vulnerable"] >= request.vulnerable_min_percent
    place_ok = chosen
    if filters.district_mask:
        place_ok = chosen & ((column["districts"] & filters.district_mask) != 0)
    category_ok = chosen
    if request.category is not None:
        allowed = np.array([name in filters.category_codes for name in matches.categories] or [False], np.bool_)
        category_ok = chosen & allowed[column["category"]]

    by_category: Counter[str] = Counter()
    for code in np.flatnonzero(counts := np.bincount(column["category"][place_ok])).tolist():
        for ancestor in with_ancestors(matches.categories[code]):
            by_category[ancestor] += int(counts[code])
    by_region: Counter[str] = Counter()
    for mask in np.flatnonzero(counts := np.bincount(column["regions"][category_ok])).tolist():
        for region in _regions_named(mask):
            by_region[region] += int(counts[mask])
    facets = {"category": dict(by_category), "region": dict(by_region)}
    kept = place_ok & category_ok
    return (matches if kept.all() else matches.take(kept)), facets


_ON_REQUEST_RANK = 1 << 62
"""The rank of a price on request: after every price, in either order."""


def _first_ranks(sort: Sort, matches: _Matches) -> np.ndarray:
    """Each match's rank by the first part of its :func:`_sort_key` (the price's two parts as one)."""
    column = matches.columns
    if sort is Sort.RELEVANCE:
        return -matches.scores
    if sort is Sort.NEWEST:
        return -column["published"]
    price = column["price"] if sort is Sort.PRICE_ASC else -column["price"]
    return np.where(column["on_request"] != 0, _ON_REQUEST_RANK, price)


def _smallest(ranks: np.ndarray, count: int) -> Any:
    """The ``count``-th smallest rank: it and every rank below it are the ``count`` smallest and their ties."""
    return np.partition(ranks, count - 1)[count - 1]


def _numbered_page(request: SearchRequest, matches: _Matches) -> tuple[_Placed, bool]:
    """The request's numbered page ((sort key, id, score) each), and whether a page follows. The matches that may be
    among the first ``page × limit + 1`` are found by the first part of their sort key, and by how new they are among
    those tied on the relevance at the edge; only they are ordered by their whole key."""
    first = (request.page - 1) * request.limit if request.page > 1 else 0
    if first >= len(matches):
        return [], False
    wanted = first + request.limit + 1  # one more tells whether a next page exists
    positions = np.arange(len(matches))
    if wanted < len(matches):
        ranks = _first_ranks(request.sort, matches)
        edge = _smallest(ranks, wanted)
        if request.sort is Sort.RELEVANCE:
            tied = np.flatnonzero(ranks == edge)
            better = np.flatnonzero(ranks < edge)
            need = wanted - len(better)
            if need < len(tied):
                newness = -matches.columns["published"][tied]
                tied = tied[newness <= _smallest(newness, need)]
            positions = np.concatenate([better, tied])
        else:
            positions = np.flatnonzero(ranks <= edge)
    ranked = sorted(matches.sort_keys(request.sort, positions))
    return ranked[first : first + request.limit], len(ranked) > first + request.limit


def _after(matched: list[_Sorted], cursor: tuple[object, ...]) -> list[_Sorted]:
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
