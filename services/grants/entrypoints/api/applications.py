"""Applications over HTTP, from the draft plan to completion.

Representatives write their enterprise's plan and answer requests; staff of the application's centre
check, decide, record deliveries and payments; assigned evaluators declare and score. Figures cannot
change after submission except in the answer to a request for information (409 otherwise).
"""

from __future__ import annotations

from typing import Any

from services.grants.domain.application import Application
from services.grants.entrypoints.api.context import grants
from services.grants.entrypoints.api.schemas import (
    OBJECT,
    AnswerSchema,
    AwardSchema,
    ContractSchema,
    DeclarationSchema,
    DeliverySchema,
    EvaluatorSchema,
    LineChangeSchema,
    ListQuerySchema,
    NewApplicationSchema,
    PaymentSchema,
    PlanChangesSchema,
    ReasonsSchema,
    ScoreSchema,
    SettleSchema,
    TextSchema,
    aids_of,
    application_view,
    eligibility_view,
    lines_of,
)
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented

blp = Blueprint("applications", __name__, url_prefix="/api/v1", description="Applications for support")


def _shown(application: Application) -> dict[str, Any]:
    principal = current_principal()
    staff = principal.may_work_in_centre(application.centre)
    view = application_view(
        application, staff=staff, viewer=principal.subject, tolerance_percent=grants().rules.tolerance_percent
    )
    if application.status.value == "draft":
        view["eligibility"] = eligibility_view(grants().eligibility(application))
    return view


@blp.get("/applications")
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200)
@documented(OBJECT)
def list_applications(query: dict[str, Any]) -> dict[str, Any]:
    """A representative: its enterprise's; staff: their centre's (national: every one); an evaluator also those
    assigned to them — never one they declared a conflict of interest on."""
    found = grants().listed(current_principal(), query.get("call_id"), query.get("status"))
    return {"items": [_shown(a) for a in found]}


@blp.post("/applications")
@blp.arguments(NewApplicationSchema)
@blp.response(201)
@documented(OBJECT, 201)
def start(data: dict[str, Any]) -> dict[str, Any]:
    """Start a draft plan for the caller's enterprise; the answer shows each eligibility rule's outcome."""
    application = grants().start(
        current_principal(), data["call_id"], lines_of(data["lines"]), aids_of(data["declared_aid"])
    )
    return _shown(application)


@blp.get("/applications/<application_id>")
@blp.response(200)
@documented(OBJECT)
def show(application_id: str) -> dict[str, Any]:
    """An application (404 for anyone who may not see it, and for an evaluator who declared a conflict)."""
    return _shown(grants().get(current_principal(), application_id))


@blp.patch("/applications/<application_id>")
@blp.arguments(PlanChangesSchema)
@blp.response(200)
@documented(OBJECT)
def edit(data: dict[str, Any], application_id: str) -> dict[str, Any]:
    """Replace the budget lines or the declared de minimis aid of a draft."""
    lines = lines_of(data["lines"]) if "lines" in data else None
    aids = aids_of(data["declared_aid"]) if "declared_aid" in data else None
    return _shown(grants().edit(current_principal(), application_id, lines, aids))


@blp.post("/applications/<application_id>/submit")
@blp.response(200)
@documented(OBJECT)
def submit(application_id: str) -> dict[str, Any]:
    """Submit while the call is open: the figures are frozen from now on."""
    return _shown(grants().submit(current_principal(), application_id))


@blp.post("/applications/<application_id>/check")
@blp.response(200)
@documented(OBJECT)
def start_check(application_id: str) -> dict[str, Any]:
    """Start the administrative check."""
    return _shown(grants().start_check(current_principal(), application_id))


@blp.post("/applications/<application_id>/request-information")
@blp.arguments(TextSchema)
@blp.response(200)
@documented(OBJECT)
def request_information(data: dict[str, Any], application_id: str) -> dict[str, Any]:
    """Ask the applicant for missing documents or corrections; the plan opens for the answer."""
    return _shown(grants().request_information(current_principal(), application_id, data["text"]))


@blp.post("/applications/<application_id>/answer")
@blp.arguments(AnswerSchema)
@blp.response(200)
@documented(OBJECT)
def answer(data: dict[str, Any], application_id: str) -> dict[str, Any]:
    """Answer the open request, with corrected budget lines if asked; the check resumes."""
    lines = lines_of(data["lines"]) if "lines" in data else None
    return _shown(grants().answer(current_principal(), application_id, data["text"], lines))


@blp.post("/applications/<application_id>/admit")
@blp.response(200)
@documented(OBJECT)
def admit(application_id: str) -> dict[str, Any]:
    """The check is passed: on to evaluation."""
    return _shown(grants().admit(current_principal(), application_id))


