"""Request schemas of the grants API (unknown fields refused) and the views of its answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import fields, post_load, validate

from services.grants.domain.application import Application, Delivery, Payment, PaymentKind, Status
from services.grants.domain.call import Call, CostCategory, Criterion, RequiredDocument
from services.grants.domain.deminimis import Aid, AidSource
from services.grants.domain.eligibility import Eligibility
from services.grants.domain.plan import MAX_LINES, BudgetLine, VatTreatment
from shared.web.schemas import StrictSchema, one_of, region_field, text

CENTS = validate.Range(min=0, max=10**12)
OBJECT = {"type": "object"}


class CriterionSchema(StrictSchema):
    code = text(40, required=True)
    name_bg = text(200, required=True)
    name_en = text(200, required=True)
    weight = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100))
    max_points = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1000))
    min_points = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=1000))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Criterion:
        return Criterion(**data)


class RequiredDocumentSchema(StrictSchema):
    code = text(40, required=True)
    name_bg = text(200, required=True)
    name_en = text(200, required=True)
    at_submission = fields.Boolean(
        load_default=False,
        metadata={"description": "Sent with the application, before it is submitted (otherwise it may come later)"},
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> RequiredDocument:
        return RequiredDocument(**data)


CATEGORY = one_of([c.value for c in CostCategory], "категория", "category")


class NewCallSchema(StrictSchema):
    title = text(200, required=True)
    budget_cents = fields.Integer(required=True, strict=True, validate=CENTS)
    envelopes = fields.Dict(
        keys=region_field(),
        values=fields.Integer(strict=True, validate=CENTS),
        required=True,
        validate=validate.Length(min=1, max=6),
    )
    max_per_enterprise_cents = fields.Integer(required=True, strict=True, validate=CENTS)
    max_line_cents = fields.Integer(load_default=0, strict=True, validate=CENTS)
    categories = fields.List(fields.String(validate=CATEGORY), required=True, validate=validate.Length(min=1, max=6))
    opens_on = fields.Date(required=True)
    closes_on = fields.Date(required=True)
    criteria = fields.List(fields.Nested(CriterionSchema), required=True, validate=validate.Length(min=1, max=20))
    pass_score = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=100))
    required_documents = fields.List(
        fields.Nested(RequiredDocumentSchema), load_default=list, validate=validate.Length(max=20)
    )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {**data, "categories": [CostCategory(c) for c in data["categories"]]}


class LineSchema(StrictSchema):
    id = text(40, load_default=None)
    category = fields.String(required=True, validate=CATEGORY)
    description = text(500, required=True)
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10_000))
    unit_cost_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10**10))
    vat = fields.String(
        required=True, validate=one_of([v.value for v in VatTreatment], "третиране на ДДС", "VAT treatment")
    )


class AidSchema(StrictSchema):
    granted_on = fields.Date(required=True)
    amount_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10**10))
    grantor = text(200, required=True)


def lines_of(raw: list[dict[str, Any]]) -> list[BudgetLine]:
    return [
        BudgetLine(
            id=line.get("id") or f"l{i + 1}",
            category=CostCategory(line["category"]),
            description=line["description"],
            quantity=line["quantity"],
            unit_cost_cents=line["unit_cost_cents"],
            vat=VatTreatment(line["vat"]),
        )
        for i, line in enumerate(raw)
    ]


def aids_of(raw: list[dict[str, Any]]) -> list[Aid]:
    return [Aid(a["granted_on"], a["amount_cents"], AidSource.DECLARED, a["grantor"]) for a in raw]


LINES = fields.List(fields.Nested(LineSchema), validate=validate.Length(max=MAX_LINES))
AIDS = fields.List(fields.Nested(AidSchema), validate=validate.Length(max=30))


class NewApplicationSchema(StrictSchema):
    call_id = text(64, required=True)
    lines = fields.List(fields.Nested(LineSchema), load_default=list, validate=validate.Length(max=MAX_LINES))
    declared_aid = fields.List(fields.Nested(AidSchema), load_default=list, validate=validate.Length(max=30))


class PlanChangesSchema(StrictSchema):
    lines = fields.List(fields.Nested(LineSchema), validate=validate.Length(max=MAX_LINES))
    declared_aid = fields.List(fields.Nested(AidSchema), validate=validate.Length(max=30))


class ListQuerySchema(StrictSchema):
    call_id = text(64)
    status = fields.String(validate=one_of([s.value for s in Status], "състояние", "status"))


class AwardsQuerySchema(StrictSchema):
    call_id = text(64)


class TextSchema(StrictSchema):
    text = text(4000, required=True)


class AnswerSchema(StrictSchema):
    text = text(4000, required=True)
    lines = fields.List(fields.Nested(LineSchema), validate=validate.Length(min=1, max=MAX_LINES))


class CloseCallSchema(StrictSchema):
    reason = text(2000, required=True)


class ReasonsSchema(StrictSchema):
    reasons = text(4000, required=True)


class AwardSchema(StrictSchema):
    amount_cents = fields.Integer(strict=True, validate=validate.Range(min=1, max=10**10))
    reasons = text(4000, required=True)


class EvaluatorSchema(StrictSchema):
    evaluator = text(128, required=True)


class DeclarationSchema(StrictSchema):
    conflict_of_interest = fields.Boolean(required=True)


class ScoreSchema(StrictSchema):
    points = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=40)),
        values=fields.Integer(strict=True, validate=validate.Range(min=0, max=1000)),
        required=True,
        validate=validate.Length(min=1, max=20),
    )
    comment = text(4000, load_default="")


class RankSchema(StrictSchema):
    region = region_field(required=True)


class ContractSchema(StrictSchema):
    signed_on = fields.Date(required=True)


class DeliverySchema(StrictSchema):
    line_id = text(40, required=True)
    amount_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10**10))
    invoice = text(100, required=True)
    protocol = text(100, required=True)
    delivered_on = fields.Date(required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Delivery:
        return Delivery(**data)


class PaymentSchema(StrictSchema):
    kind = fields.String(required=True, validate=one_of([k.value for k in PaymentKind], "вид плащане", "payment kind"))
    amount_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10**10))
    paid_on = fields.Date(required=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Payment:
        return Payment(PaymentKind(data["kind"]), data["amount_cents"], data["paid_on"])


class LineChangeSchema(StrictSchema):
    from_line = text(40, required=True)
    to_line = text(40, required=True)
    amount_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10**10))
    reason = text(2000, required=True)


class SettleSchema(StrictSchema):
    approve = fields.Boolean(required=True)


# ---------------------------------------------------------------------- views
def call_view(call: Call, now: datetime, tolerance_percent: int) -> dict[str, Any]:
    """A call as everyone sees it: ``state`` says whether it takes applications now (upcoming, open, ended,
    closed early with ``close_reason``); ``change_tolerance_percent`` is the share of a budget line's amount
    that may move to another line at once (more waits for the centre)."""
    return {
        "id": call.id,
        "title": call.title,
        "status": call.status.value,
        "state": call.state(now).value,
        "closed_at": call.closed_at.isoformat() if call.closed_at else None,
        "close_reason": call.close_reason or None,
        "change_tolerance_percent": tolerance_percent,
        "budget_cents": call.budget_cents,
        "envelopes": call.envelopes,
        "max_per_enterprise_cents": call.max_per_enterprise_cents,
        "max_line_cents": call.max_line_cents,
        "categories": [c.value for c in call.categories],
        "opens_on": call.opens_on.isoformat(),
        "closes_on": call.closes_on.isoformat(),
        "criteria": [vars(c) for c in call.criteria],
        "pass_score": call.pass_score,
        "required_documents": [vars(d) for d in call.required_documents],
    }


def eligibility_view(outcome: Eligibility) -> dict[str, Any]:
    return {
        "eligible": outcome.eligible,
        "rules": [
            {"code": r.code, "passed": r.passed, "rule": r.rule.as_dict(), "detail": r.detail.as_dict()}
            for r in outcome.rules
        ],
    }


def application_view(application: Application, *, staff: bool, viewer: str, tolerance_percent: int) -> dict[str, Any]:
    """An application as its reader may see it: an evaluator sees the scorings only once they scored themself
    (never the others' before), and nobody but staff sees who evaluates."""
    scored = any(s.evaluator == viewer for s in application.scorings)
    view: dict[str, Any] = {
        "id": application.id,
        "call_id": application.call_id,
        "enterprise_id": application.enterprise_id,
        "enterprise_name": application.enterprise_name,
        "region": application.region,
        "centre": application.centre,
        "status": application.status.value,
        "lines": [
            {
                **vars(line),
                "category": line.category.value,
                "vat": line.vat.value,
                "eligible_cents": line.eligible_cents,
            }
            for line in application.lines
        ],
        "total_cents": sum(line.eligible_cents for line in application.lines),
        "requested_cents": application.requested_cents,
        "declared_aid": [
            {"granted_on": a.granted_on.isoformat(), "amount_cents": a.amount_cents, "grantor": a.grantor}
            for a in application.declared_aid
        ],
        "submitted_at": application.submitted_at.isoformat() if application.submitted_at else None,
        "information_requests": [
            {
                "asked_at": r.asked_at.isoformat(),
                "text": r.text,
                "answered_at": r.answered_at.isoformat() if r.answered_at else None,
                "answer": r.answer,
            }
            for r in application.information_requests
        ],
        "total_hundredths": application.total_hundredths,
        "passed": application.passed,
        "rank": application.rank,
        "decision": None
        if application.decision is None
        else {
            "outcome": application.decision.outcome,
            "reasons": application.decision.reasons,
            "decided_at": application.decision.decided_at.isoformat(),
        },
        "award": None
        if application.award is None
        else {
            "amount_cents": application.award.amount_cents,
            "awarded_on": application.award.awarded_on.isoformat(),
            "contract_number": application.award.contract_number,
            "signed_on": application.award.signed_on.isoformat() if application.award.signed_on else None,
        },
        "deliveries": [{**vars(d), "delivered_on": d.delivered_on.isoformat()} for d in application.deliveries],
        "payments": [
            {"kind": p.kind.value, "amount_cents": p.amount_cents, "paid_on": p.paid_on.isoformat()}
            for p in application.payments
        ],
        "paid_cents": application.paid_cents,
        "change_tolerance_percent": tolerance_percent,
        "changes": [
            {
                "id": c.id,
                "from_line": c.from_line,
                "to_line": c.to_line,
                "amount_cents": c.amount_cents,
                "reason": c.reason,
                "status": c.status.value,
            }
            for c in application.changes
        ],
        "completion": None
        if application.completion is None
        else {
            "completed_on": application.completion.completed_on.isoformat(),
            "baseline_overall": application.completion.follow_up.baseline_overall,
            "follow_up_overall": application.completion.follow_up.overall,
            "digitalised": application.completion.digitalised,
        },
        "version": application.version,
    }
    if staff or scored:
        view["scorings"] = [
            {"evaluator": s.evaluator, "points": s.points, "total_hundredths": s.total_hundredths}
            for s in application.scorings
        ]
    if staff:
        view["evaluators"] = [
            {"evaluator": s.evaluator, "declared": s.declared_at is not None, "conflict": s.conflict}
            for s in application.evaluators
        ]
    return view
