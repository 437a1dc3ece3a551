"""A regional centre's clerks: the queue by due date, the review of an application and the decisions on it,
and an enterprise's file with its deletion from the register by order."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from services.portal import auth
from services.portal.clients import ServiceError
from services.portal.documents import documents_of
from services.portal.forms import FormState
from services.portal.i18n import localised
from services.portal.reference import centre_name, choices
from services.portal.registry_api import api, enterprise_file, registry, told
from services.portal.registry_api import application as fetch_application
from services.portal.registry_forms import lines, order_date, page_number, place, today
from services.portal.registry_labels import labels
from services.portal.views.refusal import refusal_page

blp = Blueprint("clerk", __name__, url_prefix="/clerk")
blp.context_processor(labels)
signed_in_clerk = auth.signed_in("clerk")
F = TypeVar("F", bound=Callable[..., Any])


def clerk(view: F) -> F:
    """Clerks' pages; a clerk whose sign-in names no centre is refused here, not shown every centre's work."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        person = auth.current_person()
        if person is not None and not person.has("admin") and not person.centre:
            message = _(
                "Your clerk's sign-in names no regional centre, so no applications are shown. "
                "Ask an administrator to give you one."
            )
            return render_template("error.html", status=403, message=message), 403
        return view(*args, **kwargs)

    return signed_in_clerk(guarded)  # type: ignore[return-value]


PER_PAGE = 20
QUEUE_STATES = ("submitted", "information_requested")
ACTIONS = ("information", "approve", "reject")


def _national() -> bool:
    """Ministry clerks (an explicit ``national`` centre) and administrators see every centre's queue."""
    person = auth.current_person()
    return person is not None and (person.centre == "national" or person.has("admin"))


# ---------------------------------------------------------------------- the queue
@blp.get("/applications")
@clerk
def queue() -> ResponseReturnValue:
    person = auth.current_person()
    status = request.args.get("status", "")
    status = status if status in QUEUE_STATES else ""
    overdue = request.args.get("overdue") == "1"
    centre = request.args.get("centre", "") if _national() else ""
    centre = centre if centre in {code for code, _name in choices("centres")} else ""
    number = page_number(request.args.get("page"))
    params: dict[str, Any] = {"status": status, "centre": centre, "page": number, "per_page": PER_PAGE}
    if overdue:
        params["overdue"] = "true"
    found = registry().get("/api/v1/applications", auth.token(), params=params)
    args = {
        key: value
        for key, value in (("status", status), ("overdue", "1" if overdue else ""), ("centre", centre))
        if value
    }
    return render_template(
        "clerk/queue.html",
        found=found,
        args=args,
        page_number=number,
        per_page=PER_PAGE,
        national=_national(),
        centres=choices("centres"),
        own_centre=centre_name(person.centre) if person and not _national() else "",
        state=FormState(values=args),
    )


# ---------------------------------------------------------------------- one application
def _review(application_id: str, forms: dict[str, FormState] | None = None, status: int = 200) -> ResponseReturnValue:
    current = fetch_application(application_id)
    file = enterprise_file(current["enterprise_id"])
    states = {name: FormState() for name in ACTIONS}
    states["approve"].values["order_date"] = today().isoformat()
    states.update(forms or {})
    shown = {"submitted": set(ACTIONS), "information_requested": {"reject"}}.get(current["status"], set())
    refusals = [state.message for name, state in states.items() if name not in shown and state.message]
    documents = documents_of(application_id)
    return render_template(
        "clerk/review.html", application=current, file=file, forms=states, refusals=refusals, documents=documents
    ), status


@blp.get("/applications/<application_id>")
@clerk
def review(application_id: str) -> ResponseReturnValue:
    return _review(application_id)


def confirmed(name: str, state: FormState) -> None:
    """Approval, refusal and deletion are legal acts: each is sent only with its box ticked (no JavaScript needed)."""
    if request.form.get(name) != "1":
        state.add(name, _("Tick the box to confirm this legal act; it cannot be undone here."))


@blp.get("/applications/<application_id>/refusal")
@clerk
def refusal(application_id: str) -> ResponseReturnValue:
    return refusal_page(fetch_application(application_id), url_for("clerk.review", application_id=application_id))


