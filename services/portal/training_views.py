"""What the training views do alike: fetch a session, send to the training service as the signed-in person,
split enrolments into current and earlier ones, cancel an enrolment."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue

from services.portal import auth
from services.portal.clients import ServiceError
from services.portal.i18n import localised
from services.portal.training_common import ACTIVE_ENROLMENT, MAX_ID_LENGTH, api, segment

MAX_ENROLMENT_ID = 330
"""A session id, a colon and an e-mail address."""


def session_or_404(session_id: str) -> dict[str, Any]:
    """The session as the signed-in person may see it; an id too long to be one is a page not found."""
    if len(session_id) > MAX_ID_LENGTH:
        abort(404)
    return api().get(f"/api/v1/sessions/{segment(session_id)}", auth.token())


def send(path: str, payload: Any, explained: tuple[int, ...] = (409, 422)) -> tuple[Any, ServiceError | None]:
    """POST ``payload`` to the training service as the signed-in person: its answer, or the refusal the page
    explains (a status among ``explained``) in its place. Any other error goes on up to the error pages."""
    try:
        return api().post(path, auth.token(), json=payload), None
    except ServiceError as refused:
        if refused.status not in explained:
            raise
        return None, refused


def current_and_earlier(enrolments: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The enrolments that still hold (or wait for) a seat, and the others, as a page lists them."""
    return {
        "current": [e for e in enrolments if e["state"] in ACTIVE_ENROLMENT],
        "earlier": [e for e in enrolments if e["state"] not in ACTIVE_ENROLMENT],
    }


def cancel_enrolment(enrolment_id: str, cancelled: str, back: str) -> ResponseReturnValue:
    """Give up the seat (or the place on the waiting list), say so with ``cancelled``, go back to ``back``."""
    if len(enrolment_id) > MAX_ENROLMENT_ID:
        abort(404)
    _answer, refused = send(f"/api/v1/enrolments/{segment(enrolment_id)}/cancel", {"reason": ""})
    if refused is not None:
        flash(localised(refused.message), "error")
    else:
        flash(cancelled, "success")
    return redirect(url_for(back))
