"""The public side of training: the course catalogue, upcoming sessions, enrolling, verifying certificates."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from services.portal import auth
from services.portal.clients import ServiceError
from services.portal.forms import FormState
from services.portal.i18n import localised
from services.portal.reference import choices
from services.portal.registry_labels import ENTRY_STATES
from services.portal.training_common import (
    ACTIVE_ENROLMENT,
    FORMATS,
    LEVELS,
    MAX_ID_LENGTH,
    api,
    dimension_choices,
    has_passed,
    meeting_times,
    public_training_url,
    segment,
    training_context,
)
from services.portal.training_views import session_or_404
from services.portal.views.certificates import register_certificate

blp = Blueprint("courses", __name__, url_prefix="")
blp.context_processor(training_context)

WHERE = ("in_person", "online")
MAX_CERTIFICATE_NUMBER = 64
CERTIFICATE_NUMBER = re.compile(r"[\w\s\u2010-\u2015\u2212-]+")
"""Letters, digits, spaces and dashes of any kind (ДУ-2026-000147, ду 2026–000147): anything else names no
certificate."""
MAX_CHECK_CODE = 40
CHECK_CODE = re.compile(r"[\w -]+")
"""Letters, digits, spaces and dashes (K7QM-2XHD-94RT)."""


def _centres() -> list[tuple[str, str]]:
    try:
        return choices("centres")
    except ServiceError:
        return []


def _all_courses() -> list[dict[str, Any]]:
    return api().get("/api/v1/courses")["items"]


def _chosen(name: str, allowed: list[str] | tuple[str, ...]) -> str:
    """A filter's value when it is one the page offers; anything else is ignored."""
    value = request.args.get(name, "")
    return value if value in allowed else ""


@blp.get("/sessions")
def sessions() -> ResponseReturnValue:
    courses = _all_courses()
    by_id = {c["id"]: c for c in courses}
    centres = _centres()
    dimensions = dimension_choices(courses)
    filters = {
        "course": _chosen("course", list(by_id)),
        "centre": _chosen("centre", [code for code, _name in centres]),
        "where": _chosen("where", WHERE),
        "dimension": _chosen("dimension", [code for code, _name in dimensions]),
    }
    found = api().get(
        "/api/v1/sessions",
        params={
            "course_id": filters["course"],
            "centre": filters["centre"],
            "online": {"online": "true", "in_person": "false"}.get(filters["where"]),
            "limit": 200,
        },
    )["items"]
    if filters["dimension"]:
        improving = {c["id"] for c in courses if any(d["code"] == filters["dimension"] for d in c["dimensions"])}
        found = [s for s in found if s["course"]["id"] in improving]
    return render_template(
        "courses/sessions.html",
        sessions=found,
        courses=by_id,
        course_choices=sorted(((c["id"], localised(c["title"])) for c in courses), key=lambda pair: pair[1]),
        centres=centres,
        dimensions=dimensions,
        filters=filters,
        state=FormState(values=filters),
    )


@blp.get("/courses")
def catalogue() -> ResponseReturnValue:
    courses = _all_courses()
    dimensions = dimension_choices(courses)
    filters = {
        "dimension": _chosen("dimension", [code for code, _name in dimensions]),
        "level": _chosen("level", list(LEVELS)),
        "format": _chosen("format", list(FORMATS)),
    }
    if any(filters.values()):
        courses = api().get("/api/v1/courses", params=filters)["items"]
    return render_template(
        "courses/catalogue.html",
        courses=courses,
        dimensions=dimensions,
        level_choices=[(code, str(label)) for code, label in LEVELS.items()],
        format_choices=[(code, str(label)) for code, label in FORMATS.items()],
        filters=filters,
        state=FormState(values=filters),
    )


@blp.get("/courses/<course_id>")
def course(course_id: str) -> ResponseReturnValue:
    if len(course_id) > MAX_ID_LENGTH:
        abort(404)
    found = api().get(f"/api/v1/courses/{segment(course_id)}")
    upcoming = api().get("/api/v1/sessions", params={"course_id": course_id, "limit": 200})["items"]
    return render_template("courses/course.html", course=found, sessions=upcoming)


