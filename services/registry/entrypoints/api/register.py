"""The public register: search, entry pages and the open-data export."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

from flask import Response, stream_with_context
from marshmallow import Schema, fields

from services.registry.adapters.documents import from_document
from services.registry.entrypoints.api.context import registry
from services.registry.entrypoints.api.responses import RegisterPageSchema
from services.registry.entrypoints.api.schemas import ExportQuerySchema, RegisterQuerySchema
from services.registry.entrypoints.api.views import EXPORT_COLUMNS, export_row, public_entry_view, register_item
from shared.errors import NotFound, Text
from shared.text.spreadsheet import SafeDictWriter
from shared.web.blueprint import TEXT_BODY, Blueprint, documented
from shared.web.ratelimit import public_limit

blp = Blueprint("register", __name__, url_prefix="/api/v1/register", description="The public register (no sign-in)")


@blp.get("")
@blp.arguments(RegisterQuerySchema, location="query")
@blp.response(200)
@documented(RegisterPageSchema)
@public_limit
def search(query: dict[str, Any]) -> dict[str, Any]:
    """Search by name (Cyrillic or Latin), ЕИК, district, region, class, status and activity."""
    page = registry().queries.search(query, query["page"], query["per_page"])
    return {
        "total": page.total,
        "page": query["page"],
        "per_page": query["per_page"],
        "items": [register_item(d) for d in page.items],
    }


ExportRowSchema = Schema.from_dict(
    {column: fields.String(allow_none=True) for column in EXPORT_COLUMNS}, name="RegisterExportRow"
)


class RegisterExportSchema(Schema):
    columns = fields.List(fields.String(), metadata={"description": "The columns, in the CSV's order"})
    count = fields.Integer()
    items = fields.List(fields.Nested(ExportRowSchema))


def _export_documents(status: str) -> Iterator[dict[str, Any]]:
    return (export_row(d) for d in registry().queries.export(status))


@blp.get("/export.csv")
@blp.arguments(ExportQuerySchema, location="query")
@documented(TEXT_BODY, content_type="text/csv")
@public_limit
def export_csv(query: dict[str, Any]) -> Response:
    """The public register as CSV (UTF-8 with BOM so spreadsheet programs read Cyrillic right); a cell that
    could start a formula (``= + - @``, tab, CR) begins with a single quote."""
    rows = _export_documents(query["status"])

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = SafeDictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\r\n")
        buffer.write("\ufeff")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="register.csv"'},
    )


@blp.get("/export.json")
@blp.arguments(ExportQuerySchema, location="query")
@documented(RegisterExportSchema)
@public_limit
def export_json(query: dict[str, Any]) -> Response:
    """The public register as JSON: ``{"columns": [...], "items": [...]}``."""
    items = list(_export_documents(query["status"]))
    body = json.dumps({"columns": EXPORT_COLUMNS, "count": len(items), "items": items}, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="register.json"'},
    )


@blp.get("/<key>")
@blp.response(200)
@public_limit
def entry(key: str) -> dict[str, Any]:
    """A public entry, by enterprise id or registration number, with its public history."""
    document = registry().queries.public_entry(key)
    if document is None:
        raise NotFound(Text("Няма такова вписване в регистъра.", "No such entry in the register."))
    return public_entry_view(from_document(document))
