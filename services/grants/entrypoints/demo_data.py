"""Demo grants data (``grants-demo-data``), through the real use cases, for ``make run``.

A call for every planning region (open from ten days ago for two months); once the consumer has taken
the demo enterprises from the register and training's assessments, the surveyed ones apply and are taken
along the way to different states — a completed, digitalised support (if the enterprise has a follow-up
assessment), one in implementation, one awarded, one under evaluation, one with information requested, one
submitted, one rejected — and active enterprises not yet surveyed keep a draft whose eligibility shows why
they cannot submit. Running it again adds nothing when the calls exist.
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from services.grants.config import SERVICE
from services.grants.domain.application import Application, Delivery, Payment, PaymentKind
from services.grants.domain.call import CostCategory, Criterion, RequiredDocument
from services.grants.domain.money import MAX_AID_PER_ENTERPRISE_CENTS
from services.grants.domain.plan import BudgetLine, VatTreatment
from services.grants.entrypoints.wiring import build
from services.grants.service_layer.grants import GrantsService
from shared.auth import Principal, Role
from shared.bg.geography import geography
from shared.clock import sofia_date
from shared.config import Settings
from shared.mongo import connect
from shared.settle import settled

MINISTRY = Principal("demo-ministry", frozenset({Role.CLERK}), name="Министерство (демо)", centre="national")
EVALUATORS = [Principal(f"demo-evaluator-{n}", frozenset({Role.CLERK}), centre="national") for n in (1, 2)]
REGION_ENVELOPE_CENTS = 80_000_000
CRITERIA = [
    Criterion("need", "Нужда от модернизация", "Need for modernisation", 40, 10, 4),
    Criterion("plan", "Качество на плана", "Quality of the plan", 35, 10, 4),
    Criterion("impact", "Социално въздействие", "Social impact", 25, 5, 1),
]
DOCUMENTS = [
    RequiredDocument("offers", "Три ценови оферти", "Three price offers"),
    RequiredDocument("declaration", "Декларация за минимални помощи", "De minimis declaration"),
]
LINES = [
    BudgetLine("l1", CostCategory.SOFTWARE, "Счетоводен и складов софтуер", 1, 1_250_000, VatTreatment.RECOVERABLE),
    BudgetLine("l2", CostCategory.HARDWARE, "Лаптопи за служителите", 4, 95_000, VatTreatment.NON_RECOVERABLE),
    BudgetLine("l3", CostCategory.SALES, "Онлайн магазин с плащане с карта", 1, 680_000, VatTreatment.RECOVERABLE),
]
STATES = ("completed", "in_implementation", "awarded", "evaluation", "information_requested", "submitted", "rejected")
"""The states the surveyed enterprises' applications are taken to, in this order."""


def demo_calls(grants: GrantsService) -> int:
    if grants.calls.all():
        return 0
    today = sofia_date(grants.clock.now())
    for code, region in sorted(geography().regions.items()):
        grants.publish_call(
            MINISTRY,
            {
                "title": f"Модернизация на социалните предприятия — {region.name_bg} район",
                "budget_cents": REGION_ENVELOPE_CENTS,
                "envelopes": {code: REGION_ENVELOPE_CENTS},
                "max_per_enterprise_cents": MAX_AID_PER_ENTERPRISE_CENTS,
                "max_line_cents": 2_500_000,
                "categories": list(CostCategory),
                "opens_on": today - timedelta(days=10),
                "closes_on": today + timedelta(days=60),
                "criteria": CRITERIA,
                "pass_score": 50,
                "required_documents": DOCUMENTS,
            },
        )
    return len(geography().regions)


