"""Listings' photos in the portal: served from its own address with the right caching, and the seller's
photo section (refusals at their fields, reordering)."""

from __future__ import annotations

import io
from typing import Any

from flask.testing import FlaskClient

from services.portal.clients import Download
from tests.unit.portal.conftest import sign_in
from tests.unit.portal.fakes import refusal
from tests.unit.portal.test_market_selling import CATEGORIES, ENTERPRISE, listing

WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8 fake"
PHOTO = "/marketplace/listings/lst-published/photos/photo-1/thumb.webp"


def _photos(*ids: str) -> list[dict[str, Any]]:
    size = {"path": "/x", "width": 320, "height": 240}
    return [
        {"id": i, "alt": f"Снимка {i}", "thumb": size, "large": {**size, "width": 1280, "height": 960}} for i in ids
    ]


def test_a_published_listings_photo_is_served_same_site_cached_a_year(portal: FlaskClient, services: Any) -> None:
    public = Download(WEBP, "image/webp", "photo-1-thumb.webp", "public, max-age=31536000, immutable")
    services.marketplace.answer("GET", "/api/v1/listings/lst-published/photos/photo-1/thumb", public)
    shown = portal.get(PHOTO)
    assert shown.status_code == 200 and shown.data == WEBP and shown.mimetype == "image/webp"
    assert shown.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert shown.headers["X-Content-Type-Options"] == "nosniff" and shown.headers["ETag"]
    assert portal.get(PHOTO, headers={"If-None-Match": shown.headers["ETag"]}).status_code == 304


def test_a_drafts_photo_is_passed_on_with_the_sellers_token_and_never_kept(portal: FlaskClient, services: Any) -> None:
    token = sign_in(portal, "representative", enterprise_id=ENTERPRISE)
    private = Download(WEBP, "image/webp", "photo-1-thumb.webp", "private, no-cache")
    services.marketplace.answer("GET", "/api/v1/listings/lst-published/photos/photo-1/thumb", private)
    shown = portal.get(PHOTO)
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "private, no-cache"
    (call,) = services.marketplace.sent("GET", "/api/v1/listings/lst-published/photos/photo-1/thumb")
    assert call.token == token
    assert portal.get("/marketplace/listings/lst-published/photos/photo-1/huge.webp").status_code == 404


def test_a_refused_photo_shows_both_problems_at_their_fields(portal: FlaskClient, services: Any) -> None:
    sign_in(portal, "representative", enterprise_id=ENTERPRISE)
    services.marketplace.answer("GET", "/api/v1/categories", CATEGORIES)
    services.marketplace.answer("GET", "/api/v1/listings/lst-draft", listing("draft", photos=[]))
    problems = {"file": "Файлът не е снимка във формат JPEG, PNG или WebP.", "alt": "Опишете снимката на български."}
    services.marketplace.answer("POST", "/api/v1/listings/lst-draft/photos", refusal(422, problems))
    sent = portal.post(
        "/my/sales/listings/lst-draft/photos",
        data={"photo_file": (io.BytesIO(b"%PDF-1.7"), "med.jpg", "image/jpeg"), "photo_alt": "Honey"},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 422
    page = sent.get_data(as_text=True)
    assert 'id="f-photo_file"' in page and 'id="e-photo_file"' in page and 'id="e-photo_alt"' in page
    assert "не е снимка във формат JPEG" in page and "на български" in page
    (call,) = services.marketplace.sent("POST", "/api/v1/listings/lst-draft/photos")
    assert call.data == {"alt": "Honey"} and call.files and call.files["file"][1] == b"%PDF-1.7"


def test_making_a_photo_the_cover_sends_the_new_order(portal: FlaskClient, services: Any) -> None:
    sign_in(portal, "representative", enterprise_id=ENTERPRISE)
    services.marketplace.answer("GET", "/api/v1/listings/lst-draft", listing("draft", photos=_photos("a", "b", "c")))
    services.marketplace.answer("PUT", "/api/v1/listings/lst-draft/photo-order", listing("draft"))
    done = portal.post("/my/sales/listings/lst-draft/photos/c", data={"action": "cover"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/my/sales/listings/lst-draft/edit#photos")
    (call,) = services.marketplace.sent("PUT", "/api/v1/listings/lst-draft/photo-order")
    assert call.json == {"order": ["c", "a", "b"]}
