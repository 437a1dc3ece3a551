"""The grants service's own reading of other services' topics: only the fields it relies on.

- ``registry.enterprise.v1``: whether an enterprise is active in the register, its name and region;
- ``training.assessment.v1``: each digital maturity assessment (the baseline and follow-ups).

Unknown fields are let through; a missing or malformed field it needs makes the event poison.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from services.grants.config import REGISTRY_ENTERPRISE_TOPIC, TRAINING_ASSESSMENT_TOPIC
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
    region = fields.String(required=True)
    centre = fields.String(required=True)


class AssessmentCompleted(Schema):
    class Meta:
        unknown = INCLUDE

    assessment_id = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    sequence = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    overall = fields.Float(required=True, validate=validate.Range(min=0, max=100))
    scores = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)


ENTERPRISE_TYPES = [
    EventType(f"registry.{name}", 1, REGISTRY_ENTERPRISE_TOPIC, RegistryEnterprise) for name in ENTERPRISE_EVENTS
]
ASSESSMENT_TYPE = EventType("training.AssessmentCompleted", 1, TRAINING_ASSESSMENT_TOPIC, AssessmentCompleted)
CONSUMED = EventCatalog([*ENTERPRISE_TYPES, ASSESSMENT_TYPE])
