"""Documents with an application and with each answer to the centre (PDF, PNG, JPEG; 10 MB each, 20 each
application), sent as ``multipart/form-data`` in the field ``file`` and served back as attachments."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from marshmallow import Schema, fields

from services.registry.service_layer.attachments import AttachmentService
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented
from shared.web.uploads import (
    UPLOAD_BODY,
    StoredDocumentSchema,
    document_download,
    document_view,
    received_document,
)

EXTENSION = "registry_attachments"

blp = Blueprint("attachments", __name__, url_prefix="/api/v1", description="Documents with applications and answers")


class AttachmentSchema(StoredDocumentSchema):
    """A document with an application or with an answer to the centre."""


class AttachmentListSchema(Schema):
    items = fields.List(fields.Nested(AttachmentSchema))


def attachments() -> AttachmentService:
    return current_app.extensions[EXTENSION]


@blp.post("/applications/<application_id>/documents")
@blp.doc(requestBody=UPLOAD_BODY)
@blp.response(201)
@documented(AttachmentSchema, 201)
def upload_document(application_id: str) -> dict[str, Any]:
    """Send a document with a draft, or with the answer to the centre's open request for information."""
    filename, data, _ = received_document()
    return document_view(attachments().add(current_principal(), application_id, filename, data))


@blp.get("/applications/<application_id>/documents")
@blp.response(200)
@documented(AttachmentListSchema)
def list_documents(application_id: str) -> dict[str, Any]:
    """The documents sent with the application and with its answers, oldest first."""
    return {"items": [document_view(a) for a in attachments().list(current_principal(), application_id)]}


@blp.get("/applications/<application_id>/documents/<document_id>")
@blp.response(200)
@documented({"type": "string", "format": "binary"}, content_type="application/octet-stream")
def download_document(application_id: str, document_id: str) -> Response:
    """The document itself, always as a download (never shown inside the site)."""
    attachment, data = attachments().read(current_principal(), application_id, document_id)
    return document_download(data, attachment.content_type, attachment.filename)
