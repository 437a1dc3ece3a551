"""The grants service against real FerretDB: a call, an application from draft to a completed, digitalised
support through the API, the limits answered with the field they concern, an evaluator who declared a
conflict never seeing the application again, and awards decided at the same moment never over-committing
a region's envelope."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pymongo import MongoClient, monitoring
from pymongo.database import Database

from services.grants.adapters.repository import APPLICATIONS, Hold
from services.grants.config import GrantsRules
from services.grants.domain.application import Application, Status
from services.grants.entrypoints.api.context import EXTENSION
from services.grants.entrypoints.app import create_app
from services.grants.entrypoints.wiring import build
from services.grants.service_layer.grants import GrantsService
from services.registry.events.schemas import REGISTRY_EVENTS
from shared.auth import Principal, Role
from shared.clock import FixedClock
from shared.errors import AppError
from tests.integration.grants_seed import assessment_event
from tests.integration.registry_api import token
from tests.unit.test_grants_rules import a_call, evaluated

pytestmark = pytest.mark.integration

NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
MINISTRY = token("ministry-1", Role.CLERK, centre="national")
CLERK_LOVECH = token("clerk-lovech", Role.CLERK, centre="lovech")
CLERK_VARNA = token("clerk-varna", Role.CLERK, centre="varna")
EVALUATORS = {name: token(name, Role.CLERK, centre="varna") for name in ("eval-1", "eval-2", "eval-3")}
CALL: dict[str, Any] = {
    "title": "Модернизация на социалните предприятия 2027",
    "budget_cents": 60_000_000,
    "envelopes": {"BG31": 10_000_000, "BG33": 10_000_000},
    "max_per_enterprise_cents": 4_601_627,
    "max_line_cents": 2_000_000,
    "categories": ["software", "hardware", "sales"],
    "opens_on": "2027-03-01",
    "closes_on": "2027-04-30",
    "criteria": [
        {"code": "need", "name_bg": "Нужда", "name_en": "Need", "weight": 60, "max_points": 10, "min_points": 4},
        {"code": "impact", "name_bg": "Въздействие", "name_en": "Impact", "weight": 40, "max_points": 5},
    ],
    "pass_score": 50,
    "required_documents": [{"code": "offer", "name_bg": "Оферта", "name_en": "Offer"}],
}
LINES = [
    {
        "category": "software",
        "description": "Счетоводен софтуер",
        "quantity": 1,
        "unit_cost_cents": 1_200_000,
        "vat": "recoverable",
    },
    {
        "category": "hardware",
        "description": "Лаптоп",
        "quantity": 2,
        "unit_cost_cents": 150_000,
        "vat": "non_recoverable",
    },
]


@pytest.fixture
def grants_db_name(infra: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"grants_api_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("MONGODB_URI", infra.mongodb_uri)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", infra.kafka_bootstrap)
    monkeypatch.setenv("GRANTS_MONGODB_DATABASE", name)
    yield name
    MongoClient(infra.mongodb_uri).drop_database(name)


@pytest.fixture
def grants_db(infra: Any, grants_db_name: str) -> Database:
    return MongoClient(infra.mongodb_uri, tz_aware=True)[grants_db_name]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def service(grants_db: Database, clock: FixedClock) -> GrantsService:
    return build(grants_db, clock, GrantsRules())


@pytest.fixture
def app(grants_db_name: str, service: GrantsService) -> Flask:
    app = create_app()
    app.extensions[EXTENSION] = service
    return app


@pytest.fixture
def api(app: Flask) -> FlaskClient:
    return app.test_client()


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json


def known_enterprise(service: GrantsService, region: str = "BG33", centre: str = "varna", overall: float = 38.0) -> str:
    """An enterprise active in the register and assessed once (T0), as the consumer would have recorded them."""
    enterprise_id = str(uuid.uuid4())
    base = REGISTRY_EVENTS.example(REGISTRY_EVENTS.get("registry.EnterpriseRegistered", 1))
    payload = base.payload | {
        "enterprise_id": enterprise_id,
        "region": region,
        "centre": centre,
        "name": "Шивашко ателие",
    }
    envelope = dataclasses.replace(base, event_id=str(uuid.uuid4()), aggregate_id=enterprise_id, payload=payload)
    assert service.enterprises.apply_registry_event(envelope, envelope.payload)
    assert not service.enterprises.apply_registry_event(envelope, envelope.payload)  # a redelivery changes nothing
    assess(service, enterprise_id, 0, overall, NOW - timedelta(days=30))
    return enterprise_id


def assess(service: GrantsService, enterprise_id: str, sequence: int, overall: float, at: datetime) -> None:
    envelope = assessment_event(enterprise_id, sequence, overall, at)
    assert service.assessments.apply_assessment_event(envelope, envelope.payload)


def test_an_application_goes_from_plan_to_a_completed_digitalised_support(
    api: FlaskClient, service: GrantsService, clock: FixedClock, grants_db: Database
) -> None:
    call = ok(api.post("/api/v1/calls", json=CALL, headers=MINISTRY), 201)
    assert ok(api.post("/api/v1/calls", json=CALL, headers=CLERK_VARNA), 403)["code"] == "forbidden"
    enterprise_id = known_enterprise(service)
    rep = token("rep-1", Role.REPRESENTATIVE, enterprise_id=enterprise_id)

    too_big = [{**LINES[0], "unit_cost_cents": 2_000_001}]
    refused = ok(api.post("/api/v1/applications", json={"call_id": call["id"], "lines": too_big}, headers=rep), 422)
    assert "lines.0.unit_cost_cents" in refused["fields"]
    assert grants_db[APPLICATIONS].count_documents({}) == 0  # nothing half-written

    body = {
        "call_id": call["id"],
        "lines": LINES,
        "declared_aid": [{"granted_on": "2025-05-01", "amount_cents": 1_000_000, "grantor": "Община Варна"}],
    }
    draft = ok(api.post("/api/v1/applications", json=body, headers=rep), 201)
    assert draft["total_cents"] == 1_200_000 + 360_000 and draft["eligibility"]["eligible"]
    assert [r["code"] for r in draft["eligibility"]["rules"]] == ["active_in_register", "surveyed", "de_minimis"]
    app_id = draft["id"]
    assert ok(api.post(f"/api/v1/applications/{app_id}/submit", headers=rep))["status"] == "submitted"
    frozen = api.patch(f"/api/v1/applications/{app_id}", json={"lines": LINES[:1]}, headers=rep)
    assert frozen.status_code == 409 and "request for information" in frozen.json["message"]["en"]
    assert api.get(f"/api/v1/applications/{app_id}", headers=CLERK_LOVECH).status_code == 404  # another centre

    ok(api.post(f"/api/v1/applications/{app_id}/check", headers=CLERK_VARNA))
    ok(
        api.post(
            f"/api/v1/applications/{app_id}/request-information",
            json={"text": "Приложете оферта."},
            headers=CLERK_VARNA,
        )
    )
    answered = ok(
        api.post(f"/api/v1/applications/{app_id}/answer", json={"text": "Ето я.", "lines": LINES[:1]}, headers=rep)
    )
    assert answered["status"] == "administrative_check" and answered["requested_cents"] == 1_200_000
    ok(api.post(f"/api/v1/applications/{app_id}/admit", headers=CLERK_VARNA))

    for name in ("eval-1", "eval-2"):
        ok(api.post(f"/api/v1/applications/{app_id}/evaluators", json={"evaluator": name}, headers=CLERK_VARNA))
    outsider = token("eval-1", Role.CLERK, centre="lovech")  # an evaluator from another centre
    assert ok(api.get(f"/api/v1/applications/{app_id}", headers=outsider))["id"] == app_id
    ok(api.post(f"/api/v1/applications/{app_id}/declaration", json={"conflict_of_interest": True}, headers=outsider))
    assert api.get(f"/api/v1/applications/{app_id}", headers=outsider).status_code == 404
    assert ok(api.get("/api/v1/applications", headers=outsider))["items"] == []
    gone = api.post(
        f"/api/v1/applications/{app_id}/scores", json={"points": {"need": 10, "impact": 5}}, headers=outsider
    )
    assert gone.status_code == 404

    ok(api.post(f"/api/v1/applications/{app_id}/evaluators", json={"evaluator": "eval-3"}, headers=CLERK_VARNA))
    for name, points in (("eval-2", {"need": 8, "impact": 4}), ("eval-3", {"need": 7, "impact": 4})):
        who = token(name, Role.CLERK, centre="lovech")
        early = api.post(f"/api/v1/applications/{app_id}/scores", json={"points": points}, headers=who)
        assert early.status_code == 409  # no declaration yet
        ok(api.post(f"/api/v1/applications/{app_id}/declaration", json={"conflict_of_interest": False}, headers=who))
        bad = api.post(f"/api/v1/applications/{app_id}/scores", json={"points": {**points, "need": 11}}, headers=who)
        assert "points.need" in ok(bad, 422)["fields"]
        ok(api.post(f"/api/v1/applications/{app_id}/scores", json={"points": points}, headers=who))

    places = ok(api.post(f"/api/v1/calls/{call['id']}/ranking", json={"region": "BG33"}, headers=CLERK_VARNA))["items"]
    assert places == [{"application_id": app_id, "rank": 1, "proposal": "award"}]
    over = api.post(
        f"/api/v1/applications/{app_id}/award", json={"amount_cents": 1_200_001, "reasons": "x"}, headers=CLERK_VARNA
    )
    assert "amount_cents" in ok(over, 422)["fields"]
    awarded = ok(
        api.post(f"/api/v1/applications/{app_id}/award", json={"reasons": "Първо място."}, headers=CLERK_VARNA)
    )
    assert awarded["award"]["amount_cents"] == 1_200_000
    figures = {e["region"]: e for e in ok(api.get(f"/api/v1/calls/{call['id']}"))["envelope_figures"]}
    assert figures["BG33"]["remaining_cents"] == 10_000_000 - 1_200_000

    contract = ok(
        api.post(f"/api/v1/applications/{app_id}/contract", json={"signed_on": "2027-03-20"}, headers=CLERK_VARNA)
    )
    assert contract["award"]["contract_number"] == "ДП-2027-0001"
    overpaid = api.post(
        f"/api/v1/applications/{app_id}/payments",
        json={"kind": "advance", "amount_cents": 1_200_001, "paid_on": "2027-03-21"},
        headers=CLERK_VARNA,
    )
    assert "amount_cents" in ok(overpaid, 422)["fields"]
    ok(
        api.post(
            f"/api/v1/applications/{app_id}/payments",
            json={"kind": "advance", "amount_cents": 300_000, "paid_on": "2027-03-21"},
            headers=CLERK_VARNA,
        )
    )
    delivery = {
        "line_id": "l1",
        "amount_cents": 1_150_000,
        "invoice": "Ф-1001",
        "protocol": "ПП-1",
        "delivered_on": "2027-04-15",
    }
    ok(api.post(f"/api/v1/applications/{app_id}/deliveries", json=delivery, headers=CLERK_VARNA))
    ok(
        api.post(
            f"/api/v1/applications/{app_id}/payments",
            json={"kind": "final", "amount_cents": 850_000, "paid_on": "2027-04-20"},
            headers=CLERK_VARNA,
        )
    )
    assert (
        api.post(f"/api/v1/applications/{app_id}/complete", headers=CLERK_VARNA).status_code == 409
    )  # no follow-up yet
    assess(service, enterprise_id, 1, 55.0, datetime(2027, 6, 1, 9, 0, tzinfo=UTC))
    clock.advance(days=90)
    completed = ok(api.post(f"/api/v1/applications/{app_id}/complete", headers=CLERK_VARNA))
    assert completed["status"] == "completed" and completed["completion"]["digitalised"] is True
    assert completed["paid_cents"] == 1_150_000

    listed = ok(api.get("/api/v1/awards", query_string={"call_id": call["id"]}))["items"]
    assert [(a["beneficiary"], a["amount_cents"], a["awarded_on"], a["status"]) for a in listed] == [
        ("Шивашко ателие", 1_200_000, "2027-03-10", "completed")
    ]
    csv_text = api.get("/api/v1/awards.csv").get_data(as_text=True)
    assert csv_text.startswith("\ufeffБенефициент;") and "Шивашко ателие;" in csv_text and ";12000,00;" in csv_text
    regions = {r["region"]: r for r in ok(api.get(f"/api/v1/calls/{call['id']}/figures"))["regions"]}
    assert regions["BG33"] | {"region": "BG33"} == {
        "region": "BG33",
        "budget_cents": 10_000_000,
        "committed_cents": 1_200_000,
        "contracted_cents": 1_200_000,
        "paid_cents": 1_150_000,
        "remaining_cents": 8_800_000,
        "enterprises_supported": 1,
        "enterprises_completed": 1,
        "enterprises_digitalised": 1,
    }
    assert regions["BG31"]["enterprises_supported"] == 0

    document = grants_db[APPLICATIONS].find_one({"_id": app_id})
    recorded = [entry["envelope"]["event_type"] for entry in document["outbox"]]
    assert recorded == [
        "grants.ApplicationSubmitted",
        "grants.InformationRequested",
        "grants.InformationProvided",
        "grants.EvaluatorAssigned",  # eval-1, who then declared a conflict
        "grants.EvaluatorAssigned",
        "grants.EvaluatorAssigned",
        "grants.ApplicationEvaluated",
        "grants.AwardGranted",
        "grants.ContractSigned",
        "grants.PaymentMade",
        "grants.DeliveryRecorded",
        "grants.PaymentMade",
        "grants.SupportCompleted",
    ]


def test_awards_decided_at_the_same_moment_never_commit_more_than_the_envelope(
    service: GrantsService, grants_db: Database
) -> None:
    national = Principal("ministry-1", frozenset({Role.CLERK}), centre="national")
    rules = a_call()
    fields = ("title", "budget_cents", "max_per_enterprise_cents", "max_line_cents", "categories", "opens_on")
    call = service.publish_call(
        national,
        {
            **{name: getattr(rules, name) for name in fields},
            **{name: getattr(rules, name) for name in ("closes_on", "criteria", "pass_score", "required_documents")},
            "envelopes": {"BG31": 1_000_000},
        },
    )
    ids = []
    for _ in range(10):  # each asks for 1 500,00 €: six fit in 10 000,00 €
        application = evaluated(rules)
        application = dataclasses.replace(
            application, id=uuid.uuid4().hex, call_id=call.id, enterprise_id=str(uuid.uuid4())
        )
        application.pull_events()
        service.applications.add(application, [])
        ids.append(application.id)
    barrier = threading.Barrier(len(ids))
    outcomes: dict[str, str] = {}

    def decide(application_id: str) -> None:
        barrier.wait()
        try:
            service.award(national, application_id, None, "Класирано.")
            outcomes[application_id] = "awarded"
        except AppError as error:
            outcomes[application_id] = error.code

    threads = [threading.Thread(target=decide, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    awarded = [i for i, outcome in outcomes.items() if outcome == "awarded"]
    assert len(outcomes) == 10 and len(awarded) == 6, outcomes
    assert set(outcomes.values()) == {"awarded", "envelope_exhausted"}
    envelope = service.ledger.get(call.id, "BG31")
    assert envelope["committed_cents"] == 900_000 <= envelope["budget_cents"]
    assert sorted(envelope["holders"]) == sorted(awarded)
    saved = grants_db[APPLICATIONS].count_documents({"call_id": call.id, "status": Status.AWARDED.value})
    assert saved == 6


def test_one_application_awarded_by_twin_requests_at_once_holds_its_money_exactly_once(
    service: GrantsService, grants_db: Database
) -> None:
    national = Principal("ministry-1", frozenset({Role.CLERK}), centre="national")
    rules = a_call()
    fields = ("title", "budget_cents", "max_per_enterprise_cents", "max_line_cents", "categories", "opens_on")
    call = service.publish_call(
        national,
        {
            **{name: getattr(rules, name) for name in fields},
            **{name: getattr(rules, name) for name in ("closes_on", "criteria", "pass_score", "required_documents")},
            "envelopes": {"BG31": 1_000_000},
        },
    )
    application = dataclasses.replace(evaluated(rules), id=uuid.uuid4().hex, call_id=call.id)
    application.pull_events()
    service.applications.add(application, [])
    twins = 8
    barrier = threading.Barrier(twins)
    outcomes: list[str] = []

    def decide() -> None:
        barrier.wait()
        try:
            service.award(national, application.id, None, "Класирано.")
            outcomes.append("awarded")
        except AppError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=decide) for _ in range(twins)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == twins and outcomes.count("awarded") == 1, outcomes
    assert service.applications.get(application.id).status == Status.AWARDED
    envelope = service.ledger.get(call.id, "BG31")
    assert (envelope["committed_cents"], envelope["holders"]) == (150_000, [application.id])


def test_the_public_list_of_awards_in_csv_never_starts_a_cell_with_a_formula(
    api: FlaskClient, service: GrantsService
) -> None:
    application = dataclasses.replace(evaluated(a_call()), id=uuid.uuid4().hex, enterprise_name='=HYPERLINK("x")')
    application.grant(150_000, "clerk", "", NOW, NOW.date())
    application.pull_events()
    service.applications.add(application, [])
    rows = api.get("/api/v1/awards.csv").get_data(as_text=True).splitlines()
    assert rows[1].startswith('"\'=HYPERLINK(""x"")";') and ";1500,00;" in rows[1]
    assert ok(api.get("/api/v1/awards"))["items"][0]["beneficiary"] == '=HYPERLINK("x")'


def test_the_openapi_document_shows_every_operation_with_its_policy(api: FlaskClient) -> None:
    document = ok(api.get("/openapi.json"))
    operations = [op for path in document["paths"].values() for op in path.values() if isinstance(op, dict)]
    assert len(operations) >= 25
    assert all("x-policy" in op for op in operations), [
        op.get("operationId") for op in operations if "x-policy" not in op
    ]
    assert "/api/v1/applications/{application_id}/award" in document["paths"]


def test_money_held_by_a_decision_that_crashed_before_saving_returns_once_the_application_moves_on(
    service: GrantsService,
) -> None:
    national = Principal("ministry-1", frozenset({Role.CLERK}), centre="national")
    rules = a_call()
    fields = ("title", "budget_cents", "max_per_enterprise_cents", "max_line_cents", "categories", "opens_on")
    call = service.publish_call(
        national,
        {
            **{name: getattr(rules, name) for name in fields},
            **{name: getattr(rules, name) for name in ("closes_on", "criteria", "pass_score", "required_documents")},
            "envelopes": {"BG31": 200_000, "BG32": 200_000},  # one award of 1 500,00 € fits in each
        },
    )

    def ranked(region: str) -> Application:
        application = dataclasses.replace(evaluated(rules), id=uuid.uuid4().hex, call_id=call.id, region=region)
        application.pull_events()
        service.applications.add(application, [])
        return application

    # A process held the money for an award and died before saving it; the retry finds its hold.
    retried = ranked("BG32")
    assert service.ledger.commit(call.id, "BG32", retried.id, 150_000, retried.version) == Hold.TAKEN
    assert service.award(national, retried.id, None, "Повторен опит.").status == Status.AWARDED
    assert service.ledger.get(call.id, "BG32")["committed_cents"] == 150_000

    # Another died the same way, and the application was then put in reserve: that award can never be saved.
    stuck, waiting = ranked("BG31"), ranked("BG31")
    assert service.ledger.commit(call.id, "BG31", stuck.id, 150_000, stuck.version) == Hold.TAKEN
    service.reserve(national, stuck.id, "Резерва.")
    awarded = service.award(national, waiting.id, None, "Следващ в класирането.")
    assert awarded.status == Status.AWARDED
    envelope = service.ledger.get(call.id, "BG31")
    assert envelope["holders"] == [waiting.id] and envelope["committed_cents"] == 150_000


def test_an_award_refused_by_a_full_envelope_reads_its_holders_in_one_query(
    infra: Any, grants_db_name: str, clock: FixedClock
) -> None:
    """Checking a full envelope's holds for crashed decisions read every holder's application one by one: with
    many awards in a region, each refused award made a database round trip per award (the benchmark of
    concurrent awards stalled for minutes). The holders' states are read in one query."""
    finds: list[str] = []

    class Finds(monitoring.CommandListener):
        def started(self, event: monitoring.CommandStartedEvent) -> None:
            if event.command_name == "find" and event.command.get("find") == APPLICATIONS:
                finds.append(event.request_id)

        def succeeded(self, event: monitoring.CommandSucceededEvent) -> None: ...

        def failed(self, event: monitoring.CommandFailedEvent) -> None: ...

    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_uri, tz_aware=True, event_listeners=[Finds()])
    service = build(client[grants_db_name], clock, GrantsRules())
    national = Principal("ministry-1", frozenset({Role.CLERK}), centre="national")
    rules = a_call()
    fields = ("title", "budget_cents", "max_per_enterprise_cents", "max_line_cents", "categories", "opens_on")
    call = service.publish_call(
        national,
        {
            **{name: getattr(rules, name) for name in fields},
            **{name: getattr(rules, name) for name in ("closes_on", "criteria", "pass_score", "required_documents")},
            "envelopes": {"BG31": 30 * 150_000},  # thirty awards of 1 500,00 € fill it
        },
    )

    def ranked() -> Application:
        application = dataclasses.replace(
            evaluated(rules), id=uuid.uuid4().hex, call_id=call.id, enterprise_id=str(uuid.uuid4())
        )
        application.pull_events()
        service.applications.add(application, [])
        return application

    for _ in range(30):
        assert service.award(national, ranked().id, None, "Класирано.").status == Status.AWARDED
    late = ranked()
    finds.clear()
    with pytest.raises(AppError) as refused:
        service.award(national, late.id, None, "Класирано.")
    assert refused.value.code == "envelope_exhausted"
    assert len(finds) <= 4, f"{len(finds)} reads of applications for one refused award of a full envelope"
    envelope = service.ledger.get(call.id, "BG31")
    assert envelope["committed_cents"] == envelope["budget_cents"] and len(envelope["holders"]) == 30
    client.close()


