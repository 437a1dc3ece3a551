"""Payload schemas of the marketplace's deal events (quotes and orders), version 1, on ``marketplace.order.v1``.

Consumers rely on these fields; adding one keeps the version, removing or changing one makes v2.
Amounts are euro cents; dates are ISO dates ("2026-11-30"), Sofia dates as people see them.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from services.marketplace.domain.deal import DealEvent, DealState, Party, Via
from shared.events import EventType

ORDER_TOPIC = "marketplace.order.v1"
AGGREGATE_TYPE = "deal"


CLASSES = validate.OneOf(["A", "A+"])
NOT_NEGATIVE = validate.Range(min=0)


class _Payload(Schema):
    class Meta:
        unknown = INCLUDE  # additive fields must not break older consumers


class DealPayload(_Payload):
    """What every deal event carries."""

    deal_id = fields.String(required=True)
    listing_id = fields.String(required=True)
    listing_title = fields.String(required=True)
    seller_id = fields.String(required=True)
    seller_name = fields.String(required=True)
    seller_email = fields.Email(required=True)
    buyer_id = fields.String(required=True)
    buyer_name = fields.String(required=True)
    buyer_email = fields.Email(required=True)
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    unit = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf([s.value for s in DealState]))


class QuoteRequestedPayload(DealPayload):
    needed_by = fields.Date(required=True, allow_none=True)
    message = fields.String(required=True)


class QuoteOfferedPayload(DealPayload):
    unit_price_cents = fields.Integer(required=True, strict=True, validate=NOT_NEGATIVE)
    total_cents = fields.Integer(required=True, strict=True, validate=NOT_NEGATIVE)
    valid_until = fields.Date(required=True)
    terms = fields.String(required=True)


class QuoteDeclinedPayload(DealPayload):
    declined_by = fields.String(required=True, validate=validate.OneOf([Party.SELLER.value, Party.BUYER.value]))
    reason = fields.String(required=True)


class QuoteExpiredPayload(DealPayload):
    stage = fields.String(required=True, validate=validate.OneOf([DealState.REQUESTED.value, DealState.OFFERED.value]))


class _OrderPayload(DealPayload):
    order_number = fields.String(required=True)


class OrderPlacedPayload(_OrderPayload):
    unit_price_cents = fields.Integer(required=True, strict=True, validate=NOT_NEGATIVE)
    total_cents = fields.Integer(required=True, strict=True, validate=NOT_NEGATIVE)
    via = fields.String(required=True, validate=validate.OneOf([v.value for v in Via]))
    enterprise_class = fields.String(required=True, validate=CLASSES)
    district = fields.String(required=True)
    region = fields.String(required=True)


class OrderFulfilledPayload(_OrderPayload):
    total_cents = fields.Integer(required=True, strict=True, validate=NOT_NEGATIVE)
    note = fields.String(required=True)


class OrderReceivedPayload(_OrderPayload):
    """Spending that really happened: what buyers' impact reports count."""

    total_cents = fields.Integer(required=True, strict=True, validate=NOT_NEGATIVE)
    enterprise_class = fields.String(required=True, validate=CLASSES)
    region = fields.String(required=True)
    vulnerable_staff_total = fields.Integer(required=True, strict=True, validate=NOT_NEGATIVE)


class OrderDisputedPayload(_OrderPayload):
    reason = fields.String(required=True)


class OrderCancelledPayload(_OrderPayload):
    cancelled_by = fields.String(required=True, validate=validate.OneOf([p.value for p in Party]))
    reason = fields.String(required=True)


class ReviewPostedPayload(_OrderPayload):
    rating = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    text = fields.String(required=True)


def _order(name: DealEvent, schema: type[Schema]) -> EventType:
    return EventType(f"marketplace.{name.value}", 1, ORDER_TOPIC, schema)


ORDER_EVENT_TYPES: list[EventType] = [
    _order(DealEvent.QUOTE_REQUESTED, QuoteRequestedPayload),
    _order(DealEvent.QUOTE_OFFERED, QuoteOfferedPayload),
    _order(DealEvent.QUOTE_DECLINED, QuoteDeclinedPayload),
    _order(DealEvent.QUOTE_EXPIRED, QuoteExpiredPayload),
    _order(DealEvent.ORDER_PLACED, OrderPlacedPayload),
    _order(DealEvent.ORDER_FULFILLED, OrderFulfilledPayload),
    _order(DealEvent.ORDER_RECEIVED, OrderReceivedPayload),
    _order(DealEvent.ORDER_DISPUTED, OrderDisputedPayload),
    _order(DealEvent.ORDER_CANCELLED, OrderCancelledPayload),
    _order(DealEvent.REVIEW_POSTED, ReviewPostedPayload),
]
