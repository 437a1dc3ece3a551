"""Support for modernisation (the grants service): open calls, the public list of awards and each call's
figures for everyone; the enterprise's plan, application, answers, decision, deliveries and payments for its
representative; the centre's check, requests for information and evaluators for its staff; the declaration
of no conflict and the scoring for an assigned evaluator (a clerk of any centre).

Every figure is the grants service's (euro cents); the forms take euro with a decimal comma and show every
problem at once, at its field, the portal's own reading and the service's refusal together."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.portal import auth
from services.portal.clients import ServiceClient, ServiceError, current_services
from services.portal.documents import FIELD, MAX_DOCUMENT_BYTES
from services.portal.forms import FormState, euro_to_cents, whole_number, with_unreadable
from services.portal.grants_forms import (
    CRITERIA_ROWS,
    DOCUMENT_ROWS,
    call_from,
    money_fields,
    refused_call,
    region_name,
    region_name_bg,
    regions,
    regions_of_centre,
)
from shared.clock import SOFIA

blp = Blueprint("grants", __name__)

CALLS, APPLICATIONS, AWARDS = "/api/v1/calls", "/api/v1/applications", "/api/v1/awards"
PLAN_ROWS = 5
"""Budget lines the plan form offers at once (an application holds more through repeated saves)."""
MAX_ID = 80

CATEGORIES = {
    "software": _l("Software"),
    "hardware": _l("Hardware"),
    "network": _l("Network"),
    "sales": _l("Sales and distribution solutions"),
    "equipment": _l("Equipment"),
    "workplace": _l("Workplace adaptation"),
}
VAT = {
    "recoverable": _l("VAT recoverable (net cost eligible)"),
    "non_recoverable": _l("VAT not recoverable (cost with VAT eligible)"),
    "not_applicable": _l("No VAT"),
}
STATUSES = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "administrative_check": _l("Administrative check"),
    "information_requested": _l("Information requested"),
    "evaluation": _l("Evaluation"),
    "ranked": _l("Ranked"),
    "awarded": _l("Awarded"),
    "reserve": _l("Reserve list"),
    "rejected": _l("Rejected"),
    "contracted": _l("Contract signed"),
    "in_implementation": _l("In implementation"),
    "completed": _l("Completed"),
}
DECISIONS = {
    "award": _l("Award the support"),
    "reserve": _l("Put on the reserve list"),
    "reject": _l("Reject the application"),
}
DECIDABLE = {
    "award": ("ranked", "reserve"),
    "reserve": ("ranked",),
    "reject": ("submitted", "administrative_check", "information_requested", "evaluation", "ranked", "reserve"),
}
"""The states in which the service takes each decision."""
CALL_STATES = {
    "upcoming": _l("Opens later"),
    "open": _l("Open for applications"),
    "ended": _l("Applications no longer accepted: the window has ended"),
    "closed": _l("Closed early by the ministry"),
}
"""A call's state as the grants service gives it (``state``), in the portal's words."""
CHANGES = {"applied": _l("Applied"), "pending": _l("Waits for the centre"), "refused": _l("Refused")}
PROPOSALS = {"award": _l("Within the envelope"), "reserve": _l("Reserve list"), "reject": _l("Below the minimum")}
PAYMENTS = {"advance": _l("Advance payment"), "interim": _l("Interim payment"), "final": _l("Final payment")}
LINE_FIELDS = ("category", "description", "quantity", "unit_cost", "vat")
FILLED = ("description", "quantity", "unit_cost")
"""A plan row counts when any of these is typed (the selects always send a value)."""


def api() -> ServiceClient:
    return current_services().grants


def _id(value: str) -> str:
    if not value or len(value) > MAX_ID:
        abort(404)
    return quote(value, safe="")


@blp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "grant_categories": CATEGORIES,
        "grant_vat": VAT,
        "grant_statuses": STATUSES,
        "grant_payments": PAYMENTS,
        "plan_rows": PLAN_ROWS,
        "call_open": call_open,
        "region_name": region_name,
        "grant_decisions": DECISIONS,
        "decidable": DECIDABLE,
        "grant_changes": CHANGES,
        "call_state": call_state,
        "grant_call_states": CALL_STATES,
    }


def call_state(call: dict[str, Any]) -> str:
    """The service's ``state`` of the call; without one, read from its status and window (Sofia dates, both
    days included)."""
    if call.get("state") in CALL_STATES:
        return str(call["state"])
    if call.get("status") == "closed":
        return "closed"
    today = datetime.now(SOFIA).date().isoformat()
    if today > call["closes_on"]:
        return "ended"
    return "upcoming" if today < call["opens_on"] else "open"


def call_open(call: dict[str, Any]) -> bool:
    """The call takes applications now."""
    return call_state(call) == "open"


# ---------------------------------------------------------------------- public
@blp.get("/grants")
def calls() -> ResponseReturnValue:
    found = api().get(CALLS)["items"]
    return render_template("grants/calls.html", calls=found)


@blp.get("/grants/calls/<call_id>")
def call(call_id: str) -> ResponseReturnValue:
    return _call_page(call_id, FormState())


def _call_page(call_id: str, state: FormState, status: int = 200) -> ResponseReturnValue:
    """The call's page; the ministry also finds the form to close it early while it is not over."""
    shown = api().get(f"{CALLS}/{_id(call_id)}")
    figures = api().get(f"{CALLS}/{_id(call_id)}/figures")["regions"]
    may_close = _ministry() and call_state(shown) in ("upcoming", "open")
    page = render_template(
        "grants/call.html", call=shown, figures=figures, totals=_totals(figures), may_close=may_close, state=state
    )
    return page, status


