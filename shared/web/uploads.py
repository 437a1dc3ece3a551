"""A document sent as ``multipart/form-data`` in the field ``file``, and one served back as a download: the
HTTP side of ``shared.uploads``, the same for every service that takes documents."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from flask import Response, request, send_file
from marshmallow import Schema, fields

from shared.errors import AppError, InvalidInput, Text, UnsupportedMediaType
from shared.uploads import FIELD, FORM_OVERHEAD, MAX_BYTES, StoredDocument, too_large

UPLOAD_BODY: dict[str, Any] = {
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
"""The OpenAPI request body of an upload."""


class StoredDocumentSchema(Schema):
    """A document as its readers see it: not who sent it, nor the enterprise (the URL names the application)."""

    id = fields.String()
    application_id = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    uploaded_at = fields.DateTime()
    answer_to = fields.Integer(allow_none=True, metadata={"description": "The request for information answered"})


def document_view(document: StoredDocument) -> dict[str, Any]:
    """The document's facts shown to its readers (``StoredDocumentSchema`` and what a service adds to it)."""
    shown = asdict(document)
    del shown["enterprise_id"], shown["uploaded_by"]
    return shown


def received_upload(
    *,
    max_bytes: int,
    too_large: Callable[[], AppError],
    wrong_type: Callable[[str], Text],
    choose: Text,
    field: str = FIELD,
    overhead: int = FORM_OVERHEAD,
) -> tuple[str, bytes, dict[str, str]]:
    """The file sent in the multipart form's ``field``: its name, its bytes (never more than ``max_bytes`` read)
    and the form's other fields.

    ``too_large()`` (a 413) before reading a body that announces more than the file and the form's ``overhead``,
    and for a file larger than ``max_bytes``; 415 with ``wrong_type(the type sent)`` for anything but a
    multipart form; 400 with ``choose``, naming ``field``, without a file.
    """
    limit = max_bytes + overhead
    if request.content_length is not None and request.content_length > limit:
        raise too_large()
    request.max_content_length = limit
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType(wrong_type(request.mimetype or "(none)"))
    upload = request.files.get(field)
    if upload is None:
        raise InvalidInput(choose, {field: Text("Липсва файл.", "No file.")})
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large()
    return upload.filename or "", data, {key: value for key, value in request.form.items()}


def received_document(max_bytes: int = MAX_BYTES) -> tuple[str, bytes, dict[str, str]]:
    """The uploaded document's name, its bytes and the form's other fields (``received_upload``: 413, 415, 400
    naming ``file``)."""
    return received_upload(
        max_bytes=max_bytes,
        too_large=lambda: too_large(max_bytes),
        wrong_type=lambda shown: Text(
            f"Документът се изпраща като multipart/form-data в полето „{FIELD}“, а не като {shown}.",
            f"Send the document as multipart/form-data in the field '{FIELD}', not as {shown}.",
        ),
        choose=Text("Изберете файл.", "Choose a file."),
    )


def document_download(data: bytes, content_type: str, filename: str) -> Response:
    """The document itself, always as a download (never shown inside the site), never cached."""
    response = send_file(io.BytesIO(data), mimetype=content_type, as_attachment=True, download_name=filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