def test_the_ministry_closes_a_call_early_and_it_takes_no_new_application_nor_submission(
    api: FlaskClient, service: GrantsService, clock: FixedClock, grants_db: Database
) -> None:
    call = ok(api.post("/api/v1/calls", json=CALL, headers=MINISTRY), 201)
    assert (call["state"], call["close_reason"], call["change_tolerance_percent"]) == ("open", None, 15)
    rep = token("rep-1", Role.REPRESENTATIVE, enterprise_id=known_enterprise(service))
    draft = ok(api.post("/api/v1/applications", json={"call_id": call["id"], "lines": LINES}, headers=rep), 201)
    assert draft["change_tolerance_percent"] == 15
    close = f"/api/v1/calls/{call['id']}/close"

    assert ok(api.post(close, json={"reason": "Край."}, headers=CLERK_VARNA), 403)["code"] == "forbidden"
    blank = ok(api.post(close, json={"reason": "   "}, headers=MINISTRY), 422)
    assert "reason" in blank["fields"]
    assert ok(api.get(f"/api/v1/calls/{call['id']}"))["state"] == "open"  # nothing half-written

    clock.advance(days=5)
    closed = ok(api.post(close, json={"reason": "Средствата са разпределени."}, headers=MINISTRY))
    assert (closed["status"], closed["state"], closed["close_reason"]) == (
        "closed",
        "closed",
        "Средствата са разпределени.",
    )
    shown = ok(api.get(f"/api/v1/calls/{call['id']}"))
    assert (shown["state"], shown["closed_at"]) == ("closed", (NOW + timedelta(days=5)).isoformat())
    assert [c["state"] for c in ok(api.get("/api/v1/calls"))["items"]] == ["closed"]
    document = grants_db["calls"].find_one({"_id": call["id"]})
    assert [e["envelope"]["event_type"] for e in document["outbox"]] == ["grants.CallPublished", "grants.CallClosed"]
    told = document["outbox"][1]["envelope"]["payload"]
    assert (told["reason"], told["centres"]) == ("Средствата са разпределени.", ["lovech", "varna"])

    refused = ok(api.post(f"/api/v1/applications/{draft['id']}/submit", headers=rep), 409)
    assert "закрита от министерството на 15.03.2027 (Средствата са разпределени.)" in refused["message"]["bg"]
    assert ok(api.get(f"/api/v1/applications/{draft['id']}", headers=rep))["status"] == "draft"
    other = token("rep-2", Role.REPRESENTATIVE, enterprise_id=known_enterprise(service))
    started = ok(api.post("/api/v1/applications", json={"call_id": call["id"], "lines": LINES}, headers=other), 409)
    assert "start an application" in started["message"]["en"] and "closed by the ministry" in started["message"]["en"]
    assert grants_db[APPLICATIONS].count_documents({}) == 1

    twice = ok(api.post(close, json={"reason": "Отново."}, headers=MINISTRY), 409)
    assert "closed already on 15.03.2027" in twice["message"]["en"]
    assert len(grants_db["calls"].find_one({"_id": call["id"]})["outbox"]) == 2


def test_after_its_window_a_call_reads_ended_and_refuses_new_applications_naming_its_last_day(
    api: FlaskClient, service: GrantsService, clock: FixedClock
) -> None:
    call = ok(api.post("/api/v1/calls", json=CALL, headers=MINISTRY), 201)
    rep = token("rep-1", Role.REPRESENTATIVE, enterprise_id=known_enterprise(service))
    clock.advance(days=51, hours=12)  # 30 April 21:00 UTC, 1 May in Sofia in Sofia: the window (to 30 April) is over
    assert ok(api.get(f"/api/v1/calls/{call['id']}"))["state"] == "ended"
    late = ok(api.post("/api/v1/applications", json={"call_id": call["id"], "lines": LINES}, headers=rep), 409)
    assert "срокът на поканата изтече на 30.04.2027" in late["message"]["bg"]
    ended = ok(api.post(f"/api/v1/calls/{call['id']}/close", json={"reason": "Край."}, headers=MINISTRY), 409)
    assert "ended already on 30.04.2027" in ended["message"]["en"]
