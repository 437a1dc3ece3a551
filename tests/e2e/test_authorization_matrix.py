"""The authorization matrix: every operation of every service's OpenAPI document × every kind of caller.

The four services run as real processes. "Owner A" gets real objects in each of them (an enterprise in the
register and an application still under review, a published listing, a quote and an order, a published
need, a course, a session, an enrolment, an assessment, a calendar link, an inbox message, a webhook
subscription, a grant plan, a stand application at a fair and a visitor's seat there), so every path
parameter is a real id of A's. Then every operation the documents list is
called by anonymous; by each role acting for A (a representative of A's enterprise, A as buyer, learner and
trainer, a clerk of A's centre, an admin); and by others: each role with ids of its own (enterprise B, buyer
B, learner B, trainer B, an integrator), a clerk of another centre, a clerk whose token names no centre, and
someone whose token claims learner A's e-mail address without the identity provider having verified it.

Each operation's ``x-policy`` (from its service's policy table) says what must happen:
- a caller the roles refuse gets 401 (anonymous) or 403, whatever the body, since roles come first;
- a caller with the right role but not A's (another owner, another centre, no centre) gets no 2xx on an
  operation whose ownership rule is about the object in the address;
- nobody but A's side ever sees A's private values (ids of A's application, deals, enrolment, assessment,
  subscription, inbox message, calendar secret; A's e-mail addresses and non-public phone) in a 2xx body;
- nobody gets a 5xx; and A's side does reach every object read by id (the ids are real).
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
import requests

from shared.auth import Principal, Role, TokenCodec
from shared.config import Settings
from shared.web.policy import Ownership, Policy
from tests.documents import pdf
from tests.e2e.services import BIN, Service, running_services, service_env
from tests.integration.events_seed import events_fair
from tests.integration.grants_seed import GRANTS_CALL, GRANTS_CALL_LINES
from tests.integration.marketplace_api import LISTING, NEED
from tests.integration.notifications_api import CollectingHandler, start_smtp
from tests.integration.registry_api import application
from tests.integration.training_api import answers
from tests.photos import png
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

CODEC = TokenCodec.from_settings(Settings.from_env("tests"))
SERVICES = ("registry", "marketplace", "training", "notifications", "grants", "events")
EIK_A, EIK_A_PENDING, EIK_B = "204000003", "204000010", "204000028"
ENTERPRISE_A_PHONE = "+359 32 611 722"  # marked non-public: only A's side may see it
ORDER = {"order_number": "РД-01-77", "order_date": "2026-11-23"}
NOT_A_CERTIFICATE = "ДУ-2026-999999"
WORKER_A_EMAIL = "worker-a@pekarna-a.example.bg"
READS_OF_NO_OBJECT = {
    "/api/v1/certificates/{number}",
    "/api/v1/certificates/{number}.html",
    "/api/v1/register/certificates/{number}",
}
"""Reads by id that nobody of A's reaches: no certificate is issued before a session ends (and a training
certificate's number names no certificate of entry in the register)."""


# ---------------------------------------------------------------------- callers
@dataclass(frozen=True)
class Caller:
    name: str
    principal: Principal | None
    """None: anonymous."""
    owner: bool
    """On A's side: owns A's objects or serves A's centre (and admins)."""

    @property
    def headers(self) -> dict[str, str]:
        if self.principal is None:
            return {}
        return {"Authorization": f"Bearer {CODEC.encode(self.principal)}"}

    def admitted(self, policy: Policy) -> bool:
        return policy.admits(self.principal or Principal(subject="", roles=frozenset({Role.PUBLIC})))


def person(subject: str, *roles: Role, **claims: Any) -> Principal:
    return Principal(subject, frozenset(roles), name=f"Лице {subject}", email_verified=True, **claims)


