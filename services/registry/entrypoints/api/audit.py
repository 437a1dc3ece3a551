"""The audit of personal-data reads, for administrators: who read which applicant's data, when, in which view."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from services.registry.entrypoints.api.context import registry
from shared.web.blueprint import Blueprint, documented
from shared.web.schemas import PageQuerySchema, text

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="Who read applicants' personal data")


class ReadsQuerySchema(PageQuerySchema):
    enterprise_id = text(64)
    reader = text(200, metadata={"description": "The reader's subject (the token's sub)"})


class ReaderSchema(Schema):
    subject = fields.String()
    name = fields.String()
    role = fields.String(metadata={"enum": ["clerk", "admin"]})
    centre = fields.String(allow_none=True)


class ReadSchema(Schema):
    at = fields.DateTime()
    reader = fields.Nested(ReaderSchema)
    enterprise_id = fields.String()
    application_id = fields.String(allow_none=True)
    view = fields.String(metadata={"enum": ["application", "file", "queue"]})


class ReadsPageSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    retention_days = fields.Integer()
    items = fields.List(fields.Nested(ReadSchema))


@blp.get("/reads")
@blp.arguments(ReadsQuerySchema, location="query")
@blp.response(200)
@documented(ReadsPageSchema)
def reads(query: dict[str, Any]) -> dict[str, Any]:
    """Clerks' and administrators' reads of applications' personal data, newest first (administrators only);
    filter by enterprise or by reader. Records are kept for ``REGISTRY_AUDIT_RETENTION_DAYS``."""
    ctx = registry()
    total, items = ctx.reads.page(query.get("enterprise_id"), query.get("reader"), query["page"], query["per_page"])
    return {
        "total": total,
        "page": query["page"],
        "per_page": query["per_page"],
        "retention_days": ctx.audit_retention_days,
        "items": items,
    }
