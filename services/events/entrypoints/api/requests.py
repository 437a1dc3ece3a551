"""Request schemas of the events API (unknown fields refused). Times are Sofia wall-clock times or ISO 8601
with an offset; money is in euro cents."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, post_load, validate

from services.events.domain.event import (
    DESCRIPTION_LIMIT,
    MAX_CAPACITY,
    MAX_STAND_PRICE_CENTS,
    MAX_STAND_SIDE_CM,
    MAX_STANDS,
    NATIONAL,
    REASON_LIMIT,
    STAND_CODE_LIMIT,
    TITLE_LIMIT,
    Kind,
    Stand,
    Window,
)
from services.events.domain.participation import MAX_CONTACTS, MAX_LISTINGS, MAX_SALES_CENTS, NAME_LIMIT
from services.events.domain.venue import STREET_LIMIT, URL_LIMIT, Venue, VenueKind
from shared.bg.geography import geography
from shared.web.schemas import StrictSchema, district_field, one_of, text
from shared.web.sofia_time import SofiaDateTime

KIND = one_of([k.value for k in Kind], "вид събитие", "event kind")


def organiser_field(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=one_of([*sorted(geography().centres), NATIONAL], "организатор", "organiser"), **kwargs
    )


class VenueSchema(StrictSchema):
    kind = fields.String(required=True, validate=one_of([k.value for k in VenueKind], "вид място", "venue kind"))
    centre = fields.String(load_default=None, validate=validate.Length(max=40))
    municipality = fields.String(load_default=None, validate=validate.Length(max=10))
    settlement = text(100, load_default=None)
    street = text(STREET_LIMIT, load_default=None)
    url = fields.String(load_default=None, validate=validate.Length(max=URL_LIMIT))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Venue:
        return Venue(VenueKind(data.pop("kind")), **data)


class StandSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=STAND_CODE_LIMIT))
    width_cm = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_STAND_SIDE_CM))
    depth_cm = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_STAND_SIDE_CM))
    price_cents = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=MAX_STAND_PRICE_CENTS))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Stand:
        return Stand(**data)


class WindowSchema(StrictSchema):
    opens_at = SofiaDateTime(required=True, metadata={"example": "2027-05-01T09:00"})
    closes_at = SofiaDateTime(required=True, metadata={"example": "2027-06-05T18:00"})

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Window:
        return Window(**data)


class PlanSchema(StrictSchema):
    kind = fields.String(required=True, validate=KIND)
    organiser = organiser_field(required=True)
    title_bg = text(TITLE_LIMIT, required=True)
    title_en = text(TITLE_LIMIT, load_default="", min_length=0)
    description_bg = text(DESCRIPTION_LIMIT, required=True)
    description_en = text(DESCRIPTION_LIMIT, load_default="", min_length=0)
    venue = fields.Nested(VenueSchema, required=True)
    starts_at = SofiaDateTime(required=True, metadata={"example": "2027-06-12T10:00"})
    ends_at = SofiaDateTime(required=True, metadata={"example": "2027-06-12T18:00"})
    visitor_capacity = fields.Integer(
        required=True,
        strict=True,
        allow_none=True,
        validate=validate.Range(min=0, max=MAX_CAPACITY),
        metadata={"description": "null: open to all without registration (not for forums and conferences)"},
    )
    stands = fields.List(fields.Nested(StandSchema), load_default=list, validate=validate.Length(max=MAX_STANDS))
    exhibitor_window = fields.Nested(WindowSchema, load_default=None, allow_none=True)
    visitor_window = fields.Nested(WindowSchema, load_default=None, allow_none=True)
    version = fields.Integer(load_default=None, strict=True, validate=validate.Range(min=1))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**data, "kind": Kind(data["kind"]), "stands": tuple(data["stands"])}


KEPT = {"description": "The window as it was unless given (closing by the new start at the latest)"}


class RescheduleSchema(StrictSchema):
    starts_at = SofiaDateTime(required=True)
    ends_at = SofiaDateTime(required=True)
    exhibitor_window = fields.Nested(WindowSchema, load_default=None, allow_none=True, metadata=KEPT)
    visitor_window = fields.Nested(WindowSchema, load_default=None, allow_none=True, metadata=KEPT)


class ReasonSchema(StrictSchema):
    reason = text(REASON_LIMIT, required=True)


class AttendanceSchema(StrictSchema):
    visitors = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1_000_000))


class ApplySchema(StrictSchema):
    listings = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)),
        required=True,
        validate=validate.Length(max=MAX_LISTINGS),
    )


class SelectSchema(StrictSchema):
    stand = fields.String(required=True, validate=validate.Length(min=1, max=STAND_CODE_LIMIT))


class ExhibitorReportSchema(StrictSchema):
    contacts = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_CONTACTS))
    sales_cents = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=0, max=MAX_SALES_CENTS)
    )


class RegisterSchema(StrictSchema):
    name = text(NAME_LIMIT, required=True)


class CheckInSchema(StrictSchema):
    present = fields.Boolean(required=True)


class CalendarQuerySchema(StrictSchema):
    since = SofiaDateTime(load_default=None, metadata={"description": "Now unless given"})
    until = SofiaDateTime(load_default=None, metadata={"description": "A year after `since` unless given"})
    centre = organiser_field(load_default=None)
    district = district_field(load_default=None)
    kind = fields.String(load_default=None, validate=KIND)


class OrganisedQuerySchema(StrictSchema):
    since = SofiaDateTime(load_default=None, metadata={"description": "Three months back unless given"})


class PeriodQuerySchema(StrictSchema):
    since = SofiaDateTime(required=True)
    until = SofiaDateTime(required=True)
    organiser = organiser_field(load_default=None)