@blp.post("/clerk/grants/calls/<call_id>/close")
@auth.signed_in("clerk")
def close_call(call_id: str) -> ResponseReturnValue:
    """The ministry closes a call before its window ends, with the reason everyone then reads with the call."""
    if not _ministry():
        abort(403)
    state = FormState.of(request.form)
    reason = (request.form.get("reason") or "").strip()
    if not reason:
        state.add("reason", _("Give the reason for closing the call."))
        state.message = _("Please correct the marked fields.")
        return _call_page(call_id, state, 422)
    try:
        api().post(f"{CALLS}/{_id(call_id)}/close", auth.token(), json={"reason": reason})
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        return _call_page(call_id, state.fail(error), error.status)
    flash(_("The call is closed: it takes no new applications; those submitted go on."), "success")
    return redirect(url_for("grants.call", call_id=call_id))


def _totals(figures: list[dict[str, Any]]) -> dict[str, int]:
    keys = [k for k in (figures[0] if figures else {}) if k != "region"]
    return {key: sum(int(row.get(key) or 0) for row in figures) for key in keys}


FIGURE_COLUMNS = [
    ("region_name", "Район"),
    ("region", "Код на района"),
    ("budget_cents", "Бюджет (€)"),
    ("committed_cents", "Поети (€)"),
    ("contracted_cents", "Договорени (€)"),
    ("paid_cents", "Изплатени (€)"),
    ("remaining_cents", "Остатък (€)"),
    ("enterprises_supported", "Подкрепени предприятия"),
    ("enterprises_completed", "Приключили"),
    ("enterprises_digitalised", "Дигитализирани"),
]


@blp.get("/grants/calls/<call_id>/figures.csv")
def figures_csv(call_id: str) -> Response:
    """The dashboard's figures per region for a spreadsheet: UTF-8 with BOM, ``;`` between fields, decimal comma."""
    figures = api().get(f"{CALLS}/{_id(call_id)}/figures")["regions"]
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([title for _key, title in FIGURE_COLUMNS])
    for figure in figures:
        row = {**figure, "region_name": region_name_bg(figure["region"])}
        writer.writerow(
            [
                f"{row[key] // 100},{row[key] % 100:02d}" if key.endswith("_cents") else row[key]
                for key, _title in FIGURE_COLUMNS
            ]
        )
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="grants-figures-{_id(call_id)}.csv"'},
    )


@blp.get("/grants/awards")
def awards() -> ResponseReturnValue:
    found = api().get(AWARDS)["items"]
    return render_template("grants/awards.html", awards=found, total=sum(a["amount_cents"] for a in found))


@blp.get("/grants/awards.csv")
def awards_csv() -> Response:
    download = api().download(AWARDS + ".csv")
    return Response(
        download.content,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="grants-awards.csv"'},
    )


# ---------------------------------------------------------------------- the enterprise's representative
@blp.get("/my/grants")
@auth.signed_in("representative")
def mine() -> ResponseReturnValue:
    applications = api().get(APPLICATIONS, auth.token())["items"]
    open_calls = [c for c in api().get(CALLS)["items"] if call_open(c)]
    return render_template("grants/mine.html", applications=applications, open_calls=open_calls)


