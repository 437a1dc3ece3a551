"""Documents of an application for support (PDF, PNG, JPEG; 10 MB each, 30 an application), sent as
``multipart/form-data`` in the field ``file`` (with ``code``: which of the call's required documents it is)
and served back as downloads to those who may see the application."""

from __future__ import annotations

from typing import Any

from flask import Response
from marshmallow import Schema, fields

from services.grants.entrypoints.api.context import documents
from shared.errors import InvalidInput, Text
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented
from shared.web.uploads import (
    UPLOAD_BODY,
    StoredDocumentSchema,
    document_download,
    document_view,
    received_document,
)

blp = Blueprint("documents", __name__, url_prefix="/api/v1", description="Documents of applications for support")

MAX_CODE = 40
BODY: dict[str, Any] = {
    **UPLOAD_BODY,
    "content": {
        "multipart/form-data": {
            "schema": {
                **UPLOAD_BODY["content"]["multipart/form-data"]["schema"],
                "properties": {
                    **UPLOAD_BODY["content"]["multipart/form-data"]["schema"]["properties"],
                    "code": {"type": "string", "maxLength": MAX_CODE, "description": "The call's document code"},
                },
            }
        }
    },
}


class DocumentSchema(StoredDocumentSchema):
    code = fields.String(metadata={"description": "Which of the call's required documents; empty for any other"})


class DocumentListSchema(Schema):
    items = fields.List(fields.Nested(DocumentSchema))


@blp.post("/applications/<application_id>/documents")
@blp.doc(requestBody=BODY)
@blp.response(201)
@documented(DocumentSchema, 201)
def upload_document(application_id: str) -> dict[str, Any]:
    """Send a document with a draft, or with the answer to the centre's open request for information."""
    filename, data, form = received_document()
    code = form.get("code", "").strip()
    if len(code) > MAX_CODE:
        raise InvalidInput(
            Text("Непознат документ.", "Unknown document."),
            {"code": Text(f"До {MAX_CODE} знака.", f"At most {MAX_CODE} characters.")},
        )
    return document_view(documents().add(current_principal(), application_id, filename, data, code))


@blp.get("/applications/<application_id>/documents")
@blp.response(200)
@documented(DocumentListSchema)
def list_documents(application_id: str) -> dict[str, Any]:
    """The documents sent with the application and with its answers, oldest first."""
    return {"items": [document_view(d) for d in documents().list(current_principal(), application_id)]}


@blp.get("/applications/<application_id>/documents/<document_id>")
@blp.response(200)
@documented({"type": "string", "format": "binary"}, content_type="application/octet-stream")
def download_document(application_id: str, document_id: str) -> Response:
    """The document itself, always as a download (never shown inside the site)."""
    document, data = documents().read(current_principal(), application_id, document_id)
    return document_download(data, document.content_type, document.filename)
