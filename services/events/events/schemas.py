"""Payload schemas of the events the events service publishes, version 1.

- ``events.event.v1``: an event of a centre as the public sees it — published, rescheduled (with the previous
  times), cancelled (with the reason), held, reported (with its figures). A rescheduled or cancelled event
  names the enterprises exhibiting (``exhibitors``) and the addresses of the visitors registered or waiting
  (``visitors``; the same people with their sign-in subject and name in ``visitor_roster``), so that
  notifications can tell them, each in her own inbox.
- ``events.participation.v1``: an exhibitor's application (applied, selected with its stand, waitlisted and
  rejected with the reason, withdrawn — by the register when the enterprise is deleted or expires —, its
  report of contacts and sales in euro cents) and a visitor's registration (a seat, a waiting place,
  cancelled). Visitor events carry the person's verified address (``visitor``), name and sign-in subject
  (``visitor_subject``: her platform inbox), as training's enrolments carry the learner's; ``promoted`` says a
  seat came after a place on the waiting list. A withdrawal by the register says why (``register_status``:
  ``deleted`` or ``expired``).

Consumers rely on these fields; adding one keeps the version, removing or changing one makes v2.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from services.events.config import EVENT_TOPIC, PARTICIPATION_TOPIC
from services.events.domain.event import Kind, Status
from services.events.domain.participation import ExhibitorState, VisitorState, WithdrawnBy
from services.events.domain.venue import VenueKind
from services.events.events import EXAMPLES_DIR
from shared.events import EventCatalog, EventType

CENTS = validate.Range(min=0)
COUNT = validate.Range(min=0)


class Open(Schema):
    class Meta:
        unknown = INCLUDE


class VenuePayload(Open):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in VenueKind]))
    centre = fields.String(required=True, allow_none=True)
    municipality = fields.String(required=True, allow_none=True)
    settlement = fields.String(required=True, allow_none=True)
    street = fields.String(required=True, allow_none=True)
    district = fields.String(required=True, allow_none=True)


class EventPayload(Open):
    event_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in Kind]))
    organiser = fields.String(required=True)
    title_bg = fields.String(required=True)
    title_en = fields.String(required=True)
    venue = fields.Nested(VenuePayload, required=True)
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    status = fields.String(required=True, validate=validate.OneOf([s.value for s in Status]))


class VisitorPerson(Open):
    subject = fields.String(required=True, allow_none=True)
    name = fields.String(required=True)
    email = fields.Email(required=True)


class ToldPayload(EventPayload):
    exhibitors = fields.List(fields.String(), required=True)
    """Enterprise ids of the selected and waiting exhibitors."""
    visitors = fields.List(fields.String(), required=True)
    """Addresses of the visitors holding a seat or waiting."""
    visitor_roster = fields.List(fields.Nested(VisitorPerson), load_default=list)
    """The same visitors: sign-in subject (None for an older registration), name and address (added in v1)."""


class RescheduledPayload(ToldPayload):
    previous_starts_at = fields.AwareDateTime(required=True)
    previous_ends_at = fields.AwareDateTime(required=True)


class CancelledPayload(ToldPayload):
    reason = fields.String(required=True)


class ReportedPayload(EventPayload):
    exhibitors = fields.Integer(required=True, strict=True, validate=COUNT)
    exhibitors_reported = fields.Integer(required=True, strict=True, validate=COUNT)
    contacts = fields.Integer(required=True, strict=True, validate=COUNT)
    sales_cents = fields.Integer(required=True, strict=True, validate=CENTS)
    registered_visitors = fields.Integer(required=True, strict=True, validate=COUNT)
    checked_in = fields.Integer(required=True, strict=True, validate=COUNT)
    attendance = fields.Integer(required=True, strict=True, validate=COUNT)


class ParticipationPayload(Open):
    participation_id = fields.String(required=True)
    event_id = fields.String(required=True)
    event_title_bg = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)


class ExhibitorPayload(ParticipationPayload):
    role = fields.String(required=True, validate=validate.Equal("exhibitor"))
    enterprise_id = fields.String(required=True)
    enterprise_name = fields.String(required=True)
    listings = fields.List(fields.String(), required=True)
    state = fields.String(required=True, validate=validate.OneOf([s.value for s in ExhibitorState]))
    stand = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True)
    withdrawn_by = fields.String(
        required=True, allow_none=True, validate=validate.OneOf([w.value for w in WithdrawnBy])
    )
    organiser = fields.String(allow_none=True, load_default=None)
    """The organising centre or ``national`` (added in v1): whose staff hear of an application."""


class SelectedPayload(ExhibitorPayload):
    price_cents = fields.Integer(required=True, strict=True, validate=CENTS)


class WithdrawnPayload(ExhibitorPayload):
    freed_stand = fields.String(required=True, allow_none=True)
    register_status = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(["deleted", "expired"]))
    """Withdrawn by the register: whether the enterprise was deleted or its entry expired (added in v1)."""


class ExhibitorReportedPayload(ExhibitorPayload):
    contacts = fields.Integer(required=True, strict=True, validate=COUNT)
    sales_cents = fields.Integer(required=True, strict=True, allow_none=True, validate=CENTS)


class VisitorPayload(ParticipationPayload):
    role = fields.String(required=True, validate=validate.Equal("visitor"))
    visitor = fields.Email(required=True)
    visitor_name = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf([s.value for s in VisitorState]))
    waiting_position = fields.Integer(required=True, strict=True, allow_none=True, validate=validate.Range(min=1))
    at = fields.AwareDateTime(required=True)
    visitor_subject = fields.String(allow_none=True, load_default=None)
    """The person's sign-in subject (added in v1; None for an older registration)."""
    promoted = fields.Boolean(load_default=False)
    """A seat after a place on the waiting list (added in v1)."""


def _types(topic: str, schemas: dict[str, type[Schema]]) -> list[EventType]:
    return [EventType(f"events.{name}", 1, topic, schema) for name, schema in schemas.items()]


EVENTS_EVENTS = EventCatalog(
    [
        *_types(
            EVENT_TOPIC,
            {
                "EventPublished": EventPayload,
                "EventRescheduled": RescheduledPayload,
                "EventCancelled": CancelledPayload,
                "EventHeld": EventPayload,
                "EventReported": ReportedPayload,
            },
        ),
        *_types(
            PARTICIPATION_TOPIC,
            {
                "ExhibitorApplied": ExhibitorPayload,
                "ExhibitorSelected": SelectedPayload,
                "ExhibitorWaitlisted": ExhibitorPayload,
                "ExhibitorRejected": ExhibitorPayload,
                "ExhibitorWithdrawn": WithdrawnPayload,
                "ExhibitorReported": ExhibitorReportedPayload,
                "VisitorRegistered": VisitorPayload,
                "VisitorWaitlisted": VisitorPayload,
                "VisitorCancelled": VisitorPayload,
            },
        ),
    ],
    EXAMPLES_DIR,
)
