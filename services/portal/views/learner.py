"""A learner's training: invitations from their enterprise, their enrolments (a seat, or a place on the
waiting list), certificates with their check codes, and their private calendar link."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from services.portal import auth
from services.portal.clients import ServiceError
from services.portal.i18n import localised
from services.portal.training_common import api, has_passed, public_training_url, segment, training_context
from services.portal.training_views import MAX_ENROLMENT_ID, cancel_enrolment, current_and_earlier, send
from shared.web.public_links import certificate_check_url, qr_svg

blp = Blueprint("learner", __name__, url_prefix="/my/training")
blp.context_processor(training_context)

CALENDAR_LINK = "/api/v1/learners/me/calendar-link"


def _certificate(enrolment: dict[str, Any]) -> dict[str, Any]:
    """A certificate as the page shows it: the check code and a QR code of the public check (number and code)."""
    certificate = dict(enrolment["certificate"])
    code = certificate.get("check_code")
    if code:
        check = certificate_check_url(certificate["number"], code)
        certificate["check_url"] = check
        certificate["qr"] = qr_svg(check, scale=3)
    return {**enrolment, "certificate": certificate}


def _lapses(invitation: dict[str, Any]) -> str:
    """When an invitation lapses (the session's start), UTC ISO."""
    return invitation.get("invitation_expires_at") or invitation["session"]["starts_at"]


def _page(new_calendar: dict[str, Any] | None = None, status: int = 200) -> ResponseReturnValue:
    mine = api().get("/api/v1/enrolments", auth.token())["items"]
    try:
        calendar = api().get(CALENDAR_LINK, auth.token())
    except ServiceError:
        calendar = None
    invited = [e for e in mine if e["state"] == "invited"]
    split = current_and_earlier([e for e in mine if e["state"] != "invited"])
    return (
        render_template(
            "learner/enrolments.html",
            **split,
            invitations=[
                e for e in invited if not has_passed(e.get("invitation_expires_at") or e["session"]["starts_at"])
            ],
            certificates=[_certificate(e) for e in mine if e.get("certificate")],
            calendar=calendar,
            new_calendar=public_training_url(new_calendar["url"]) if new_calendar else None,
        ),
        status,
    )


@blp.get("")
@auth.signed_in("learner")
def enrolments() -> ResponseReturnValue:
    return _page()


@blp.post("/<enrolment_id>/cancel")
@auth.signed_in("learner")
def cancel(enrolment_id: str) -> ResponseReturnValue:
    """Give up the seat (or the place on the waiting list); the first waiting gets the seat."""
    return cancel_enrolment(enrolment_id, _("Your enrolment is cancelled."), "learner.enrolments")


@blp.post("/<enrolment_id>/accept")
@auth.signed_in("learner")
def accept(enrolment_id: str) -> ResponseReturnValue:
    """Accept an invitation: a seat, or a place on the waiting list, as if enrolling now."""
    if len(enrolment_id) > MAX_ENROLMENT_ID:
        abort(404)
    answer, refused = send(f"/api/v1/enrolments/{segment(enrolment_id)}/accept", {}, (403, 404, 409))
    if refused is not None:
        flash(localised(refused.message), "error")
    elif answer["state"] == "waitlisted":
        flash(
            _(
                "You accepted the invitation: you are on the waiting list, position %(position)d.",
                position=answer.get("waitlist_position") or 0,
            ),
            "success",
        )
    elif answer["state"] == "confirmed":
        flash(_("You accepted the invitation: you have a seat."), "success")
    else:
        flash(_("You accepted the invitation; your enrolment is being processed."), "success")
    return redirect(url_for("learner.enrolments"))


@blp.post("/<enrolment_id>/decline")
@auth.signed_in("learner")
def decline(enrolment_id: str) -> ResponseReturnValue:
    """Decline an invitation: nothing more is sent about it."""
    if len(enrolment_id) > MAX_ENROLMENT_ID:
        abort(404)
    _answer, refused = send(f"/api/v1/enrolments/{segment(enrolment_id)}/decline", {}, (403, 404, 409))
    if refused is not None:
        flash(localised(refused.message), "error")
    else:
        flash(_("You declined the invitation."), "success")
    return redirect(url_for("learner.enrolments"))


@blp.post("/calendar-link")
@auth.signed_in("learner")
def new_calendar_link() -> ResponseReturnValue:
    """A new private calendar link, shown on the page this once; the old one stops working."""
    made, refused = send(CALENDAR_LINK, None, (403,))
    if refused is not None:
        flash(localised(refused.message), "error")
        return redirect(url_for("learner.enrolments"))
    return _page(new_calendar=made)


@blp.post("/calendar-link/stop")
@auth.signed_in("learner")
def stop_calendar_link() -> ResponseReturnValue:
    """Stop the private calendar link: calendar applications that have it see nothing more."""
    try:
        api().delete(CALENDAR_LINK, auth.token())
    except ServiceError as refused:
        if refused.status != 403:
            raise
        flash(localised(refused.message), "error")
    else:
        flash(_("Your private calendar link no longer works."), "success")
    return redirect(url_for("learner.enrolments"))
