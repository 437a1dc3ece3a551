"""A representative's view of training: their enterprise's workers' enrolments, and enrolling workers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from services.portal import auth
from services.portal.forms import FormState
from services.portal.i18n import localised
from services.portal.training_common import api, meeting_times, segment, training_context
from services.portal.training_forms import BLANK_WORKER_ROWS, read_workers, rows_to_show, used_rows
from services.portal.training_views import cancel_enrolment, current_and_earlier, send, session_or_404

blp = Blueprint("workers", __name__, url_prefix="/my/workers")
blp.context_processor(training_context)


@blp.get("")
@auth.signed_in("representative")
def enrolments() -> ResponseReturnValue:
    person = auth.current_person()
    found = api().get("/api/v1/enrolments", auth.token())["items"] if person and person.enterprise_id else []
    return render_template(
        "workers/enrolments.html", **current_and_earlier(found), linked=bool(person and person.enterprise_id)
    )


def _form(session: dict[str, Any], state: FormState, rows: list[int], status: int = 200) -> Any:
    placed = [f"workers.{row}.{part}" for row in rows for part in ("name", "email")]
    return (
        render_template(
            "workers/enrol.html",
            session=session,
            meetings=meeting_times(session),
            state=state,
            rows=rows,
            placed=tuple(placed),
        ),
        status,
    )


@blp.route("/sessions/<session_id>/enrol", methods=["GET", "POST"])
@auth.signed_in("representative")
def enrol(session_id: str) -> ResponseReturnValue:
    """Invite several workers at once; each accepts to get a seat or a place on the waiting list, or is reported."""
    session = session_or_404(session_id)
    if request.method == "GET":
        return _form(session, FormState(), rows_to_show({}, "workers", BLANK_WORKER_ROWS))
    state = FormState.of(request.form)
    rows = rows_to_show(state.values, "workers", BLANK_WORKER_ROWS, add="add_worker" in request.form)
    if "add_worker" in request.form:
        return _form(session, state, rows)
    workers = read_workers(state)
    if not state.ok:
        return _form(session, state, rows, 422)
    answer, refused = send(
        f"/api/v1/sessions/{segment(session_id)}/enrolments", {"workers": workers.items}, (403, 409, 422)
    )
    if refused is not None:
        state.fail(refused, workers.aliases)
        return _form(session, state, rows, refused.status)
    refused_rows = _report(answer["items"], workers.aliases, state)
    if not refused_rows:
        return redirect(url_for("workers.enrolments"))
    for row in used_rows(state.values, "workers"):
        if row not in refused_rows:  # enrolled: not to be sent again
            state.values.pop(f"workers.{row}.name", None)
            state.values.pop(f"workers.{row}.email", None)
    state.message = _("Some workers could not be enrolled: see the messages next to them.")
    return _form(session, state, rows, 409)


def _report(results: list[dict[str, Any]], aliases: dict[str, str], state: FormState) -> list[int]:
    """Flash who is invited (or got a seat, or waits); put each refusal next to its worker's row. Returns the
    refused rows."""
    refused_rows = []
    for index, result in enumerate(results):
        enrolment = result.get("enrolment")
        if result.get("enrolled") and enrolment:
            if enrolment["state"] == "invited":
                flash(
                    _(
                        "%(name)s is invited: they enrol by accepting the invitation, signed in with %(email)s.",
                        name=result["name"],
                        email=result["email"],
                    ),
                    "success",
                )
            elif enrolment["state"] == "waitlisted":
                flash(
                    _(
                        "%(name)s is on the waiting list, position %(position)d.",
                        name=result["name"],
                        position=enrolment.get("waitlist_position") or 0,
                    ),
                    "success",
                )
            else:
                flash(_("%(name)s has a seat.", name=result["name"]), "success")
            continue
        row = int(aliases.get(f"workers.{index}.email", f"workers.{index}.email").split(".")[1])
        refused_rows.append(row)
        error = result.get("error") or {}
        fields = error.get("fields") or {}
        if not fields:
            state.add(f"workers.{row}.email", localised(error.get("message")))
        for field, message in fields.items():
            state.add(f"workers.{row}.{'name' if field == 'name' else 'email'}", localised(message))
    return refused_rows


@blp.post("/<enrolment_id>/cancel")
@auth.signed_in("representative")
def cancel(enrolment_id: str) -> ResponseReturnValue:
    return cancel_enrolment(
        enrolment_id,
        _("The enrolment is cancelled. If someone was waiting, they now have the seat."),
        "workers.enrolments",
    )
