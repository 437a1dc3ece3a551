"""A listing's photos: the seller adds them (checked, upright, stripped of metadata, drawn in two sizes),
describes, reorders and removes them; anyone sees those of a published listing, only the seller's
representatives those of a draft, a paused or an archived one.

A photo's files are stored first (unattached) and the listing names the photo after, in one write of the
listing, then the files are marked attached; if that write is refused (the cap reached meanwhile, the
listing archived), the files are removed again, so no one ever sees half a photo. Removing goes the other
way: the files are marked unattached, the listing drops the photo, the files are deleted. A crash between
any two steps leaves files unattached: ``sweep`` deletes them an hour later unless the listing names the
photo (then they are attached again).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from services.marketplace.domain.listing import Listing
from services.marketplace.domain.photo import FILE_FIELD, Dimensions, Photo, PhotoSize, alt_text
from services.marketplace.service_layer.listings import ListingService
from services.marketplace.service_layer.ports import PhotoStore, StoredPhoto
from shared.auth import Principal
from shared.errors import AppError, InvalidInput, NotFound, PayloadTooLarge, Text
from shared.images import ImageRefused, Refusal, Size, prepare

LEFTOVER_AFTER = timedelta(hours=1)
"""Unattached files older than this are a crash's leftovers (an upload takes seconds)."""
SIZES: dict[str, Size] = {
    PhotoSize.THUMB.value: Size(320, 240, crop=True),
    PhotoSize.LARGE.value: Size(1280, 1280),
}
NOT_ACCEPTED = Text("Снимката не е приета.", "The photo is not accepted.")


@dataclass(frozen=True)
class ShownPhoto:
    """A photo's bytes and whether anyone may see them (the listing is published) or only its seller."""

    data: bytes
    content_type: str
    public: bool


@dataclass
class PhotoService:
    listings: ListingService
    store: PhotoStore
    max_bytes: int
    max_pixels: int
    new_id: Callable[[], str] = field(default=lambda: f"photo-{uuid.uuid4().hex}")

    def too_large(self) -> PayloadTooLarge:
        megabytes = self.max_bytes / (1024 * 1024)
        shown = f"{megabytes:g}".replace(".", ",")
        return PayloadTooLarge(
            Text(f"Снимката е по-голяма от {shown} MB.", f"The photo is larger than {megabytes:g} MB."),
            {FILE_FIELD: Text(f"Най-много {shown} MB.", f"At most {megabytes:g} MB.")},
        )

    def add(self, principal: Principal, listing_id: str, data: bytes, alt: str | None) -> Photo:
        listing = self.listings.own(principal, listing_id)
        listing.check_room_for_photo()
        problems: dict[str, Text] = {}
        described = ""
        try:
            described = alt_text(alt)
        except AppError as error:
            problems.update(error.fields)
        if len(data) > self.max_bytes:
            raise self.too_large()
        drawn = None
        if not data:
            problems[FILE_FIELD] = Text("Изберете снимка.", "Choose a photo.")
        else:
            try:
                drawn = prepare(data, SIZES, max_pixels=self.max_pixels)
            except ImageRefused as refused:
                problems[FILE_FIELD] = self._refusal(refused)
        if problems or drawn is None:
            raise InvalidInput(NOT_ACCEPTED, problems)
        photo_id = self.new_id()
        sizes = {PhotoSize(name): rendition for name, rendition in drawn.items()}
        photo = Photo(
            id=photo_id,
            alt=described,
            thumb=Dimensions(sizes[PhotoSize.THUMB].width, sizes[PhotoSize.THUMB].height),
            large=Dimensions(sizes[PhotoSize.LARGE].width, sizes[PhotoSize.LARGE].height),
        )
        self.store.put(listing.id, listing.seller_id, photo_id, sizes)
        try:
            self.listings.act(principal, listing_id, lambda item, now: item.add_photo(photo, now))
        except BaseException:
            self.store.delete(photo_id)
            raise
        self.store.attach(photo_id)
        return photo

    def _refusal(self, refused: ImageRefused) -> Text:
        if refused.reason is Refusal.TOO_MANY_PIXELS:
            limit = f"{self.max_pixels / 1_000_000:g}"
            return Text(
                f"Снимката има твърде много пиксела: най-много {limit} милиона (например 8000 × 5000).",
                f"The photo has too many pixels: at most {limit} million (8000 × 5000, say).",
            )
        return Text("Файлът не е снимка във формат JPEG, PNG или WebP.", "The file is not a JPEG, PNG or WebP picture.")

    def describe(self, principal: Principal, listing_id: str, photo_id: str, alt: str | None) -> Listing:
        described = alt_text(alt)
        return self.listings.act(principal, listing_id, lambda item, now: item.describe_photo(photo_id, described, now))

    def order(self, principal: Principal, listing_id: str, photo_ids: list[str]) -> Listing:
        return self.listings.act(principal, listing_id, lambda item, now: item.order_photos(photo_ids, now))

    def remove(self, principal: Principal, listing_id: str, photo_id: str) -> Listing:
        self.listings.own(principal, listing_id).photo(photo_id)  # the caller's, and on the listing
        self.store.detach(photo_id)
        try:
            listing = self.listings.act(principal, listing_id, lambda item, now: item.remove_photo(photo_id, now))
        except BaseException:
            self.store.attach(photo_id)
            raise
        self.store.delete(photo_id)
        return listing

    def sweep(self) -> int:
        """Delete the files of photos a crash left unattached over an hour ago, unless the listing names the
        photo (then attach them again); how many photos were deleted."""
        deleted = 0
        for listing_id, photo_id in self.store.unattached(self.listings.clock.now() - LEFTOVER_AFTER):
            try:
                named = any(p.id == photo_id for p in self.listings.listings.get(listing_id).photos)
            except NotFound:
                named = False
            if named:
                self.store.attach(photo_id)
            else:
                self.store.delete(photo_id)
                deleted += 1
        return deleted

    def show(self, principal: Principal, listing_id: str, photo_id: str, size: PhotoSize) -> ShownPhoto:
        listing = self.listings.view(principal, listing_id)
        listing.photo(photo_id)  # only a photo the listing shows
        stored: StoredPhoto | None = self.store.read(listing.id, photo_id, size)
        if stored is None:
            raise NotFound(Text("Няма такава снимка.", "No such photo."))
        return ShownPhoto(stored.data, stored.content_type, public=listing.visible)
