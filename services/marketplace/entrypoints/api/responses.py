"""Response shapes of the marketplace's API, for the OpenAPI document (the views build the JSON themselves).

Each schema mirrors a view function: listings and sellers in ``views.py``, deals in ``deals.py``, needs in
``needs.py``. Keep them together when either changes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from marshmallow import Schema, fields

from services.marketplace.domain.deal import DealState, Party, Via
from services.marketplace.domain.listing import ListingKind, ListingStatus, PauseReason
from services.marketplace.domain.need import NeedStatus
from services.marketplace.domain.parties import BuyerKind
from shared.web.schemas import LocalisedMessageSchema

CLASSES = ["A", "A+"]


def _values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]


def _localised(**kwargs: Any) -> fields.Nested:
    """A ``{bg, en}`` pair."""
    return fields.Nested(LocalisedMessageSchema, **kwargs)


# ---------------------------------------------------------------------- places, categories, ratings
class CodeNameSchema(Schema):
    """A district or a region: its code and its name in both languages."""

    code = fields.String(metadata={"example": "BG-02"})
    name = _localised()


class CentreSchema(Schema):
    id = fields.String(metadata={"example": "burgas"})
    name = _localised()


class CategorySchema(Schema):
    code = fields.String(metadata={"example": "food.honey"})
    name = _localised()
    parent = fields.String(allow_none=True, metadata={"example": "food", "description": "None for a top category"})


class ListingTextSchema(LocalisedMessageSchema):
    """A listing's title or description: the English one is None when the seller gave none."""

    en = fields.String(allow_none=True)


class CategoryListSchema(Schema):
    items = fields.List(fields.Nested(CategorySchema))


class RatingSchema(Schema):
    count = fields.Integer()
    average = fields.Float(allow_none=True, metadata={"example": 4.5, "description": "None before the first review"})


# ---------------------------------------------------------------------- sellers and listings
class SellerSchema(Schema):
    id = fields.String()
    name = fields.String()
    registration_number = fields.String()
    mark = fields.String(metadata={"example": "Продукт на социално предприятие"})
    enterprise_class = fields.String(metadata={"enum": CLASSES})
    in_good_standing = fields.Boolean(metadata={"description": "The register entry is active"})
    register_status = fields.String(metadata={"example": "active"})
    certificate_valid_until = fields.Date()
    vulnerable_staff_percent = fields.Integer(metadata={"example": 40})
    district = fields.Nested(CodeNameSchema)
    region = fields.Nested(CodeNameSchema)
    centre = fields.Nested(CentreSchema)
    rating = fields.Nested(RatingSchema, metadata={"description": "On a seller's page and in favourites"})


class PriceSchema(Schema):
    cents = fields.Integer(allow_none=True, metadata={"example": 1250, "description": "None: price on request"})
    on_request = fields.Boolean()
    display = fields.String(metadata={"example": "12,50 €"})
    unit = fields.String(metadata={"example": "буркан"})
    minimum_quantity = fields.Integer()


class PhotoSizeSchema(Schema):
    path = fields.String(
        metadata={"description": "The picture (WebP) at this API, e.g. /api/v1/listings/…/photos/…/thumb"}
    )
    width = fields.Integer()
    height = fields.Integer()


class PhotoSchema(Schema):
    id = fields.String()
    alt = fields.String(metadata={"description": "What the photo shows, in Bulgarian (for screen readers)"})
    thumb = fields.Nested(PhotoSizeSchema, metadata={"description": "320 × 240, cut to fit"})
    large = fields.Nested(PhotoSizeSchema, metadata={"description": "At most 1280 px either way"})


class ListingSchema(Schema):
    id = fields.String()
    kind = fields.String(metadata={"enum": _values(ListingKind)})
    title = fields.Nested(ListingTextSchema)
    description = fields.Nested(ListingTextSchema)
    category = fields.Nested(CategorySchema)
    price = fields.Nested(PriceSchema)
    districts_served = fields.List(fields.String(metadata={"example": "BG-02"}))
    image_urls = fields.List(fields.String())
    photos = fields.List(fields.Nested(PhotoSchema), metadata={"description": "At most 8; the first is the cover"})
    tags = fields.List(fields.String())
    available = fields.Boolean()
    status = fields.String(metadata={"enum": _values(ListingStatus)})
    status_bg = fields.String(metadata={"example": "публикувана"})
    published_at = fields.DateTime(allow_none=True)
    seller = fields.Nested(SellerSchema)
    rating = fields.Nested(RatingSchema)
    pause_reason = fields.String(
        allow_none=True, metadata={"enum": _values(PauseReason), "description": "Only for the seller"}
    )
    version = fields.Integer(metadata={"description": "Only for the seller"})
    created_at = fields.DateTime(metadata={"description": "Only for the seller"})
    updated_at = fields.DateTime(allow_none=True, metadata={"description": "Only for the seller"})


