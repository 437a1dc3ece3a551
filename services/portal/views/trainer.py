"""A trainer's side: their timetable, scheduling and changing sessions, the roster with attendance, certificates."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from services.portal import auth
from services.portal.clients import ServiceError
from services.portal.formatting import percent
from services.portal.forms import FormState, whole_number
from services.portal.i18n import localised
from services.portal.reference import choices
from services.portal.training_common import (
    FORMATS,
    api,
    course_title,
    has_passed,
    meeting_times,
    public_training_url,
    segment,
    training_context,
)
from services.portal.training_forms import BLANK_MEETING_ROWS, meetings_as_values, read_meetings, rows_to_show
from services.portal.training_views import send, session_or_404

blp = Blueprint("trainer", __name__, url_prefix="/trainer")
blp.context_processor(training_context)

SESSION_FIELDS = ("course_id", "centre", "room", "online_link", "capacity", "funded", "open_to_all", "meetings")
_SESSION_ID = re.compile(r"\(([0-9a-fA-F-]{36})\)")
"""A conflict's message names the other session by its id in brackets."""


def _placed(rows: list[int]) -> tuple[str, ...]:
    """The names of the inputs a session form shows, so the error summary links to them."""
    names = [*SESSION_FIELDS]
    for row in rows:
        names += [f"meetings.{row}", f"meetings.{row}.date", f"meetings.{row}.start", f"meetings.{row}.end"]
    return tuple(names)


def _refused(state: FormState, refused: ServiceError, aliases: dict[str, str]) -> str | None:
    """Put a refusal on the form; for a double booking, keep it next to the meeting concerned and return the id
    of the session in the way (named in the message) so the page can link to it."""
    state.fail(refused, aliases)
    if refused.status != 409:
        return None
    if any(name.startswith("meetings.") for name in state.errors):
        state.errors.pop("trainer_id", None)
    elif "trainer_id" in state.errors:
        state.errors.setdefault("meetings", []).extend(state.errors.pop("trainer_id"))
    if state.errors:  # the message is the one next to the meeting (or the room): said once is clearer
        state.message = ""
    found = _SESSION_ID.search(" ".join(str(text) for text in refused.message.values()))
    return found[1] if found else None


@blp.get("/sessions")
@auth.signed_in("trainer")
def schedule() -> ResponseReturnValue:
    person = auth.current_person()
    assert person is not None
    past = request.args.get("past") == "1"
    found = api().get(
        f"/api/v1/trainers/{segment(person.subject)}/sessions",
        person.token,
        params={"include_past": "true" if past else None},
    )["items"]
    return render_template(
        "trainer/schedule.html",
        sessions=found,
        past=past,
        calendar=public_training_url(f"/api/v1/trainers/{segment(person.subject)}/sessions.ics"),
    )


def _course_choices() -> list[tuple[str, str]]:
    courses = api().get("/api/v1/courses")["items"]
    return [(c["id"], f"{course_title(c)} — {FORMATS.get(c['format'], c['format'])}") for c in courses]


def _session_form(state: FormState, rows: list[int], status: int = 200, conflict: str | None = None) -> Any:
    return (
        render_template(
            "trainer/new_session.html",
            state=state,
            rows=rows,
            placed=_placed(rows),
            courses=_course_choices(),
            centres=choices("centres"),
            conflict=conflict,
        ),
        status,
    )


@blp.route("/sessions/new", methods=["GET", "POST"])
@auth.signed_in("trainer")
def new_session() -> ResponseReturnValue:
    person = auth.current_person()
    assert person is not None
    if request.method == "GET":
        state = FormState(values={"funded": "1", "centre": person.centre or ""})
        return _session_form(state, rows_to_show({}, "meetings", BLANK_MEETING_ROWS))
    state = FormState.of(request.form)
    rows = rows_to_show(state.values, "meetings", BLANK_MEETING_ROWS, add="add_meeting" in request.form)
    if "add_meeting" in request.form:
        return _session_form(state, rows)
    payload = _session_payload(state)
    meetings = read_meetings(state)
    if not state.ok:
        return _session_form(state, rows, 422)
    created, refused = send("/api/v1/sessions", {**payload, "meetings": meetings.items})
    if refused is not None:
        conflict = _refused(state, refused, meetings.aliases)
        return _session_form(state, rows, refused.status, conflict)
    flash(_("The session is scheduled. Learners can now enrol on its public page."), "success")
    return redirect(url_for("trainer.roster", session_id=created["id"]))


def _session_payload(state: FormState) -> dict[str, Any]:
    """The session's fields as the API takes them; what is missing or not a number is reported on its field."""
    course_id = str(state.value("course_id")).strip()
    centre = str(state.value("centre")).strip()
    if not course_id:
        state.add("course_id", _("Choose the course."))
    if not centre:
        state.add("centre", _("Choose the regional centre running the session."))
    capacity = whole_number(str(state.value("capacity")), "capacity", state)
    if capacity is None and not state.error_for("capacity"):
        state.add("capacity", _("Enter the number of seats."))
    return {
        "course_id": course_id,
        "centre": centre,
        "room": str(state.value("room")).strip() or None,
        "online_link": str(state.value("online_link")).strip() or None,
        "capacity": capacity,
        "funded": bool(state.value("funded")),
        "open_to_all": bool(state.value("open_to_all")),
    }


