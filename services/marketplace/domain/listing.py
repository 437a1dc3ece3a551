"""A listing: a product or service a registered enterprise offers, and the states it goes through.

States: draft → published ⇄ paused → archived. A pause is either the seller's own or the system's
(when the enterprise leaves good standing in the register); only the system's pause is lifted by
the system when the enterprise is in good standing again, so a seller's own pause is never undone
behind its back.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from services.marketplace.domain.photo import FILE_FIELD, MAX_PHOTOS, NO_SUCH_PHOTO, Photo
from services.marketplace.domain.seller import NOT_IN_GOOD_STANDING, Seller
from shared.errors import Conflict, InvalidInput, NotFound, Text
from shared.events.recorded import DomainEvent


class ListingStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    PAUSED = "paused"
    ARCHIVED = "archived"


STATUS_BG = {
    ListingStatus.DRAFT: "чернова",
    ListingStatus.PUBLISHED: "публикувана",
    ListingStatus.PAUSED: "спряна",
    ListingStatus.ARCHIVED: "архивирана",
}


class ListingKind(StrEnum):
    PRODUCT = "product"
    SERVICE = "service"


class PauseReason(StrEnum):
    SELLER = "seller"
    REGISTER = "register"
    """The enterprise is no longer in good standing (certificate expired, entry deleted)."""


class ListingTransitionNotAllowed(Conflict):
    code = "transition_not_allowed"

    def __init__(self, action: Text, status: ListingStatus, reason: Text | None = None) -> None:
        because = reason or Text(f"обявата е „{STATUS_BG[status]}“", f"the listing is {status.value}")
        super().__init__(Text(f"Не може да {action.bg}: {because.bg}.", f"Cannot {action.en}: {because.en}."))


@dataclass(frozen=True)
class Price:
    """Euro cents per unit, or ``None`` for "price on request"."""

    cents: int | None
    unit: str
    minimum_quantity: int = 1

    @property
    def on_request(self) -> bool:
        return self.cents is None


@dataclass(frozen=True)
class ListingContent:
    """What the seller writes and may change; everything else about a listing is its state."""

    kind: ListingKind
    title_bg: str
    description_bg: str
    category: str
    price: Price
    districts_served: tuple[str, ...]
    title_en: str = ""
    description_en: str = ""
    image_urls: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    available: bool = True


@dataclass
class Listing:
    id: str
    seller: Seller
    """The seller as the register last described it (name, class, district, standing)."""
    content: ListingContent
    created_at: datetime
    status: ListingStatus = ListingStatus.DRAFT
    pause_reason: PauseReason | None = None
    published_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0
    photos: tuple[Photo, ...] = ()
    """At most ``MAX_PHOTOS``; the first is the cover."""
    _events: list[DomainEvent] = field(default_factory=list, repr=False, compare=False)

    @property
    def seller_id(self) -> str:
        return self.seller.enterprise_id

    @property
    def visible(self) -> bool:
        """Shown in search and on public pages."""
        return self.status is ListingStatus.PUBLISHED

    def pull_events(self) -> list[DomainEvent]:
        events, self._events = self._events, []
        return events

    def _record(self, name: str, **extra: Any) -> None:
        c = self.content
        self._events.append(
            DomainEvent(
                name,
                {
                    "listing_id": self.id,
                    "seller_id": self.seller_id,
                    "seller_name": self.seller.name,
                    "kind": c.kind.value,
                    "title_bg": c.title_bg,
                    "title_en": c.title_en,
                    "category": c.category,
                    "price_cents": c.price.cents,
                    "unit": c.price.unit,
                    "minimum_quantity": c.price.minimum_quantity,
                    "districts_served": list(c.districts_served),
                    "status": self.status.value,
                    **extra,
                },
            )
        )

    def edit(self, content: ListingContent, now: datetime) -> None:
        if self.status is ListingStatus.ARCHIVED:
            raise ListingTransitionNotAllowed(Text("се промени обявата", "edit the listing"), self.status)
        if content == self.content:
            return
        self.content = content
        self.updated_at = now
        if self.visible:
            self._record("ListingUpdated")

    def publish(self, now: datetime) -> None:
        action = Text("се публикува обявата", "publish the listing")
        if self.status not in (ListingStatus.DRAFT, ListingStatus.PAUSED):
            raise ListingTransitionNotAllowed(action, self.status)
        if not self.seller.in_good_standing:
            raise ListingTransitionNotAllowed(action, self.status, NOT_IN_GOOD_STANDING)
        self.status = ListingStatus.PUBLISHED
        self.pause_reason = None
        self.published_at = self.published_at or now
        self._record("ListingPublished")

    def pause(self) -> None:
        if self.status is not ListingStatus.PUBLISHED:
            raise ListingTransitionNotAllowed(Text("се спре обявата", "pause the listing"), self.status)
        self.status = ListingStatus.PAUSED
        self.pause_reason = PauseReason.SELLER
        self._record("ListingPaused", reason=PauseReason.SELLER.value)

    def archive(self) -> None:
        if self.status is ListingStatus.ARCHIVED:
            raise ListingTransitionNotAllowed(Text("се архивира обявата", "archive the listing"), self.status)
        self.status = ListingStatus.ARCHIVED
        self.pause_reason = None
        self._record("ListingArchived")

    # ------------------------------------------------------------------ photos (no event: none carries them)
    def add_photo(self, photo: Photo, now: datetime) -> None:
        self.check_room_for_photo()
        self.photos = (*self.photos, photo)
        self.updated_at = now

    def check_room_for_photo(self) -> None:
        """Refused (409) when the listing is archived or holds ``MAX_PHOTOS`` already."""
        if self.status is ListingStatus.ARCHIVED:
            raise ListingTransitionNotAllowed(Text("се добави снимка", "add a photo"), self.status)
        if len(self.photos) >= MAX_PHOTOS:
            raise Conflict(
                Text(
                    f"Обявата вече има {MAX_PHOTOS} снимки, колкото най-много може.",
                    f"The listing already has {MAX_PHOTOS} photos, the most it may hold.",
                ),
                {FILE_FIELD: Text(f"Най-много {MAX_PHOTOS} снимки.", f"At most {MAX_PHOTOS} photos.")},
            )

    def photo(self, photo_id: str) -> Photo:
        for photo in self.photos:
            if photo.id == photo_id:
                return photo
        raise NotFound(NO_SUCH_PHOTO)

    def describe_photo(self, photo_id: str, alt: str, now: datetime) -> None:
        if self.status is ListingStatus.ARCHIVED:
            raise ListingTransitionNotAllowed(Text("се промени снимка", "change a photo"), self.status)
        found = self.photo(photo_id)
        self.photos = tuple(replace(p, alt=alt) if p is found else p for p in self.photos)
        self.updated_at = now

    def remove_photo(self, photo_id: str, now: datetime) -> Photo:
        """Allowed in any state, an archived listing's too: a seller may always take a picture down."""
        found = self.photo(photo_id)
        self.photos = tuple(p for p in self.photos if p is not found)
        self.updated_at = now
        return found

    def order_photos(self, photo_ids: list[str], now: datetime) -> None:
        """The photos in a new order (the first is the cover): each of the listing's photos once."""
        if self.status is ListingStatus.ARCHIVED:
            raise ListingTransitionNotAllowed(Text("се подредят снимките", "reorder the photos"), self.status)
        current = {p.id: p for p in self.photos}
        if sorted(photo_ids) != sorted(current):
            raise InvalidInput(
                Text("Подредбата не съвпада със снимките на обявата.", "The order does not match the photos."),
                {"order": Text("Посочете всяка снимка на обявата веднъж.", "Name each of the listing's photos once.")},
            )
        self.photos = tuple(current[i] for i in photo_ids)
        self.updated_at = now

    def follow_seller(self, seller: Seller) -> bool:
        """Take the register's latest picture of the seller. A published listing is paused when the seller
        leaves good standing and comes back when it returns, but only if the system paused it.
        Returns True when anything changed (a replayed picture changes nothing)."""
        changed = seller != self.seller
        self.seller = seller
        if not seller.in_good_standing and self.status is ListingStatus.PUBLISHED:
            self.status = ListingStatus.PAUSED
            self.pause_reason = PauseReason.REGISTER
            self._record("ListingPaused", reason=PauseReason.REGISTER.value)
            return True
        if seller.in_good_standing and self.pause_reason is PauseReason.REGISTER:
            self.status = ListingStatus.PUBLISHED
            self.pause_reason = None
            self._record("ListingPublished")
            return True
        return changed


def with_content(listing: Listing, **changes: Any) -> ListingContent:
    """The listing's content with some fields replaced (a partial edit)."""
    return replace(listing.content, **changes)
