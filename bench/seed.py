"""Realistic register data, built through the real domain model and the real `to_document`.

Every enterprise goes the way a real one does: an application is started, submitted and approved
(some later expire or are deleted, a few are still waiting for a decision). The generator is
seeded, so two runs produce the same names, districts and outbox events (except event ids).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymongo.collection import Collection

from services.registry.adapters.documents import to_document
from services.registry.domain.details import Contacts, EnterpriseDetails, Representative, Seat
from services.registry.domain.eligibility import ClassARoute, EnterpriseClass, Evidence
from services.registry.domain.enterprise import ApplicationRequest, Enterprise
from services.registry.domain.entry import Order
from services.registry.domain.history import SYSTEM, Actor
from services.registry.domain.policy import RegistryPolicy
from services.registry.events.schemas import REGISTRY_EVENTS
from services.registry.service_layer.publishing import to_outbox
from shared.bg.geography import geography
from shared.logs import correlation_scope
from shared.outbox import OutboxEntry, outbox_for_insert

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
POLICY = RegistryPolicy()
OUTBOX_OFFSET = 500_000
CLERK = Actor(subject="clerk-bench", name="Служител", role="clerk")

ADJECTIVES = ["Зелена", "Добра", "Светла", "Нова", "Златна", "Бяла", "Синя", "Родна", "Малка", "Щедра"]
NOUNS = ["надежда", "долина", "пчела", "искра", "ръка", "градина", "пекарна", "работилница", "нишка", "стъпка"]
PLACES = ["Марица", "Родопи", "Дунав", "Балкан", "Пирин", "Струма", "Витоша", "Странджа", "Янтра", "Тунджа"]
LATIN = ["Green Hands", "Social Bakery", "Open Door", "Bright Path", "Good Thread", "Sunny Garden", "Blue Bee"]
SURNAMES = ["Петрова", "Иванов", "Георгиева", "Димитров", "Николова", "Стоянов", "Христова", "Тодоров"]
FIRST_NAMES = ["Мария", "Иван", "Елена", "Георги", "Десислава", "Николай", "Радка", "Петър"]
ACTIVITIES = [
    "шиене на работно облекло",
    "производство на хляб и сладкарски изделия",
    "почистване на обществени площи",
    "социален туризъм",
    "грижа за възрастни хора",
    "ремонт на мебели",
    "пчеларство и производство на мед",
    "кетъринг",
    "рециклиране на текстил",
    "озеленяване",
    "печатни услуги",
    "производство на сапун",
]
FORMS = {
    "cooperative": "Кооперация „{}“",
    "association": "Сдружение „{}“",
    "foundation": "Фондация „{}“",
    "ood": "„{}“ ООД",
    "eood": "„{}“ ЕООД",
    "ad": "„{}“ АД",
    "et": "ЕТ „{}“",
}


def eik(number: int) -> str:
    """A valid 9-digit ЕИК whose first eight digits are ``number`` (check digit per БУЛСТАТ rules)."""
    digits = [int(c) for c in f"{number:08d}"]
    check = sum(d * w for d, w in zip(digits, range(1, 9), strict=True)) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits, range(3, 11), strict=True)) % 11
        check = 0 if check == 10 else check
    return "".join(map(str, digits)) + str(check)


def _name(rng: random.Random) -> tuple[str, str]:
    form = rng.choice(list(FORMS))
    roll = rng.random()
    if roll < 0.15:
        core = rng.choice(LATIN)
    elif roll < 0.55:
        core = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    elif roll < 0.8:
        core = rng.choice(PLACES)
    else:
        core = f"{rng.choice(NOUNS).capitalize()} {rng.choice(PLACES)}"
    return FORMS[form].format(core), form


def _details(rng: random.Random, index: int) -> EnterpriseDetails:
    name, form = _name(rng)
    district = geography().districts[f"BG-{rng.randint(1, 28):02d}"]
    person = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
    return EnterpriseDetails(
        name=name,
        legal_form=form,
        eik=eik(20_000_000 + index),
        seat=Seat(district.code, district.name_bg, district.name_bg, f"ул. Христо Ботев {rng.randint(1, 120)}", "4000"),
        contacts=Contacts(f"office{index}@enterprise.example.bg", "+359 2 123 456", "", rng.random() < 0.8, False),
        representative=Representative(person, "управител"),
        activities=rng.sample(ACTIVITIES, rng.randint(1, 3)),
        description="Социално предприятие, което осигурява заетост на хора от уязвими групи.",
    )


def _request(rng: random.Random) -> ApplicationRequest:
    staff = rng.randint(6, 40)
    share = max(3, -(-staff * 35 // 100))  # 35% of the staff, rounded up: class A by employment
    vulnerable = {"long_term_unemployed": share, "permanent_disabilities": rng.randint(0, 3)}
    evidence = Evidence(True, True, 2_000_000, 1_200_000, staff, vulnerable, share, False)
    return ApplicationRequest(EnterpriseClass.A, ClassARoute.EMPLOYMENT, None, evidence)


def build_enterprise(rng: random.Random, index: int, *, state: str = "active") -> Enterprise:
    """One enterprise in ``state`` (active, expired, deleted, submitted), with the events that got it there."""
    started = NOW - timedelta(days=rng.randint(40, 1000), minutes=rng.randint(0, 600))
    owner = Actor(subject=f"rep-{index}", name="Представител", role="representative")
    enterprise = Enterprise.start(
        enterprise_id=f"ent-{index:06d}",
        application_id=f"app-{index:06d}",
        owner=owner,
        details=_details(rng, index),
        request=_request(rng),
        policy=POLICY,
        now=started,
    )
    enterprise.submit(actor=owner, now=started + timedelta(hours=2))
    if state == "submitted":
        return enterprise
    decided = started + timedelta(days=rng.randint(3, 13))
    order = Order(f"РД-{index:05d}", decided.date())
    enterprise.approve(
        actor=CLERK,
        order=order,
        registration_number=f"СП-{index + 1:05d}",
        certificate_number=f"УСП-{decided.year}-{index + 1:05d}",
        policy=POLICY,
        now=decided,
        today=decided.date(),
    )
    entry = enterprise.entry
    assert entry is not None
    if state == "expired":
        after = entry.certificate.valid_until + timedelta(days=1)
        enterprise.check_certificate(policy=POLICY, today=after, now=NOW, actor=SYSTEM)
    elif state == "deleted":
        deletion_order = Order(f"РД-З-{index:05d}", date(2026, 1, 15))
        enterprise.delete(actor=CLERK, order=deletion_order, reason_code="own_request", note="", now=NOW)
    return enterprise


def _state(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.88:
        return "active"
    if roll < 0.93:
        return "expired"
    return "deleted" if roll < 0.97 else "submitted"


def search_documents(start: int, stop: int, seed: int = 2026) -> list[dict[str, Any]]:
    """Register documents ``start``..``stop - 1`` as the relay leaves them: every event published."""
    documents = []
    for index in range(start, stop):
        rng = random.Random(seed * 1_000_003 + index)
        enterprise = build_enterprise(rng, index, state=_state(rng))
        published = len(enterprise.take_events())
        enterprise.version = 3
        documents.append(
            to_document(enterprise) | {"outbox": [], "outbox_seq": published, "outbox_sent_seq": published}
        )
    return documents


def outbox_documents(start: int, stop: int, topic_prefix: str, seed: int = 7) -> list[dict[str, Any]]:
    """Enterprises ``start``..``stop - 1``, each holding four unpublished events.

    Submitted, approved (ApplicationApproved + EnterpriseRegistered), then their details updated:
    the real payloads, validated by the real catalogue, on topics renamed with ``topic_prefix``.
    """
    documents = []
    for index in range(start, stop):
        rng = random.Random(seed * 1_000_003 + index)
        enterprise = build_enterprise(rng, OUTBOX_OFFSET + index)
        changed = replace(enterprise.details, description="Обновено описание на дейността.")
        enterprise.update_details(actor=CLERK, details=changed, now=NOW)
        with correlation_scope(f"bench-{index}"):
            entries = to_outbox(REGISTRY_EVENTS, enterprise.id, enterprise.take_events(), NOW)
        renamed = [OutboxEntry(f"{topic_prefix}{e.topic}", e.envelope) for e in entries]
        enterprise.version = 1
        documents.append(to_document(enterprise) | outbox_for_insert(renamed))
    return documents


def insert(collection: Collection, documents: Iterable[dict[str, Any]], chunk: int = 500) -> int:
    """Insert in bulk (unordered chunks); return how many documents went in."""
    total, batch = 0, []
    for document in documents:
        batch.append(document)
        if len(batch) == chunk:
            total += len(collection.insert_many(batch, ordered=False).inserted_ids)
            batch = []
    if batch:
        total += len(collection.insert_many(batch, ordered=False).inserted_ids)
    return total
