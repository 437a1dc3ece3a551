"""A learner's training: their enrolments (a seat, or a place on the waiting list), certificates, calendar."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from services.portal import auth
from services.portal.clients import ServiceError
from services.portal.training_common import api, public_training_url, training_context
from services.portal.training_views import cancel_enrolment, current_and_earlier

blp = Blueprint("learner", __name__, url_prefix="/my/training")
blp.context_processor(training_context)


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
        **current_and_earlier(mine),
        certificates=[e for e in mine if e.get("certificate")],
        calendar=public_training_url(calendar) if calendar else None,
    )


@blp.post("/<enrolment_id>/cancel")
@auth.signed_in("learner")
def cancel(enrolment_id: str) -> ResponseReturnValue:
    """Give up the seat (or the place on the waiting list); the first waiting gets the seat."""
    return cancel_enrolment(enrolment_id, _("Your enrolment is cancelled."), "learner.enrolments")
