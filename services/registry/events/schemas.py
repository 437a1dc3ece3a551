"""Payload schemas of the registry's events, version 1.

Consumers rely on these fields; adding one keeps the version, removing or changing one makes v2.
No personal numbers (ЕГН) ever appear here.
"""

from __future__ import annotations

from pathlib import Path

from marshmallow import INCLUDE, Schema, fields, validate

from services.registry.config import APPLICATION_TOPIC, ENTERPRISE_TOPIC
from shared.events import EventCatalog, EventType

EXAMPLES_DIR = Path(__file__).with_name("examples")
CLASSES = validate.OneOf(["A", "A+"])


class _Payload(Schema):
    class Meta:
        unknown = INCLUDE  # additive fields must not break older consumers


class CertificateSchema(_Payload):
    number = fields.String(required=True)
    valid_from = fields.Date(required=True)
    valid_until = fields.Date(required=True)


class PersonSchema(_Payload):
    """A representative as their sign-in names them; ``email`` only when the identity provider verified it."""

    subject = fields.String(required=True)
    name = fields.String(required=True)
    email = fields.Email(required=True, allow_none=True)


class EnterprisePayload(_Payload):
    enterprise_id = fields.String(required=True)
    registration_number = fields.String(required=True)
    name = fields.String(required=True)
    eik = fields.String(required=True)
    legal_form = fields.String(required=True)
    enterprise_class = fields.String(required=True, validate=CLASSES)
    status = fields.String(required=True, validate=validate.OneOf(["active", "expired", "deleted"]))
    district = fields.String(required=True)
    region = fields.String(required=True)
    centre = fields.String(required=True)
    activities = fields.List(fields.String(), required=True)
    contact_email = fields.Email(required=True)
    public_contacts = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    certificate = fields.Nested(CertificateSchema, required=True)
    staff_count = fields.Integer(required=True)
    vulnerable_staff_total = fields.Integer(required=True)
    vulnerable_staff = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    representatives = fields.List(
        fields.Nested(PersonSchema),
        metadata={"description": "Who represents the enterprise here (absent from events written before)"},
    )


class EnterpriseUpdatedPayload(EnterprisePayload):
    changed_fields = fields.List(fields.String(), required=True)


class ClassChangedPayload(EnterprisePayload):
    previous_class = fields.String(required=True, validate=CLASSES)
    reason = fields.String(required=True)


class CertificateExpiringPayload(EnterprisePayload):
    days_left = fields.Integer(required=True)
    notice_days = fields.Integer(required=True)


class EnterpriseDeletedPayload(EnterprisePayload):
    reason_code = fields.String(required=True)
    order_number = fields.String(required=True)
    order_date = fields.Date(required=True)


class AnnualReportPayload(EnterprisePayload):
    year = fields.Integer(required=True)


class AnnualReportOverduePayload(AnnualReportPayload):
    due_on = fields.Date(required=True)


class ApplicationPayload(_Payload):
    application_id = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["registration", "renewal"]))
    status = fields.String(required=True)
    name = fields.String(required=True)
    eik = fields.String(required=True)
    district = fields.String(required=True)
    region = fields.String(required=True)
    centre = fields.String(required=True)
    requested_class = fields.String(required=True, validate=CLASSES)
    applicant_email = fields.Email(required=True)
    due_at = fields.AwareDateTime(required=True, allow_none=True)
    applicant = fields.Nested(
        PersonSchema, metadata={"description": "Who submitted it (absent before submission and from older events)"}
    )
    representatives = fields.List(
        fields.Nested(PersonSchema),
        metadata={"description": "Who represents the enterprise here (absent from events written before)"},
    )


class ApplicationSubmittedPayload(ApplicationPayload):
    resubmission = fields.Boolean(required=True)


class InformationRequestedPayload(ApplicationPayload):
    message = fields.String(required=True)


class ApplicationApprovedPayload(ApplicationPayload):
    registration_number = fields.String(required=True)
    certificate_number = fields.String(required=True)
    valid_until = fields.Date(required=True)


class ApplicationRejectedPayload(ApplicationPayload):
    reasons = fields.List(fields.String(), required=True)


def _enterprise(name: str, schema: type[Schema]) -> EventType:
    return EventType(f"registry.{name}", 1, ENTERPRISE_TOPIC, schema)


def _application(name: str, schema: type[Schema]) -> EventType:
    return EventType(f"registry.{name}", 1, APPLICATION_TOPIC, schema)


REGISTRY_EVENTS = EventCatalog(
    [
        _enterprise("EnterpriseRegistered", EnterprisePayload),
        _enterprise("EnterpriseUpdated", EnterpriseUpdatedPayload),
        _enterprise("EnterpriseClassChanged", ClassChangedPayload),
        _enterprise("CertificateExpiring", CertificateExpiringPayload),
        _enterprise("CertificateExpired", EnterprisePayload),
        _enterprise("EnterpriseRenewed", EnterprisePayload),
        _enterprise("EnterpriseDeleted", EnterpriseDeletedPayload),
        _enterprise("AnnualReportSubmitted", AnnualReportPayload),
        _enterprise("AnnualReportOverdue", AnnualReportOverduePayload),
        _application("ApplicationSubmitted", ApplicationSubmittedPayload),
        _application("InformationRequested", InformationRequestedPayload),
        _application("ApplicationApproved", ApplicationApprovedPayload),
        _application("ApplicationRejected", ApplicationRejectedPayload),
        _application("ApplicationWithdrawn", ApplicationPayload),
    ],
    examples_dir=EXAMPLES_DIR,
)