def callers(enterprise_a: str, enterprise_b: str) -> list[Caller]:
    return [
        Caller("anonymous", None, owner=False),
        Caller("representative of A", person("rep-a", Role.REPRESENTATIVE, enterprise_id=enterprise_a,
                                              email="rep-a@pekarna-a.example.bg"), owner=True),
        Caller("buyer A", person("buyer-a", Role.BUYER, email="buyer-a@obshtina.example.bg"), owner=True),
        Caller("learner A", person("learner-a", Role.LEARNER, email="learner-a@pekarna-a.example.bg"), owner=True),
        Caller("trainer A", person("trainer-a", Role.TRAINER, email="trainer-a@example.bg"), owner=True),
        Caller("clerk of A's centre", person("clerk-plovdiv", Role.CLERK, centre="plovdiv"), owner=True),
        Caller("admin", person("admin-m", Role.ADMIN), owner=True),
        Caller("representative of B", person("rep-b", Role.REPRESENTATIVE, enterprise_id=enterprise_b,
                                              email="rep-b@pekarna-b.example.bg"), owner=False),
        Caller("buyer B", person("buyer-b", Role.BUYER, email="buyer-b@example.bg"), owner=False),
        Caller("learner B", person("learner-b", Role.LEARNER, email="learner-b@example.bg"), owner=False),
        Caller("trainer B", person("trainer-b", Role.TRAINER, email="trainer-b@example.bg"), owner=False),
        Caller("integrator", person("integrator-b", Role.INTEGRATOR, email="hooks@integrator.example.bg"),
               owner=False),
        Caller("clerk of another centre", person("clerk-varna", Role.CLERK, centre="varna"), owner=False),
        Caller("clerk without a centre", person("clerk-nowhere", Role.CLERK), owner=False),
        Caller("someone claiming learner A's e-mail, unverified", Principal("learner-x", frozenset({Role.LEARNER}),
               email="learner-a@pekarna-a.example.bg", email_verified=False), owner=False),
    ]  # fmt: skip


def by_name(all_callers: list[Caller], name: str) -> Caller:
    return next(c for c in all_callers if c.name == name)