@blp.get("/sessions/<session_id>")
@auth.signed_in("trainer", "clerk")
def roster(session_id: str) -> ResponseReturnValue:
    session = session_or_404(session_id)
    found = api().get(f"/api/v1/sessions/{segment(session_id)}/roster", auth.token())
    return render_template(
        "trainer/roster.html",
        session=session,
        roster=found,
        meetings=meeting_times(session),
        free=max(session["capacity"] - len(found["participants"]), 0),
        ended=has_passed(session["ends_at"]),
    )


@blp.post("/sessions/<session_id>/attendance")
@auth.signed_in("trainer", "clerk")
def attendance(session_id: str) -> ResponseReturnValue:
    """Attendance at the meeting whose button was pressed: the ticked seat holders were present."""
    session = session_or_404(session_id)
    back = url_for("trainer.roster", session_id=session_id, _anchor="attendance")
    meeting = request.form.get("meeting", "")
    if not meeting.isdecimal() or not 1 <= int(meeting) <= len(session["meetings"]):
        flash(_("Choose the meeting whose attendance you are saving."), "error")
        return redirect(back)
    present = request.form.getlist(f"present.{meeting}")
    _answer, refused = send(
        f"/api/v1/sessions/{segment(session_id)}/attendance", {"meeting": int(meeting), "present": present}
    )
    if refused is not None:
        details = [localised(m) for messages in refused.fields.values() for m in messages]
        flash(" ".join([localised(refused.message), *details]), "error")
        return redirect(back)
    flash(_("Attendance at meeting %(number)s is saved.", number=meeting), "success")
    return redirect(back)


@blp.post("/sessions/<session_id>/complete")
@auth.signed_in("trainer", "clerk")
def complete(session_id: str) -> ResponseReturnValue:
    """Close the session: certificates for everyone whose attendance reaches the threshold."""
    session_or_404(session_id)
    back = url_for("trainer.roster", session_id=session_id)
    result, refused = send(f"/api/v1/sessions/{segment(session_id)}/complete", {})
    if refused is not None:
        flash(localised(refused.message), "error")
        return redirect(back)
    completed, missed = result["completed"], result["not_completed"]
    flash(
        ngettext(
            "The session is completed: %(num)d certificate issued.",
            "The session is completed: %(num)d certificates issued.",
            len(completed),
        ),
        "success",
    )
    if missed:
        names = ", ".join(f"{m['name']} ({percent(m['attendance_percent'])})" for m in missed)
        flash(
            _(
                "No certificate for those below %(threshold)d%% attendance: %(names)s.",
                threshold=result["threshold_percent"],
                names=names,
            ),
            "error",
        )
    return redirect(back)


@blp.route("/sessions/<session_id>/reschedule", methods=["GET", "POST"])
@auth.signed_in("trainer", "clerk")
def reschedule(session_id: str) -> ResponseReturnValue:
    session = session_or_404(session_id)
    if request.method == "GET":
        state = FormState(values=meetings_as_values(session))
        return _reschedule_form(session, state, rows_to_show(state.values, "meetings", len(session["meetings"]) + 1))
    state = FormState.of(request.form)
    rows = rows_to_show(state.values, "meetings", 1, add="add_meeting" in request.form)
    if "add_meeting" in request.form:
        return _reschedule_form(session, state, rows)
    meetings = read_meetings(state)
    if not state.ok:
        return _reschedule_form(session, state, rows, 422)
    _answer, refused = send(f"/api/v1/sessions/{segment(session_id)}/reschedule", {"meetings": meetings.items})
    if refused is not None:
        conflict = _refused(state, refused, meetings.aliases)
        return _reschedule_form(session, state, rows, refused.status, conflict)
    flash(_("The new meetings are saved. Everyone enrolled or waiting has been told."), "success")
    return redirect(url_for("trainer.roster", session_id=session_id))


def _reschedule_form(
    session: dict[str, Any], state: FormState, rows: list[int], status: int = 200, conflict: str | None = None
) -> Any:
    return (
        render_template(
            "trainer/reschedule.html", session=session, state=state, rows=rows, placed=_placed(rows), conflict=conflict
        ),
        status,
    )


@blp.route("/sessions/<session_id>/cancel", methods=["GET", "POST"])
@auth.signed_in("trainer", "clerk")
def cancel(session_id: str) -> ResponseReturnValue:
    session = session_or_404(session_id)
    state = FormState.of(request.form) if request.method == "POST" else FormState()
    if request.method == "GET":
        return render_template("trainer/cancel.html", session=session, state=state)
    reason = str(state.value("reason")).strip()
    if not reason:
        state.add("reason", _("Give the reason for cancelling: the learners will read it."))
        return render_template("trainer/cancel.html", session=session, state=state), 422
    _answer, refused = send(f"/api/v1/sessions/{segment(session_id)}/cancel", {"reason": reason})
    if refused is not None:
        state.fail(refused)
        return render_template("trainer/cancel.html", session=session, state=state), refused.status
    flash(_("The session is cancelled. Everyone enrolled or waiting has been told."), "success")
    return redirect(url_for("trainer.schedule"))