def _plan_from(form: Any, state: FormState) -> tuple[list[dict[str, Any]], set[str]]:
    """The filled rows of the plan form as budget lines; the inputs the portal could not read."""
    lines: list[dict[str, Any]] = []
    unreadable: set[str] = set()
    for row in range(PLAN_ROWS):
        raw = {name: (form.get(f"lines.{row}.{name}") or "").strip() for name in LINE_FIELDS}
        if not any(raw[name] for name in FILLED):
            continue
        index = len(lines)
        line: dict[str, Any] = {"category": raw["category"], "description": raw["description"], "vat": raw["vat"]}
        line_id = (form.get(f"lines.{row}.id") or "").strip()
        if line_id:
            line["id"] = line_id
        quantity = whole_number(raw["quantity"], f"lines.{row}.quantity", state)
        cost = euro_to_cents(raw["unit_cost"], f"lines.{row}.unit_cost", state)
        for name, value, api_name in (("quantity", quantity, "quantity"), ("unit_cost", cost, "unit_cost_cents")):
            if value is None:
                if not state.error_for(f"lines.{row}.{name}"):
                    state.add(f"lines.{row}.{name}", _("Required."))
                unreadable.add(f"{index}.{api_name}")
            else:
                line[api_name] = value
        lines.append(line)
        state.values.setdefault("_rows", []).append(row)
    return lines, unreadable


def _line_aliases(form: Any) -> dict[str, str]:
    """The service's ``lines.<n>.<field>`` → the form row that line came from."""
    aliases: dict[str, str] = {}
    index = 0
    for row in range(PLAN_ROWS):
        filled = any((form.get(f"lines.{row}.{name}") or "").strip() for name in FILLED)
        if not filled:
            continue
        for name in LINE_FIELDS:
            api_name = "unit_cost_cents" if name == "unit_cost" else name
            aliases[f"lines.{index}.{api_name}"] = f"lines.{row}.{name}"
        index += 1
    return aliases


def _send_plan(lines: list[dict[str, Any]], unreadable: set[str], send: Any) -> Any:
    body: dict[str, Any] = {"lines": lines}
    if unreadable:
        holders = {"lines": {str(i): line for i, line in enumerate(lines)}}
        marked = with_unreadable(holders, unreadable, prefix="lines.")
        body = {"lines": [marked["lines"][str(i)] for i in range(len(lines))]}
    return send(body)


@blp.get("/my/grants/calls/<call_id>/apply")
@auth.signed_in("representative")
def new_plan(call_id: str) -> ResponseReturnValue:
    shown = api().get(f"{CALLS}/{_id(call_id)}")
    return render_template("grants/plan.html", call=shown, application=None, state=FormState())


@blp.post("/my/grants/calls/<call_id>/apply")
@auth.signed_in("representative")
def start(call_id: str) -> ResponseReturnValue:
    shown = api().get(f"{CALLS}/{_id(call_id)}")
    state = FormState.of(request.form)
    lines, unreadable = _plan_from(request.form, state)
    if not lines:
        state.add("lines.0.description", _("Add at least one budget line."))
    try:
        created = _send_plan(
            lines,
            unreadable,
            lambda body: api().post(APPLICATIONS, auth.token(), json={"call_id": call_id, **body}),
        )
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        state.fail(error, _line_aliases(request.form))
        return render_template("grants/plan.html", call=shown, application=None, state=state), error.status
    if not state.ok:
        state.message = state.message or _("Please correct the marked fields.")
        return render_template("grants/plan.html", call=shown, application=None, state=state), 422
    flash(_("Your plan is saved as a draft. Check the eligibility and submit it."), "success")
    return redirect(url_for("grants.application", application_id=created["id"]))


@blp.post("/my/grants/applications/<application_id>/plan")
@auth.signed_in("representative")
def edit_plan(application_id: str) -> ResponseReturnValue:
    path = f"{APPLICATIONS}/{_id(application_id)}"
    current = api().get(path, auth.token())
    shown = api().get(f"{CALLS}/{_id(current['call_id'])}")
    state = FormState.of(request.form)
    lines, unreadable = _plan_from(request.form, state)
    try:
        _send_plan(lines, unreadable, lambda body: api().patch(path, auth.token(), json=body))
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        state.fail(error, _line_aliases(request.form))
        return render_template("grants/plan.html", call=shown, application=current, state=state), error.status
    if not state.ok:
        state.message = state.message or _("Please correct the marked fields.")
        return render_template("grants/plan.html", call=shown, application=current, state=state), 422
    flash(_("The plan is saved."), "success")
    return redirect(url_for("grants.application", application_id=application_id))


