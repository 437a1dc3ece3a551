"""The marketplace's own reading of ``registry.enterprise.v1``: only the fields it relies on.

Unknown fields are let through (the registry may add fields without a new version); a missing or
malformed field the marketplace needs makes the event poison, and it is dead-lettered.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from services.marketplace.config import REGISTRY_ENTERPRISE_TOPIC
from shared.events import EventCatalog, EventType

ENTERPRISE_EVENTS = (
    "EnterpriseRegistered",
    "EnterpriseUpdated",
    "EnterpriseClassChanged",
    "CertificateExpiring",
    "CertificateExpired",
    "EnterpriseRenewed",
    "EnterpriseDeleted",
    "AnnualReportSubmitted",
    "AnnualReportOverdue",
)


class _Certificate(Schema):
    class Meta:
        unknown = INCLUDE

    valid_until = fields.Date(required=True)


class RegistryEnterprise(Schema):
    class Meta:
        unknown = INCLUDE

    enterprise_id = fields.String(required=True)
    registration_number = fields.String(required=True)
    name = fields.String(required=True)
    enterprise_class = fields.String(required=True, validate=validate.OneOf(["A", "A+"]))
    status = fields.String(required=True, validate=validate.OneOf(["active", "expired", "deleted"]))
    district = fields.String(required=True)
    region = fields.String(required=True)
    centre = fields.String(required=True)
    contact_email = fields.Email(required=True)
    certificate = fields.Nested(_Certificate, required=True)
    staff_count = fields.Integer(required=True, validate=validate.Range(min=0))
    vulnerable_staff_total = fields.Integer(required=True, validate=validate.Range(min=0))
    # The social mission shown on a seller's page; events recorded before the register published it have none.
    activities = fields.List(fields.String(), load_default=list)
    vulnerable_staff = fields.Dict(keys=fields.String(), values=fields.Integer(), load_default=dict)


CONSUMED = EventCatalog(
    [EventType(f"registry.{name}", 1, REGISTRY_ENTERPRISE_TOPIC, RegistryEnterprise) for name in ENTERPRISE_EVENTS]
)
