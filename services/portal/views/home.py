"""The home page: what the platform is, and the six regional centres."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from services.portal.clients import ServiceError
from services.portal.reference import register_reference

blp = Blueprint("home", __name__)


@blp.get("/")
def index() -> ResponseReturnValue:
    try:
        reference = register_reference()
    except ServiceError:
        reference = {"centres": [], "regions": []}
    regions_by_centre: dict[str, list[dict[str, str]]] = {}
    for region in reference["regions"]:
        regions_by_centre.setdefault(region["centre"], []).append(region)
    return render_template("home.html", centres=reference["centres"], regions_by_centre=regions_by_centre)