def _decide(application_id: str, step: str, body: dict[str, Any], state: FormState) -> dict[str, Any] | None:
    """Send a decision; a refusal is put on the action's own form. None when it was refused."""
    try:
        return registry().post(api(f"/api/v1/applications/{{}}/{step}", application_id), auth.token(), json=body)
    except ServiceError as error:
        if error.status not in (409, 422):
            raise
        place(state, error)
        if error.status == 409:
            state.message = localised(error.message)
        return None


@blp.post("/applications/<application_id>/request-information")
@clerk
def request_information(application_id: str) -> ResponseReturnValue:
    state = FormState.of(request.form)
    message = request.form.get("message", "").strip()
    if not message:
        state.add("message", _("Write what information the applicant should send."))
    elif _decide(application_id, "request-information", {"message": message}, state):
        return told(
            _("The request is sent to the applicant. The decision clock is paused until they submit again."),
            url_for("clerk.review", application_id=application_id),
        )
    return _review(application_id, {"information": state}, 409 if state.message else 422)


@blp.post("/applications/<application_id>/approve")
@clerk
def approve(application_id: str) -> ResponseReturnValue:
    state = FormState.of(request.form)
    number = request.form.get("order_number", "").strip()
    if not number:
        state.add("order_number", _("Enter the number of the order."))
    day = order_date(request.form.get("order_date", ""), "order_date", state)
    confirmed("confirm_approval", state)
    if state.ok:
        done = _decide(application_id, "approve", {"order_number": number, "order_date": day}, state)
        if done:
            return told(
                _(
                    "The application is approved: the enterprise is entered in the register under number %(number)s.",
                    number=done.get("registration_number", ""),
                ),
                url_for("clerk.review", application_id=application_id),
            )
    return _review(application_id, {"approve": state}, 409 if state.message else 422)


@blp.post("/applications/<application_id>/reject")
@clerk
def reject(application_id: str) -> ResponseReturnValue:
    state = FormState.of(request.form)
    reasons = lines(request.form.get("reasons", ""))
    if not reasons:
        state.add("reasons", _("Give at least one reason for the refusal."))
    confirmed("confirm_refusal", state)
    if state.ok and _decide(application_id, "reject", {"reasons": reasons}, state):
        return told(
            _("The application is refused. The applicant is told the reasons."),
            url_for("clerk.review", application_id=application_id),
        )
    return _review(application_id, {"reject": state}, 409 if state.message else 422)


# ---------------------------------------------------------------------- an enterprise's file
def _file_page(enterprise_id: str, state: FormState | None = None, status: int = 200) -> ResponseReturnValue:
    file = enterprise_file(enterprise_id)
    if state is None:
        state = FormState(values={"order_date": today().isoformat()})
    return render_template("clerk/enterprise.html", file=file, state=state, reasons=choices("deletion_reasons")), status


@blp.get("/enterprises/<enterprise_id>")
@clerk
def enterprise(enterprise_id: str) -> ResponseReturnValue:
    return _file_page(enterprise_id)


@blp.post("/enterprises/<enterprise_id>/deletion")
@clerk
def delete(enterprise_id: str) -> ResponseReturnValue:
    state = FormState.of(request.form)
    number = request.form.get("order_number", "").strip()
    reason = request.form.get("reason_code", "")
    if not number:
        state.add("order_number", _("Enter the number of the order."))
    if not reason:
        state.add("reason_code", _("Choose the reason for the deletion."))
    day = order_date(request.form.get("order_date", ""), "order_date", state)
    confirmed("confirm_deletion", state)
    if state.ok:
        body = {
            "order_number": number,
            "order_date": day,
            "reason_code": reason,
            "note": request.form.get("note", "").strip(),
        }
        try:
            registry().post(api("/api/v1/enterprises/{}/deletion", enterprise_id), auth.token(), json=body)
        except ServiceError as error:
            if error.status not in (409, 422):
                raise
            place(state, error)
            if error.status == 409:
                state.message = localised(error.message)
        else:
            return told(
                _("The enterprise is deleted from the register by order № %(number)s.", number=number),
                url_for("clerk.enterprise", enterprise_id=enterprise_id),
            )
    return _file_page(enterprise_id, state, 409 if state.message else 422)
