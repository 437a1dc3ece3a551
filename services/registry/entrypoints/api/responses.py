"""Response shapes of the registry's API, for the OpenAPI document (the views build the JSON itself)."""

from __future__ import annotations

from marshmallow import Schema, fields

from shared.web.schemas import LocalisedMessageSchema


class RegisterItemSchema(Schema):
    id = fields.String()
    registration_number = fields.String()
    name = fields.String()
    legal_form = fields.String()
    legal_form_bg = fields.String()
    eik = fields.String()
    enterprise_class = fields.String(metadata={"enum": ["A", "A+"]})
    status = fields.String(metadata={"enum": ["active", "expired", "deleted"]})
    settlement = fields.String()
    municipality = fields.String(allow_none=True, metadata={"example": "PDV22", "description": "ЕКАТТЕ code, if known"})
    district = fields.String(metadata={"example": "BG-16"})
    region = fields.String(metadata={"example": "BG42"})
    centre = fields.String(metadata={"example": "plovdiv"})
    activities = fields.List(fields.String())
    valid_until = fields.Date()
    registered_at = fields.DateTime()


class RegisterPageSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    items = fields.List(fields.Nested(RegisterItemSchema))


class DistrictCountSchema(Schema):
    code = fields.String(metadata={"example": "BG-07"})
    count = fields.Integer()


class DistrictCountsSchema(Schema):
    total = fields.Integer()
    districts = fields.List(
        fields.Nested(DistrictCountSchema), metadata={"description": "Every one of the 28 districts, in code order"}
    )


class RuleOutcomeSchema(Schema):
    code = fields.String(metadata={"example": "A3b"})
    passed = fields.Boolean()
    rule = fields.Nested(LocalisedMessageSchema)
    detail = fields.Nested(LocalisedMessageSchema)


class EligibilitySchema(Schema):
    class_a_met = fields.Boolean()
    class_a_plus_met = fields.Boolean()
    requested_met = fields.Boolean()
    highest_class = fields.String(allow_none=True)
    rules = fields.List(fields.Nested(RuleOutcomeSchema))


class CompetingApplicationSchema(Schema):
    enterprise_id = fields.String()
    application_id = fields.String(allow_none=True)
    name = fields.String()
    status = fields.String(allow_none=True)
    status_bg = fields.String(allow_none=True)
    centre = fields.String()
    submitted_at = fields.DateTime(allow_none=True)
    registration_number = fields.String(allow_none=True)
    register_status = fields.String(allow_none=True)


class ApplicationSchema(Schema):
    id = fields.String()
    enterprise_id = fields.String()
    version = fields.Integer(metadata={"description": "Send back as expected_version to avoid lost updates"})
    kind = fields.String(metadata={"enum": ["registration", "renewal"]})
    status = fields.String(
        metadata={"enum": ["draft", "submitted", "information_requested", "approved", "rejected", "withdrawn"]}
    )
    status_bg = fields.String()
    details = fields.Dict()
    placement = fields.Dict()
    requested_class = fields.String()
    class_a_route = fields.String()
    a_plus_criterion = fields.String(allow_none=True)
    evidence = fields.Dict()
    created_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(allow_none=True, metadata={"description": "None while waiting on the applicant"})
    overdue = fields.Boolean()
    days_left = fields.Integer(allow_none=True)
    information_requests = fields.List(fields.Dict())
    decision = fields.Dict(allow_none=True)
    eligibility = fields.Nested(EligibilitySchema)
    registration_number = fields.String()
    register_status = fields.String()
    competing_applications = fields.List(
        fields.Nested(CompetingApplicationSchema),
        metadata={
            "description": "For the clerk deciding: other applications submitted for the same ЕИК, and the "
            "enterprise entered with it, if any (only one of them can be entered in the register)"
        },
    )


class ApplicationListSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(ApplicationSchema))