class CategoryCountSchema(CategorySchema):
    count = fields.Integer()


class RegionCountSchema(CodeNameSchema):
    count = fields.Integer()


class FacetsSchema(Schema):
    category = fields.List(fields.Nested(CategoryCountSchema))
    region = fields.List(fields.Nested(RegionCountSchema))


class SearchPageSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(ListingSchema))
    facets = fields.Nested(FacetsSchema)
    next_cursor = fields.String(allow_none=True, metadata={"description": "Send as cursor for the next page"})
    named_places = fields.List(
        fields.Nested(CodeNameSchema),
        metadata={"description": "Districts named in q: the results are the listings serving one of them"},
    )


class SocialMissionSchema(Schema):
    activities = fields.List(fields.String(), metadata={"description": "As entered in the public register"})
    vulnerable_staff = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Workers from each vulnerable group (the register's group codes)"},
    )


class SellerPageSchema(SellerSchema):
    listings = fields.List(fields.Nested(ListingSchema))
    social_mission = fields.Nested(SocialMissionSchema)


# ---------------------------------------------------------------------- deals
class ListingRefSchema(Schema):
    id = fields.String()
    title = fields.String()


class PlaceRefSchema(Schema):
    code = fields.String(metadata={"example": "BG-02"})
    name = _localised(allow_none=True)


class SupplierSchema(Schema):
    id = fields.String()
    name = fields.String()
    mark = fields.String(metadata={"example": "Продукт на социално предприятие"})
    enterprise_class = fields.String(metadata={"enum": CLASSES})
    district = fields.Nested(PlaceRefSchema)
    region = fields.Nested(PlaceRefSchema)


class DealBuyerSchema(Schema):
    id = fields.String()
    name = fields.String()
    organisation = fields.String(allow_none=True)
    kind = fields.String(metadata={"enum": _values(BuyerKind)})
    email = fields.String(metadata={"description": "Only for the buyer and the seller"})


class DealOfferSchema(Schema):
    unit_price_cents = fields.Integer()
    unit_price_display = fields.String(metadata={"example": "12,50 €"})
    total_cents = fields.Integer()
    display = fields.String(metadata={"example": "25,00 €"})
    valid_until = fields.Date()
    terms = fields.String()
    offered_at = fields.DateTime()


class DealReviewSchema(Schema):
    rating = fields.Integer(metadata={"example": 5})
    text = fields.String()
    posted_at = fields.DateTime()


class TimelineStepSchema(Schema):
    at = fields.DateTime()
    state = fields.String(metadata={"enum": _values(DealState)})
    state_bg = fields.String()
    note = fields.String()


class DealSchema(Schema):
    """A quote or an order (the same deal: a quote becomes an order with its number)."""

    id = fields.String()
    state = fields.String(metadata={"enum": _values(DealState)})
    state_bg = fields.String()
    listing = fields.Nested(ListingRefSchema)
    supplier = fields.Nested(SupplierSchema)
    buyer = fields.Nested(DealBuyerSchema)
    quantity = fields.Integer()
    unit = fields.String()
    needed_by = fields.Date(allow_none=True)
    message = fields.String()
    offer = fields.Nested(DealOfferSchema, allow_none=True)
    order_number = fields.String(allow_none=True)
    placed_at = fields.DateTime(allow_none=True)
    placed_via = fields.String(allow_none=True, metadata={"enum": _values(Via)})
    declined_by = fields.String(allow_none=True, metadata={"enum": _values(Party)})
    cancelled_by = fields.String(allow_none=True, metadata={"enum": _values(Party)})
    reason = fields.String(allow_none=True, metadata={"description": "Why it was last declined, disputed or cancelled"})
    timeline = fields.List(fields.Nested(TimelineStepSchema))
    review = fields.Nested(DealReviewSchema, allow_none=True)
    seller_in_good_standing = fields.Boolean()
    expires_at = fields.DateTime(allow_none=True, metadata={"description": "None when it is not an open quote"})
    created_at = fields.DateTime()
    version = fields.Integer()


class DealListSchema(Schema):
    items = fields.List(fields.Nested(DealSchema))


class PublicReviewSchema(Schema):
    rating = fields.Integer(metadata={"example": 5})
    text = fields.String()
    date = fields.Date(metadata={"description": "The Sofia date it was posted"})
    buyer = fields.String(allow_none=True, metadata={"description": "The buyer's first name only"})
    listing = fields.Nested(ListingRefSchema)


