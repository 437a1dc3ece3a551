"""Documents with applications: the applicant sends more to a draft or an answer; the applicant and the
centre's clerks download them (always as a download, never shown inside the portal)."""

from __future__ import annotations

import io

from flask import Blueprint, Response, flash, redirect, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from services.portal import auth
from services.portal.documents import chosen_files, said, send
from services.portal.registry_api import api, registry
from services.portal.views.clerk import clerk

blp = Blueprint("documents", __name__)
representative = auth.signed_in("representative")


def _download(application_id: str, document_id: str) -> Response:
    got = registry().download(api("/api/v1/applications/{}/documents/{}", application_id, document_id), auth.token())
    response = send_file(io.BytesIO(got.content), mimetype=got.content_type, as_attachment=True,
                         download_name=got.filename, max_age=0)  # fmt: skip
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@blp.get("/my/applications/<application_id>/documents/<document_id>")
@representative
def mine(application_id: str, document_id: str) -> ResponseReturnValue:
    return _download(application_id, document_id)


@blp.get("/clerk/applications/<application_id>/documents/<document_id>")
@clerk
def reviewed(application_id: str, document_id: str) -> ResponseReturnValue:
    return _download(application_id, document_id)


@blp.post("/my/applications/<application_id>/documents")
@representative
def upload(application_id: str) -> ResponseReturnValue:
    page = url_for("enterprise.application", application_id=application_id) + "#documents"
    files = chosen_files()
    if not files:
        flash(_("Choose a file to send."), "error")
        return redirect(page)
    sent, refusals = send(application_id, files)
    said(sent, refusals)
    return redirect(page)
