"""A representative's applications to the register: start, check the criteria, save, submit, answer, amend.

Also the yearly report of an enterprise already in the register.
"""

from __future__ import annotations

from typing import Any, Literal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from services.portal import auth
from services.portal.clients import ServiceError
from services.portal.documents import chosen_files, documents_of, said, send
from services.portal.forms import FormState, with_unreadable
from services.portal.reference import choices, register_reference
from services.portal.registry_api import api, eligibility, enterprise_file, refused, registry, told
from services.portal.registry_api import application as fetch_application
from services.portal.registry_forms import (
    application_inputs,
    application_values,
    details_payload,
    digits,
    evidence_inputs,
    evidence_payload,
    place,
    request_payload,
    today,
    without_blanks,
)
from services.portal.registry_labels import CRITERIA, ROUTES, labels
from services.portal.views.refusal import refusal_page

blp = Blueprint("enterprise", __name__, url_prefix="/my/applications")
blp.context_processor(labels)
representative = auth.signed_in("representative")
NEW_VALUES = {"requested_class": "A", "details.contacts.email_public": "1"}


# ---------------------------------------------------------------------- the list
@blp.get("")
@representative
def applications() -> ResponseReturnValue:
    mine = registry().get("/api/v1/applications", auth.token())
    items = sorted(mine["items"], key=lambda a: a["created_at"], reverse=True)
    person = auth.current_person()
    return render_template(
        "enterprise/applications.html", items=items, has_enterprise=bool(person and person.enterprise_id)
    )


# ---------------------------------------------------------------------- the form
def _form_options() -> dict[str, Any]:
    return {
        "legal_forms": choices("legal_forms"),
        "districts": sorted(choices("districts"), key=lambda item: item[1]),
        "groups": register_reference()["vulnerable_groups"],
        "classes": [("A", _("Class %(name)s", name="A")), ("A+", _("Class %(name)s", name="A+"))],
        "routes": [(code, str(label)) for code, label in ROUTES.items()],
        "criteria": [(code, str(label)) for code, label in CRITERIA.items()],
    }


