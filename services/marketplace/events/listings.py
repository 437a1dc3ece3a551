"""Payload schemas of the listing events (``marketplace.listing.v1``), version 1."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from shared.events import EventType

LISTING_TOPIC = "marketplace.listing.v1"
AGGREGATE_TYPE = "listing"


class ListingPayload(Schema):
    class Meta:
        unknown = INCLUDE  # additive fields must not break older consumers

    listing_id = fields.String(required=True)
    seller_id = fields.String(required=True)
    seller_name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["product", "service"]))
    title_bg = fields.String(required=True)
    title_en = fields.String(required=True)
    category = fields.String(required=True)
    price_cents = fields.Integer(required=True, allow_none=True, strict=True, validate=validate.Range(min=0))
    unit = fields.String(required=True)
    minimum_quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    districts_served = fields.List(fields.String(), required=True)
    status = fields.String(required=True, validate=validate.OneOf(["draft", "published", "paused", "archived"]))


class ListingPausedPayload(ListingPayload):
    reason = fields.String(required=True, validate=validate.OneOf(["seller", "register"]))


def _listing(name: str, schema: type[Schema]) -> EventType:
    return EventType(f"marketplace.{name}", 1, LISTING_TOPIC, schema)


LISTING_EVENT_TYPES = [
    _listing("ListingPublished", ListingPayload),
    _listing("ListingUpdated", ListingPayload),
    _listing("ListingPaused", ListingPausedPayload),
    _listing("ListingArchived", ListingPayload),
]
