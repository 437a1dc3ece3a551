"""The public register: search, entry pages and the open-data export."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from flask import Response, stream_with_context
from marshmallow import Schema, fields

from services.registry.adapters.documents import from_document
from services.registry.domain.entry import EntryStatus, typed_certificate_number
from services.registry.entrypoints.api.context import registry
from services.registry.entrypoints.api.responses import DistrictCountsSchema, RegisterPageSchema
from services.registry.entrypoints.api.schemas import (
    CsvExportQuerySchema,
    DistrictCountsQuerySchema,
    ExportQuerySchema,
    RegisterQuerySchema,
)
from services.registry.entrypoints.api.views import (
    EXPORT_COLUMNS,
    EXPORT_LABELS_BG,
    export_row,
    public_entry_view,
    readable_export_row,
    register_item,
)
from shared.bg.geography import geography
from shared.clock import sofia_date
from shared.errors import NotFound, Text
from shared.text.spreadsheet import SafeDictWriter
from shared.web.blueprint import TEXT_BODY, Blueprint, documented
from shared.web.public_links import public_portal_url
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


@blp.get("/districts")
@blp.arguments(DistrictCountsQuerySchema, location="query")
@blp.response(200)
@documented(DistrictCountsSchema)
@public_limit
def districts(query: dict[str, Any]) -> dict[str, Any]:
    """How many entries of the register (active ones unless ``status`` says otherwise) each of the 28 districts
    has, for the map of the register; takes the search's name, class and activity filters."""
    counts = registry().queries.district_counts(query)
    return {
        "total": sum(counts.values()),
        "districts": [{"code": code, "count": counts.get(code, 0)} for code in sorted(geography().districts)],
    }


ExportRowSchema = Schema.from_dict(
    {column: fields.String(allow_none=True) for column in EXPORT_COLUMNS}, name="RegisterExportRow"
)


class RegisterExportSchema(Schema):
    columns = fields.List(fields.String(), metadata={"description": "The columns, in the CSV's order"})
    count = fields.Integer()
    items = fields.List(fields.Nested(ExportRowSchema))


def _export_documents(query: dict[str, Any]) -> Iterator[dict[str, Any]]:
    filters = {key: value for key, value in query.items() if key != "labels"}
    return (export_row(d) for d in registry().queries.export(filters))


@blp.get("/export.csv")
@blp.arguments(CsvExportQuerySchema, location="query")
@documented(TEXT_BODY, content_type="text/csv")
@public_limit
def export_csv(query: dict[str, Any]) -> Response:
    """The public register as CSV (UTF-8 with BOM so spreadsheet programs read Cyrillic right); a cell that
    could start a formula (``= + - @``, tab, CR) begins with a single quote."""
    rows: Iterator[dict[str, Any]] = _export_documents(query)
    columns, delimiter = EXPORT_COLUMNS, ","
    if query["labels"] == "bg":
        rows = (readable_export_row(row) for row in rows)
        columns, delimiter = [EXPORT_LABELS_BG[c] for c in EXPORT_COLUMNS], ";"

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = SafeDictWriter(buffer, fieldnames=columns, delimiter=delimiter, lineterminator="\r\n")
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
    items = list(_export_documents(query))
    body = json.dumps({"columns": EXPORT_COLUMNS, "count": len(items), "items": items}, ensure_ascii=False)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="register.json"'},
    )


class CertifiedEnterpriseSchema(Schema):
    id = fields.String()
    name = fields.String(metadata={"example": "Добро утро ЕООД"})
    registration_number = fields.String(metadata={"example": "СП-2026-00001"})
    enterprise_class = fields.String(metadata={"enum": ["A", "A+"]})
    status = fields.String(metadata={"enum": [s.value for s in EntryStatus]})


class RegisterCertificateSchema(Schema):
    number = fields.String(metadata={"example": "УСП-2026-00001"})
    issued_on = fields.Date()
    valid_from = fields.Date()
    valid_until = fields.Date()
    valid = fields.Boolean(metadata={"description": "The enterprise is in the register and the certificate in force"})
    enterprise = fields.Nested(CertifiedEnterpriseSchema)
    entry_url = fields.String(metadata={"description": "The entry's public page on the portal"})


NO_SUCH_CERTIFICATE = Text(
    "Няма удостоверение за вписване с такъв номер.", "No certificate of entry in the register has this number."
)


@blp.get("/certificates/<number>")
@blp.response(200)
@documented(RegisterCertificateSchema)
@public_limit
def certificate(number: str) -> dict[str, Any]:
    """Check a certificate of entry by its number, typed as on the paper (any case or dash, Latin letters for
    ``УСП``): the enterprise, its class and status, and until when the certificate is valid. Only an
    enterprise's current certificate is found; a replaced or unknown number is 404."""
    document = registry().queries.by_certificate(typed_certificate_number(number))
    if document is None:
        raise NotFound(NO_SUCH_CERTIFICATE)
    issued = document["entry"]["certificate"]
    status = document.get("register_status")
    today = sofia_date(registry().clock.now()).isoformat()
    registration_number = document.get("registration_number") or document["_id"]
    return {
        "number": issued["number"],
        "issued_on": issued["issued_on"],
        "valid_from": issued["valid_from"],
        "valid_until": issued["valid_until"],
        "valid": status == EntryStatus.ACTIVE and issued["valid_until"] >= today,
        "enterprise": {
            "id": document["_id"],
            "name": document.get("details", {}).get("name", ""),
            "registration_number": registration_number,
            "enterprise_class": document.get("enterprise_class"),
            "status": status,
        },
        "entry_url": public_portal_url(f"/register/{quote(registration_number, safe='')}"),
    }


@blp.get("/<key>")
@blp.response(200)
@public_limit
def entry(key: str) -> dict[str, Any]:
    """A public entry, by enterprise id or registration number, with its public history."""
    document = registry().queries.public_entry(key)
    if document is None:
        raise NotFound(Text("Няма такова вписване в регистъра.", "No such entry in the register."))
    return public_entry_view(from_document(document))