def take_to(grants: GrantsService, application: Application, state: str, has_follow_up: bool) -> Application:
    """Through the real use cases, as the representative, the centre's clerk and two evaluators would."""
    rep = Principal("demo-representative", frozenset({Role.REPRESENTATIVE}), enterprise_id=application.enterprise_id)
    clerk = Principal("demo-clerk", frozenset({Role.CLERK}), centre=application.centre)
    app_id = application.id
    application = grants.submit(rep, app_id)
    if state == "submitted":
        return application
    grants.start_check(clerk, app_id)
    if state == "information_requested":
        return grants.request_information(clerk, app_id, "Моля, приложете трите ценови оферти за софтуера.")
    if state == "rejected":
        return grants.reject(clerk, app_id, "Липсва декларация за минимални помощи след изискването ѝ.")
    grants.admit(clerk, app_id)
    for n, evaluator in enumerate(EVALUATORS):
        grants.assign_evaluator(clerk, app_id, evaluator.subject)
        grants.declare(evaluator, app_id, False)
        if state == "evaluation":
            return grants.score(evaluator, app_id, {"need": 8, "plan": 7, "impact": 4}, "")
        grants.score(evaluator, app_id, {"need": 9 - n, "plan": 8, "impact": 4}, "")
    grants.rank_region(clerk, application.call_id, application.region)
    application = grants.award(clerk, app_id, None, "Класирано в рамките на средствата за района.")
    if state == "awarded":
        return application
    today = sofia_date(grants.clock.now())
    grants.sign_contract(clerk, app_id, today)
    grants.pay(clerk, app_id, Payment(PaymentKind.ADVANCE, application.requested_cents // 5, today))
    application = grants.record_delivery(clerk, app_id, Delivery("l1", 1_250_000, "Ф-0000123", "ПП-1", today))
    if state == "in_implementation" or not has_follow_up:
        return application
    for line in LINES[1:]:
        grants.record_delivery(
            clerk, app_id, Delivery(line.id, line.eligible_cents, "Ф-0000124", f"ПП-{line.id}", today)
        )
    paid = grants.applications.get(app_id).paid_cents
    grants.pay(clerk, app_id, Payment(PaymentKind.FINAL, application.requested_cents - paid, today))
    return grants.complete(clerk, app_id)


def demo_applications(grants: GrantsService, wait_seconds: float) -> dict[str, int]:
    """Applications of the active enterprises the consumer knows (waiting for them up to ``wait_seconds``)."""
    enterprises = settled(grants.enterprises.active, wait_seconds)
    surveyed = settled(lambda: [e for e in enterprises if grants.assessments.of_enterprise(e["_id"])], wait_seconds)
    calls = {region: call for call in grants.calls.all() for region in call.envelopes}
    taken = {e["_id"]: grants.assessments.of_enterprise(e["_id"]) for e in enterprises}
    follow_up = {key: any(a["sequence"] > 0 for a in found) for key, found in taken.items()}
    ordered = sorted(enterprises, key=lambda e: (not follow_up[e["_id"]], e not in surveyed, e["_id"]))
    states: dict[str, int] = {}
    pending = list(STATES)
    for enterprise in ordered:
        call = calls.get(enterprise["region"])
        rep = Principal("demo-representative", frozenset({Role.REPRESENTATIVE}), enterprise_id=enterprise["_id"])
        if call is None or grants.applications.find({"enterprise_id": enterprise["_id"]}, limit=1):
            continue
        application = grants.start(rep, call.id, LINES, [])
        if taken[enterprise["_id"]] and pending:
            application = take_to(grants, application, pending.pop(0), follow_up[enterprise["_id"]])
        states[application.status.value] = states.get(application.status.value, 0) + 1
    return states


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Load demo calls and applications in every state.")
    parser.add_argument("--wait", type=float, default=240.0, help="seconds to wait for the register's enterprises")
    args = parser.parse_args(argv)
    settings = Settings.from_env(SERVICE)
    client = connect(settings.mongodb_uri, app_name=f"{SERVICE}-demo-data")
    try:
        grants = build(client[settings.mongodb_database])
        calls = demo_calls(grants)
        states = demo_applications(grants, args.wait)
        shown = ", ".join(f"{state} {count}" for state, count in sorted(states.items())) or "none yet"
        print(f"Grants demo data: calls published {calls}; applications: {shown}.")
    finally:
        client.close()


if __name__ == "__main__":
    main()
