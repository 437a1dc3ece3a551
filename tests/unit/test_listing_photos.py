"""Photos sellers upload: what is accepted, what is kept of the original, and the listing's rules."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from PIL import Image

from services.marketplace.domain.listing import Listing, ListingContent, ListingKind, Price
from services.marketplace.domain.photo import MAX_PHOTOS, Dimensions, Photo, alt_text
from services.marketplace.domain.seller import Seller
from services.marketplace.service_layer.photos import SIZES
from shared.errors import Conflict, InvalidInput
from shared.images import ImageRefused, Refusal, prepare
from tests.photos import phone_photo, png, png_bomb

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
MAX_PIXELS = 40_000_000


def test_a_phone_photo_stands_upright_and_keeps_nothing_of_its_exif() -> None:
    original = phone_photo(600, 400)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825), "the test photo carries a GPS position"
    drawn = prepare(original, SIZES, max_pixels=MAX_PIXELS)
    large = Image.open(io.BytesIO(drawn["large"].data))
    assert large.format == "WEBP" and drawn["large"].content_type == "image/webp"
    assert (large.width, large.height) == (400, 600) == (drawn["large"].width, drawn["large"].height)
    top, bottom = large.convert("RGB").getpixel((200, 50)), large.convert("RGB").getpixel((200, 550))
    assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0], "red on top, blue below: turned as the phone was"
    for rendition in drawn.values():
        assert not Image.open(io.BytesIO(rendition.data)).getexif(), "no EXIF at all"
        assert b"EXIF" not in rendition.data and b"Exif" not in rendition.data and b"PhoneMaker" not in rendition.data


def test_the_thumbnail_is_cut_to_320_by_240_and_the_large_view_never_enlarged() -> None:
    drawn = prepare(png(2400, 1000), SIZES, max_pixels=MAX_PIXELS)
    assert (drawn["thumb"].width, drawn["thumb"].height) == (320, 240)
    assert (drawn["large"].width, drawn["large"].height) == (1280, 533)
    small = prepare(png(200, 150), SIZES, max_pixels=MAX_PIXELS)
    assert (small["large"].width, small["large"].height) == (200, 150)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n", id="a PDF renamed .jpg"),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg'/>", id="an SVG"),
        pytest.param(phone_photo()[:2000], id="a truncated JPEG"),
        pytest.param(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", id="a GIF"),
    ],
)
def test_what_is_not_a_jpeg_png_or_webp_picture_is_refused(data: bytes) -> None:
    with pytest.raises(ImageRefused) as refused:
        prepare(data, SIZES, max_pixels=MAX_PIXELS)
    assert refused.value.reason is Refusal.NOT_AN_IMAGE


def test_a_decompression_bomb_is_refused_from_its_header() -> None:
    bomb = png_bomb()
    assert len(bomb) < 200
    with pytest.raises(ImageRefused) as refused:
        prepare(bomb, SIZES, max_pixels=MAX_PIXELS)
    assert refused.value.reason is Refusal.TOO_MANY_PIXELS
    with pytest.raises(ImageRefused) as refused:
        prepare(png(100, 100), SIZES, max_pixels=9_999)
    assert refused.value.reason is Refusal.TOO_MANY_PIXELS and refused.value.pixels == 10_000


@pytest.mark.parametrize(
    ("alt", "problem"),
    [("", "Опишете какво"), ("   ", "Опишете какво"), ("Honey jar", "на български"), ("м" * 201, "200 знака")],
)
def test_the_alternative_text_is_required_in_bulgarian_and_short(alt: str, problem: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        alt_text(alt)
    assert problem in refused.value.fields["alt"].bg
    assert alt_text("  Буркан   липов мед  ") == "Буркан липов мед"


def _listing() -> Listing:
    seller = Seller(
        "e1", "СП-1", "Кооперация", "A", "active", "BG-16", "BG-PV", "plovdiv", "2029-01-01", 5, 3, "a@b.bg"
    )
    content = ListingContent(ListingKind.PRODUCT, "Мед", "Липов мед.", "food.honey", Price(1200, "буркан"), ("BG-16",))
    return Listing(id="l1", seller=seller, content=content, created_at=NOW)


def _photo(n: int) -> Photo:
    return Photo(f"p{n}", f"Снимка {n}", Dimensions(320, 240), Dimensions(1280, 960))


def test_a_listing_holds_at_most_eight_photos_reordered_with_the_cover_first() -> None:
    listing = _listing()
    for n in range(MAX_PHOTOS):
        listing.add_photo(_photo(n), NOW)
    with pytest.raises(Conflict) as refused:
        listing.add_photo(_photo(99), NOW)
    assert "file" in refused.value.fields
    listing.order_photos([f"p{n}" for n in reversed(range(MAX_PHOTOS))], NOW)
    assert listing.photos[0].id == "p7"
    with pytest.raises(InvalidInput):
        listing.order_photos(["p1", "p1"], NOW)
    listing.describe_photo("p7", "Корица", NOW)
    assert listing.photos[0].alt == "Корица"
    assert listing.remove_photo("p7", NOW).id == "p7" and len(listing.photos) == MAX_PHOTOS - 1
    assert not listing.pull_events(), "no event carries photos"