class ReviewListSchema(Schema):
    rating = fields.Nested(RatingSchema)
    items = fields.List(fields.Nested(PublicReviewSchema))


class FavouritesSchema(Schema):
    listing_ids = fields.List(fields.String())
    seller_ids = fields.List(fields.String())
    listings = fields.List(fields.Nested(ListingSchema), metadata={"description": "Those still published"})
    sellers = fields.List(fields.Nested(SellerSchema))


# ---------------------------------------------------------------------- impact report
class ImpactFiguresSchema(Schema):
    cents = fields.Integer()
    display = fields.String(metadata={"example": "1\u00a0250,00 €"})
    orders = fields.Integer()
    enterprises = fields.Integer()
    vulnerable_staff_total = fields.Integer()
    staff_count = fields.Integer()


class RegionFiguresSchema(ImpactFiguresSchema):
    code = fields.String(metadata={"example": "BG34"})
    name = _localised(allow_none=True)


class PeriodSchema(Schema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()


class ImpactReportSchema(Schema):
    buyer_id = fields.String()
    period = fields.Nested(PeriodSchema)
    currency = fields.String(metadata={"example": "EUR"})
    total = fields.Nested(ImpactFiguresSchema)
    by_class = fields.Dict(
        keys=fields.String(metadata={"enum": CLASSES}),
        values=fields.Nested(ImpactFiguresSchema),
        metadata={"description": "By enterprise class: A and A+"},
    )
    by_region = fields.List(fields.Nested(RegionFiguresSchema), metadata={"description": "Largest spending first"})


# ---------------------------------------------------------------------- needs
class BudgetSchema(Schema):
    min_cents = fields.Integer(allow_none=True)
    max_cents = fields.Integer(allow_none=True)
    display = fields.String(metadata={"example": "4\u00a0500,00 € – 6\u00a0000,00 €"})


class NeedBuyerSchema(Schema):
    id = fields.String(metadata={"description": "Only for the buyer, clerks and admins"})
    name = fields.String(metadata={"description": "Only for the buyer, clerks and admins"})
    email = fields.String(metadata={"description": "Only for the buyer, clerks and admins"})
    organisation = fields.String(allow_none=True)
    kind = fields.String(metadata={"enum": _values(BuyerKind)})


class NeedInterestSchema(Schema):
    seller_id = fields.String()
    seller_name = fields.String()
    seller_email = fields.String()
    message = fields.String()
    at = fields.DateTime()


class NeedOutcomeSchema(Schema):
    deal_happened = fields.Boolean()
    seller_id = fields.String(allow_none=True)
    amount_cents = fields.Integer(allow_none=True)
    note = fields.String()
    at = fields.DateTime()


class MatchSchema(Schema):
    seller_id = fields.String()
    name = fields.String()
    email = fields.String()


_BUYER_STAFF = "Only for the buyer, clerks and admins"


class NeedSchema(Schema):
    """A need as its audience sees it: the public part for everyone, more for the seller, the buyer and staff."""

    id = fields.String()
    title = fields.String()
    description = fields.String()
    category = fields.Nested(CategorySchema)
    districts = fields.List(fields.String(metadata={"example": "BG-07"}))
    quantity = fields.Integer()
    unit = fields.String()
    budget = fields.Nested(BudgetSchema)
    deadline = fields.Date(metadata={"description": "The last Sofia date sellers may answer"})
    status = fields.String(metadata={"enum": _values(NeedStatus)})
    status_bg = fields.String()
    accepts_interest = fields.Boolean()
    published_at = fields.DateTime(allow_none=True)
    buyer = fields.Nested(NeedBuyerSchema)
    my_interest = fields.Nested(
        NeedInterestSchema, allow_none=True, metadata={"description": "Only for a seller's representative"}
    )
    created_at = fields.DateTime(metadata={"description": _BUYER_STAFF})
    validated_by = fields.String(allow_none=True, metadata={"description": _BUYER_STAFF})
    validated_at = fields.DateTime(allow_none=True, metadata={"description": _BUYER_STAFF})
    rejection_reason = fields.String(allow_none=True, metadata={"description": _BUYER_STAFF})
    matches = fields.List(fields.Nested(MatchSchema), metadata={"description": _BUYER_STAFF})
    interests = fields.List(fields.Nested(NeedInterestSchema), metadata={"description": _BUYER_STAFF})
    outcome = fields.Nested(NeedOutcomeSchema, allow_none=True, metadata={"description": _BUYER_STAFF})
    version = fields.Integer(metadata={"description": _BUYER_STAFF})


class NeedListSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    items = fields.List(fields.Nested(NeedSchema))
