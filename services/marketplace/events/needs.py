"""Payload schemas of the marketplace's need events (``marketplace.need.v1``), version 1.

Every payload carries the need as it stands after the change; each event adds its own fields.
Consumers rely on these fields; adding one keeps the version, removing or changing one makes v2.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from shared.events import EventType

NEED_TOPIC = "marketplace.need.v1"

STATUSES = validate.OneOf(["submitted", "published", "rejected", "withdrawn", "awaiting_outcome", "closed"])
NON_NEGATIVE = validate.Range(min=0)


class _Payload(Schema):
    class Meta:
        unknown = INCLUDE  # additive fields must not break older consumers


class NeedPayload(_Payload):
    need_id = fields.String(required=True)
    title = fields.String(required=True)
    category = fields.String(required=True)
    districts = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    quantity = fields.Integer(required=True, validate=validate.Range(min=1))
    unit = fields.String(required=True)
    budget_min_cents = fields.Integer(required=True, allow_none=True, validate=NON_NEGATIVE)
    budget_max_cents = fields.Integer(required=True, allow_none=True, validate=NON_NEGATIVE)
    deadline = fields.Date(required=True)
    buyer_id = fields.String(required=True)
    buyer_name = fields.String(required=True)
    buyer_email = fields.Email(required=True)
    status = fields.String(required=True, validate=STATUSES)


class NeedSubmittedPayload(NeedPayload):
    description = fields.String(required=True)


class NeedPublishedPayload(NeedSubmittedPayload):
    match_count = fields.Integer(required=True, validate=NON_NEGATIVE)


class NeedRejectedPayload(NeedPayload):
    reason = fields.String(required=True)


class NeedMatchedPayload(NeedPayload):
    seller_id = fields.String(required=True)
    seller_name = fields.String(required=True)
    seller_email = fields.Email(required=True)


class InterestExpressedPayload(NeedMatchedPayload):
    message = fields.String(required=True)


class NeedOutcomeRequestedPayload(NeedPayload):
    interest_count = fields.Integer(required=True, validate=NON_NEGATIVE)


class NeedOutcomeRecordedPayload(NeedPayload):
    deal_happened = fields.Boolean(required=True)
    seller_id = fields.String(required=True, allow_none=True)
    amount_cents = fields.Integer(required=True, allow_none=True, validate=NON_NEGATIVE)
    note = fields.String(required=True)


def _need(name: str, schema: type[Schema]) -> EventType:
    return EventType(f"marketplace.{name}", 1, NEED_TOPIC, schema)


NEED_EVENT_TYPES: list[EventType] = [
    _need("NeedSubmitted", NeedSubmittedPayload),
    _need("NeedPublished", NeedPublishedPayload),
    _need("NeedRejected", NeedRejectedPayload),
    _need("NeedWithdrawn", NeedPayload),
    _need("NeedMatched", NeedMatchedPayload),
    _need("InterestExpressed", InterestExpressedPayload),
    _need("NeedOutcomeRequested", NeedOutcomeRequestedPayload),
    _need("NeedOutcomeRecorded", NeedOutcomeRecordedPayload),
]
