"""A listing's photos: the seller sends them (``multipart/form-data``: the picture in ``file``, what it shows
in ``alt``), describes, reorders and removes them; the pictures are served as WebP in two sizes."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, send_file
from marshmallow import fields, validate

from services.marketplace.domain.photo import ALT_FIELD, FILE_FIELD, MAX_PHOTOS, PhotoSize
from services.marketplace.entrypoints.api.context import marketplace
from services.marketplace.entrypoints.api.listings import shown_listing
from services.marketplace.entrypoints.api.responses import ListingSchema, PhotoSchema
from services.marketplace.entrypoints.api.views import photo_view
from shared.errors import NotFound, Text
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented
from shared.web.schemas import StrictSchema, text
from shared.web.uploads import received_upload

blp = Blueprint("photos", __name__, url_prefix="/api/v1", description="Listings' photos")
FORM_OVERHEAD = 64 * 1024
"""Room for the multipart form's boundaries, headers and the alternative text around the picture."""
CACHED_FOR = 365 * 24 * 3600
"""A photo's address names one picture that never changes (a new one gets a new id): cached for a year."""

UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": [FILE_FIELD, ALT_FIELD],
                "properties": {
                    FILE_FIELD: {"type": "string", "format": "binary", "description": "JPEG, PNG or WebP"},
                    ALT_FIELD: {"type": "string", "maxLength": 200, "description": "What it shows, in Bulgarian"},
                },
            }
        }
    },
}


class AltSchema(StrictSchema):
    alt = text(200, required=True)


class OrderSchema(StrictSchema):
    order = fields.List(
        text(64), required=True, validate=validate.Length(min=1, max=MAX_PHOTOS),
        metadata={"description": "Every photo id of the listing once; the first becomes the cover"},
    )  # fmt: skip


@blp.post("/listings/<listing_id>/photos")
@blp.doc(requestBody=UPLOAD_BODY)
@blp.response(201)
@documented(PhotoSchema, 201)
def add_photo(listing_id: str) -> dict[str, Any]:
    """Add a photo (JPEG, PNG or WebP, checked by its content) with what it shows; the first is the cover.

    The photo is turned upright and stripped of its metadata (the camera's GPS position among it), then kept
    in two sizes. 413 when it is larger than the limit, 422 naming ``file`` or ``alt``, 409 past 8 photos."""
    photos = marketplace().photos
    _, data, form = received_upload(
        max_bytes=photos.max_bytes,
        too_large=photos.too_large,
        wrong_type=lambda shown: Text(
            f"Снимката се изпраща като multipart/form-data (полета „{FILE_FIELD}“, „{ALT_FIELD}“), не {shown}.",
            f"Send the photo as multipart/form-data (fields '{FILE_FIELD}', '{ALT_FIELD}'), not {shown}.",
        ),
        choose=Text("Изберете снимка.", "Choose a photo."),
        field=FILE_FIELD,
        overhead=FORM_OVERHEAD,
    )
    photo = photos.add(current_principal(), listing_id, data, form.get(ALT_FIELD))
    return photo_view(listing_id, photo)


@blp.patch("/listings/<listing_id>/photos/<photo_id>")
@blp.arguments(AltSchema)
@blp.response(200)
@documented(ListingSchema)
def describe_photo(data: dict[str, Any], listing_id: str, photo_id: str) -> dict[str, Any]:
    """Replace what the photo is said to show."""
    return shown_listing(marketplace().photos.describe(current_principal(), listing_id, photo_id, data["alt"]))


@blp.delete("/listings/<listing_id>/photos/<photo_id>")
@blp.response(200)
@documented(ListingSchema)
def remove_photo(listing_id: str, photo_id: str) -> dict[str, Any]:
    """Take a photo down (from an archived listing too); its pictures are deleted."""
    return shown_listing(marketplace().photos.remove(current_principal(), listing_id, photo_id))


@blp.put("/listings/<listing_id>/photo-order")
@blp.arguments(OrderSchema)
@blp.response(200)
@documented(ListingSchema)
def order_photos(data: dict[str, Any], listing_id: str) -> dict[str, Any]:
    """Put the photos in a new order: every photo id once, the cover first."""
    return shown_listing(marketplace().photos.order(current_principal(), listing_id, data["order"]))


@blp.get("/listings/<listing_id>/photos/<photo_id>/<size>")
@blp.response(200)
@documented({"type": "string", "format": "binary"}, content_type="image/webp")
def photo(listing_id: str, photo_id: str, size: str) -> Response:
    """A photo as WebP (``thumb`` or ``large``): anyone's for a published listing, otherwise only the seller's.

    Cached for a year where public (a changed photo has a new address); ``If-None-Match`` gets a 304."""
    try:
        which = PhotoSize(size)
    except ValueError as exc:
        raise NotFound(Text("Няма такъв размер на снимка.", "No such photo size.")) from exc
    shown = marketplace().photos.show(current_principal(), listing_id, photo_id, which)
    response = send_file(
        io.BytesIO(shown.data),
        mimetype=shown.content_type,
        etag=f"{photo_id}-{which.value}",
        conditional=True,
        max_age=CACHED_FOR if shown.public else 0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = (
        f"public, max-age={CACHED_FOR}, immutable" if shown.public else "private, no-cache"
    )
    return response
