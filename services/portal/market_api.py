"""Calls to the marketplace service shared by the market, seller and buyer pages."""

from __future__ import annotations

import re
from typing import Any

from flask import Response, abort, flash, redirect

from services.portal.clients import ServiceClient, ServiceError, current_services
from services.portal.i18n import localised

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
NO_REVIEWS: dict[str, Any] = {"rating": {"count": 0, "average": None}, "items": []}
SHOWN_REFUSALS = frozenset({403, 409, 422})
"""Refusals a page shows next to its form or as a message; others (404, 503) get the error page."""


def market() -> ServiceClient:
    return current_services().marketplace


def checked_id(value: str) -> str:
    """An id from the address bar; one that cannot be an id is a missing page, never part of an API path."""
    if not _ID.fullmatch(value):
        abort(404)
    return value


def api_path(template: str, *ids: str) -> str:
    return template.format(*(checked_id(value) for value in ids))


def reviews(path: str) -> dict[str, Any]:
    """Reviews and the average rating; none when the listing is not public (a seller's own draft)."""
    try:
        return market().get(path, params={"limit": 50})
    except ServiceError as error:
        if error.status == 404:
            return NO_REVIEWS
        raise


def favourites(token: str | None) -> dict[str, Any] | None:
    """The buyer's favourites, or None when they cannot be read just now (the page goes on without them)."""
    try:
        return market().get("/api/v1/favourites", token)
    except ServiceError:
        return None


def back_to(target: str | None, default: str) -> str:
    """Only a path on this site, so a form's ``next`` never sends anyone elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def refused(error: ServiceError, page: str) -> Response:
    """A refusal with no field to show it on (the deal moved on, the enterprise lost its standing…):
    said at the top of the page the step was taken from."""
    flash(localised(error.message), "error")
    return redirect(page)
