"""The platform benchmark's data: a register and a catalogue written as the services would have (the bench
seeds), then a few sellers, their listings and training sessions made through the APIs as people make them.

Written straight to the databases before the services start: ``--enterprises`` register entries whose events
were all relayed long ago (``bench.seed``), and ``--listings`` published listings of their sellers with their
search index (``bench.market_seed``). Through the running services: ``--sellers`` enterprises apply, are
approved by the Plovdiv centre, reach the marketplace over Kafka and publish ``LISTINGS_PER_SELLER`` listings
each (the ones buyers quote and order); an administrator adds a course and a trainer ``SESSIONS`` sessions.
"""

from __future__ import annotations

import copy
import logging
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from bench import market_seed
from bench.seed import build_enterprise, eik, search_documents
from services.registry.adapters.documents import from_document, register_view, to_document
from services.registry.adapters.register_index import RegisterIndex
from services.registry.adapters.repository import ENTERPRISES, INDEXES, LOOKUPS, REGISTER
from shared.auth import Principal, Role, TokenCodec
from shared.config import Settings
from shared.mongo import connect, ensure_indexes

log = logging.getLogger("bench")

CODEC = TokenCodec.from_settings(Settings.from_env("bench"))
LISTINGS_PER_SELLER = 3
SESSIONS = 10
SESSION_CAPACITY = 400
SELLER_EIK_BASE = 61_000_000
APPLICANT_EIK_BASE = 62_000_000
"""ЕИК numbers of the benchmark's own applications (the bench seeds use 20 000 000 onwards)."""
ORDER = {"order_number": "РД-01-77", "order_date": "2026-11-23"}


def token(subject: str, role: Role, **claims: Any) -> dict[str, str]:
    """A development bearer header, as the tests and ``solidarity-token`` make them (a verified e-mail)."""
    principal = Principal(subject, frozenset({role}), name=claims.pop("name", subject), email_verified=True, **claims)
    return {"Authorization": f"Bearer {CODEC.encode(principal, timedelta(hours=6))}"}


CLERK = token("clerk-bench-plovdiv", Role.CLERK, centre="plovdiv", name="Служител на центъра в Пловдив")
NATIONAL_CLERK = token("clerk-bench-national", Role.CLERK, centre="national", name="Служител на министерството")
PENDING_OFFSET = 900_000
"""Indexes (and so ЕИК numbers) of the applications left waiting for a decision, after the register's."""
ADMIN = token("admin-bench", Role.ADMIN, name="Администратор")
TRAINER = token("trainer-bench", Role.TRAINER, name="Петя Стоянова")

APPLICATION: dict[str, Any] = {
    "details": {
        "name": "",
        "legal_form": "cooperative",
        "eik": "",
        "seat": {
            "district": "BG-16",
            "municipality": "Пловдив",
            "settlement": "Пловдив",
            "address": "бул. Руски 15",
            "postcode": "4000",
        },
        "contacts": {"email": "", "phone": "+359 32 600 700", "phone_public": False},
        "representative": {"full_name": "Елена Георгиева", "position": "председател"},
        "activities": ["хлебопроизводство", "кетъринг"],
        "description": "Пекарна, в която работят младежи, напуснали социални институции.",
    },
    "requested_class": "A",
    "class_a_route": "employment",
    "evidence": {
        "social_activity_evidenced": True,
        "participatory_management": True,
        "after_tax_result_cents": 1_500_000,
        "social_spending_cents": 900_000,
        "staff_count": 9,
        "vulnerable_staff": {"leaving_institutions": 3, "youth_up_to_29": 1},
        "vulnerable_staff_continuous_6m": 2,
    },
}

LISTINGS = [
    {"kind": "product", "title_bg": "Липов мед от {}", "title_en": "Linden honey", "category": "food.honey",
     "price_cents": 1250, "unit": "буркан"},
    {"kind": "product", "title_bg": "Керамични чаши от {}", "title_en": "Ceramic mugs", "category": "crafts.ceramics",
     "price_cents": 3400, "unit": "брой"},
    {"kind": "product", "title_bg": "Домашно сирене от {}", "title_en": "", "category": "food.dairy",
     "price_cents": 1890, "unit": "кг"},
]  # fmt: skip


def application(number: int, name: str, email: str) -> dict[str, Any]:
    """An application of a Plovdiv cooperative with ЕИК ``eik(number)`` and contact address ``email``."""
    body = copy.deepcopy(APPLICATION)
    body["details"] |= {"name": name, "eik": eik(number)}
    body["details"]["contacts"]["email"] = email
    return body


def call(method: str, url: str, headers: dict[str, str] | None = None, body: Any = None) -> dict[str, Any]:
    response = requests.request(method, url, json=body, headers=headers, timeout=60)
    if response.status_code >= 300:
        raise RuntimeError(f"{method} {url} answered {response.status_code}: {response.text[:500]}")
    return response.json()


def _pending(count: int) -> list[dict[str, Any]]:
    """``count`` applications submitted in districts all over the country, waiting for a clerk's decision."""
    documents = []
    for index in range(PENDING_OFFSET, PENDING_OFFSET + count):
        enterprise = build_enterprise(random.Random(index), index, state="submitted")
        published = len(enterprise.take_events())
        documents.append(
            to_document(enterprise) | {"outbox": [], "outbox_seq": published, "outbox_sent_seq": published}
        )
    return documents