@blp.post("/applications/<application_id>/evaluators")
@blp.arguments(EvaluatorSchema)
@blp.response(200)
@documented(OBJECT)
def assign_evaluator(data: dict[str, Any], application_id: str) -> dict[str, Any]:
    """Assign an evaluator (by sign-in id): two, a third when their totals differ by more than the margin."""
    return _shown(grants().assign_evaluator(current_principal(), application_id, data["evaluator"]))


@blp.post("/applications/<application_id>/declaration")
@blp.arguments(DeclarationSchema)
@blp.response(200)
@documented(OBJECT)
def declare(data: dict[str, Any], application_id: str) -> dict[str, Any]:
    """The assigned evaluator declares whether they have a conflict of interest; with one, the application is
    gone from their sight for good."""
    application = grants().declare(current_principal(), application_id, data["conflict_of_interest"])
    if data["conflict_of_interest"]:
        return {"id": application.id, "conflict_of_interest": True}
    return _shown(application)


@blp.post("/applications/<application_id>/scores")
@blp.arguments(ScoreSchema)
@blp.response(200)
@documented(OBJECT)
def score(data: dict[str, Any], application_id: str) -> dict[str, Any]:
    """Score every criterion of the call's rubric (after declaring no conflict)."""
    return _shown(grants().score(current_principal(), application_id, data["points"], data["comment"]))


@blp.post("/applications/<application_id>/reject")
@blp.arguments(ReasonsSchema)
@blp.response(200)
@documented(OBJECT)
def reject(data: dict[str, Any], application_id: str) -> dict[str, Any]:
    """Reject with reasons."""
    return _shown(grants().reject(current_principal(), application_id, data["reasons"]))


@blp.post("/applications/<application_id>/reserve")
@blp.arguments(ReasonsSchema)
@blp.response(200)
@documented(OBJECT)
def reserve(data: dict[str, Any], application_id: str) -> dict[str, Any]:
    """Put a ranked application on the reserve list."""
    return _shown(grants().reserve(current_principal(), application_id, data["reasons"]))


@blp.post("/applications/<application_id>/award")
@blp.arguments(AwardSchema)
@blp.response(200)
@documented(OBJECT)
def award(data: dict[str, Any], application_id: str) -> dict[str, Any]:
    """Award (by default what was asked for): 409 naming ``amount_cents`` when the region's envelope or the de
    minimis ceiling has not that much left — also when two awards are decided at the same moment."""
    return _shown(grants().award(current_principal(), application_id, data.get("amount_cents"), data["reasons"]))


@blp.post("/applications/<application_id>/contract")
@blp.arguments(ContractSchema)
@blp.response(200)
@documented(OBJECT)
def contract(data: dict[str, Any], application_id: str) -> dict[str, Any]:
    """Sign the contract: it gets its number."""
    return _shown(grants().sign_contract(current_principal(), application_id, data["signed_on"]))


@blp.post("/applications/<application_id>/deliveries")
@blp.arguments(DeliverySchema)
@blp.response(200)
@documented(OBJECT)
def deliver(data: Any, application_id: str) -> dict[str, Any]:
    """Record a budget line's delivery: acceptance protocol, invoice and amount (never above the line)."""
    return _shown(grants().record_delivery(current_principal(), application_id, data))


@blp.post("/applications/<application_id>/payments")
@blp.arguments(PaymentSchema)
@blp.response(200)
@documented(OBJECT)
def pay(data: Any, application_id: str) -> dict[str, Any]:
    """Record a payment (advance, interim, final): never above the award, nor above what was delivered."""
    return _shown(grants().pay(current_principal(), application_id, data))


@blp.post("/applications/<application_id>/changes")
@blp.arguments(LineChangeSchema)
@blp.response(201)
@documented(OBJECT, 201)
def change_lines(data: dict[str, Any], application_id: str) -> dict[str, Any]:
    """Move money between two lines: within the tolerance (``change_tolerance_percent`` of the giving line's
    amount) it applies at once, above it waits for the centre."""
    service = grants()
    change = service.change_lines(current_principal(), application_id, **data)
    return {
        "id": change.id,
        "status": change.status.value,
        "amount_cents": change.amount_cents,
        "change_tolerance_percent": service.rules.tolerance_percent,
    }


@blp.post("/applications/<application_id>/changes/<change_id>")
@blp.arguments(SettleSchema)
@blp.response(200)
@documented(OBJECT)
def settle_change(data: dict[str, Any], application_id: str, change_id: str) -> dict[str, Any]:
    """Approve or refuse a change above the tolerance."""
    change = grants().settle_change(current_principal(), application_id, change_id, data["approve"])
    return {"id": change.id, "status": change.status.value, "amount_cents": change.amount_cents}


@blp.post("/applications/<application_id>/complete")
@blp.response(200)
@documented(OBJECT)
def complete(application_id: str) -> dict[str, Any]:
    """Complete the support once every line is delivered and a follow-up assessment is in."""
    return _shown(grants().complete(current_principal(), application_id))
