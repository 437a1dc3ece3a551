"""Documents with an application and with an answer to the centre: sending the files a form carries to the
registry, listing them, and passing one back to whoever may see it (the registry decides who may)."""

from __future__ import annotations

from typing import Any

from flask import flash, request
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from services.portal import auth
from services.portal.clients import ServiceError
from services.portal.i18n import localised
from services.portal.registry_api import api, registry

FIELD = "documents"
"""The file input of the application form, the answer form and the documents form."""
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
UPLOAD_ENDPOINTS = {
    "enterprise.new",
    "enterprise.edit",
    "enterprise.answer",
    "documents.upload",
    "seller.add_photo",
    "grants.upload_document",
}
FORM_BYTES = 3 * MAX_DOCUMENT_BYTES
"""A form that carries files may be this large (three of the largest documents at once)."""


def room_for_documents() -> None:
    """Before the form is read (by the CSRF check too): forms that carry files may be larger than others."""
    if request.endpoint in UPLOAD_ENDPOINTS and request.method == "POST":
        request.max_content_length = FORM_BYTES


def chosen_files() -> list[FileStorage]:
    return [f for f in request.files.getlist(FIELD) if f and f.filename]


def send(application_id: str, files: list[FileStorage]) -> tuple[list[str], list[str]]:
    """Send each file to the registry; the names sent, and a message for each file refused (by name)."""
    sent, refusals = [], []
    path = api("/api/v1/applications/{}/documents", application_id)
    for upload in files:
        data = upload.stream.read(MAX_DOCUMENT_BYTES + 1)
        name = upload.filename or ""
        if len(data) > MAX_DOCUMENT_BYTES:
            refusals.append(_("%(name)s: the document is larger than 10 MB.", name=name))
            continue
        try:
            registry().upload(path, auth.token(), {"file": (name, data, upload.mimetype or "application/octet-stream")})
        except ServiceError as error:
            if error.status not in (404, 409, 413, 415, 422):
                raise
            said = next(iter(error.fields.get("file") or []), None) or error.message
            refusals.append(f"{name}: {localised(error.message)} {localised(said) if said != error.message else ''}")
        else:
            sent.append(name)
    return sent, [r.strip() for r in refusals]


def documents_of(application_id: str) -> list[dict[str, Any]]:
    found = registry().get(api("/api/v1/applications/{}/documents", application_id), auth.token())
    return list((found or {}).get("items", []))


def said(sent: list[str], refusals: list[str]) -> None:
    """What became of each file, at the top of the next page."""
    for refusal in refusals:
        flash(refusal, "error")
    if sent:
        flash(_("Documents sent: %(names)s.", names=", ".join(sent)), "success")
