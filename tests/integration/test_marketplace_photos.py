"""Listings' photos over HTTP, against real FerretDB: upload, the sizes served back, who sees what, the cap."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image
from pymongo.database import Database

from services.marketplace.domain.photo import MAX_PHOTOS, Dimensions, Photo, PhotoSize
from services.marketplace.entrypoints.api.schemas import content_of
from services.marketplace.entrypoints.demo_data import ADMIN
from services.marketplace.entrypoints.scheduler import run_pass
from services.marketplace.entrypoints.wiring import build
from services.marketplace.service_layer.photos import SIZES
from shared.clock import FixedClock
from shared.images import prepare
from tests.integration.marketplace_api import LISTING, published_listing, representative_of, seed_seller
from tests.photos import phone_photo, png, png_bomb

pytestmark = pytest.mark.integration


def upload(client: FlaskClient, listing_id: str, headers: dict[str, str], data: bytes, alt: str = "Буркан мед",
           name: str = "snimka.jpg", content_type: str = "image/jpeg") -> Any:  # fmt: skip
    body = {"file": (io.BytesIO(data), name, content_type), "alt": alt}
    return client.post(f"/api/v1/listings/{listing_id}/photos", data=body, headers=headers,
                       content_type="multipart/form-data")  # fmt: skip


def test_a_seller_adds_a_photo_and_anyone_gets_its_thumbnail_and_large_view(
    market: FlaskClient, market_db: Database
) -> None:
    seller = seed_seller(market_db)
    listing = published_listing(market, seller)
    added = upload(market, listing["id"], representative_of(seller), phone_photo(600, 400), alt="Буркан липов мед")
    assert added.status_code == 201, added.json
    assert added.json["alt"] == "Буркан липов мед"
    assert (added.json["thumb"]["width"], added.json["thumb"]["height"]) == (320, 240)
    assert (added.json["large"]["width"], added.json["large"]["height"]) == (400, 600)  # turned upright

    thumb = market.get(added.json["thumb"]["path"])  # anonymous
    assert thumb.status_code == 200 and thumb.mimetype == "image/webp"
    assert thumb.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in thumb.headers["Cache-Control"] and "public" in thumb.headers["Cache-Control"]
    assert Image.open(io.BytesIO(thumb.data)).size == (320, 240)
    assert b"EXIF" not in thumb.data
    again = market.get(added.json["thumb"]["path"], headers={"If-None-Match": thumb.headers["ETag"]})
    assert again.status_code == 304

    large = market.get(added.json["large"]["path"])
    assert Image.open(io.BytesIO(large.data)).size == (400, 600)
    shown = market.get(f"/api/v1/listings/{listing['id']}").json["photos"]
    assert [p["id"] for p in shown] == [added.json["id"]]
    found = market.get("/api/v1/listings", query_string={"q": "мед"}).json["items"]
    assert found[0]["photos"][0]["thumb"]["path"] == added.json["thumb"]["path"]


def test_another_enterprise_cannot_add_change_or_remove_photos(market: FlaskClient, market_db: Database) -> None:
    seller, other = seed_seller(market_db), seed_seller(market_db)
    listing = published_listing(market, seller)
    assert upload(market, listing["id"], representative_of(other, "rep-other"), png()).status_code == 403
    photo = upload(market, listing["id"], representative_of(seller), png()).json
    url = f"/api/v1/listings/{listing['id']}/photos/{photo['id']}"
    assert market.patch(url, json={"alt": "Чужда"}, headers=representative_of(other, "rep-other")).status_code == 403
    assert market.delete(url, headers=representative_of(other, "rep-other")).status_code == 403
    assert market.get(photo["thumb"]["path"]).status_code == 200, "still there"


def test_a_draft_listings_photos_are_hidden_from_everyone_but_its_seller(
    market: FlaskClient, market_db: Database
) -> None:
    seller, other = seed_seller(market_db), seed_seller(market_db)
    draft = market.post("/api/v1/listings", json=LISTING, headers=representative_of(seller)).json
    photo = upload(market, draft["id"], representative_of(seller), png()).json
    assert market.get(photo["thumb"]["path"]).status_code == 404
    assert market.get(photo["thumb"]["path"], headers=representative_of(other, "rep-other")).status_code == 404
    mine = market.get(photo["thumb"]["path"], headers=representative_of(seller))
    assert mine.status_code == 200 and mine.headers["Cache-Control"] == "private, no-cache"


def test_what_is_not_a_photo_is_refused_naming_the_field_and_nothing_is_kept(
    market: FlaskClient, market_db: Database
) -> None:
    seller = seed_seller(market_db)
    listing = published_listing(market, seller)
    rep = representative_of(seller)
    fake = upload(market, listing["id"], rep, b"%PDF-1.7\n%%EOF\n", name="snimka.jpg", content_type="image/jpeg")
    assert fake.status_code == 422 and "JPEG, PNG или WebP" in fake.json["fields"]["file"][0]["bg"]
    bomb = upload(market, listing["id"], rep, png_bomb(), name="bomb.png")
    assert bomb.status_code == 422 and "пиксела" in bomb.json["fields"]["file"][0]["bg"]
    both = upload(market, listing["id"], rep, b"not a picture", alt="")
    assert both.status_code == 422 and set(both.json["fields"]) == {"file", "alt"}, "every error at once"
    big = upload(market, listing["id"], rep, b"\xff\xd8\xff" + b"0" * (8 * 1024 * 1024))
    assert big.status_code == 413 and "file" in big.json["fields"]
    assert market.get(f"/api/v1/listings/{listing['id']}").json["photos"] == []
    assert market_db["photos.files"].count_documents({}) == 0 and market_db["photos.chunks"].count_documents({}) == 0


def test_past_eight_photos_the_ninth_is_refused_and_reorder_describe_delete_work(
    market: FlaskClient, market_db: Database
) -> None:
    seller = seed_seller(market_db)
    listing = published_listing(market, seller)
    rep = representative_of(seller)
    ids = [upload(market, listing["id"], rep, png(64, 48, (n * 20, 80, 80)), alt=f"Снимка {n}").json["id"]
           for n in range(MAX_PHOTOS)]  # fmt: skip
    ninth = upload(market, listing["id"], rep, png())
    assert ninth.status_code == 409 and "file" in ninth.json["fields"]
    assert market_db["photos.files"].count_documents({}) == 2 * MAX_PHOTOS, "the ninth left no files behind"

    order = market.put(f"/api/v1/listings/{listing['id']}/photo-order", json={"order": ids[::-1]}, headers=rep)
    assert order.status_code == 200 and order.json["photos"][0]["id"] == ids[-1]
    wrong = market.put(f"/api/v1/listings/{listing['id']}/photo-order", json={"order": ids[:2]}, headers=rep)
    assert wrong.status_code == 422 and "order" in wrong.json["fields"]
    url = f"/api/v1/listings/{listing['id']}/photos/{ids[0]}"
    described = market.patch(url, json={"alt": "Буркани на рафт"}, headers=rep)
    assert described.status_code == 200 and described.json["photos"][-1]["alt"] == "Буркани на рафт"
    removed = market.delete(url, headers=rep)
    assert removed.status_code == 200 and ids[0] not in [p["id"] for p in removed.json["photos"]]
    assert market.get(f"/api/v1/listings/{listing['id']}/photos/{ids[0]}/thumb").status_code == 404
    assert market_db["photos.files"].count_documents({"metadata.photo_id": ids[0]}) == 0


def test_files_a_crash_left_behind_are_swept_after_an_hour_and_named_photos_kept(market_db: Database) -> None:
    """Four crashes, one between each two steps of adding and of removing a photo; the scheduler's sweep
    deletes the files no listing names and attaches again those a listing names, once they are an hour old."""
    clock = FixedClock(datetime.now(UTC))
    marketplace = build(market_db, clock)
    photos, store = marketplace.photos, marketplace.photos.store
    seller = seed_seller(market_db)
    listing = marketplace.listings.create(ADMIN, seller, content_of(dict(LISTING)))
    drawn = prepare(png(), SIZES, max_pixels=photos.max_pixels)
    sizes = {PhotoSize(name): rendition for name, rendition in drawn.items()}

    def photo(photo_id: str) -> Photo:
        return Photo(photo_id, "Буркан мед", Dimensions(320, 240), Dimensions(800, 600))

    def named(photo_id: str) -> None:
        marketplace.listings.act(ADMIN, listing.id, lambda item, now: item.add_photo(photo(photo_id), now))

    store.put(listing.id, seller, "photo-stored-only", sizes)  # crashed before the listing named it
    store.put(listing.id, seller, "photo-named-not-attached", sizes)  # crashed before marking it attached
    named("photo-named-not-attached")
    store.put(listing.id, seller, "photo-detached-still-named", sizes)  # a removal crashed after detaching
    named("photo-detached-still-named")
    store.attach("photo-detached-still-named")
    store.detach("photo-detached-still-named")
    store.put(listing.id, seller, "photo-dropped-files-left", sizes)  # a removal crashed before deleting files
    named("photo-dropped-files-left")
    marketplace.listings.act(ADMIN, listing.id, lambda item, now: item.remove_photo("photo-dropped-files-left", now))
    kept = photos.add(ADMIN, listing.id, png(), "Буркан липов мед")  # an ordinary upload meanwhile

    assert run_pass(marketplace)["photos_swept"] == 0, "within the hour an upload may still be under way"
    clock.advance(hours=2)
    assert run_pass(marketplace)["photos_swept"] == 2
    left = {f["metadata"]["photo_id"] for f in market_db["photos.files"].find({}, {"metadata.photo_id": 1})}
    assert left == {"photo-named-not-attached", "photo-detached-still-named", kept.id}
    assert market_db["photos.files"].count_documents({"metadata.attached": False}) == 0
    assert market_db["photos.chunks"].count_documents({}) == 2 * 3, "the chunks of the swept files are gone"
    assert run_pass(marketplace)["photos_swept"] == 0
    for photo_id in left:
        assert photos.show(ADMIN, listing.id, photo_id, PhotoSize.THUMB).data
