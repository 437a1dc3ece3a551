"""A learner's training: their enrolments (a seat, or a place on the waiting list), certificates, calendar."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from services.portal import auth
from services.portal.clients import ServiceError
from services.portal.i18n import localised
from services.portal.training_common import ACTIVE_ENROLMENT, api, public_training_url, segment, training_context

blp = Blueprint("learner", __name__, url_prefix="/my/training")
blp.context_processor(training_context)

MAX_ENROLMENT_ID = 330
"""A session id, a colon and an e-mail address."""


@blp.get("")
@auth.signed_in("learner")
def enrolments() -> ResponseReturnValue:
    mine = api().get("/api/v1/enrolments", auth.token())["items"]
    try:
        calendar = api().get("/api/v1/learners/me/calendar-link", auth.token())["url"]
    except ServiceError:
        calendar = None
    return render_template(
        "learner/enrolments.html",
        current=[e for e in mine if e["state"] in ACTIVE_ENROLMENT],
        certificates=[e for e in mine if e.get("certificate")],
        earlier=[e for e in mine if e["state"] not in ACTIVE_ENROLMENT],
        calendar=public_training_url(calendar) if calendar else None,
    )


@blp.post("/<enrolment_id>/cancel")
@auth.signed_in("learner")
def cancel(enrolment_id: str) -> ResponseReturnValue:
    """Give up the seat (or the place on the waiting list); the first waiting gets the seat."""
    if len(enrolment_id) > MAX_ENROLMENT_ID:
        abort(404)
    try:
        api().post(f"/api/v1/enrolments/{segment(enrolment_id)}/cancel", auth.token(), json={"reason": ""})
    except ServiceError as refused:
        if refused.status not in (409, 422):
            raise
        flash(localised(refused.message), "error")
    else:
        flash(_("Your enrolment is cancelled."), "success")
    return redirect(url_for("learner.enrolments"))
