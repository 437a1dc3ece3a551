"""A representative's view of training: their enterprise's staff list, its workers' enrolments, and enrolling
workers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from services.portal import auth
from services.portal.clients import ServiceError
from services.portal.forms import FormState
from services.portal.i18n import localised
from services.portal.training_common import MAX_ID_LENGTH, api, meeting_times, segment, training_context
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


# ---------------------------------------------------------------------- the staff list
WORKER_FIELDS = ("name", "email", "role", "dimensions", "active", "confirm_removal")
DIMENSION_CODES = (
    "business_strategy",
    "digital_readiness",
    "human_centric",
    "data_management",
    "automation_ai",
    "green",
)


def _enterprise_or_none() -> str | None:
    person = auth.current_person()
    return person.enterprise_id if person and person.enterprise_id else None


def _staff_path(enterprise_id: str, worker_id: str | None = None) -> str:
    path = f"/api/v1/enterprises/{segment(enterprise_id)}/staff"
    return f"{path}/{segment(worker_id)}" if worker_id else path


def staff_of(enterprise_id: str) -> dict[str, Any]:
    return api().get(_staff_path(enterprise_id), auth.token())


def _dimension_names() -> list[tuple[str, str]]:
    questionnaire = api().get("/api/v1/questionnaires/current")
    return [(d["code"], localised(d["name"])) for d in questionnaire["dimensions"]]


@blp.get("/staff")
@auth.signed_in("representative")
def staff() -> ResponseReturnValue:
    """The enterprise's workers, each with the enrolments they hold or are invited to."""
    enterprise_id = _enterprise_or_none()
    if enterprise_id is None:
        return render_template("workers/staff.html", linked=False)
    listed = staff_of(enterprise_id)
    enrolments = api().get("/api/v1/enrolments", auth.token())["items"]
    current: dict[str, list[dict[str, Any]]] = {}
    for enrolment in current_and_earlier(enrolments)["current"]:
        current.setdefault(enrolment["learner"]["email"], []).append(enrolment)
    return render_template("workers/staff.html", linked=True, staff=listed, enrolments=current)


def _worker_payload(state: FormState) -> dict[str, Any]:
    dimensions = state.value("dimensions", [])
    return {
        "name": str(state.value("name")).strip(),
        "email": str(state.value("email")).strip() or None,
        "role": str(state.value("role")).strip(),
        "dimensions": [d for d in (dimensions if isinstance(dimensions, list) else [dimensions]) if d],
        "active": bool(state.value("active")),
    }


def _worker_form(state: FormState, worker: dict[str, Any] | None = None, status: int = 200) -> Any:
    chosen = state.value("dimensions", [])
    return (
        render_template(
            "workers/worker_form.html",
            state=state,
            worker=worker,
            dimensions=_dimension_names(),
            chosen=set(chosen if isinstance(chosen, list) else [chosen]),
            placed=WORKER_FIELDS,
        ),
        status,
    )


def _refused(state: FormState, refused: ServiceError) -> FormState:
    aliases = {f"dimensions.{i}": "dimensions" for i in range(len(DIMENSION_CODES) + 1)}
    return state.fail(refused, aliases)


@blp.route("/staff/new", methods=["GET", "POST"])
@auth.signed_in("representative")
def add_worker() -> ResponseReturnValue:
    enterprise_id = _enterprise_or_none()
    if enterprise_id is None:
        return redirect(url_for("workers.staff"))
    if request.method == "GET":
        return _worker_form(FormState(values={"active": "1"}))
    state = FormState.of(request.form)
    try:
        added = api().post(_staff_path(enterprise_id), auth.token(), json=_worker_payload(state))
    except ServiceError as refused:
        if refused.status not in (409, 422):
            raise
        return _worker_form(_refused(state, refused), status=refused.status)
    flash(_("%(name)s is on the staff list.", name=added["name"]), "success")
    return redirect(url_for("workers.staff"))


def _listed_worker(enterprise_id: str, worker_id: str) -> dict[str, Any]:
    if len(worker_id) > MAX_ID_LENGTH:
        abort(404)
    found = next((w for w in staff_of(enterprise_id)["items"] if w["id"] == worker_id), None)
    if found is None:
        abort(404)
    return found


def _values_of(worker: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": worker["name"],
        "email": worker["email"] or "",
        "role": worker["role"],
        "dimensions": [d["code"] for d in worker["dimensions"]],
        "active": "1" if worker["active"] else "",
    }


@blp.route("/staff/<worker_id>", methods=["GET", "POST"])
@auth.signed_in("representative")
def edit_worker(worker_id: str) -> ResponseReturnValue:
    enterprise_id = _enterprise_or_none()
    if enterprise_id is None:
        return redirect(url_for("workers.staff"))
    worker = _listed_worker(enterprise_id, worker_id)
    if request.method == "GET":
        return _worker_form(FormState(values=_values_of(worker)), worker)
    state = FormState.of(request.form)
    try:
        api().put(_staff_path(enterprise_id, worker_id), auth.token(), json=_worker_payload(state))
    except ServiceError as refused:
        if refused.status not in (404, 409, 422):
            raise
        return _worker_form(_refused(state, refused), worker, status=refused.status)
    flash(_("The details of %(name)s are saved.", name=str(state.value("name")).strip()), "success")
    return redirect(url_for("workers.staff"))


@blp.post("/staff/<worker_id>/remove")
@auth.signed_in("representative")
def remove_worker(worker_id: str) -> ResponseReturnValue:
    """Delete a worker's entry, once the box confirming it is ticked."""
    enterprise_id = _enterprise_or_none()
    if enterprise_id is None:
        return redirect(url_for("workers.staff"))
    worker = _listed_worker(enterprise_id, worker_id)
    if not request.form.get("confirm_removal"):
        state = FormState(values=_values_of(worker))
        state.add("confirm_removal", _("Tick the box to confirm that the entry is deleted."))
        return _worker_form(state, worker, status=422)
    api().delete(_staff_path(enterprise_id, worker_id), auth.token())
    flash(_("%(name)s is removed from the staff list; nothing of the entry is kept.", name=worker["name"]), "success")
    return redirect(url_for("workers.staff"))