@blp.get("/my/grants/applications/<application_id>/plan")
@auth.signed_in("representative")
def plan(application_id: str) -> ResponseReturnValue:
    current = api().get(f"{APPLICATIONS}/{_id(application_id)}", auth.token())
    shown = api().get(f"{CALLS}/{_id(current['call_id'])}")
    values: dict[str, Any] = {}
    for row, line in enumerate(current["lines"][:PLAN_ROWS]):
        values.update(
            {
                f"lines.{row}.id": line.get("id", ""),
                f"lines.{row}.category": line["category"],
                f"lines.{row}.description": line["description"],
                f"lines.{row}.quantity": str(line["quantity"]),
                f"lines.{row}.unit_cost": f"{line['unit_cost_cents'] // 100},{line['unit_cost_cents'] % 100:02d}",
                f"lines.{row}.vat": line["vat"],
            }
        )
    return render_template("grants/plan.html", call=shown, application=current, state=FormState(values=values))


@blp.get("/my/grants/applications/<application_id>")
@auth.signed_in("representative")
def application(application_id: str) -> ResponseReturnValue:
    return _application_page(application_id, FormState())


def _application_page(application_id: str, state: FormState, status: int = 200) -> ResponseReturnValue:
    shown = api().get(f"{APPLICATIONS}/{_id(application_id)}", auth.token())
    the_call = api().get(f"{CALLS}/{_id(shown['call_id'])}")
    return (
        render_template(
            "grants/application.html",
            application=shown,
            call=the_call,
            state=state,
            documents=_documents(application_id),
        ),
        status,
    )


def _documents(application_id: str) -> list[dict[str, Any]]:
    """The documents sent with the application (none when the service has no list for it)."""
    try:
        found = api().get(f"{APPLICATIONS}/{_id(application_id)}/documents", auth.token())
    except ServiceError as error:
        if error.status != 404:
            raise
        return []
    return list((found or {}).get("items", []))


@blp.post("/my/grants/applications/<application_id>/documents")
@auth.signed_in("representative")
def upload_document(application_id: str) -> ResponseReturnValue:
    """Send a document (PDF, PNG, JPEG) with a draft or with the answer to the centre's request, named as one of
    the call's required documents or as another."""
    state = FormState.of(request.form)
    upload = next((f for f in request.files.getlist(FIELD) if f and f.filename), None)
    if upload is None:
        state.add(FIELD, _("Choose a file to send."))
        return _application_page(application_id, state, 422)
    data = upload.stream.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        state.add(FIELD, _("%(name)s: the document is larger than 10 MB.", name=upload.filename))
        return _application_page(application_id, state, 422)
    try:
        api().upload(
            f"{APPLICATIONS}/{_id(application_id)}/documents",
            auth.token(),
            {"file": (upload.filename or "", data, upload.mimetype or "application/octet-stream")},
            {"code": "" if request.form.get("code") == "other" else request.form.get("code", "")},
        )
    except ServiceError as error:
        if error.status not in (400, 404, 409, 413, 415, 422):
            raise
        return _application_page(application_id, state.fail(error, {"file": FIELD}), error.status)
    flash(_("Documents sent: %(names)s.", names=upload.filename), "success")
    return redirect(url_for("grants.application", application_id=application_id))