def write_databases(
    mongodb_uri: str, databases: dict[str, str], enterprises: int, listings: int, pending: int
) -> dict[str, Any]:
    """The register and the catalogue, as if the services had written them (before they start), and ``pending``
    applications waiting for a decision (the clerks' queue when the mix starts)."""
    started = time.monotonic()
    client = connect(mongodb_uri, app_name="bench-seed")
    try:
        registry = client[databases["registry"]]
        ensure_indexes(registry, INDEXES)
        for start in range(0, enterprises, 500):
            documents = search_documents(start, min(start + 500, enterprises))
            registry[ENTERPRISES].insert_many(documents, ordered=False)
            views = [register_view(from_document(d)) for d in documents]
            registry[REGISTER].insert_many([v for v in views if v is not None], ordered=False)
        RegisterIndex(registry).build(registry[REGISTER])
        waiting = _pending(pending)
        if waiting:
            registry[ENTERPRISES].insert_many(waiting, ordered=False)
            hints = [{"_id": f"application:{d['application_ids'][0]}", "enterprise_id": d["_id"]} for d in waiting]
            registry[LOOKUPS].insert_many(hints, ordered=False)  # as the registry notes them when one applies
        market = market_seed.load(client[databases["marketplace"]], listings) if listings else {"listings": 0}
    finally:
        client.close()
    return {
        "enterprises": enterprises,
        "listings": market["listings"],
        "pending": [d["application_ids"][0] for d in waiting],
        "seconds": time.monotonic() - started,
    }


def sellers(urls: dict[str, str], count: int, run_id: str, timeout: float) -> list[dict[str, Any]]:
    """``count`` enterprises through the registry's API, known to the marketplace, each with published listings."""
    registry, market = f"{urls['registry']}/api/v1", f"{urls['marketplace']}/api/v1"
    made = []
    for i in range(count):
        rep = token(f"rep-seller-{run_id}-{i}", Role.REPRESENTATIVE, email=f"rep{i}.{run_id}@seller.example.bg")
        name = f"Кооперация „Бенчмарк {i + 1}“"
        body = application(SELLER_EIK_BASE + i, name, f"office{i}.{run_id}@seller.example.bg")
        application_id = call("POST", f"{registry}/applications", rep, body)["id"]
        call("POST", f"{registry}/applications/{application_id}/submit", rep)
        enterprise_id = call("POST", f"{registry}/applications/{application_id}/approve", CLERK, ORDER)["enterprise_id"]
        made.append({"enterprise_id": enterprise_id, "name": name})
    deadline = time.monotonic() + timeout
    for seller in made:
        while requests.get(f"{market}/sellers/{seller['enterprise_id']}", timeout=30).status_code != 200:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the marketplace did not learn of {seller['name']} in {timeout:.0f} s")
            time.sleep(0.3)
    for seller in made:
        rep = token(f"rep-of-{seller['enterprise_id']}", Role.REPRESENTATIVE, enterprise_id=seller["enterprise_id"])
        seller["listings"] = []
        for template in LISTINGS[:LISTINGS_PER_SELLER]:
            body = {**template, "title_bg": template["title_bg"].format(seller["name"]),
                    "description_bg": f"От {seller['name']}, Пловдив.", "districts_served": ["BG-16", "BG-22"],
                    "minimum_quantity": 1}  # fmt: skip
            if not body["title_en"]:
                del body["title_en"]
            listing = call("POST", f"{market}/listings", rep, body)
            call("POST", f"{market}/listings/{listing['id']}/publish", rep)
            seller["listings"].append(listing["id"])
    return made


def sessions(urls: dict[str, str]) -> list[str]:
    """A course and ``SESSIONS`` upcoming sessions of it, open to every learner."""
    training = f"{urls['training']}/api/v1"
    course = call("POST", f"{training}/courses", ADMIN, {
        "title_bg": "Електронни фактури и онлайн банкиране", "description_bg": "Практически курс за счетоводители.",
        "dimensions": ["digital_readiness"], "level": "beginner", "hours": 8, "format": "in_person",
    })  # fmt: skip
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=14)
    ids = []
    for n in range(SESSIONS):
        begins = start + timedelta(days=n)
        meeting = {"starts_at": begins.isoformat(), "ends_at": (begins + timedelta(hours=4)).isoformat()}
        body = {"course_id": course["id"], "centre": "plovdiv", "room": f"Зала {n + 1}",
                "capacity": SESSION_CAPACITY, "meetings": [meeting], "funded": False}  # fmt: skip
        ids.append(call("POST", f"{training}/sessions", TRAINER, body)["id"])
    return ids


def learner(run_id: str, n: int) -> dict[str, str]:
    email = f"learner{n}.{run_id}@bench.example.bg"
    return token(f"learner-{email}", Role.LEARNER, email=email, name=f"Обучаем {n}")


def warm_up(urls: dict[str, str], session_id: str, run_id: str, timeout: float) -> None:
    """One learner enrols and waits for her confirmation in the inbox: training's relay and notifications'
    consumer have joined their groups before anything is measured."""
    headers = learner(run_id, 0)
    call("POST", f"{urls['training']}/api/v1/sessions/{session_id}/enrolments", headers, {})
    deadline = time.monotonic() + timeout
    while not requests.get(f"{urls['notifications']}/api/v1/inbox", headers=headers, timeout=30).json()["items"]:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no enrolment confirmation reached the inbox in {timeout:.0f} s")
        time.sleep(0.3)
