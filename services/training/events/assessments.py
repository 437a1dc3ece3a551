"""Payload schemas of the assessment events (``training.assessment.v1``), version 1.

``training.AssessmentCompleted``: an enterprise's digital maturity was assessed (by itself or by staff on
its behalf). ``sequence`` 0 is its first assessment (T0); later ones say whether the overall score rose
since T0 (``improved_since_t0``, null for T0). Consumers rely on these fields; adding one keeps the
version, removing or changing one makes v2.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from services.training.config import ASSESSMENT_TOPIC
from shared.events import EventType

DIMENSIONS = ["business_strategy", "digital_readiness", "human_centric", "data_management", "automation_ai", "green"]
BANDS = ["basic", "average", "moderately_advanced", "advanced"]
ROLES = ["representative", "clerk", "admin"]
SCORE = validate.Range(min=0, max=100)


class AssessmentCompletedPayload(Schema):
    class Meta:
        unknown = INCLUDE  # additive fields must not break older consumers

    assessment_id = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    enterprise_name = fields.String(required=True)
    centre = fields.String(required=True)
    questionnaire_version = fields.String(required=True)
    sequence = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    scores = fields.Dict(
        keys=fields.String(validate=validate.OneOf(DIMENSIONS)),
        values=fields.Float(validate=SCORE),
        required=True,
        validate=validate.Length(equal=len(DIMENSIONS)),
    )
    overall = fields.Float(required=True, validate=SCORE)
    band = fields.String(required=True, validate=validate.OneOf(BANDS))
    improved_since_t0 = fields.Boolean(required=True, allow_none=True)
    taken_by_role = fields.String(required=True, validate=validate.OneOf(ROLES))


ASSESSMENT_EVENT_TYPES: list[EventType] = [
    EventType("training.AssessmentCompleted", 1, ASSESSMENT_TOPIC, AssessmentCompletedPayload),
]
