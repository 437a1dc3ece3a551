"""What the API shows of listings and sellers: Bulgarian first, with English alongside."""

from __future__ import annotations

from typing import Any

from services.marketplace.domain.categories import categories
from services.marketplace.domain.listing import STATUS_BG, Listing
from services.marketplace.domain.photo import Photo, PhotoSize
from services.marketplace.domain.search import SearchPage
from services.marketplace.domain.seller import MARK, Seller
from shared.bg.geography import geography
from shared.events.envelope import utc_iso


def euro(cents: int | None) -> str | None:
    """ "12,50 €" as people in Bulgaria write it."""
    if cents is None:
        return None
    whole, rest = divmod(cents, 100)
    return f"{whole:,}".replace(",", "\u00a0") + f",{rest:02d} €"


def category_view(code: str) -> dict[str, Any]:
    category = categories()[code]
    return {"code": code, "name": {"bg": category.name_bg, "en": category.name_en}, "parent": category.parent}


def place_view(seller: Seller) -> dict[str, Any]:
    place = geography().place(seller.district)
    return {
        "district": {"code": place.district.code, "name": {"bg": place.district.name_bg, "en": place.district.name_en}},
        "region": {"code": place.region.code, "name": {"bg": place.region.name_bg, "en": place.region.name_en}},
        "centre": {"id": place.centre.id, "name": {"bg": place.centre.name_bg, "en": place.centre.name_en}},
    }


def seller_view(seller: Seller, rating: dict[str, Any] | None = None) -> dict[str, Any]:
    view = {
        "id": seller.enterprise_id,
        "name": seller.name,
        "registration_number": seller.registration_number,
        "mark": MARK,
        "enterprise_class": seller.enterprise_class,
        "in_good_standing": seller.in_good_standing,
        "register_status": seller.register_status,
        "certificate_valid_until": seller.valid_until,
        "vulnerable_staff_percent": round(100 * seller.vulnerable_staff_share),
        **place_view(seller),
    }
    if rating is not None:
        view["rating"] = rating
    return view


def photo_view(listing_id: str, photo: Photo) -> dict[str, Any]:
    def size(which: PhotoSize) -> dict[str, Any]:
        dimensions = photo.of_size(which)
        path = f"/api/v1/listings/{listing_id}/photos/{photo.id}/{which.value}"
        return {"path": path, "width": dimensions.width, "height": dimensions.height}

    return {"id": photo.id, "alt": photo.alt, "thumb": size(PhotoSize.THUMB), "large": size(PhotoSize.LARGE)}


PUBLIC_VIEWS_KEPT = 2000
"""Public views of the listings a web worker keeps for its search pages (``MongoListings.shown`` keeps 1 000)."""
_public_views: dict[str, tuple[Listing, dict[str, Any]]] = {}


def listing_view(listing: Listing, rating: dict[str, Any] | None = None, *, owner: bool = False) -> dict[str, Any]:
    return _with_rating(_public_view(listing), listing, rating, owner)


def shown_listing_view(listing: Listing, rating: dict[str, Any] | None, *, owner: bool) -> dict[str, Any]:
    """``listing_view`` of a search page's listing, its public part made once per listing object: a listing the
    worker keeps for its pages is never changed, and a change is another object (``MongoListings.shown``)."""
    kept = _public_views.get(listing.id)
    if kept is None or kept[0] is not listing:
        if len(_public_views) >= PUBLIC_VIEWS_KEPT:
            _public_views.clear()
        kept = _public_views[listing.id] = (listing, _public_view(listing))
    return _with_rating(kept[1], listing, rating, owner)


def _with_rating(
    public: dict[str, Any], listing: Listing, rating: dict[str, Any] | None, owner: bool
) -> dict[str, Any]:
    view = {**public, "rating": rating or {"count": 0, "average": None}}
    if owner:
        view.update(
            pause_reason=listing.pause_reason.value if listing.pause_reason else None,
            version=listing.version,
            created_at=listing.created_at,
            updated_at=listing.updated_at,
        )
    return view


def _public_view(listing: Listing) -> dict[str, Any]:
    c = listing.content
    return {
        "id": listing.id,
        "kind": c.kind.value,
        "title": {"bg": c.title_bg, "en": c.title_en or None},
        "description": {"bg": c.description_bg, "en": c.description_en or None},
        "category": category_view(c.category),
        "price": {
            "cents": c.price.cents,
            "on_request": c.price.on_request,
            "display": euro(c.price.cents) or "Цена при запитване",
            "unit": c.price.unit,
            "minimum_quantity": c.price.minimum_quantity,
        },
        "districts_served": list(c.districts_served),
        "image_urls": list(c.image_urls),
        "photos": [photo_view(listing.id, photo) for photo in listing.photos],
        "tags": list(c.tags),
        "available": c.available,
        "status": listing.status.value,
        "status_bg": STATUS_BG[listing.status],
        # As the answer writes it (shared.web.app_factory), once for a kept view rather than at every answer.
        "published_at": None if listing.published_at is None else utc_iso(listing.published_at),
        "seller": seller_view(listing.seller),
    }


def facets_view(page: SearchPage) -> dict[str, list[dict[str, Any]]]:
    regions = geography().regions
    by_category = [{**category_view(code), "count": n} for code, n in sorted(page.facets["category"].items())]
    by_region = [
        {"code": code, "name": {"bg": regions[code].name_bg, "en": regions[code].name_en}, "count": n}
        for code, n in sorted(page.facets["region"].items())
    ]
    return {"category": by_category, "region": by_region}
