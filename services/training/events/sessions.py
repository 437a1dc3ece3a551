"""Payload schemas of the session events (``training.session.v1``), version 1.

Every event carries the whole picture of the session after the change (times as ISO 8601 UTC), so a
consumer never needs an earlier event to act. A reschedule also carries the meetings before it, and a
reschedule or a cancellation the learners enrolled or waiting (with their contact data, because telling
them is the point of these events).
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from services.training.config import SESSION_TOPIC
from shared.events import EventType

AGGREGATE_TYPE = "session"
STATUSES = ["scheduled", "cancelled", "completed"]


class MeetingPayload(Schema):
    class Meta:
        unknown = INCLUDE

    starts_at = fields.AwareDateTime(required=True, format="iso")
    ends_at = fields.AwareDateTime(required=True, format="iso")


class LearnerPayload(Schema):
    class Meta:
        unknown = INCLUDE

    learner_id = fields.String(required=True, validate=validate.Length(min=1))
    name = fields.String(required=True)
    email = fields.Email(required=True)


class SessionPayload(Schema):
    class Meta:
        unknown = INCLUDE  # additive fields must not break older consumers

    session_id = fields.String(required=True, validate=validate.Length(min=1))
    course_id = fields.String(required=True, validate=validate.Length(min=1))
    course_title = fields.String(required=True, validate=validate.Length(min=1))
    trainer_id = fields.String(required=True, validate=validate.Length(min=1))
    trainer_name = fields.String(required=True)
    centre = fields.String(required=True, validate=validate.Length(min=1))
    room = fields.String(required=True, allow_none=True, metadata={"description": "None for an online session"})
    online_link = fields.String(required=True, allow_none=True, metadata={"description": "None in person"})
    meetings = fields.List(fields.Nested(MeetingPayload), required=True, validate=validate.Length(min=1))
    capacity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))


class SessionRescheduledPayload(SessionPayload):
    previous_meetings = fields.List(fields.Nested(MeetingPayload), required=True, validate=validate.Length(min=1))
    learners = fields.List(fields.Nested(LearnerPayload), required=True)


class SessionCancelledPayload(SessionPayload):
    reason = fields.String(required=True, validate=validate.Length(min=1))
    learners = fields.List(fields.Nested(LearnerPayload), required=True)


def _session(name: str, schema: type[Schema]) -> EventType:
    return EventType(f"training.{name}", 1, SESSION_TOPIC, schema)


SESSION_EVENT_TYPES: list[EventType] = [
    _session("SessionScheduled", SessionPayload),
    _session("SessionRescheduled", SessionRescheduledPayload),
    _session("SessionCancelled", SessionCancelledPayload),
]
