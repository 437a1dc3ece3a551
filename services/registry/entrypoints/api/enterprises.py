"""A registered enterprise's life in the register: details, renewal, class, deletion, yearly reports."""

from __future__ import annotations

from typing import Any

from services.registry.adapters.documents import from_document, register_view
from services.registry.domain.enterprise import ApplicationRequest, Enterprise
from services.registry.domain.entry import Order
from services.registry.entrypoints.api.context import registry
from services.registry.entrypoints.api.schemas import (
    AnnualReportSchema,
    ClassChangeSchema,
    DeletionSchema,
    QueueQuerySchema,
    RequestSchema,
    UpdateDetailsSchema,
)
from services.registry.entrypoints.api.scope import clerk_centre
from services.registry.entrypoints.api.views import file_view, register_item
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint

blp = Blueprint("enterprises", __name__, url_prefix="/api/v1/enterprises", description="Registered enterprises")


def _file(enterprise: Enterprise) -> dict[str, Any]:
    ctx = registry()
    return file_view(enterprise, ctx.policy, ctx.clock.now())


@blp.post("/<enterprise_id>/renewals")
@blp.arguments(RequestSchema)
@blp.response(201)
def renew(request: ApplicationRequest, enterprise_id: str) -> dict[str, Any]:
    """Apply for renewal before the certificate expires (opens a renewal application as a draft)."""
    return _file(registry().service.apply_for_renewal(current_principal(), enterprise_id, request))


@blp.patch("/<enterprise_id>")
@blp.arguments(UpdateDetailsSchema)
@blp.response(200)
def update_details(data: dict[str, Any], enterprise_id: str) -> dict[str, Any]:
    """Change a registered enterprise's address, contacts, activities or description."""
    return _file(
        registry().service.update_details(
            current_principal(), enterprise_id, data["details"], data.get("expected_version")
        )
    )


@blp.post("/<enterprise_id>/class-change")
@blp.arguments(ClassChangeSchema)
@blp.response(200)
def change_class(data: dict[str, Any], enterprise_id: str) -> dict[str, Any]:
    """Lower the class from A+ to A when an A+ criterion is no longer met."""
    return _file(registry().service.change_class(current_principal(), enterprise_id, data["new_class"], data["reason"]))


@blp.post("/<enterprise_id>/deletion")
@blp.arguments(DeletionSchema)
@blp.response(200)
def delete(data: dict[str, Any], enterprise_id: str) -> dict[str, Any]:
    """Delete the entry by order, with a reason code."""
    order = Order(data["order_number"], data["order_date"])
    return _file(
        registry().service.delete(current_principal(), enterprise_id, order, data["reason_code"], data["note"])
    )


@blp.post("/<enterprise_id>/annual-reports")
@blp.arguments(AnnualReportSchema)
@blp.response(201)
def annual_report(data: dict[str, Any], enterprise_id: str) -> dict[str, Any]:
    """Submit the yearly information showing the criteria are still met."""
    return _file(
        registry().service.submit_annual_report(
            current_principal(), enterprise_id, data["year"], data["evidence"], data["note"]
        )
    )


@blp.get("/overdue-reports")
@blp.arguments(QueueQuerySchema, location="query")
@blp.response(200)
def overdue_reports(query: dict[str, Any]) -> dict[str, Any]:
    """Registered enterprises whose yearly information is overdue, in the clerk's centre."""
    principal = current_principal()
    centre = clerk_centre(principal, query.get("centre"))
    items = []
    for document in registry().queries.overdue_reports(centre):
        enterprise = from_document(document)
        view = register_view(enterprise)
        if view is not None and enterprise.entry is not None:
            items.append({**register_item(view), "overdue_years": enterprise.entry.overdue_report_years})
    return {
        "total": len(items),
        "items": items,
    }
