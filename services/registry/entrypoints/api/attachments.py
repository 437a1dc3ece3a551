"""Documents with an application and with each answer to the centre (PDF, PNG, JPEG; 10 MB each, 20 each
application), sent as ``multipart/form-data`` in the field ``file`` and served back as attachments."""

from __future__ import annotations

import io
from dataclasses import asdict
from typing import Any

from flask import Response, current_app, request, send_file
from marshmallow import Schema, fields

from services.registry.domain.attachment import MAX_BYTES, Attachment
from services.registry.service_layer.attachments import FIELD, AttachmentService, too_large
from shared.errors import InvalidInput, Text, UnsupportedMediaType
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented

EXTENSION = "registry_attachments"
FORM_OVERHEAD = 64 * 1024
"""Room for the multipart form's boundaries and headers around the file itself."""

blp = Blueprint("attachments", __name__, url_prefix="/api/v1", description="Documents with applications and answers")


class AttachmentSchema(Schema):
    id = fields.String()
    application_id = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    uploaded_at = fields.DateTime()
    answer_to = fields.Integer(allow_none=True, metadata={"description": "The request for information answered"})


class AttachmentListSchema(Schema):
    items = fields.List(fields.Nested(AttachmentSchema))


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": [FIELD],
                "properties": {FIELD: {"type": "string", "format": "binary"}},
            }
        }
    },
}


def attachments() -> AttachmentService:
    return current_app.extensions[EXTENSION]


def _view(attachment: Attachment) -> dict[str, Any]:
    shown = asdict(attachment)
    del shown["enterprise_id"], shown["uploaded_by"]
    return shown


@blp.post("/applications/<application_id>/documents")
@blp.doc(requestBody=UPLOAD_BODY)
@blp.response(201)
@documented(AttachmentSchema, 201)
def upload_document(application_id: str) -> dict[str, Any]:
    """Send a document with a draft, or with the answer to the centre's open request for information."""
    limit = MAX_BYTES + FORM_OVERHEAD
    if request.content_length is not None and request.content_length > limit:
        raise too_large()
    request.max_content_length = limit
    if request.mimetype != "multipart/form-data":
        shown = request.mimetype or "(none)"
        raise UnsupportedMediaType(
            Text(
                f"Документът се изпраща като multipart/form-data в полето „{FIELD}“, а не като {shown}.",
                f"Send the document as multipart/form-data in the field '{FIELD}', not as {shown}.",
            )
        )
    upload = request.files.get(FIELD)
    if upload is None:
        raise InvalidInput(Text("Изберете файл.", "Choose a file."), {FIELD: Text("Липсва файл.", "No file.")})
    data = upload.stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise too_large()
    return _view(attachments().add(current_principal(), application_id, upload.filename or "", data))


@blp.get("/applications/<application_id>/documents")
@blp.response(200)
@documented(AttachmentListSchema)
def list_documents(application_id: str) -> dict[str, Any]:
    """The documents sent with the application and with its answers, oldest first."""
    return {"items": [_view(a) for a in attachments().list(current_principal(), application_id)]}


@blp.get("/applications/<application_id>/documents/<document_id>")
@blp.response(200)
@documented({"type": "string", "format": "binary"}, content_type="application/octet-stream")
def download_document(application_id: str, document_id: str) -> Response:
    """The document itself, always as a download (never shown inside the site)."""
    attachment, data = attachments().read(current_principal(), application_id, document_id)
    response = send_file(
        io.BytesIO(data),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
