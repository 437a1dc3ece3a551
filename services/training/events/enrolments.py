"""Payload schemas of the enrolment events, version 1, on ``training.enrolment.v1`` (key: the enrolment id).

Every event carries the enrolment, its session, the learner (e-mail address and name: notifications
writes to them) and where the enrolment stands. Adding a field keeps the version; removing or changing
one makes v2. ``starts_at`` is the session's first meeting, UTC ISO 8601.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from services.training.config import ENROLMENT_TOPIC
from services.training.domain.certificate import NUMBER_PATTERN
from services.training.domain.enrolment import CancelledBy, EnrolmentEvent, EnrolmentState
from shared.events import EventType

AGGREGATE_TYPE = "enrolment"


class _Payload(Schema):
    class Meta:
        unknown = INCLUDE  # additive fields must not break older consumers


class EnrolmentPayload(_Payload):
    """What every enrolment event carries."""

    enrolment_id = fields.String(required=True)
    session_id = fields.String(required=True)
    course_title = fields.String(required=True)
    centre = fields.String(required=True)
    learner = fields.Email(required=True, metadata={"description": "The learner's lower-cased e-mail address"})
    learner_name = fields.String(required=True)
    enterprise_id = fields.String(required=True, allow_none=True)
    state = fields.String(required=True, validate=validate.OneOf([s.value for s in EnrolmentState]))
    starts_at = fields.DateTime(required=True, metadata={"description": "The session's first meeting"})


class EnrolmentConfirmedPayload(EnrolmentPayload):
    pass


class WaitlistedPayload(EnrolmentPayload):
    waitlist_position = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class PromotedFromWaitlistPayload(EnrolmentPayload):
    pass


class EnrolmentCancelledPayload(EnrolmentPayload):
    cancelled_by = fields.String(required=True, validate=validate.OneOf([c.value for c in CancelledBy]))
    reason = fields.String(required=True)


class AttendanceRecordedPayload(EnrolmentPayload):
    meeting = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    present = fields.Boolean(required=True)


class CertificateIssuedPayload(EnrolmentPayload):
    certificate_number = fields.String(required=True, validate=validate.Regexp(NUMBER_PATTERN))


class WorkerInvitedPayload(_Payload):
    """A representative asked a worker (by e-mail) to take a session: the one message the address gets until
    the worker, signed in with that verified address, accepts. Holds no seat; carries no ``state``."""

    enrolment_id = fields.String(required=True)
    session_id = fields.String(required=True)
    course_title = fields.String(required=True)
    centre = fields.String(required=True)
    learner = fields.Email(required=True, metadata={"description": "The invited worker's lower-cased e-mail"})
    learner_name = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    enterprise_name = fields.String(required=True, metadata={"description": "Who invites (may be empty)"})
    starts_at = fields.DateTime(required=True, metadata={"description": "The session's first meeting"})


def _enrolment(name: EnrolmentEvent, schema: type[Schema]) -> EventType:
    return EventType(f"training.{name.value}", 1, ENROLMENT_TOPIC, schema)


ENROLMENT_EVENT_TYPES: list[EventType] = [
    _enrolment(EnrolmentEvent.ENROLMENT_CONFIRMED, EnrolmentConfirmedPayload),
    _enrolment(EnrolmentEvent.WAITLISTED, WaitlistedPayload),
    _enrolment(EnrolmentEvent.PROMOTED_FROM_WAITLIST, PromotedFromWaitlistPayload),
    _enrolment(EnrolmentEvent.ENROLMENT_CANCELLED, EnrolmentCancelledPayload),
    _enrolment(EnrolmentEvent.ATTENDANCE_RECORDED, AttendanceRecordedPayload),
    _enrolment(EnrolmentEvent.CERTIFICATE_ISSUED, CertificateIssuedPayload),
    _enrolment(EnrolmentEvent.WORKER_INVITED, WorkerInvitedPayload),
]
