"""Certificates people hold on paper: the printable certificate of entry in the register, with a QR code of the
portal's public check page (which checks training certificates and certificates of entry alike, see
``courses.verify``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue

from services.portal.clients import ServiceError
from services.portal.registry_api import api, registry
from services.portal.registry_labels import labels
from shared.web.public_links import certificate_check_url, qr_svg

blp = Blueprint("certificates", __name__, url_prefix="/register")
blp.context_processor(labels)


def register_certificate(number: str) -> dict[str, Any] | None:
    """A certificate of entry as the registry's public check shows it, by its number as typed; None if unknown."""
    try:
        return registry().get(f"/api/v1/register/certificates/{quote(number, safe='')}")
    except ServiceError as refused:
        if refused.status != 404:
            raise
        return None


@blp.get("/<key>/certificate")
def printable(key: str) -> ResponseReturnValue:
    """The certificate of entry of an enterprise in the register, to print, with a QR code of its public check."""
    entry = registry().get(api("/api/v1/register/{}", key))
    if not entry.get("certificate"):
        abort(404)
    check = certificate_check_url(entry["certificate"]["number"])
    return render_template("register/certificate.html", entry=entry, check_url=check, qr=qr_svg(check))