def _download(application_id: str, document_id: str) -> Response:
    got = api().download(f"{APPLICATIONS}/{_id(application_id)}/documents/{_id(document_id)}", auth.token())
    response = send_file(
        io.BytesIO(got.content), mimetype=got.content_type, as_attachment=True, download_name=got.filename, max_age=0
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@blp.get("/my/grants/applications/<application_id>/documents/<document_id>")
@auth.signed_in("representative")
def my_document(application_id: str, document_id: str) -> ResponseReturnValue:
    return _download(application_id, document_id)


@blp.get("/clerk/grants/applications/<application_id>/documents/<document_id>")
@auth.signed_in("clerk")
def staff_document(application_id: str, document_id: str) -> ResponseReturnValue:
    return _download(application_id, document_id)


@blp.post("/my/grants/applications/<application_id>/submit")
@auth.signed_in("representative")
def submit(application_id: str) -> ResponseReturnValue:
    try:
        api().post(f"{APPLICATIONS}/{_id(application_id)}/submit", auth.token())
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        return _application_page(application_id, FormState().fail(error), error.status)
    flash(_("Your application is submitted. The centre will check it."), "success")
    return redirect(url_for("grants.application", application_id=application_id))


@blp.post("/my/grants/applications/<application_id>/answer")
@auth.signed_in("representative")
def answer(application_id: str) -> ResponseReturnValue:
    state = FormState.of(request.form)
    try:
        api().post(
            f"{APPLICATIONS}/{_id(application_id)}/answer",
            auth.token(),
            json={"text": request.form.get("text", "")},
        )
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        return _application_page(application_id, state.fail(error), error.status)
    flash(_("Your answer is sent to the centre."), "success")
    return redirect(url_for("grants.application", application_id=application_id))


# ---------------------------------------------------------------------- the centre's staff and evaluators
@blp.get("/clerk/grants")
@auth.signed_in("clerk")
def centre_queue() -> ResponseReturnValue:
    person = auth.current_person()
    mine_too = api().get(APPLICATIONS, auth.token())["items"]
    found = [a for a in mine_too if "evaluators" in a and a["status"] != "draft"]
    return render_template("grants/centre_queue.html", applications=found, centre=person.centre if person else None)


def _assigned_to(application: dict[str, Any], subject: str) -> bool:
    seats = application.get("evaluators")
    if seats is None:  # another centre's application: listed only because it is assigned to this clerk
        return True
    return any(seat["evaluator"] == subject and not seat["conflict"] for seat in seats)


@blp.get("/clerk/grants/evaluations")
@auth.signed_in("clerk")
def evaluations() -> ResponseReturnValue:
    person = auth.current_person()
    subject = person.subject if person else ""
    found = [
        a
        for a in api().get(APPLICATIONS, auth.token())["items"]
        if a["status"] == "evaluation" and _assigned_to(a, subject)
    ]
    return render_template("grants/evaluations.html", applications=found)


STAFF_DAYS = ("signed_on", "delivery.delivered_on", "payment.paid_on")
"""The staff forms' dates, today (in Sofia) unless typed otherwise."""


def _staff_page(application_id: str, state: FormState, status: int = 200) -> ResponseReturnValue:
    today = datetime.now(SOFIA).date().isoformat()
    for name in STAFF_DAYS:
        state.values.setdefault(name, today)
    shown = api().get(f"{APPLICATIONS}/{_id(application_id)}", auth.token())
    the_call = api().get(f"{CALLS}/{_id(shown['call_id'])}")
    person = auth.current_person()
    subject = person.subject if person else ""
    seat = next((s for s in shown.get("evaluators") or [] if s["evaluator"] == subject), None)
    return (
        render_template(
            "grants/staff_application.html",
            application=shown,
            call=the_call,
            state=state,
            is_staff="evaluators" in shown,
            seat=seat,
            scored=any(s["evaluator"] == subject for s in shown.get("scorings") or []),
            documents=_documents(application_id),
        ),
        status,
    )


@blp.get("/clerk/grants/applications/<application_id>")
@auth.signed_in("clerk")
def staff_application(application_id: str) -> ResponseReturnValue:
    return _staff_page(application_id, FormState())


STAFF_ACTIONS = {
    "check": ("check", lambda form: None, _l("The administrative check has started.")),
    "request-information": (
        "request-information",
        lambda form: {"text": form.get("text", "")},
        _l("The request is sent to the applicant."),
    ),
    "admit": ("admit", lambda form: None, _l("The application goes on to evaluation.")),
    "evaluators": ("evaluators", lambda form: {"evaluator": form.get("evaluator", "").strip()}, _l("Assigned.")),
    "declaration": (
        "declaration",
        lambda form: {"conflict_of_interest": form.get("conflict_of_interest") == "yes"},
        _l("Your declaration is recorded."),
    ),
    "complete": ("complete", lambda form: None, _l("The support is completed.")),
}


@blp.post("/clerk/grants/applications/<application_id>/<action>")
@auth.signed_in("clerk")
def staff_action(application_id: str, action: str) -> ResponseReturnValue:
    if action == "scores":
        return _score(application_id)
    if action in STAFF_FORMS:
        return _staff_form(application_id, action)
    if action not in STAFF_ACTIONS:
        abort(404)
    path, body, done = STAFF_ACTIONS[action]
    state = FormState.of(request.form)
    try:
        api().post(f"{APPLICATIONS}/{_id(application_id)}/{path}", auth.token(), json=body(request.form))
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        return _staff_page(application_id, state.fail(error), error.status)
    flash(str(done), "success")
    if action == "declaration" and request.form.get("conflict_of_interest") == "yes":
        return redirect(url_for("grants.evaluations"))
    return redirect(url_for("grants.staff_application", application_id=application_id))


def _score(application_id: str) -> ResponseReturnValue:
    shown = api().get(f"{APPLICATIONS}/{_id(application_id)}", auth.token())
    the_call = api().get(f"{CALLS}/{_id(shown['call_id'])}")
    state = FormState.of(request.form)
    points: dict[str, int] = {}
    for criterion in the_call["criteria"]:
        name = f"points.{criterion['code']}"
        value = whole_number(request.form.get(name, ""), name, state)
        if value is None and not state.error_for(name):
            state.add(name, _("Required."))
        if value is not None:
            points[criterion["code"]] = value
    body: dict[str, Any] = {"points": points}
    comment = request.form.get("comment", "").strip()
    if comment:  # the service takes a comment of 1 to 4 000 characters, or none
        body["comment"] = comment
    try:
        if state.ok:
            api().post(f"{APPLICATIONS}/{_id(application_id)}/scores", auth.token(), json=body)
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        state.fail(error)
        return _staff_page(application_id, state, error.status)
    if not state.ok:
        state.message = _("Please correct the marked fields.")
        return _staff_page(application_id, state, 422)
    flash(_("Your scores are recorded."), "success")
    return redirect(url_for("grants.evaluations"))


# ---------------------------------------------------------------------- the centre's decisions and implementation
def _decision(form: Any, state: FormState) -> tuple[str, dict[str, Any], dict[str, str]]:
    """The decision form: award (an amount, by default what was asked for), reserve or reject, with reasons."""
    decision = form.get("decision", "")
    if decision not in DECISIONS:
        state.add("decision", _("Choose a decision."))
        decision = ""
    body: dict[str, Any] = {"reasons": (form.get("reasons") or "").strip()}
    if decision == "award" and (form.get("amount") or "").strip():
        amount, _aliases = money_fields(form, state, "", {"amount": "amount_cents"}, {}, {})
        body.update(amount)
    return decision, body, {"amount_cents": "amount", "reasons": "reasons"}


def _contract(form: Any, state: FormState) -> tuple[str, dict[str, Any], dict[str, str]]:
    body, aliases = money_fields(form, state, "", {}, {"signed_on": "signed_on"}, {})
    if "signed_on" not in body and not state.error_for("signed_on"):
        state.add("signed_on", _("Required."))
    return "contract", body, aliases


def _delivery(form: Any, state: FormState) -> tuple[str, dict[str, Any], dict[str, str]]:
    body, aliases = money_fields(
        form,
        state,
        "delivery",
        {"amount": "amount_cents"},
        {"delivered_on": "delivered_on"},
        {"line_id": "line_id", "protocol": "protocol", "invoice": "invoice"},
    )
    return "deliveries", body, aliases


def _payment(form: Any, state: FormState) -> tuple[str, dict[str, Any], dict[str, str]]:
    body, aliases = money_fields(
        form, state, "payment", {"amount": "amount_cents"}, {"paid_on": "paid_on"}, {"kind": "kind"}
    )
    return "payments", body, aliases


STAFF_FORMS = {
    "decision": (_decision, _l("The decision is recorded.")),
    "contract": (_contract, _l("The contract is signed.")),
    "deliveries": (_delivery, _l("The delivery is recorded.")),
    "payments": (_payment, _l("The payment is recorded.")),
}


def _staff_form(application_id: str, action: str) -> ResponseReturnValue:
    """A staff form: what the portal could not read and the service's refusal together, each at its input;
    nothing is kept until all is right (what the portal could not read is sent unreadable, so refused)."""
    read, done = STAFF_FORMS[action]
    state = FormState.of(request.form)
    path, body, aliases = read(request.form, state)
    if path:
        try:
            api().post(f"{APPLICATIONS}/{_id(application_id)}/{path}", auth.token(), json=body)
        except ServiceError as error:
            if error.status not in (400, 409, 422):
                raise
            return _staff_page(application_id, state.fail(error, aliases), error.status)
        if state.ok:
            flash(str(done), "success")
            return redirect(url_for("grants.staff_application", application_id=application_id))
    state.message = state.message or _("Please correct the marked fields.")
    return _staff_page(application_id, state, 422)


@blp.post("/clerk/grants/applications/<application_id>/changes/<change_id>")
@auth.signed_in("clerk")
def settle_change(application_id: str, change_id: str) -> ResponseReturnValue:
    approve = request.form.get("approve") == "yes"
    try:
        api().post(
            f"{APPLICATIONS}/{_id(application_id)}/changes/{_id(change_id)}", auth.token(), json={"approve": approve}
        )
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        return _staff_page(application_id, FormState().fail(error), error.status)
    flash(_("The change is approved.") if approve else _("The change is refused."), "success")
    return redirect(url_for("grants.staff_application", application_id=application_id))


# ---------------------------------------------------------------------- calls: the ministry publishes, centres rank
def _ministry() -> bool:
    """National clerks (the ministry) and admins publish calls; the service refuses anyone else too."""
    person = auth.current_person()
    return person is not None and (person.has("admin") or person.centre == "national")


def _staff_regions() -> list[str]:
    person = auth.current_person()
    if person is None:
        return []
    return regions_of_centre("national" if person.has("admin") else person.centre)


@blp.get("/clerk/grants/calls")
@auth.signed_in("clerk")
def staff_calls() -> ResponseReturnValue:
    found = api().get(CALLS)["items"]
    return render_template("grants/staff_calls.html", calls=found, ministry=_ministry(), mine=_staff_regions())


def _call_form(state: FormState, status: int = 200) -> ResponseReturnValue:
    return (
        render_template(
            "grants/new_call.html",
            state=state,
            regions=regions(),
            criteria_rows=CRITERIA_ROWS,
            document_rows=DOCUMENT_ROWS,
        ),
        status,
    )


@blp.get("/clerk/grants/calls/new")
@auth.signed_in("clerk")
def new_call() -> ResponseReturnValue:
    if not _ministry():
        abort(403)
    today = datetime.now(SOFIA).date()
    return _call_form(
        FormState(
            values={
                "opens_on": today.isoformat(),
                "closes_on": (today + timedelta(days=90)).isoformat(),
                "max_per_enterprise": "46 016,27",
                "pass_score": "50",
                "categories": list(CATEGORIES),
            }
        )
    )


@blp.post("/clerk/grants/calls/new")
@auth.signed_in("clerk")
def publish_call() -> ResponseReturnValue:
    if not _ministry():
        abort(403)
    state = FormState.of(request.form)
    state.values["categories"] = request.form.getlist("categories")
    read = call_from(request.form, state)
    try:
        created = api().post(CALLS, auth.token(), json=read.body)
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        return _call_form(refused_call(state, error, read), error.status)
    if not state.ok:  # the service took what the portal could not read: never, as it is sent unreadable
        state.message = _("Please correct the marked fields.")
        return _call_form(state, 422)
    flash(_("The call is published."), "success")
    return redirect(url_for("grants.call", call_id=created["id"]))


def _region_page(call_id: str, region: str) -> ResponseReturnValue:
    if region not in dict(regions()):
        abort(404)
    shown = api().get(f"{CALLS}/{_id(call_id)}")
    envelope = next((e for e in shown.get("envelope_figures") or [] if e["region"] == region), None)
    if envelope is None:
        abort(404)
    found = [
        a
        for a in api().get(APPLICATIONS, auth.token(), params={"call_id": call_id})["items"]
        if a["region"] == region and a["status"] not in ("draft",)
    ]
    ranked = sorted((a for a in found if a.get("rank") is not None), key=lambda a: (a["rank"], a["enterprise_name"]))
    others = sorted((a for a in found if a.get("rank") is None), key=lambda a: a["enterprise_name"])
    kept = session.get(RANKING_KEY) or {}
    proposals = kept.get("proposals", {}) if kept.get("at") == f"{call_id}/{region}" else {}
    return render_template(
        "grants/ranking.html",
        call=shown,
        region=region,
        envelope=envelope,
        ranked=ranked,
        others=others,
        proposals={k: PROPOSALS.get(v, v) for k, v in proposals.items()},
        may_rank=region in _staff_regions(),
    )


RANKING_KEY = "grants_ranking"
"""The last ranking's proposals (award within the envelope, reserve), kept to show them after the redirect."""


@blp.get("/clerk/grants/calls/<call_id>/regions/<region>")
@auth.signed_in("clerk")
def ranking(call_id: str, region: str) -> ResponseReturnValue:
    return _region_page(call_id, region)


@blp.post("/clerk/grants/calls/<call_id>/regions/<region>")
@auth.signed_in("clerk")
def rank(call_id: str, region: str) -> ResponseReturnValue:
    if region not in dict(regions()):
        abort(404)
    try:
        places = api().post(f"{CALLS}/{_id(call_id)}/ranking", auth.token(), json={"region": region})["items"]
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        flash(FormState().fail(error).message, "error")
        return redirect(url_for("grants.ranking", call_id=call_id, region=region))
    session[RANKING_KEY] = {
        "at": f"{call_id}/{region}",
        "proposals": {p["application_id"]: p["proposal"] for p in places[:200]},
    }
    flash(_("The region's applications are ranked within its envelope."), "success")
    return redirect(url_for("grants.ranking", call_id=call_id, region=region))


# ---------------------------------------------------------------------- the representative: aid and line changes
def _own_application(application_id: str) -> dict[str, Any]:
    return api().get(f"{APPLICATIONS}/{_id(application_id)}", auth.token())


def _aids_of(application: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"granted_on": a["granted_on"], "amount_cents": a["amount_cents"], "grantor": a["grantor"]}
        for a in application.get("declared_aid") or []
    ]