# ---------------------------------------------------------------------- the services
@pytest.fixture(scope="module")
def mailbox() -> Iterator[int]:
    controller = start_smtp(CollectingHandler())
    try:
        yield controller.port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def platform(
    registry_api: str, infra: Any, mailbox: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """Every service's base URL, each running as real processes on the real Kafka and database."""
    run = uuid.uuid4().hex[:8]
    started = []
    for service, extra in (
        ("marketplace", ["relay", "consumer"]),
        ("training", ["relay", "consumer"]),
        ("notifications", ["consumer"]),
        ("grants", ["relay", "consumer"]),
        ("events", ["relay", "consumer"]),
    ):
        logs = tmp_path_factory.mktemp(f"{service}-matrix")
        env = {
            **service_env(infra, service, logs),
            f"{service.upper()}_CONSUMER_GROUP": f"{service}-matrix-{run}",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(mailbox),
            "WEBHOOKS_ALLOW_LOOPBACK": "true",
        }
        processes = {name: [str(BIN / f"{service}-{name}")] for name in extra}
        started.append(Service(service, logs, env, processes, [f"{name}-alive" for name in extra]))
    with running_services(started) as bases:
        yield {"registry": registry_api.removesuffix("/api/v1")} | {
            service.name: base for service, base in zip(started, bases, strict=True)
        }


# ---------------------------------------------------------------------- owner A's objects
@dataclass
class World:
    callers: list[Caller]
    values: dict[str, str]
    """Path parameter → A's object (see ``path_value`` for those that depend on the URL)."""
    secrets: dict[str, tuple[str, frozenset[str]]]
    """What only A's side may see → (what it is, the callers of the other side who may see it too)."""
    quote_id: str = ""
    order_id: str = ""
    by_service: dict[str, dict[str, str]] = field(default_factory=dict)
    """Path parameters a service names like another's (grants' and the registry's ``application_id``)."""


def call(method: str, url: str, caller: Caller, body: dict[str, Any] | None = None, ok: int = 200) -> Any:
    response = requests.request(method, url, json=body, headers=caller.headers, timeout=15)
    assert response.status_code == ok, f"{method} {url} as {caller.name}: {response.status_code} {response.text}"
    return response.json() if response.content else None


def register(registry: str, rep: Caller, clerk: Caller, eik: str, name: str, district: str, phone: str) -> str:
    body = application(details__eik=eik, details__name=name, details__seat__district=district)
    body["details"]["contacts"].update(phone=phone, phone_public=False, email=f"office-{eik}@example.bg")
    app_id = call("POST", f"{registry}/applications", rep, body, ok=201)["id"]
    call("POST", f"{registry}/applications/{app_id}/submit", rep)
    return call("POST", f"{registry}/applications/{app_id}/approve", clerk, ORDER)["enterprise_id"]


def sofia_day(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


def at(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


@pytest.fixture(scope="module")
def world(platform: dict[str, str]) -> World:
    registry, market, training, notifications, grants, events = (f"{platform[s]}/api/v1" for s in SERVICES)
    bootstrap = callers("", "")
    rep_a0, clerk_plovdiv = by_name(bootstrap, "representative of A"), by_name(bootstrap, "clerk of A's centre")
    clerk_varna = by_name(bootstrap, "clerk of another centre")
    rep_b0 = by_name(bootstrap, "representative of B")

    # the registry: A's registered enterprise, A's second application under review, B's enterprise (Varna)
    enterprise_a = register(registry, rep_a0, clerk_plovdiv, EIK_A, "Социална пекарна „Матрица А“", "BG-16",
                            ENTERPRISE_A_PHONE)  # fmt: skip
    enterprise_b = register(registry, rep_b0, clerk_varna, EIK_B, "Социална работилница „Матрица Б“", "BG-03",
                            "+359 52 600 600")  # fmt: skip
    everyone = callers(enterprise_a, enterprise_b)
    rep_a, buyer_a = by_name(everyone, "representative of A"), by_name(everyone, "buyer A")
    learner_a, trainer_a = by_name(everyone, "learner A"), by_name(everyone, "trainer A")
    admin = by_name(everyone, "admin")
    pending = application(details__eik=EIK_A_PENDING, details__name="Социална кухня „Матрица А2“")
    pending_id = call("POST", f"{registry}/applications", rep_a, pending, ok=201)["id"]
    document = requests.post(f"{registry}/applications/{pending_id}/documents", headers=rep_a.headers, timeout=10,
                             files={"file": ("protokol.pdf", pdf())})  # fmt: skip
    assert document.status_code == 201, document.text
    call("POST", f"{registry}/applications/{pending_id}/submit", rep_a)

    # the marketplace: A's published listing, a quote with an offer, an order, a published need
    wait_until(lambda: requests.get(f"{market}/sellers/{enterprise_a}", timeout=10).status_code == 200,
               "the marketplace to learn of enterprise A from Kafka", timeout=60)  # fmt: skip
    listing = call("POST", f"{market}/listings", rep_a, {**LISTING, "title_bg": "Мед от Матрица А"}, ok=201)["id"]
    photo = requests.post(f"{market}/listings/{listing}/photos", headers=rep_a.headers, timeout=10,
                          files={"file": ("med.png", png(64, 48))}, data={"alt": "Буркан мед"})  # fmt: skip
    assert photo.status_code == 201, photo.text
    call("POST", f"{market}/listings/{listing}/publish", rep_a)
    quote_id = call("POST", f"{market}/quotes", buyer_a, {"listing_id": listing, "quantity": 10}, ok=201)["id"]
    call("POST", f"{market}/quotes/{quote_id}/offer", rep_a, {"unit_price_cents": 1100, "valid_until": sofia_day(30)})
    order_id = call("POST", f"{market}/orders", buyer_a, {"listing_id": listing, "quantity": 4}, ok=201)["id"]
    need = call("POST", f"{market}/needs", buyer_a, {**NEED, "deadline": sofia_day(40)}, ok=201)["id"]
    call("POST", f"{market}/needs/{need}/validate", clerk_plovdiv)

    # training: a course, A's session at Plovdiv, learner A's enrolment, A's assessment, A's calendar link
    wait_until(lambda: requests.get(f"{training}/enterprises/{enterprise_a}/recommendations", headers=rep_a.headers,
                                    timeout=10).status_code == 200,
               "the training service to learn of enterprise A from Kafka", timeout=60)  # fmt: skip
    course = call("POST", f"{training}/courses", admin, {
        "title_bg": "Електронни фактури", "description_bg": "Практически курс.", "dimensions": ["digital_readiness"],
        "level": "beginner", "hours": 8, "format": "in_person"}, ok=201)["id"]  # fmt: skip
    start = datetime.now(UTC) + timedelta(days=20)
    session = call("POST", f"{training}/sessions", trainer_a, {
        "course_id": course, "centre": "plovdiv", "room": "Зала 3", "capacity": 8, "funded": False,
        "meetings": [{"starts_at": at(start), "ends_at": at(start + timedelta(hours=4))}]}, ok=201)["id"]  # fmt: skip
    enrolment = call("POST", f"{training}/sessions/{session}/enrolments", learner_a, {}, ok=201)["id"]
    assessment = call("POST", f"{training}/enterprises/{enterprise_a}/assessments", rep_a,
                      {"version": "dma-2026-1", "answers": answers(0.6)}, ok=201)["id"]  # fmt: skip
    link = call("POST", f"{training}/learners/me/calendar-link", learner_a, ok=201)["url"]
    worker = call("POST", f"{training}/enterprises/{enterprise_a}/staff", rep_a,
                  {"name": "Служител на Матрица А", "email": WORKER_A_EMAIL}, ok=201)["id"]  # fmt: skip
    calendar_token = re.search(r"/learners/([^/]+)/sessions\.ics", link).group(1)  # type: ignore[union-attr]

    # notifications: a message in learner A's inbox (the enrolment's confirmation) and A's webhook subscription
    def inbox_of_a() -> list[dict[str, Any]]:
        return requests.get(f"{notifications}/inbox", headers=learner_a.headers, timeout=10).json().get("items", [])

    wait_until(lambda: bool(inbox_of_a()), "a message for learner A in the inbox", timeout=60)
    message_id = inbox_of_a()[0]["id"]
    subscription = call("POST", f"{notifications}/webhooks", rep_a,
                        {"url": "http://127.0.0.1:9/hooks", "event_types": ["registry.EnterpriseRegistered"]},
                        ok=201)["id"]  # fmt: skip
    template = call("GET", f"{notifications}/admin/templates", admin)["items"][0]["message"]

    # grants: the ministry's call (every region), A's plan for it once grants has heard of A and its survey
    grants_call = call("POST", f"{grants}/calls", admin, GRANTS_CALL, ok=201)["id"]

    def plan_of_a() -> str | None:
        response = requests.post(f"{grants}/applications", headers=rep_a.headers, timeout=10,
                                 json={"call_id": grants_call, "lines": GRANTS_CALL_LINES})  # fmt: skip
        return response.json()["id"] if response.status_code == 201 else None

    wait_until(lambda: plan_of_a() is not None, "the grants service to learn of enterprise A from Kafka", timeout=60)
    grants_plan = call("GET", f"{grants}/applications", rep_a)["items"][0]["id"]
    offer = {"file": ("oferta.pdf", pdf())}
    grants_document = requests.post(f"{grants}/applications/{grants_plan}/documents", headers=rep_a.headers,
                                    files=offer, data={"code": "offer"}, timeout=10)  # fmt: skip
    assert grants_document.status_code == 201, grants_document.text

    # events: Plovdiv's published fair, A's application for a stand with its listing (once events has heard of
    # A and the listing), learner A's seat
    fair = call("POST", f"{events}/events", clerk_plovdiv, events_fair(), ok=201)["id"]
    call("POST", f"{events}/events/{fair}/publish", clerk_plovdiv)

    def stand_application_of_a() -> bool:
        response = requests.post(f"{events}/events/{fair}/exhibitors", headers=rep_a.headers, timeout=10,
                                 json={"listings": [listing]})  # fmt: skip
        return response.status_code == 201

    wait_until(stand_application_of_a, "the events service to learn of A and its listing from Kafka", timeout=60)
    exhibitor = call("GET", f"{events}/exhibitors", rep_a)["items"][0]["id"]
    seat = call("POST", f"{events}/events/{fair}/registration", learner_a, {"name": "Учащ А"}, ok=201)["id"]

    values = {
        "application_id": pending_id, "document_id": document.json()["id"], "enterprise_id": enterprise_a,
        "key": enterprise_a,
        "listing_id": listing, "seller_id": enterprise_a, "need_id": need,
        "photo_id": photo.json()["id"], "size": "thumb",
        "course_id": course, "session_id": session, "enrolment_id": enrolment, "assessment_id": assessment,
        "trainer_id": trainer_a.principal.subject if trainer_a.principal else "", "centre": "plovdiv",
        "number": NOT_A_CERTIFICATE, "version": "dma-2026-1", "token": calendar_token,
        "message_id": message_id, "subscription_id": subscription, "message": template,
        "worker_id": worker,
        "call_id": grants_call, "change_id": "no-such-change",
        "event_id": fair, "participation_id": exhibitor, "organiser": "plovdiv",
    }  # fmt: skip
    by_service = {"grants": {"application_id": grants_plan, "document_id": grants_document.json()["id"]}}
    only_a = frozenset[str]()
    secrets = {
        pending_id: ("A's application under review", only_a), quote_id: ("A's quote", only_a),
        document.json()["id"]: ("A's document", only_a),
        order_id: ("A's order", only_a), enrolment: ("learner A's enrolment", only_a),
        assessment: ("A's assessment", only_a), calendar_token: ("A's calendar secret", only_a),
        message_id: ("A's inbox message", only_a), subscription: ("A's webhook subscription", only_a),
        grants_plan: ("A's grant application", only_a),
        grants_document.json()["id"]: ("A's grant application's document", only_a),
        exhibitor: ("A's application for a stand", only_a), seat: ("learner A's seat at the fair", only_a),
        ENTERPRISE_A_PHONE: ("A's non-public phone", only_a),
        "learner-a@pekarna-a.example.bg": ("learner A's e-mail", only_a),
        WORKER_A_EMAIL: ("the e-mail of a worker on A's staff list", only_a),
        # the clerks of every centre check buyers' needs (with the buyer's address); no one else sees it
        "buyer-a@obshtina.example.bg": ("buyer A's e-mail", frozenset({"clerk of another centre"})),
    }  # fmt: skip
    return World(everyone, values, secrets, quote_id=quote_id, order_id=order_id, by_service=by_service)


# ---------------------------------------------------------------------- the walk
@dataclass(frozen=True)
class Operation:
    service: str
    method: str
    path: str
    policy: Policy

    @property
    def reads(self) -> bool:
        return self.method == "GET"


@dataclass
class Tally:
    probes: Counter[str] = field(default_factory=Counter)
    refused_by_role: Counter[str] = field(default_factory=Counter)
    refused_as_not_theirs: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def policy_of(operation: dict[str, Any]) -> Policy | None:
    declared = operation.get("x-policy")
    if declared is None:
        return None
    return Policy(frozenset(Role(r) for r in declared["roles"]), Ownership(declared["ownership"]), declared["rule"])


def operations(platform: dict[str, str], tally: Tally) -> list[Operation]:
    found = []
    for service in SERVICES:
        document = requests.get(f"{platform[service]}/openapi.json", timeout=10).json()
        for path, item in document["paths"].items():
            for method, operation in item.items():
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                policy = policy_of(operation)
                if policy is None:
                    tally.failures.append(f"{service} {method.upper()} {path}: no declared policy in the document")
                    continue
                found.append(Operation(service, method.upper(), path, policy))
    return found


def path_value(world: World, path: str, name: str, service: str = "") -> str:
    if name in world.by_service.get(service, {}):
        return world.by_service[service][name]
    if name == "deal_id":
        return world.order_id if "/orders/" in path else world.quote_id
    if name not in world.values:
        pytest.fail(f"{path}: give the matrix a real value of A's for the path parameter {name!r}")
    return world.values[name]


def url_of(base: str, world: World, path: str, service: str = "") -> str:
    return base + re.sub(r"\{(\w+)\}", lambda m: quote(path_value(world, path, m.group(1), service), safe=":@"), path)


def probe(http: requests.Session, base: str, world: World, op: Operation, caller: Caller, tally: Tally) -> int:
    url = url_of(base, world, op.path, op.service)
    body = None if op.method in ("GET", "DELETE") else {}
    response = http.request(op.method, url, json=body, headers=caller.headers, timeout=15)
    status = response.status_code
    where = f"{op.service} {op.method} {op.path} as {caller.name}: {status}"
    tally.probes[op.service] += 1
    if status >= 500:
        tally.failures.append(f"{where} (a server error) {response.text[:200]}")
    if not caller.admitted(op.policy):
        tally.refused_by_role[op.service] += 1
        expected = 401 if caller.principal is None else 403
        if status != expected:
            tally.failures.append(f"{where}, but its roles {op.policy.callers()} refuse this caller: {expected} is due")
        return status
    if not caller.owner and op.policy.ownership.refuses_others:
        tally.refused_as_not_theirs[op.service] += 1
        if 200 <= status < 300:
            tally.failures.append(f"{where}, but only {op.policy.words!r} may: 401/403/404 is due")
    if not caller.owner and 200 <= status < 300:
        leaked = [
            what for value, (what, also) in world.secrets.items() if value in response.text and caller.name not in also
        ]
        if leaked:
            tally.failures.append(f"{where} shows {', '.join(leaked)}")
    return status


@pytest.mark.timeout(600)  # the setup starts six services' processes and waits for each to hear of A on Kafka
def test_every_operation_refuses_every_caller_its_policy_refuses(
    platform: dict[str, str], world: World, capsys: pytest.CaptureFixture[str], record_property: Any
) -> None:
    tally = Tally()
    ops = operations(platform, tally)
    reached: dict[Operation, bool] = {}
    owners_last = sorted(world.callers, key=lambda c: c.owner)
    with requests.Session() as http:
        # others first (and A's side where its roles refuse it), then A's side reads, then A's side changes:
        # nothing A's side may legitimately change happens before the others have been refused
        for op in ops:
            for caller in owners_last:
                if not (caller.owner and caller.admitted(op.policy)):
                    probe(http, platform[op.service], world, op, caller, tally)
        for phase_reads in (True, False):
            for op in (o for o in ops if o.reads == phase_reads):
                for caller in (c for c in world.callers if c.owner and c.admitted(op.policy)):
                    status = probe(http, platform[op.service], world, op, caller, tally)
                    reached[op] = reached.get(op, False) or 200 <= status < 300

    unreached = [
        f"{op.service} GET {op.path}"
        for op, ok in reached.items()
        if op.reads and "{" in op.path and not ok and op.path not in READS_OF_NO_OBJECT
    ]
    tally.failures.extend(f"{u}: nobody of A's side reached A's object (are the matrix's ids real?)" for u in unreached)

    total = sum(tally.probes.values())
    per_service = ", ".join(f"{s} {tally.probes[s]}" for s in SERVICES)
    summary = (
        f"authorization matrix: {len(ops)} operations × {len(world.callers)} callers = {total} probes ({per_service}); "
        f"refused by role {sum(tally.refused_by_role.values())}, "
        f"refused as not theirs {sum(tally.refused_as_not_theirs.values())}; failures {len(tally.failures)}"
    )
    record_property("authorization_matrix", summary)
    with capsys.disabled():  # on the terminal even when the test passes, for the closing note
        print(f"\n{summary}")
    assert not tally.failures, f"{summary}\n" + "\n".join(tally.failures[:60])
