"""Payload schemas of the events the grants service publishes, version 1.

- ``grants.call.v1``: ``grants.CallPublished`` — a call for support with its envelopes and window;
  ``grants.CallClosed`` — the ministry closed it before its window ended, with the reason (public).
- ``grants.application.v1``: an application's path to a decision (submitted, information requested and
  provided, an evaluator assigned, evaluated, rejected, put in reserve).
- ``grants.award.v1``: the support itself (awarded, contracted, each delivery and payment, completed with
  whether the enterprise counts as digitalised) — what training's programme figures and the public list of
  awards read.

Application and award events carry the applicant's sign-in id (``applicant``), so notifications can tell
the person; ``grants.EvaluatorAssigned`` also the evaluator's sign-in id (``evaluator``), so notifications
can tell her; no other personal data. Consumers rely on these fields; adding one keeps the version,
removing or changing one makes v2.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from services.grants.config import APPLICATION_TOPIC, AWARD_TOPIC, CALL_TOPIC
from services.grants.domain.application import PaymentKind, Status
from services.grants.events import EXAMPLES_DIR
from shared.events import EventCatalog, EventType

CENTS = validate.Range(min=0)
STATUSES = [s.value for s in Status]


class CallPublishedPayload(Schema):
    class Meta:
        unknown = INCLUDE

    call_id = fields.String(required=True)
    title = fields.String(required=True)
    budget_cents = fields.Integer(required=True, strict=True, validate=CENTS)
    envelopes = fields.Dict(keys=fields.String(), values=fields.Integer(strict=True, validate=CENTS), required=True)
    max_per_enterprise_cents = fields.Integer(required=True, strict=True, validate=CENTS)
    categories = fields.List(fields.String(), required=True)
    opens_on = fields.Date(required=True)
    closes_on = fields.Date(required=True)


class CallClosedPayload(Schema):
    class Meta:
        unknown = INCLUDE

    call_id = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.String(required=True, validate=validate.Equal("closed"))
    closes_on = fields.Date(required=True)
    """The last day of the window as published (the call closed before it)."""
    closed_at = fields.AwareDateTime(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1))
    centres = fields.List(fields.String(), required=True)
    """The regional centres serving the call's regions (their staff hear of it in the centre's inbox)."""


class ApplicationPayload(Schema):
    class Meta:
        unknown = INCLUDE

    application_id = fields.String(required=True)
    call_id = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    enterprise_name = fields.String(required=True)
    region = fields.String(required=True)
    centre = fields.String(required=True)
    applicant = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))


class SubmittedPayload(ApplicationPayload):
    requested_cents = fields.Integer(required=True, strict=True, validate=CENTS)


class InformationRequestedPayload(ApplicationPayload):
    text = fields.String(required=True)


class EvaluatorAssignedPayload(ApplicationPayload):
    evaluator = fields.String(required=True, validate=validate.Length(min=1))
    """The evaluator's sign-in subject (the centre assigns by it; no address or name)."""
    assigned_at = fields.AwareDateTime(required=True)


class EvaluatedPayload(ApplicationPayload):
    total_hundredths = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=10_000))
    passed = fields.Boolean(required=True)


class RejectedPayload(ApplicationPayload):
    reasons = fields.String(required=True)


class ReservedPayload(ApplicationPayload):
    rank = fields.Integer(required=True, strict=True, allow_none=True)
    reasons = fields.String(required=True)


class AwardGrantedPayload(ApplicationPayload):
    amount_cents = fields.Integer(required=True, strict=True, validate=CENTS)
    awarded_on = fields.Date(required=True)
    reasons = fields.String(required=True)


class ContractSignedPayload(ApplicationPayload):
    amount_cents = fields.Integer(required=True, strict=True, validate=CENTS)
    contract_number = fields.String(required=True)
    signed_on = fields.Date(required=True)


class DeliveryRecordedPayload(ApplicationPayload):
    line_id = fields.String(required=True)
    amount_cents = fields.Integer(required=True, strict=True, validate=CENTS)
    delivered_on = fields.Date(required=True)


class PaymentMadePayload(ApplicationPayload):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in PaymentKind]))
    amount_cents = fields.Integer(required=True, strict=True, validate=CENTS)
    paid_cents = fields.Integer(required=True, strict=True, validate=CENTS)
    paid_on = fields.Date(required=True)


class SupportCompletedPayload(ApplicationPayload):
    amount_cents = fields.Integer(required=True, strict=True, validate=CENTS)
    paid_cents = fields.Integer(required=True, strict=True, validate=CENTS)
    completed_on = fields.Date(required=True)
    baseline_overall = fields.Float(required=True)
    follow_up_overall = fields.Float(required=True)
    digitalised = fields.Boolean(required=True)


def _types(topic: str, schemas: dict[str, type[Schema]]) -> list[EventType]:
    return [EventType(f"grants.{name}", 1, topic, schema) for name, schema in schemas.items()]


GRANTS_EVENTS = EventCatalog(
    [
        *_types(CALL_TOPIC, {"CallPublished": CallPublishedPayload, "CallClosed": CallClosedPayload}),
        *_types(
            APPLICATION_TOPIC,
            {
                "ApplicationSubmitted": SubmittedPayload,
                "InformationRequested": InformationRequestedPayload,
                "InformationProvided": SubmittedPayload,
                "EvaluatorAssigned": EvaluatorAssignedPayload,
                "ApplicationEvaluated": EvaluatedPayload,
                "ApplicationRejected": RejectedPayload,
                "ApplicationReserved": ReservedPayload,
            },
        ),
        *_types(
            AWARD_TOPIC,
            {
                "AwardGranted": AwardGrantedPayload,
                "ContractSigned": ContractSignedPayload,
                "DeliveryRecorded": DeliveryRecordedPayload,
                "PaymentMade": PaymentMadePayload,
                "SupportCompleted": SupportCompletedPayload,
            },
        ),
    ],
    EXAMPLES_DIR,
)