@blp.post("/my/grants/applications/<application_id>/aid")
@auth.signed_in("representative")
def add_aid(application_id: str) -> ResponseReturnValue:
    """Declare de minimis aid received from elsewhere: the eligibility's ceiling counts it."""
    current = _own_application(application_id)
    state = FormState.of(request.form)
    aid, aliases = money_fields(
        request.form, state, "aid", {"amount": "amount_cents"}, {"granted_on": "granted_on"}, {"grantor": "grantor"}
    )
    aids = _aids_of(current)
    index = len(aids)
    try:
        api().patch(f"{APPLICATIONS}/{_id(application_id)}", auth.token(), json={"declared_aid": [*aids, aid]})
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        shown_at = {f"declared_aid.{index}.{name}": at for name, at in aliases.items()}
        shown_at[f"declared_aid.{index}"] = "aid.grantor"
        return _application_page(application_id, state.fail(error, shown_at), error.status)
    if not state.ok:
        state.message = _("Please correct the marked fields.")
        return _application_page(application_id, state, 422)
    flash(_("The aid is declared."), "success")
    return redirect(url_for("grants.application", application_id=application_id))


@blp.post("/my/grants/applications/<application_id>/aid/<int:index>/remove")
@auth.signed_in("representative")
def remove_aid(application_id: str, index: int) -> ResponseReturnValue:
    current = _own_application(application_id)
    aids = _aids_of(current)
    if not 0 <= index < len(aids):
        abort(404)
    try:
        api().patch(
            f"{APPLICATIONS}/{_id(application_id)}",
            auth.token(),
            json={"declared_aid": aids[:index] + aids[index + 1 :]},
        )
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        return _application_page(application_id, FormState().fail(error), error.status)
    flash(_("The declared aid is removed."), "success")
    return redirect(url_for("grants.application", application_id=application_id))


