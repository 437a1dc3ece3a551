"""The training service's own reading of ``registry.enterprise.v1``: only the fields it relies on.

Unknown fields are let through (the registry may add fields without a new version); a missing or
malformed field it needs makes the event poison, and it is dead-lettered.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from services.training.config import REGISTRY_ENTERPRISE_TOPIC
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


class RegistryEnterprise(Schema):
    class Meta:
        unknown = INCLUDE

    enterprise_id = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["active", "expired", "deleted"]))
    district = fields.String(required=True)
    region = fields.String(required=True)
    centre = fields.String(required=True)
    contact_email = fields.Email(required=True)


CONSUMED = EventCatalog(
    [EventType(f"registry.{name}", 1, REGISTRY_ENTERPRISE_TOPIC, RegistryEnterprise) for name in ENTERPRISE_EVENTS]
)
