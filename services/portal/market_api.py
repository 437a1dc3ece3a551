"""Calls to the marketplace service shared by the market, seller and buyer pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from flask import Response, abort, flash, redirect
from flask.typing import ResponseReturnValue

from services.portal import auth
from services.portal.clients import ServiceClient, ServiceError, current_services
from services.portal.forms import FormState, with_unreadable
from services.portal.i18n import localised
from services.portal.market_forms import fail
from services.portal.redirects import safe_target

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
    return safe_target(target, default)


def refused(error: ServiceError, page: str) -> Response:
    """A refusal with no field to show it on (the deal moved on, the enterprise lost its standing…):
    said at the top of the page the step was taken from."""
    flash(localised(error.message), "error")
    return redirect(page)


def ask(path: str, params: dict[str, Any], state: FormState, aliases: dict[str, str] | None = None) -> Any:
    """What a query form (a search, a report) finds, unless the form already has errors: then, or when
    the service refuses the query (422, shown on the form), nothing (None)."""
    if not state.ok:
        return None
    try:
        return market().get(path, auth.token(), params=params)
    except ServiceError as error:
        if error.status != 422:
            raise
        fail(state, error, aliases)
        return None


def told(message: str, page: str) -> Response:
    """Done: said at the top of the page the person is sent on to."""
    flash(message, "success")
    return redirect(page)


def send(
    path: str,
    body: dict[str, Any],
    state: FormState,
    *,
    again: Callable[[FormState], ResponseReturnValue],
    done: Callable[[Any], ResponseReturnValue],
    back: str | None = None,
    aliases: dict[str, str] | None = None,
    method: Literal["post", "patch"] = "post",
    judged_anyway: bool = False,
) -> ResponseReturnValue:
    """A form sent to the marketplace, unless it already has errors; ``done`` gets the service's answer.

    With ``judged_anyway`` (forms of many fields), a form with errors of its own is sent too, the fields the
    portal could not read in a form the service refuses: its answer names every other field's problem, so
    all the errors show at once, and nothing is written.

    The form's page is shown ``again`` with what is wrong: its own errors, or a refusal the page can show
    (others raise and get the error page). A refusal that names no field is said at the top of the
    ``back`` page instead, where there is one (the deal moved on, the need closed…).
    """
    call = market().patch if method == "patch" else market().post
    if state.ok:
        try:
            answer = call(path, auth.token(), json=body)
        except ServiceError as error:
            if error.status not in SHOWN_REFUSALS:
                raise
            if back is not None and not error.fields:
                return refused(error, back)
            fail(state, error, aliases)
        else:
            return done(answer)
    elif judged_anyway and state.errors and not state.message:
        api_names = {shown: api for api, shown in (aliases or {}).items()}
        try:
            answer = call(path, auth.token(), json=with_unreadable(body, [api_names.get(n, n) for n in state.errors]))
        except ServiceError as error:
            if error.status == 422:
                fail(state, error, aliases)
        else:  # not with the services' strict schemas; said as it is should one ever take it
            return done(answer)
    return again(state)


def press(path: str, *, back: str, done: Callable[[Any], ResponseReturnValue]) -> ResponseReturnValue:
    """A button with nothing to fill in: a refusal the page can show is said at the top of ``back``."""
    try:
        answer = market().post(path, auth.token())
    except ServiceError as error:
        if error.status not in SHOWN_REFUSALS:
            raise
        return refused(error, back)
    return done(answer)
