"""Listings: search for everyone; writing for the enterprise's representatives."""

from __future__ import annotations

from typing import Any

from services.marketplace.domain.categories import categories
from services.marketplace.domain.search import SearchRequest
from services.marketplace.entrypoints.api.context import marketplace
from services.marketplace.entrypoints.api.responses import (
    CategoryListSchema,
    ListingSchema,
    SearchPageSchema,
    SellerPageSchema,
)
from services.marketplace.entrypoints.api.schemas import (
    ListingFieldsSchema,
    NewListingSchema,
    SearchQuerySchema,
    content_of,
)
from services.marketplace.entrypoints.api.views import (
    category_view,
    facets_view,
    listing_view,
    seller_view,
    shown_listing_view,
)
from services.marketplace.service_layer.listings import acts_for
from shared.bg.geography import geography
from shared.errors import NotFound, Text
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented
from shared.web.ratelimit import public_limit

blp = Blueprint("listings", __name__, url_prefix="/api/v1", description="Listings and search")


def shown_listing(listing: Any) -> dict[str, Any]:
    ctx = marketplace()
    return listing_view(
        listing, ctx.ratings.of("listing", listing.id), owner=acts_for(current_principal(), listing.seller_id)
    )


@blp.get("/listings")
@blp.arguments(SearchQuerySchema, location="query")
@blp.response(200)
@documented(SearchPageSchema)
@public_limit
def search(request: SearchRequest) -> dict[str, Any]:
    """Search published listings in Bulgarian or Latin ("med" finds „мед“), with filters, counts and pages."""
    ctx, principal = marketplace(), current_principal()
    page, listings = ctx.listings.search(request)
    ratings = ctx.ratings.of_listings(listing.id for listing in listings)
    return {
        "total": page.total,
        "items": [
            shown_listing_view(listing, ratings[listing.id], owner=acts_for(principal, listing.seller_id))
            for listing in listings
        ],
        "facets": facets_view(page),
        "next_cursor": page.next_cursor,
        "named_places": [
            {"code": code, "name": {"bg": district.name_bg, "en": district.name_en}}
            for code in sorted(request.named_places)
            for district in [geography().districts[code]]
        ],
    }


@blp.post("/listings")
@blp.arguments(NewListingSchema)
@blp.response(201)
@documented(ListingSchema, 201)
def create(data: dict[str, Any]) -> dict[str, Any]:
    """Create a draft listing for the enterprise of the signed-in representative."""
    seller_id = data.pop("seller_id", None)
    listing = marketplace().listings.create(current_principal(), seller_id, content_of(data))
    return shown_listing(listing)


@blp.get("/listings/<listing_id>")
@blp.response(200)
@documented(ListingSchema)
def show(listing_id: str) -> dict[str, Any]:
    """A published listing for anyone; drafts, paused and archived ones for the seller's representatives."""
    return shown_listing(marketplace().listings.view(current_principal(), listing_id))


@blp.patch("/listings/<listing_id>")
@blp.arguments(ListingFieldsSchema(partial=True))
@blp.response(200)
@documented(ListingSchema)
def edit(data: dict[str, Any], listing_id: str) -> dict[str, Any]:
    """Change some fields of a listing (an archived one cannot change)."""
    listing = marketplace().listings.edit(current_principal(), listing_id, lambda item: content_of(data, item.content))
    return shown_listing(listing)


@blp.post("/listings/<listing_id>/publish")
@blp.response(200)
@documented(ListingSchema)
def publish(listing_id: str) -> dict[str, Any]:
    """Publish a draft or paused listing; only an enterprise with an active register entry may."""
    return shown_listing(marketplace().listings.publish(current_principal(), listing_id))


@blp.post("/listings/<listing_id>/pause")
@blp.response(200)
@documented(ListingSchema)
def pause(listing_id: str) -> dict[str, Any]:
    """Take a published listing out of search for a while."""
    return shown_listing(marketplace().listings.pause(current_principal(), listing_id))


@blp.post("/listings/<listing_id>/archive")
@blp.response(200)
@documented(ListingSchema)
def archive(listing_id: str) -> dict[str, Any]:
    """Withdraw a listing for good."""
    return shown_listing(marketplace().listings.archive(current_principal(), listing_id))


@blp.get("/sellers/<seller_id>")
@blp.response(200)
@documented(SellerPageSchema)
def seller(seller_id: str) -> dict[str, Any]:
    """A social enterprise's page: its mark, class, place, social mission (activities and the vulnerable groups
    it employs, as the register publishes them), rating and listings."""
    ctx = marketplace()
    found = ctx.sellers.get(seller_id)
    if found is None:
        raise NotFound(Text("Няма такова предприятие.", "No such enterprise."))
    listings = ctx.listings.of_seller(current_principal(), seller_id)
    return {
        **seller_view(found, ctx.ratings.of("seller", seller_id)),
        "social_mission": {"activities": list(found.activities), "vulnerable_staff": found.vulnerable_staff},
        "listings": [shown_listing(i) for i in listings],
    }


@blp.get("/categories")
@blp.response(200)
@documented(CategoryListSchema)
def taxonomy() -> dict[str, Any]:
    """The category taxonomy (two levels), for filters and forms."""
    return {"items": [category_view(code) for code in categories()]}
