"""Applications to the register: drafts, submission, the clerks' queue and decisions."""

from __future__ import annotations

from typing import Any

from services.registry.adapters.documents import from_document
from services.registry.domain.audit import ReadView
from services.registry.domain.eligibility import assess
from services.registry.domain.enterprise import ApplicationRequest
from services.registry.domain.entry import Order
from services.registry.entrypoints.api.context import registry
from services.registry.entrypoints.api.responses import ApplicationListSchema, ApplicationSchema, EligibilitySchema
from services.registry.entrypoints.api.schemas import (
    AmendApplicationSchema,
    AnswerSchema,
    EligibilityRequestSchema,
    MessageSchema,
    NewApplicationSchema,
    OrderSchema,
    QueueQuerySchema,
    RejectSchema,
)
from services.registry.entrypoints.api.scope import clerk_centre
from services.registry.entrypoints.api.views import application_view, assessment_view, competing_view, file_view
from shared.auth import Role
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented
from shared.web.ratelimit import public_limit

blp = Blueprint(
    "applications", __name__, url_prefix="/api/v1", description="Applications to the register and their review"
)


def _application(enterprise_id: str, application_id: str | None = None) -> dict[str, Any]:
    ctx = registry()
    principal = current_principal()
    enterprise = ctx.service.view(principal, enterprise_id)
    app = enterprise.application
    if application_id is not None:
        app = next((a for a in [*enterprise.past_applications, app] if a and a.id == application_id), app)
    assert app is not None
    view = application_view(enterprise, app, ctx.policy, ctx.clock.now())
    competing = ctx.service.competing(principal, enterprise)
    if competing or not ctx.service.may_represent(principal, enterprise):
        view["competing_applications"] = [competing_view(other) for other in competing]
    return view


@blp.post("/eligibility")
@blp.arguments(EligibilityRequestSchema)
@blp.response(200)
@documented(EligibilitySchema)
@public_limit
def check_eligibility(request: ApplicationRequest) -> dict[str, Any]:
    """Evaluate class A and A+ rules for the given figures without saving anything (for forms as they are filled)."""
    t = registry().policy.thresholds
    return assessment_view(
        assess(request.evidence, request.requested_class, request.class_a_route, request.a_plus_criterion, t)
    )


@blp.post("/applications")
@blp.arguments(NewApplicationSchema)
@blp.response(201)
@documented(ApplicationSchema, 201)
def create_application(data: dict[str, Any]) -> dict[str, Any]:
    """Start a draft application (an enterprise representative)."""
    enterprise = registry().service.start_application(current_principal(), data["details"], data["request"])
    assert enterprise.application is not None
    return _application(enterprise.id)


@blp.get("/applications")
@blp.arguments(QueueQuerySchema, location="query")
@blp.response(200)
@documented(ApplicationListSchema)
def list_applications(query: dict[str, Any]) -> dict[str, Any]:
    """Clerks: their centre's queue, ordered by due date with overdue marked. Representatives: their own."""
    ctx = registry()
    principal = current_principal()
    now = ctx.clock.now()
    if principal.has_any(Role.CLERK, Role.ADMIN) and not (
        principal.clerk_scope() is None and Role.REPRESENTATIVE in principal.roles
    ):
        centre = clerk_centre(principal, query.get("centre"))
        page = ctx.queries.queue(
            centre, query.get("status"), query.get("overdue"), now, query["page"], query["per_page"]
        )
        documents = page.items
        total = page.total
        reviewing = True
    else:
        reviewing = False
        documents = ctx.queries.of_representative(principal.subject, principal.enterprise_id)
        total = len(documents)
    items, shown = [], []
    for document in documents:
        enterprise = from_document({**document, "history": [], "past_applications": []})
        if enterprise.application is not None:
            items.append(application_view(enterprise, enterprise.application, ctx.policy, now))
            shown.append((enterprise, enterprise.application.id))
    if reviewing:
        ctx.service.record_reads(principal, ReadView.QUEUE, shown)
    return {"total": total, "items": items}


@blp.get("/applications/<application_id>")
@blp.response(200)
@documented(ApplicationSchema)
def get_application(application_id: str) -> dict[str, Any]:
    """An application with each eligibility rule's outcome, for its representative or a clerk of its centre."""
    ctx = registry()
    principal = current_principal()
    enterprise = ctx.service.view_application(principal, application_id)
    ctx.service.record_reads(principal, ReadView.APPLICATION, [(enterprise, application_id)])
    return _application(enterprise.id, application_id)


@blp.get("/enterprises/<enterprise_id>/file")
@blp.response(200)
def get_file(enterprise_id: str) -> dict[str, Any]:
    """The enterprise's whole file: current and past applications, entry and full history."""
    ctx = registry()
    principal = current_principal()
    enterprise = ctx.service.view(principal, enterprise_id)
    ctx.service.record_reads(principal, ReadView.FILE, [(enterprise, None)])
    return file_view(enterprise, ctx.policy, ctx.clock.now())


@blp.patch("/applications/<application_id>")
@blp.arguments(AmendApplicationSchema)
@blp.response(200)
@documented(ApplicationSchema)
def amend_application(data: dict[str, Any], application_id: str) -> dict[str, Any]:
    """Change a draft, or an application the clerk asked more information about."""
    enterprise = registry().service.amend_application(
        current_principal(), application_id, data.get("details"), data.get("request"), data.get("expected_version")
    )
    return _application(enterprise.id, application_id)


def _transition(application_id: str, action: str, *args: Any) -> dict[str, Any]:
    service = registry().service
    enterprise = getattr(service, action)(current_principal(), application_id, *args)
    return _application(enterprise.id, application_id)


@blp.post("/applications/<application_id>/submit")
@blp.response(200)
@documented(ApplicationSchema)
def submit_application(application_id: str) -> dict[str, Any]:
    """Submit a draft, or resubmit after a request for information (the decision clock runs again)."""
    return _transition(application_id, "submit")


@blp.post("/applications/<application_id>/answer")
@blp.arguments(AnswerSchema)
@blp.response(200)
@documented(ApplicationSchema)
def answer_request(data: dict[str, Any], application_id: str) -> dict[str, Any]:
    """Answer the clerk's open request for information (then amend and resubmit)."""
    return _transition(application_id, "answer_information_request", data["answer"])


@blp.post("/applications/<application_id>/withdraw")
@blp.response(200)
@documented(ApplicationSchema)
def withdraw_application(application_id: str) -> dict[str, Any]:
    return _transition(application_id, "withdraw")


@blp.post("/applications/<application_id>/request-information")
@blp.arguments(MessageSchema)
@blp.response(200)
@documented(ApplicationSchema)
def request_information(data: dict[str, Any], application_id: str) -> dict[str, Any]:
    """Ask the applicant for more information; the decision clock pauses until they resubmit."""
    return _transition(application_id, "request_information", data["message"])


@blp.post("/applications/<application_id>/approve")
@blp.arguments(OrderSchema)
@blp.response(200)
@documented(ApplicationSchema)
def approve_application(order: Order, application_id: str) -> dict[str, Any]:
    """Enter the enterprise by order and issue its certificate (3 years for class A, 2 for A+)."""
    return _transition(application_id, "approve", order)


@blp.post("/applications/<application_id>/reject")
@blp.arguments(RejectSchema)
@blp.response(200)
@documented(ApplicationSchema)
def reject_application(data: dict[str, Any], application_id: str) -> dict[str, Any]:
    return _transition(application_id, "reject", data["reasons"])