@blp.post("/my/grants/applications/<application_id>/changes")
@auth.signed_in("representative")
def change_lines(application_id: str) -> ResponseReturnValue:
    """Move money between two budget lines: within the tolerance at once, above it once the centre approves."""
    state = FormState.of(request.form)
    body, aliases = money_fields(
        request.form,
        state,
        "change",
        {"amount": "amount_cents"},
        {},
        {"from_line": "from_line", "to_line": "to_line", "reason": "reason"},
    )
    try:
        change = api().post(f"{APPLICATIONS}/{_id(application_id)}/changes", auth.token(), json=body)
    except ServiceError as error:
        if error.status not in (400, 409, 422):
            raise
        return _application_page(application_id, state.fail(error, aliases), error.status)
    if not state.ok:
        state.message = _("Please correct the marked fields.")
        return _application_page(application_id, state, 422)
    percent = change.get("change_tolerance_percent")
    if change.get("status") == "pending":
        if percent is None:
            flash(_("The change is above the tolerance: it waits for the centre's approval."), "success")
        else:
            flash(
                _(
                    "The change is above %(percent)s %% of the line: it waits for the centre's approval.",
                    percent=percent,
                ),
                "success",
            )
    elif percent is None:
        flash(_("The change is within the tolerance and applies at once."), "success")
    else:
        flash(_("The change is within %(percent)s %% of the line and applies at once.", percent=percent), "success")
    return redirect(url_for("grants.application", application_id=application_id))
