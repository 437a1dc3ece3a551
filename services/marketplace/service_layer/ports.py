"""What the marketplace's use cases need from the outside world (MongoDB in production, fakes in tests)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.marketplace.domain.listing import Listing
from services.marketplace.domain.photo import PhotoSize
from services.marketplace.domain.search import SearchKeys
from services.marketplace.domain.seller import Seller
from shared.images import Rendition
from shared.outbox import OutboxEntry


@dataclass(frozen=True)
class Indexed:
    """What the search index holds for a listing: its terms with their weights, and its encoded keys."""

    terms: dict[str, int]
    keys: list[object] | None


NOT_INDEXED = Indexed({}, None)


class Sellers(Protocol):
    def get(self, enterprise_id: str) -> Seller | None: ...


class Listings(Protocol):
    def get(self, listing_id: str) -> Listing: ...

    def shown(self, listing_id: str) -> Listing:
        """The listing as ``get`` reads it, to be shown and never changed (it may be shared with other requests);
        current as of the search index's change log, which the search followed just before."""

    def add(self, listing: Listing, outbox: list[OutboxEntry]) -> None: ...

    def save(self, listing: Listing, outbox: list[OutboxEntry]) -> None:
        """Write the changed listing and its events atomically; StaleVersion on a lost race."""

    def of_seller(self, seller_id: str) -> list[Listing]: ...

    def dirty_ids(self) -> list[str]: ...

    def all_ids(self) -> list[str]: ...

    def mark_indexed(self, listing_id: str, version: int, indexed: Indexed) -> bool: ...

    def indexed(self, listing_id: str) -> Indexed: ...


class SearchIndex(Protocol):
    def put(self, listing_id: str, keys: SearchKeys, terms: Mapping[str, int], previous: Mapping[str, int]) -> None: ...

    def remove(self, listing_id: str, previous: Mapping[str, int]) -> None: ...

    def touch(self, listing_id: str) -> None:
        """Note a change of a published listing that its keys and terms do not show."""

    def postings(self, terms: Iterable[str]) -> dict[str, dict[str, int]]:
        """Each term's postings: listing id → weight."""

    def keys(self, listing_ids: Iterable[str]) -> Mapping[str, SearchKeys]:
        """At least the keys of the listings named that are published (to be read, never changed)."""

    def matches(self, terms: Iterable[str]) -> tuple[dict[str, dict[str, int]], Mapping[str, SearchKeys]]:
        """``postings(terms)`` and the ``keys`` of every listing in them, as of one moment."""

    def terms_version(self) -> int:
        """The version of ``listing_terms`` every listing in the index was last indexed with (0: unknown)."""

    def set_terms_version(self, version: int) -> None: ...


class StoredPhoto(Protocol):
    data: bytes
    content_type: str


class PhotoStore(Protocol):
    def put(self, listing_id: str, seller_id: str, photo_id: str, sizes: dict[PhotoSize, Rendition]) -> None: ...

    def read(self, listing_id: str, photo_id: str, size: PhotoSize) -> StoredPhoto | None: ...

    def attach(self, photo_id: str) -> None:
        """The listing names the photo now: its files are no crash's leftovers."""

    def detach(self, photo_id: str) -> None: ...

    def unattached(self, before: datetime) -> list[tuple[str, str]]:
        """(listing id, photo id) of photos stored before ``before`` and not (or no longer) attached."""

    def delete(self, photo_id: str) -> None: ...
