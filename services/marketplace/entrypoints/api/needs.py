"""Buyers' needs (small tenders): buyers post them, clerks check them, sellers answer them."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from services.marketplace.domain.need import STATUS_BG, Interest, Need, NeedStatus, Outcome
from services.marketplace.domain.parties import BuyerKind
from services.marketplace.entrypoints.api.context import marketplace
from services.marketplace.entrypoints.api.responses import NeedListSchema, NeedSchema
from services.marketplace.entrypoints.api.schemas import category_field, cents
from services.marketplace.entrypoints.api.views import category_view, euro
from services.marketplace.service_layer.needs import Audience, NeedList, NeedRequest, audience, seller_of
from shared.auth import Principal
from shared.documents import plain
from shared.errors import Text, Unauthorized
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented
from shared.web.schemas import PageQuerySchema, StrictSchema, district_field, one_of, text
from shared.web.translations import bilingual

blp = Blueprint("needs", __name__, url_prefix="/api/v1", description="Buyers' needs (small tenders)")

MAX_QUANTITY = 10_000_000
SIGN_IN = Text("Необходим е вход в системата.", "Sign-in is required.")


# ---------------------------------------------------------------------- requests
class NewNeedSchema(StrictSchema):
    title = text(140, required=True)
    description = text(5000, min_length=0, load_default="")
    category = category_field(required=True)
    districts = fields.List(district_field(), validate=validate.Length(min=1, max=28), required=True)
    quantity = fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_QUANTITY), required=True)
    unit = text(30, required=True)
    budget_min_cents = cents(allow_none=True, load_default=None)
    budget_max_cents = cents(allow_none=True, load_default=None)
    deadline = fields.Date(required=True, metadata={"description": "The last Sofia date sellers may answer"})
    organisation = text(200, min_length=0, load_default="", metadata={"description": "Shown on the public board"})
    kind = fields.String(
        validate=one_of([k.value for k in BuyerKind], "вид купувач", "buyer kind"), load_default="citizen"
    )

    @validates_schema
    def budget_range(self, data: dict[str, Any], **_: Any) -> None:
        low, high = data.get("budget_min_cents"), data.get("budget_max_cents")
        if low is not None and high is not None and low > high:
            raise ValidationError(
                bilingual(
                    "Горната граница на бюджета е по-малка от долната.", "The maximum budget is below the minimum."
                ),
                "budget_max_cents",
            )


class NeedQuerySchema(PageQuerySchema):
    category = category_field(metadata={"description": "The category or any of its sub-categories"})
    district = district_field()
    mine = fields.Boolean(load_default=False, metadata={"description": "A buyer's own needs, in any state"})
    status = fields.String(
        validate=one_of([s.value for s in NeedStatus], "състояние", "status"),
        metadata={"description": "Clerks and admins: needs in this state (submitted: the queue, oldest first)"},
    )

    @validates_schema
    def one_list(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("mine") and data.get("status"):
            raise ValidationError(
                bilingual("Изберете или собствените си нужди, или състояние.", "Ask for your own needs or a status."),
                "status",
            )
        if data.get("mine") or data.get("status"):
            problems = {
                name: [bilingual("Филтърът е само за публичния списък.", "This filter is for the public board only.")]
                for name in ("category", "district")
                if data.get(name)
            }
            if problems:
                raise ValidationError(problems)


class RejectSchema(StrictSchema):
    reason = text(1000, required=True)


class InterestSchema(StrictSchema):
    message = text(2000, required=True)


class OutcomeSchema(StrictSchema):
    deal_happened = fields.Boolean(required=True)
    seller_id = text(64, allow_none=True, load_default=None)
    amount_cents = cents(allow_none=True, load_default=None)
    note = text(2000, min_length=0, load_default="")


# ---------------------------------------------------------------------- responses
def budget_view(low: int | None, high: int | None) -> dict[str, Any]:
    if low is not None and high is not None:
        display = euro(low) if low == high else f"{euro(low)} – {euro(high)}"
    elif low is not None:
        display = f"от {euro(low)}"
    elif high is not None:
        display = f"до {euro(high)}"
    else:
        display = "по договаряне"
    return {"min_cents": low, "max_cents": high, "display": display}


def interest_view(interest: Interest) -> dict[str, Any]:
    return {
        "seller_id": interest.seller_id,
        "seller_name": interest.seller_name,
        "seller_email": interest.seller_email,
        "message": interest.message,
        "at": interest.at,
    }


def outcome_view(outcome: Outcome | None) -> dict[str, Any] | None:
    if outcome is None:
        return None
    return {
        "deal_happened": outcome.deal_happened,
        "seller_id": outcome.seller_id,
        "amount_cents": outcome.amount_cents,
        "note": outcome.note,
        "at": outcome.at,
    }


def need_view(need: Need, principal: Principal) -> dict[str, Any]:
    """What ``principal`` may see of a need: the public part for everyone (never the buyer's e-mail), a
    seller's own interest for that seller, and everything for the buyer, clerks and admins."""
    seen_by = audience(principal, need)
    view: dict[str, Any] = {
        "id": need.id,
        "title": need.title,
        "description": need.description,
        "category": category_view(need.category),
        "districts": list(need.districts),
        "quantity": need.quantity,
        "unit": need.unit,
        "budget": budget_view(need.budget_min_cents, need.budget_max_cents),
        "deadline": plain(need.deadline),
        "status": need.status.value,
        "status_bg": STATUS_BG[need.status],
        "accepts_interest": need.accepts_interest(marketplace().needs.clock.now()),
        "published_at": need.validated_at if need.status is not NeedStatus.REJECTED else None,
        "buyer": {"organisation": need.buyer.organisation or None, "kind": need.buyer.kind.value},
    }
    if seen_by is Audience.SELLER:
        mine = need.interest_of(seller_of(principal) or "")
        view["my_interest"] = interest_view(mine) if mine else None
    if seen_by in (Audience.BUYER, Audience.STAFF):
        view.update(
            buyer={
                "id": need.buyer.id,
                "name": need.buyer.name,
                "email": need.buyer.email,
                "organisation": need.buyer.organisation or None,
                "kind": need.buyer.kind.value,
            },
            created_at=need.created_at,
            validated_by=need.validated_by,
            validated_at=need.validated_at,
            rejection_reason=need.rejection_reason,
            matches=[{"seller_id": m.seller_id, "name": m.name, "email": m.email} for m in need.matches],
            interests=[interest_view(i) for i in need.interests],
            outcome=outcome_view(need.outcome),
            version=need.version,
        )
    return view


def list_view(found: NeedList, query: dict[str, Any], principal: Principal) -> dict[str, Any]:
    return {
        "total": found.total,
        "page": query["page"],
        "per_page": query["per_page"],
        "items": [need_view(need, principal) for need in found.items],
    }


# ---------------------------------------------------------------------- endpoints
@blp.post("/needs")
@blp.arguments(NewNeedSchema)
@blp.response(201)
@documented(NeedSchema, 201)
def post(data: dict[str, Any]) -> dict[str, Any]:
    """Post a need: what, in which category and districts, how much, the budget and the deadline.

    A clerk or an admin checks it before sellers see it."""
    principal = current_principal()
    request = NeedRequest(**{**data, "kind": BuyerKind(data["kind"])})
    return need_view(marketplace().needs.post(principal, request), principal)


@blp.get("/needs")
@blp.alt_response(403, response="FORBIDDEN")  # ?mine=true from someone who is not a buyer
@blp.arguments(NeedQuerySchema, location="query")
@blp.response(200)
@documented(NeedListSchema)
def board(query: dict[str, Any]) -> dict[str, Any]:
    """Published needs still open to sellers, the soonest deadline first (filters: category, district).

    ``mine=true``: a buyer's own needs, newest first. ``status=…``: clerks' and admins' lists
    (``submitted`` is the queue to check, oldest first)."""
    principal = current_principal()
    service = marketplace().needs
    page, per_page = query["page"], query["per_page"]
    if (query["mine"] or query.get("status")) and not principal.is_authenticated:
        raise Unauthorized(SIGN_IN)
    if query["mine"]:
        found = service.mine(principal, page, per_page)
    elif query.get("status"):
        found = service.queue(principal, NeedStatus(query["status"]), page, per_page)
    else:
        found = service.board(query.get("category"), query.get("district"), page, per_page)
    return list_view(found, query, principal)


@blp.get("/needs/<need_id>")
@blp.response(200)
@documented(NeedSchema)
def show(need_id: str) -> dict[str, Any]:
    """A published need for anyone; others only for their buyer, clerks and admins."""
    principal = current_principal()
    return need_view(marketplace().needs.view(principal, need_id), principal)


@blp.post("/needs/<need_id>/validate")
@blp.response(200)
@documented(NeedSchema)
def validate_need(need_id: str) -> dict[str, Any]:
    """Publish a submitted need; every seller offering its category in its districts is told."""
    principal = current_principal()
    return need_view(marketplace().needs.validate(principal, need_id), principal)


@blp.post("/needs/<need_id>/reject")
@blp.arguments(RejectSchema)
@blp.response(200)
@documented(NeedSchema)
def reject(data: dict[str, Any], need_id: str) -> dict[str, Any]:
    """Refuse a submitted need, telling the buyer why."""
    principal = current_principal()
    return need_view(marketplace().needs.reject(principal, need_id, data["reason"]), principal)


@blp.post("/needs/<need_id>/withdraw")
@blp.response(200)
@documented(NeedSchema)
def withdraw(need_id: str) -> dict[str, Any]:
    """The buyer takes back a need that is still submitted or published."""
    principal = current_principal()
    return need_view(marketplace().needs.withdraw(principal, need_id), principal)


@blp.post("/needs/<need_id>/interest")
@blp.arguments(InterestSchema)
@blp.response(201)
@documented(NeedSchema, 201)
def interest(data: dict[str, Any], need_id: str) -> dict[str, Any]:
    """A seller in good standing tells the buyer it can help, up to the deadline (once per need)."""
    principal = current_principal()
    return need_view(marketplace().needs.express_interest(principal, need_id, data["message"]), principal)


@blp.post("/needs/<need_id>/outcome")
@blp.arguments(OutcomeSchema)
@blp.response(200)
@documented(NeedSchema)
def outcome(data: dict[str, Any], need_id: str) -> dict[str, Any]:
    """The buyer says whether a deal happened (with which seller and for how much, if they wish)."""
    principal = current_principal()
    need = marketplace().needs.record_outcome(
        principal, need_id, data["deal_happened"], data["seller_id"], data["amount_cents"], data["note"]
    )
    return need_view(need, principal)