def _my_enrolment(session_id: str) -> dict[str, Any] | None:
    """The signed-in learner's enrolment in this session that still counts (the newest), if any."""
    person = auth.current_person()
    if person is None or not person.has("learner"):
        return None
    try:
        mine = api().get("/api/v1/enrolments", person.token)["items"]
    except ServiceError:
        return None
    return next(
        (e for e in mine if e["session"]["id"] == session_id and e["state"] in (*ACTIVE_ENROLMENT, "completed")),
        None,
    )


@blp.get("/sessions/<session_id>")
def session(session_id: str) -> ResponseReturnValue:
    found = session_or_404(session_id)
    person = auth.current_person()
    return render_template(
        "courses/session.html",
        session=found,
        meetings=meeting_times(found),
        mine=_my_enrolment(session_id),
        seats=found.get("seats"),
        runs_it=bool(person and person.subject == found["trainer"]["id"]),
        opens_later=(
            found["status"] == "scheduled"
            and not found["enrolment"]["open"]
            and not has_passed(found["enrolment"]["opens_at"])  # closed as not yet open, rather than ended
        ),
    )


@blp.post("/sessions/<session_id>/enrol")
@auth.signed_in("learner")
def enrol(session_id: str) -> ResponseReturnValue:
    """The signed-in learner asks for a seat; the answer says whether they got one or wait, and where."""
    if len(session_id) > MAX_ID_LENGTH:
        abort(404)
    back = url_for("courses.session", session_id=session_id)
    try:
        enrolment = api().post(f"/api/v1/sessions/{segment(session_id)}/enrolments", auth.token(), json={})
    except ServiceError as refused:
        if refused.status == 404:
            raise
        flash(localised(refused.message), "error")
        return redirect(back)
    state = enrolment.get("state")
    if state == "confirmed":
        flash(_("You are enrolled: you have a seat in this session."), "success")
    elif state == "waitlisted":
        flash(
            _(
                "All seats are taken: you are on the waiting list, position %(position)d. "
                "You will get the first seat that frees up and will be told.",
                position=enrolment.get("waitlist_position") or 0,
            ),
            "success",
        )
    else:
        flash(_("Your enrolment has been received and is being processed."), "success")
    return redirect(back + "#my-enrolment")


@blp.get("/certificates")
def verify() -> ResponseReturnValue:
    """Verify a certificate: a training certificate by its number and the check code printed on it, a certificate
    of entry in the register by its number (or either from its QR code). The services read the number as typed
    off the paper (any case and dash, Latin letters for the Cyrillic prefix)."""
    number = request.args.get("number", "").strip()
    code = request.args.get("code", "").strip()
    state = FormState(values={"number": number, "code": code})
    certificate = entry_certificate = None
    not_found = False
    if len(number) > MAX_CERTIFICATE_NUMBER:
        state.add("number", _("A certificate number has at most %(count)d characters.", count=MAX_CERTIFICATE_NUMBER))
    if len(code) > MAX_CHECK_CODE:
        state.add("code", _("A check code has at most %(count)d characters.", count=MAX_CHECK_CODE))
    if state.ok and number:
        if not CERTIFICATE_NUMBER.fullmatch(number) or (code and not CHECK_CODE.fullmatch(code)):
            not_found = True
        else:
            if code:
                certificate = _training_certificate(number, code)
            if certificate is None:
                entry_certificate = register_certificate(number)
            if certificate is None and entry_certificate is None:
                if code:
                    not_found = True
                else:
                    state.add(
                        "code",
                        _(
                            "No certificate of entry in the register has this number. For a training certificate, "
                            "enter the check code printed on it."
                        ),
                    )
    return render_template(
        "courses/verify.html",
        state=state,
        number=number,
        certificate=certificate,
        entry_certificate=entry_certificate,
        entry_states=ENTRY_STATES,
        not_found=not_found,
        printable=public_training_url(certificate["html_url"]) if certificate else None,
    )


def _training_certificate(number: str, code: str) -> dict[str, Any] | None:
    try:
        return api().get(f"/api/v1/certificates/{segment(number)}", params={"code": code})
    except ServiceError as refused:
        if refused.status != 404:
            raise
        return None
