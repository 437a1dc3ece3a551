"""Listings' photos in the marketplace's GridFS bucket ``photos`` (see ``shared.files``): each size of each
photo is one file (``<photo id>-thumb``, ``<photo id>-large``), with the listing, the seller and the size in
its metadata. Which photos a listing shows, in which order and with which text, is kept on the listing.

A photo's files are stored ``attached: false`` and marked attached once the listing names the photo; files
still unattached an hour later are a crash's leftovers, which the scheduler sweeps (``unattached``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pymongo.database import Database

from services.marketplace.domain.photo import PhotoSize
from shared.files import FileBucket, bucket_indexes
from shared.images import Rendition
from shared.mongo import IndexSpec

BUCKET = "photos"
PHOTO_INDEXES: list[IndexSpec] = bucket_indexes(BUCKET, "listing_id", "photo_id", "attached")


@dataclass(frozen=True)
class StoredImage:
    data: bytes
    content_type: str


def file_id(photo_id: str, size: PhotoSize) -> str:
    return f"{photo_id}-{size.value}"


class GridFSPhotos:
    def __init__(self, db: Database) -> None:
        self._bucket = FileBucket(db, BUCKET)

    def put(self, listing_id: str, seller_id: str, photo_id: str, sizes: dict[PhotoSize, Rendition]) -> None:
        for size, rendition in sizes.items():
            name = file_id(photo_id, size)
            metadata = {
                "listing_id": listing_id,
                "seller_id": seller_id,
                "photo_id": photo_id,
                "size": size.value,
                "content_type": rendition.content_type,
                "attached": False,
            }
            self._bucket.put(name, f"{name}.webp", rendition.data, metadata)

    def read(self, listing_id: str, photo_id: str, size: PhotoSize) -> StoredImage | None:
        name = file_id(photo_id, size)
        info = self._bucket.info({"_id": name, "metadata.listing_id": listing_id})
        data = self._bucket.read(name) if info else None
        if info is None or data is None:
            return None
        return StoredImage(data, info["metadata"]["content_type"])

    def attach(self, photo_id: str) -> None:
        self._bucket.set_metadata({"metadata.photo_id": photo_id}, {"attached": True})

    def detach(self, photo_id: str) -> None:
        self._bucket.set_metadata({"metadata.photo_id": photo_id}, {"attached": False})

    def unattached(self, before: datetime) -> list[tuple[str, str]]:
        """(listing id, photo id) of the photos whose files are unattached since before ``before``."""
        found = self._bucket.find({"metadata.attached": False, "uploadDate": {"$lt": before}})
        return sorted({(f["metadata"]["listing_id"], f["metadata"]["photo_id"]) for f in found})

    def delete(self, photo_id: str) -> None:
        for size in PhotoSize:
            self._bucket.delete(file_id(photo_id, size))
