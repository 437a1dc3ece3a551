"""What the API shows of courses and sessions (Bulgarian first, English alongside), and the shapes of it for the
OpenAPI document. Each response schema mirrors a view function below: keep them together when either changes.

Times are given twice: ``starts_at`` in UTC (ISO 8601, ``Z``) and ``starts_at_local`` in Europe/Sofia with
that day's offset (``2027-03-28T10:00:00+03:00``), which is what people are shown.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from marshmallow import Schema, fields

from services.training.domain.course import FORMAT_BG, LEVEL_BG, Course, Format, Level
from services.training.domain.dimensions import DIMENSION_NAMES, Dimension
from services.training.domain.scheduling import in_sofia
from services.training.domain.session import STATUS_BG, Meeting, Session, SessionStatus
from shared.bg.geography import geography
from shared.web.schemas import LocalisedMessageSchema


def _values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]


def local(moment: datetime) -> str:
    """The Sofia local time with its offset, e.g. ``2027-03-28T10:00:00+03:00``."""
    return in_sofia(moment).isoformat()


# ---------------------------------------------------------------------- courses
def dimension_view(dimension: Dimension) -> dict[str, Any]:
    bg, en = DIMENSION_NAMES[dimension]
    return {"code": dimension.value, "name": {"bg": bg, "en": en}}


def course_view(course: Course) -> dict[str, Any]:
    return {
        "id": course.id,
        "title": {"bg": course.title_bg, "en": course.title_en or None},
        "description": {"bg": course.description_bg, "en": course.description_en or None},
        "dimensions": [dimension_view(d) for d in course.dimensions],
        "level": course.level.value,
        "level_bg": LEVEL_BG[course.level],
        "hours": course.hours,
        "format": course.format.value,
        "format_bg": FORMAT_BG[course.format],
        "active": course.active,
        "version": course.version,
    }


class OptionalEnglishSchema(LocalisedMessageSchema):
    en = fields.String(allow_none=True, metadata={"description": "None when none was given"})


class CourseDimensionSchema(Schema):
    code = fields.String(metadata={"enum": _values(Dimension)})
    name = fields.Nested(LocalisedMessageSchema)


class CourseSchema(Schema):
    id = fields.String()
    title = fields.Nested(OptionalEnglishSchema)
    description = fields.Nested(OptionalEnglishSchema)
    dimensions = fields.List(fields.Nested(CourseDimensionSchema))
    level = fields.String(metadata={"enum": _values(Level)})
    level_bg = fields.String(metadata={"example": "начинаещи"})
    hours = fields.Integer(metadata={"example": 16})
    format = fields.String(metadata={"enum": _values(Format)})
    format_bg = fields.String(metadata={"example": "присъствено"})
    active = fields.Boolean(metadata={"description": "False: withdrawn from the catalogue"})
    version = fields.Integer()


class CourseListSchema(Schema):
    items = fields.List(fields.Nested(CourseSchema))


# ---------------------------------------------------------------------- sessions
def meeting_view(meeting: Meeting) -> dict[str, Any]:
    return {
        "starts_at": meeting.starts_at,
        "ends_at": meeting.ends_at,
        "starts_at_local": local(meeting.starts_at),
        "ends_at_local": local(meeting.ends_at),
    }


def centre_view(centre_id: str) -> dict[str, Any]:
    centre = geography().centres.get(centre_id)
    if centre is None:
        return {"id": centre_id, "name": None}
    return {"id": centre.id, "name": {"bg": centre.name_bg, "en": centre.name_en}}


def session_view(session: Session, now: datetime, *, show_link: bool = False) -> dict[str, Any]:
    """``show_link``: the online link is for the people running the session (and, elsewhere, its learners),
    not for everyone reading the public timetable."""
    return {
        "id": session.id,
        "course": {"id": session.course_id, "title": session.course_title},
        "trainer": {"id": session.trainer_id, "name": session.trainer_name},
        "centre": centre_view(session.centre),
        "room": session.room,
        "online": session.online,
        "online_link": session.online_link if show_link else None,
        "meetings": [meeting_view(m) for m in session.meetings],
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "starts_at_local": local(session.starts_at),
        "ends_at_local": local(session.ends_at),
        "capacity": session.capacity,
        "enrolment": {
            "opens_at": session.enrolment_opens_at,
            "closes_at": session.enrolment_closes_at,
            "opens_at_local": local(session.enrolment_opens_at),
            "closes_at_local": local(session.enrolment_closes_at),
            "open": session.accepts_enrolments(now),
        },
        "funded": session.funded,
        "open_to_all": session.open_to_all,
        "status": session.status.value,
        "status_bg": STATUS_BG[session.status],
        "cancellation_reason": session.cancellation_reason,
        "version": session.version,
    }


class MeetingViewSchema(Schema):
    starts_at = fields.DateTime(metadata={"example": "2027-03-28T07:00:00Z"})
    ends_at = fields.DateTime(metadata={"example": "2027-03-28T10:00:00Z"})
    starts_at_local = fields.String(metadata={"example": "2027-03-28T10:00:00+03:00"})
    ends_at_local = fields.String(metadata={"example": "2027-03-28T13:00:00+03:00"})


class CourseRefSchema(Schema):
    id = fields.String()
    title = fields.String()


class TrainerRefSchema(Schema):
    id = fields.String()
    name = fields.String()


class CentreRefSchema(Schema):
    id = fields.String(metadata={"example": "plovdiv"})
    name = fields.Nested(LocalisedMessageSchema, allow_none=True)


class EnrolmentWindowSchema(Schema):
    opens_at = fields.DateTime()
    closes_at = fields.DateTime()
    opens_at_local = fields.String()
    closes_at_local = fields.String()
    open = fields.Boolean(metadata={"description": "Enrolments are accepted now"})


class OccupancySchema(Schema):
    taken = fields.Integer()
    free = fields.Integer()
    waiting = fields.Integer(metadata={"description": "Learners on the waiting list"})


class SessionSchema(Schema):
    id = fields.String()
    course = fields.Nested(CourseRefSchema)
    trainer = fields.Nested(TrainerRefSchema)
    centre = fields.Nested(CentreRefSchema)
    room = fields.String(allow_none=True, metadata={"description": "None for an online session"})
    online = fields.Boolean()
    online_link = fields.String(
        allow_none=True, metadata={"description": "Only for the trainer, admins and the centre's clerks"}
    )
    meetings = fields.List(fields.Nested(MeetingViewSchema))
    starts_at = fields.DateTime(metadata={"description": "The first meeting's start (UTC)"})
    ends_at = fields.DateTime(metadata={"description": "The last meeting's end (UTC)"})
    starts_at_local = fields.String()
    ends_at_local = fields.String()
    capacity = fields.Integer()
    seats = fields.Nested(OccupancySchema, metadata={"description": "Only when one session is asked for"})
    enrolment = fields.Nested(EnrolmentWindowSchema)
    funded = fields.Boolean()
    open_to_all = fields.Boolean()
    status = fields.String(metadata={"enum": _values(SessionStatus)})
    status_bg = fields.String(metadata={"example": "насрочена"})
    cancellation_reason = fields.String(allow_none=True)
    version = fields.Integer()


class SessionListSchema(Schema):
    items = fields.List(fields.Nested(SessionSchema))