def _application_form(
    state: FormState,
    current: dict[str, Any] | None,
    outcomes: dict[str, Any] | None,
    problems: FormState | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return render_template(
        "enterprise/application_form.html",
        state=state,
        application=current,
        outcomes=outcomes,
        problems=problems,
        chosen={key: state.value(key) for key in ("requested_class", "class_a_route", "a_plus_criterion")},
        placed=application_inputs(),
        **_form_options(),
    ), status


def _checked(current: dict[str, Any] | None) -> ResponseReturnValue:
    """The "check the criteria" button: the form again, every rule's outcome shown, nothing saved."""
    outcomes, state = eligibility(request.form)
    return _application_form(state, current, outcomes, state, 200 if outcomes else 422)


def _judged_anyway(
    method: Literal["post", "patch"], path: str, body: dict[str, Any], state: FormState, prefix: str = ""
) -> ServiceError | None:
    """The service's verdict on the other fields while some could not be read here, so every error shows at
    once; the fields not read are sent in a form the service refuses, so nothing is saved."""
    call = registry().patch if method == "patch" else registry().post
    try:
        call(path, auth.token(), json=with_unreadable(body, state.errors, prefix))
    except ServiceError as error:
        return error if error.status == 422 else None
    return None  # not with the service's strict schemas


def _refused_form(
    state: FormState, current: dict[str, Any] | None, error: ServiceError | None = None, prefix: str = ""
) -> ResponseReturnValue:
    if error is not None:
        if error.status not in (409, 422):
            raise error
        place(state, error, prefix)
    outcomes, problems = eligibility(request.form)
    return _application_form(state, current, outcomes, problems, error.status if error else 422)


@blp.route("/new", methods=["GET", "POST"])
@representative
def new() -> ResponseReturnValue:
    if request.method == "GET":
        return _application_form(FormState(values=dict(NEW_VALUES)), None, None)
    if request.form.get("then") == "check":
        return _checked(None)
    state = FormState.of(request.form)
    body = {**without_blanks(request_payload(request.form, state)), "details": details_payload(request.form)}
    if not state.ok:
        return _refused_form(state, None, _judged_anyway("post", "/api/v1/applications", body, state))
    try:
        created = registry().post("/api/v1/applications", auth.token(), json=body)
    except ServiceError as error:
        return _refused_form(state, None, error)
    said(*send(created["id"], chosen_files()))
    return told(
        _("The draft application is saved. Check it and submit it to the centre when it is ready."),
        url_for("enterprise.application", application_id=created["id"]),
    )


@blp.post("/eligibility")
def live() -> ResponseReturnValue:
    """Just the rules' outcomes, for the form's live check (static/portal.js): never a redirect to sign in,
    whose page would land inside the form; a refusal leaves the outcomes shown as they were."""
    if auth.current_person() is None:
        return "", 401
    outcomes, problems = eligibility(request.form)
    chosen = {key: request.form.get(key, "") for key in ("requested_class", "class_a_route", "a_plus_criterion")}
    return render_template("enterprise/_outcomes.html", outcomes=outcomes, problems=problems, chosen=chosen)


@blp.route("/<application_id>/edit", methods=["GET", "POST"])
@representative
def edit(application_id: str) -> ResponseReturnValue:
    current = fetch_application(application_id)
    if current["status"] not in ("draft", "information_requested"):
        flash(_("This application can no longer be changed."), "error")
        return redirect(url_for("enterprise.application", application_id=application_id))
    if request.method == "GET":
        values = {**application_values(current), "expected_version": current["version"]}
        return _application_form(FormState(values=values), current, current.get("eligibility"))
    if request.form.get("then") == "check":
        return _checked(current)
    state = FormState.of(request.form)
    body: dict[str, Any] = {
        "details": details_payload(request.form),
        "request": without_blanks(request_payload(request.form, state)),
    }
    version = digits(request.form.get("expected_version"))
    if version:
        body["expected_version"] = version
    if not state.ok:
        path = api("/api/v1/applications/{}", application_id)
        return _refused_form(state, current, _judged_anyway("patch", path, body, state, "request."), "request.")
    try:
        registry().patch(api("/api/v1/applications/{}", application_id), auth.token(), json=body)
    except ServiceError as error:
        return _refused_form(state, current, error, prefix="request.")
    said(*send(application_id, chosen_files()))
    message = (
        _("The changes are saved. Submit the application again when it is ready.")
        if current["status"] == "information_requested"
        else _("The changes are saved.")
    )
    return told(message, url_for("enterprise.application", application_id=application_id))


# ---------------------------------------------------------------------- one application
def _application_page(
    current: dict[str, Any], answer_state: FormState | None = None, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "enterprise/application.html",
        application=current,
        answer_state=answer_state or FormState(),
        documents=documents_of(current["id"]),
    ), status


@blp.get("/<application_id>")
@representative
def application(application_id: str) -> ResponseReturnValue:
    return _application_page(fetch_application(application_id))


@blp.get("/<application_id>/refusal")
@representative
def refusal(application_id: str) -> ResponseReturnValue:
    return refusal_page(
        fetch_application(application_id), url_for("enterprise.application", application_id=application_id)
    )


@blp.post("/<application_id>/submit")
@representative
def submit(application_id: str) -> ResponseReturnValue:
    page = url_for("enterprise.application", application_id=application_id)
    try:
        done = registry().post(api("/api/v1/applications/{}/submit", application_id), auth.token())
    except ServiceError as error:
        return refused(error, page)
    if done.get("information_requests"):
        return told(_("The application is submitted again. The centre's decision clock runs again."), page)
    return told(_("The application is submitted to the regional centre. Its decision will come to your inbox."), page)


@blp.post("/<application_id>/withdraw")
@representative
def withdraw(application_id: str) -> ResponseReturnValue:
    try:
        registry().post(api("/api/v1/applications/{}/withdraw", application_id), auth.token())
    except ServiceError as error:
        return refused(error, url_for("enterprise.application", application_id=application_id))
    return told(_("The application is withdrawn."), url_for("enterprise.applications"))


@blp.post("/<application_id>/answer")
@representative
def answer(application_id: str) -> ResponseReturnValue:
    state = FormState.of(request.form)
    text = request.form.get("answer", "").strip()
    if not text:
        state.add("answer", _("Write your answer to the centre."))
        return _application_page(fetch_application(application_id), state, 422)
    sent, refusals = send(application_id, chosen_files())
    if refusals:  # the answer waits until its documents are in (those sent stay, listed on the page)
        for refusal in refusals:
            state.add("documents", refusal)
        return _application_page(fetch_application(application_id), state, 422)
    said(sent, [])
    try:
        registry().post(api("/api/v1/applications/{}/answer", application_id), auth.token(), json={"answer": text})
    except ServiceError as error:
        if error.status != 422:
            return refused(error, url_for("enterprise.application", application_id=application_id))
        return _application_page(fetch_application(application_id), place(state, error), 422)
    return told(
        _("Your answer is sent. Change the application if needed, then submit it again."),
        url_for("enterprise.application", application_id=application_id),
    )


# ---------------------------------------------------------------------- the yearly report
def _report_year(entry: dict[str, Any]) -> int:
    """The year most likely due: the oldest overdue one, else last year."""
    overdue = entry.get("overdue_report_years") or []
    return min(overdue) if overdue else today().year - 1


@blp.route("/annual-report", methods=["GET", "POST"])
@representative
def annual_report() -> ResponseReturnValue:
    person = auth.current_person()
    if person is None or not person.enterprise_id:
        return render_template("enterprise/annual_report.html", file=None, entry=None, state=FormState()), 403
    file = enterprise_file(person.enterprise_id)
    entry = file.get("entry")
    if request.method == "GET" or entry is None or entry.get("status") != "active":
        values = {"year": str(_report_year(entry)) if entry else ""}
        return _report_form(file, FormState(values=values), None)
    if request.form.get("then") == "check":
        outcomes, checked = eligibility(_with_entry_request(request.form, entry))
        checked.values = FormState.of(request.form).values
        return _report_form(file, checked, outcomes)
    state = FormState.of(request.form)
    year = digits(request.form.get("year"))
    if year is None or not 1000 <= year <= 9999:
        state.add("year", _("Enter the year the report is for, e.g. %(year)d.", year=_report_year(entry)))
    body = {
        "year": year or 0,
        "evidence": evidence_payload(request.form, state),
        "note": request.form.get("note", "").strip(),
    }
    status = 422
    if state.ok:
        try:
            registry().post(api("/api/v1/enterprises/{}/annual-reports", file["id"]), auth.token(), json=body)
        except ServiceError as error:
            if error.status not in (409, 422):
                raise
            place(state, error)
            status = error.status
        else:
            return told(
                _("The yearly report for %(year)s is submitted.", year=year), url_for("enterprise.applications")
            )
    outcomes, _problems = eligibility(_with_entry_request(request.form, entry))
    return _report_form(file, state, outcomes, status)


@blp.post("/annual-report/eligibility")
def report_live() -> ResponseReturnValue:
    """The rules' outcomes for the yearly report's figures, judged for the enterprise's class and route."""
    person = auth.current_person()
    if person is None or not person.enterprise_id:
        return "", 401
    entry = enterprise_file(person.enterprise_id).get("entry") or {}
    outcomes, problems = eligibility(_with_entry_request(request.form, entry))
    return render_template(
        "enterprise/_outcomes.html", outcomes=outcomes, problems=problems, chosen=_chosen(entry), report=True
    )


def _chosen(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "requested_class": entry.get("enterprise_class", ""),
        "class_a_route": entry.get("class_a_route", ""),
        "a_plus_criterion": entry.get("a_plus_criterion") or "",
    }


def _with_entry_request(form: MultiDict[str, str], entry: dict[str, Any]) -> MultiDict[str, str]:
    """The report's figures with the entry's own class, route and criterion (never taken from the form)."""
    merged = MultiDict([(key, value) for key, value in form.items(multi=True) if key not in _chosen(entry)])
    for key, value in _chosen(entry).items():
        merged.add(key, value)
    return merged


def _report_form(
    file: dict[str, Any], state: FormState, outcomes: dict[str, Any] | None, status: int = 200
) -> ResponseReturnValue:
    entry = file.get("entry")
    return render_template(
        "enterprise/annual_report.html",
        file=file,
        entry=entry,
        state=state,
        outcomes=outcomes,
        problems=None,
        chosen=_chosen(entry or {}),
        groups=register_reference()["vulnerable_groups"],
        placed=["year", "note", *evidence_inputs()],
        report=True,
    ), status
