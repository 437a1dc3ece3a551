"""The pages the footer links to: contacts, the accessibility statement, privacy and cookies."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from services.portal.clients import ServiceError
from services.portal.reference import register_reference

blp = Blueprint("about", __name__, url_prefix="/about")


@blp.get("/contacts")
def contacts() -> ResponseReturnValue:
    try:
        centres = register_reference()["centres"]
    except ServiceError:
        centres = []
    return render_template("about/contacts.html", centres=centres)


@blp.get("/accessibility")
def accessibility() -> ResponseReturnValue:
    return render_template("about/accessibility.html")


@blp.get("/privacy")
def privacy() -> ResponseReturnValue:
    return render_template("about/privacy.html")
