"""Request schemas of the course catalogue and the timetable.

Times are Europe/Sofia wall-clock times (``"2027-03-28T10:00"``, no offset) or ISO 8601 with an offset
(``"2027-03-28T07:00Z"``, ``"2027-03-28T10:00+03:00"``); the views get them as UTC instants. A wall-clock
time the clocks skip in spring, or one they pass twice in autumn, is refused (give an offset for those).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from services.training.domain.course import DESCRIPTION_LIMIT, MAX_HOURS, TITLE_LIMIT, Format, Level
from services.training.domain.dimensions import Dimension
from services.training.domain.scheduling import AmbiguousLocalTime, LocalTimeError, to_utc
from services.training.domain.session import MAX_CAPACITY, MAX_MEETINGS, REASON_LIMIT, ROOM_LIMIT, Meeting
from shared.bg.geography import geography
from shared.clock import end_of_sofia_day
from shared.web.schemas import StrictSchema, one_of, text
from shared.web.translations import bilingual

NONEXISTENT = bilingual(
    "Този час не съществува в София (часовниците се местят напред).",
    "This time does not exist in Sofia (the clocks go forward).",
)
AMBIGUOUS = bilingual(
    "Този час настъпва два пъти в София (часовниците се връщат назад); посочете отместване (+03:00 или +02:00).",
    "This time happens twice in Sofia (the clocks go back); give an offset (+03:00 or +02:00).",
)
NOT_A_TIME = bilingual(
    "Очакват се дата и час, напр. 2027-03-28T10:00 (час в София) или с отместване.",
    "Expected a date and time such as 2027-03-28T10:00 (Sofia time) or one with an offset.",
)
TO_BEFORE_FROM = bilingual("Крайната дата е преди началната.", "The end date is before the start date.")
_URL = validate.URL(schemes={"https", "http"}, require_tld=True)


class SofiaDateTime(fields.DateTime):
    """ISO 8601 date and time; without an offset it is a Sofia wall-clock time. Loads as an aware UTC datetime."""

    default_error_messages = {"invalid": NOT_A_TIME}  # noqa: RUF012  # marshmallow merges these per class

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return to_utc(moment)
        except AmbiguousLocalTime as exc:
            raise ValidationError(AMBIGUOUS) from exc
        except LocalTimeError as exc:
            raise ValidationError(NONEXISTENT) from exc


def centre_field(**kwargs: Any) -> fields.String:
    return fields.String(validate=one_of(sorted(geography().centres), "център", "centre"), **kwargs)


def _choice(enum: type[Any], what_bg: str, what_en: str, **kwargs: Any) -> fields.String:
    return fields.String(validate=one_of([m.value for m in enum], what_bg, what_en), **kwargs)


# ---------------------------------------------------------------------- courses
class CourseFieldsSchema(StrictSchema):
    title_bg = text(TITLE_LIMIT, required=True)
    title_en = text(TITLE_LIMIT, min_length=0)
    description_bg = text(DESCRIPTION_LIMIT, required=True)
    description_en = text(DESCRIPTION_LIMIT, min_length=0)
    dimensions = fields.List(
        _choice(Dimension, "измерение", "dimension"),
        required=True,
        validate=validate.Length(min=1, max=len(Dimension)),
        metadata={"description": "The digital maturity dimensions the course improves"},
    )
    level = _choice(Level, "ниво", "level", required=True)
    hours = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=MAX_HOURS))
    format = _choice(Format, "формат", "format", required=True)


class CourseChangesSchema(CourseFieldsSchema):
    active = fields.Boolean(metadata={"description": "False withdraws the course: no new sessions of it"})


class CourseQuerySchema(StrictSchema):
    dimension = _choice(Dimension, "измерение", "dimension")
    level = _choice(Level, "ниво", "level")
    format = _choice(Format, "формат", "format")
    include_withdrawn = fields.Boolean(load_default=False)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {
            "dimension": Dimension(data["dimension"]) if "dimension" in data else None,
            "level": Level(data["level"]) if "level" in data else None,
            "format": Format(data["format"]) if "format" in data else None,
            "include_withdrawn": data["include_withdrawn"],
        }


# ---------------------------------------------------------------------- sessions
class MeetingSchema(StrictSchema):
    starts_at = SofiaDateTime(required=True, metadata={"example": "2027-03-28T10:00"})
    ends_at = SofiaDateTime(required=True, metadata={"example": "2027-03-28T13:00"})

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Meeting:
        return Meeting(data["starts_at"], data["ends_at"])


def meetings_field(**kwargs: Any) -> fields.List:
    return fields.List(
        fields.Nested(MeetingSchema), validate=validate.Length(min=1, max=MAX_MEETINGS), required=True, **kwargs
    )


class NewSessionSchema(StrictSchema):
    course_id = text(64, required=True)
    centre = centre_field(required=True, metadata={"description": "The regional centre running it, also online"})
    room = text(ROOM_LIMIT, allow_none=True, metadata={"description": "Required unless the course is online"})
    online_link = fields.String(
        allow_none=True,
        validate=[validate.Length(max=500), _URL],
        metadata={"description": "Required unless the course is in person"},
    )
    meetings = meetings_field()
    capacity = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=MAX_CAPACITY))
    trainer_id = text(128, metadata={"description": "For admins and clerks; a trainer schedules for themself"})
    trainer_name = text(200, metadata={"description": "For admins and clerks"})
    enrolment_opens_at = SofiaDateTime(metadata={"description": "Now unless given"})
    enrolment_closes_at = SofiaDateTime(metadata={"description": "The first meeting's start unless given"})
    funded = fields.Boolean(load_default=True, metadata={"description": "Free for workers of registered enterprises"})
    open_to_all = fields.Boolean(load_default=False, metadata={"description": "Others may enrol too"})


class RescheduleSessionSchema(StrictSchema):
    meetings = meetings_field(metadata={"description": "All the meetings; those already held stay unchanged"})


class CancelSessionSchema(StrictSchema):
    reason = text(REASON_LIMIT, required=True)


class SessionQuerySchema(StrictSchema):
    course_id = text(64)
    centre = centre_field()
    online = fields.Boolean()
    from_ = fields.Date(data_key="from", metadata={"description": "First meeting on or after this Sofia date"})
    to = fields.Date(metadata={"description": "First meeting on or before this Sofia date"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))

    @validates_schema
    def dates_in_order(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ValidationError(TO_BEFORE_FROM, "to")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {
            "course_id": data.get("course_id"),
            "centre": data.get("centre"),
            "online": data.get("online"),
            "starts_from": end_of_sofia_day(data["from_"] - timedelta(days=1)) if data.get("from_") else None,
            "starts_before": end_of_sofia_day(data["to"]) if data.get("to") else None,
            "limit": data["limit"],
        }


class TrainerSessionsQuerySchema(StrictSchema):
    include_past = fields.Boolean(load_default=False)
