"""Fuzzing every operation of every service's OpenAPI document, against the services as real processes.

Schemathesis reads each service's ``/openapi.json`` and generates requests for every operation: valid ones
(positive) and ones that break the document on purpose (negative), sent anonymously and with a token for
each role the operation's policy (``x-policy``) admits, minted as ``solidarity-token`` mints them (verified
e-mail). Every answer is checked: no status of 500 or above, and the answer is what the document says
(a documented status code, the documented content type, a body matching the documented schema).

``FUZZ_EXAMPLES`` sets the cases per operation (default 20): ``FUZZ_EXAMPLES=200 .venv/bin/pytest
tests/e2e/test_fuzz.py`` fuzzes longer. ``make test`` draws the same cases every run (a failure there is
always the code's, never the dice's); ``FUZZ_RANDOM=true`` draws new ones each run to explore further.
Each failure is reported with a ``curl`` command that repeats it; the counts per service appear at the end.
"""

from __future__ import annotations

import os
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from pymongo import MongoClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shared.auth import Principal, Role, TokenCodec
from shared.config import Settings
from tests.e2e.web_processes import DATABASES, SERVICES
from tests.integration.events_seed import events_fair, seed_events_enterprise, seed_events_listing
from tests.integration.grants_seed import GRANTS_CALL, GRANTS_CALL_LINES, seed_grants_enterprise
from tests.integration.marketplace_api import LISTING, NEED, seed_seller
from tests.integration.registry_api import application
from tests.integration.training_api import seed_enterprise

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 20)
RANDOM = (os.environ.get("FUZZ_RANDOM") or "").lower() in {"1", "true", "yes"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
REFUSALS = ["400", "401", "403", "404", "405", "409", "413", "414", "415", "422", "429"]
"""What a request that breaks the document may be answered with (the platform's refusals)."""
CONFIG = schemathesis.Config.from_dict({"checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}}})
CODEC = TokenCodec.from_settings(Settings.from_env("tests"))
ENTERPRISE_ID = str(uuid.uuid4())
COURSE = {
    "title_bg": "Онлайн продажби",
    "description_bg": "Магазин в интернет стъпка по стъпка.",
    "dimensions": ["digital_readiness"],
    "level": "beginner",
    "hours": 6,
    "format": "in_person",
}


@dataclass
class Tally:
    """What one service's fuzzing did: cases sent, answers by status class, failures by operation."""

    cases: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    failures: dict[str, list[str]] = field(default_factory=dict)

    @property
    def server_errors(self) -> int:
        return self.statuses["5xx"]


TALLIES: dict[str, Tally] = {}
"""Read by tests/e2e/conftest.py for the summary at the end of the run."""


def bearer(role: Role, subject: str = "") -> dict[str, str]:
    principal = Principal(
        subject=subject or f"fuzz-{role.value}",
        roles=frozenset({role}),
        name="Фъз Тестов",
        email=f"fuzz-{role.value}@example.bg",
        email_verified=True,
        enterprise_id=ENTERPRISE_ID if role in (Role.REPRESENTATIVE, Role.LEARNER) else None,
        centre="plovdiv" if role == Role.CLERK else None,
    )
    return {"Authorization": f"Bearer {CODEC.encode(principal)}"}


def callers(operation: Any) -> list[tuple[str, dict[str, str]]]:
    """Anonymous, and one token for each role the operation's policy admits (an admin for public ones)."""
    roles = (operation.definition.raw.get("x-policy") or {}).get("roles") or ["admin"]
    named = [Role.ADMIN] if roles == [Role.PUBLIC.value] else [Role(role) for role in roles]
    return [("anonymous", {})] + [(role.value, bearer(role)) for role in named]


def created(response: requests.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), (response.request.method, response.request.url, response.text[:500])
    return response.json()


@pytest.fixture(scope="module")
def known(service_apis: dict[str, str], infra: Any) -> dict[str, dict[str, list[str]]]:
    """Real objects of each service, owned by the fuzzing's own principals where ownership matters, so that
    half of the cases name things that exist: ``{service: {path parameter: [values]}}``."""
    post = requests.Session()
    registry, market, training = (service_apis[s] for s in ("registry", "marketplace", "training"))

    draft = created(
        post.post(f"{registry}/api/v1/applications", json=application(), headers=bearer(Role.REPRESENTATIVE))
    )
    other = bearer(Role.REPRESENTATIVE, "fuzz-applicant")  # another applicant, whose application is approved
    approved = created(
        post.post(f"{registry}/api/v1/applications", json=application(details__eik="020469788"), headers=other)
    )
    created(post.post(f"{registry}/api/v1/applications/{approved['id']}/submit", headers=other))
    entry = created(
        post.post(
            f"{registry}/api/v1/applications/{approved['id']}/approve",
            json={"order_number": "РД-01-1", "order_date": date.today().isoformat()},
            headers=bearer(Role.CLERK),
        )
    )

    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_uri, tz_aware=True)
    seed_seller(client[DATABASES["marketplace"]], enterprise_id=ENTERPRISE_ID)  # as if heard of on Kafka
    seed_enterprise(client[DATABASES["training"]], enterprise_id=ENTERPRISE_ID)
    seed_grants_enterprise(client[DATABASES["grants"]], enterprise_id=ENTERPRISE_ID)
    seed_events_enterprise(client[DATABASES["events"]], enterprise_id=ENTERPRISE_ID)
    fair_listing = seed_events_listing(client[DATABASES["events"]], seller_id=ENTERPRISE_ID)
    client.close()
    seller = bearer(Role.REPRESENTATIVE)
    listing = created(post.post(f"{market}/api/v1/listings", json=LISTING, headers=seller))
    created(post.post(f"{market}/api/v1/listings/{listing['id']}/publish", headers=seller))
    buyer = bearer(Role.BUYER)
    deal = {"listing_id": listing["id"], "quantity": 2}
    quote = created(post.post(f"{market}/api/v1/quotes", json=deal, headers=buyer))
    order = created(post.post(f"{market}/api/v1/orders", json=deal, headers=buyer))
    deadline = (date.today() + timedelta(days=20)).isoformat()
    need = created(post.post(f"{market}/api/v1/needs", json={**NEED, "deadline": deadline}, headers=buyer))

    course = created(post.post(f"{training}/api/v1/courses", json=COURSE, headers=bearer(Role.ADMIN)))
    start = datetime.combine(date.today() + timedelta(days=40), time(10))
    meeting = {
        "starts_at": start.isoformat(timespec="minutes"),
        "ends_at": (start + timedelta(hours=2)).isoformat(timespec="minutes"),
    }
    session = created(
        post.post(
            f"{training}/api/v1/sessions",
            json={
                "course_id": course["id"],
                "centre": "plovdiv",
                "room": "Зала 2",
                "meetings": [meeting],
                "capacity": 16,
            },
            headers=bearer(Role.TRAINER),
        )
    )
    enrolment = created(
        post.post(f"{training}/api/v1/sessions/{session['id']}/enrolments", json={}, headers=bearer(Role.LEARNER))
    )
    grants = service_apis["grants"]
    call = created(post.post(f"{grants}/api/v1/calls", json=GRANTS_CALL, headers=bearer(Role.ADMIN)))
    plan = created(
        post.post(
            f"{grants}/api/v1/applications",
            json={"call_id": call["id"], "lines": GRANTS_CALL_LINES},
            headers=bearer(Role.REPRESENTATIVE),
        )
    )
    events = f"{service_apis['events']}/api/v1/events"
    clerk = bearer(Role.CLERK)
    fair = created(post.post(events, json=events_fair(), headers=clerk))
    created(post.post(f"{events}/{fair['id']}/publish", headers=clerk))
    exhibitor = created(
        post.post(f"{events}/{fair['id']}/exhibitors", json={"listings": [fair_listing]}, headers=seller)
    )
    created(post.post(f"{events}/{fair['id']}/registration", json={"name": "Фъз Тестов"}, headers=bearer(Role.LEARNER)))
    return {
        "events": {
            "event_id": [fair["id"]],
            "participation_id": [exhibitor["id"]],
            "organiser": ["plovdiv"],
            "centre": ["plovdiv"],
        },
        "grants": {"call_id": [call["id"]], "application_id": [plan["id"]]},
        "registry": {
            "application_id": [draft["id"], approved["id"]],
            "enterprise_id": [entry["enterprise_id"]],
            "key": [entry["registration_number"], entry["enterprise_id"]],
        },
        "marketplace": {
            "listing_id": [listing["id"]],
            "seller_id": [ENTERPRISE_ID],
            "deal_id": [quote["id"], order["id"]],
            "need_id": [need["id"]],
        },
        "training": {
            "course_id": [course["id"]],
            "session_id": [session["id"]],
            "enrolment_id": [enrolment["id"]],
            "trainer_id": ["fuzz-trainer"],
            "enterprise_id": [ENTERPRISE_ID],
            "centre": ["plovdiv"],
        },
        "notifications": {"message": ["application_approved"]},
    }


def fuzz_operation(
    base: str, operation: Any, tally: Tally, session: requests.Session, known: dict[str, list[str]]
) -> None:
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    strategies = [operation.as_strategy(mode) for mode in modes]
    names = re.findall(r"{(\w+)}", operation.path)
    if names and all(name in known for name in names):  # the other half: things that exist
        real = st.fixed_dictionaries({name: st.sampled_from(known[name]) for name in names})
        strategies += [
            real.flatmap(lambda ids, mode=mode: operation.as_strategy(mode, path_parameters=ids)) for mode in modes
        ]
    cases = st.one_of(strategies)

    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=cases, caller=st.sampled_from(callers(operation)))
    def probe(case: Any, caller: tuple[str, dict[str, str]]) -> None:
        who, headers = caller
        tally.cases += 1
        response = case.call(base_url=base, session=session, headers=headers, timeout=30)
        tally.statuses[f"{response.status_code // 100}xx"] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as failures:
            found = tally.failures.setdefault(operation.label, [])
            if len(found) < 3:  # the first few of each operation say enough
                found.append(f"as {who}: {failures}")

    probe()


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_answers_as_documented_and_never_with_a_server_error(
    service_apis: dict[str, str], known: dict[str, dict[str, list[str]]], service: str
) -> None:
    base = service_apis[service]
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json", config=CONFIG, timeout=30)
    tally = TALLIES.setdefault(service, Tally())
    operations = 0
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1
            fuzz_operation(base, operation, tally, session, known[service])
    assert operations > 0 and tally.cases >= operations, f"{service}: nothing was fuzzed"
    report = "\n\n".join(f"{label}:\n" + "\n".join(found) for label, found in sorted(tally.failures.items()))
    if tally.failures:
        pytest.fail(
            f"{service}: {len(tally.failures)} of {operations} operations answered against the document "
            f"or with a server error ({tally.server_errors} answers ≥ 500 in {tally.cases} cases):\n\n{report}",
            pytrace=False,
        )
