"""End to end: from the register to an enterprise counted as digitalised, across four services' processes.

The registry (web, relay), training (web, relay, consumer), grants (web, relay, consumer) and notifications
(web, consumer, sender) run as separate processes meeting only on Kafka; the mail server is a real SMTP
server in this test's process. An enterprise is registered through the register's flow, surveyed in
training, plans its modernisation from its weakest dimensions, applies with the offer the call wants, is
checked, scored by two evaluators (each declaring no conflict of interest), ranked and awarded; each line is
delivered and paid;
a follow-up assessment in training completes the support, and the enterprise counts as digitalised in
grants' dashboard and in training's programme figures. Exactly the expected notices reach each person.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from pymongo import MongoClient

from shared.auth import Role
from tests.documents import pdf
from tests.e2e.registry_flow import ORDER
from tests.e2e.services import caught_up, post, services_with_notifications
from tests.integration.grants_seed import GRANTS_CALL
from tests.integration.notifications_api import CollectingHandler, person
from tests.integration.registry_api import CLERK_PLOVDIV, application, token
from tests.integration.training_api import answers
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

RUN = uuid.uuid4().hex[:6]
REP_SUBJECT = f"rep-grants-{RUN}"
REP_EMAIL = f"rumyana.{RUN}@zhiten-klas.example.bg"
"""The representative's own address, as her sign-in verified it."""
CONTACT = f"office.{RUN}@zhiten-klas.example.bg"
"""The enterprise's contact address, typed in the register application."""
NAME = "Социална кооперация „Житен клас“"
EVALUATORS = (f"evaluator-a-{RUN}", f"evaluator-b-{RUN}")
CLERK = token(f"clerk-plovdiv-{RUN}", Role.CLERK, centre="plovdiv")
MINISTRY = token(f"ministry-{RUN}", Role.CLERK, centre="national")
ADMIN = token(f"admin-{RUN}", Role.ADMIN)
REGION = "BG42"  # the register application's seat: Plovdiv district, served by the Plovdiv centre
WATCHED_TOPICS = ("registry.application.v1", "registry.enterprise.v1", "grants.application.v1", "grants.award.v1")
UNSENT = ["pending", "sending", "retrying"]
CATEGORY_FOR = {"digital_readiness": "software", "automation_ai": "hardware"}
"""The solution type the centre proposes for a weak maturity dimension (anything else: sales)."""


@pytest.fixture(scope="module")
def platform(
    infra: Any, registry_api: str, mailbox: tuple[CollectingHandler, int], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """Training, grants and notifications as processes; the registry's from ``registry_api``."""
    with services_with_notifications(
        infra, tmp_path_factory, ("training", "grants"), smtp_port=mailbox[1], name="grants-e2e"
    ) as up:
        yield {"registry": registry_api, **up}


def get(url: str, headers: dict[str, str] | None = None, **params: Any) -> requests.Response:
    return requests.get(url, headers=headers or {}, params=params, timeout=10)


def test_from_the_register_to_an_enterprise_counted_as_digitalised_with_exactly_the_expected_notices(
    platform: dict[str, str], mailbox: tuple[CollectingHandler, int]
) -> None:
    handler = mailbox[0]
    registry, training, grants = platform["registry"], platform["training"], platform["grants"]

    # -- the register: applied, submitted, approved at the Plovdiv centre
    applying = token(REP_SUBJECT, Role.REPRESENTATIVE, name="Румяна Колева", email=REP_EMAIL)
    body = application(details__eik="121873457", details__name=NAME, details__contacts__email=CONTACT)
    register_id = post(f"{registry}/applications", applying, body)["id"]
    post(f"{registry}/applications/{register_id}/submit", applying)
    approved = post(f"{registry}/applications/{register_id}/approve", CLERK_PLOVDIV, ORDER)
    enterprise_id, registration = approved["enterprise_id"], approved["registration_number"]
    rep = token(REP_SUBJECT, Role.REPRESENTATIVE, name="Румяна Колева", email=REP_EMAIL, enterprise_id=enterprise_id)
    offer = {"code": "offer", "name_bg": "Оферта", "name_en": "Offer", "at_submission": True}
    call = post(f"{grants}/calls", MINISTRY, {**GRANTS_CALL, "required_documents": [offer]})

    # -- the survey: a first digital maturity assessment in training, once training knows the enterprise
    wait_until(lambda: get(f"{training}/enterprises/{enterprise_id}/recommendations", rep).status_code == 200,
               "training to learn of the new enterprise from Kafka")  # fmt: skip
    weak = answers(0.3, weak=("digital_readiness", "automation_ai"))
    assessments = f"{training}/enterprises/{enterprise_id}/assessments"
    baseline = post(assessments, rep, {"version": "dma-2026-1", "answers": weak})
    assert baseline["label"] == "T0"
    weakest = get(f"{training}/enterprises/{enterprise_id}/recommendations", rep).json()["weakest"]

    # -- the plan: a budget line for each of the two weakest dimensions
    categories = [CATEGORY_FOR.get(w["code"], "sales") for w in weakest[:2]]
    assert set(categories) == {"software", "hardware"}
    lines = [
        {"category": c, "description": f"Решение за {w['code']}", "quantity": 1, "unit_cost_cents": cost,
         "vat": "recoverable"}
        for c, w, cost in zip(categories, weakest, (1_200_000, 800_000), strict=False)
    ]  # fmt: skip

    def eligible_draft() -> dict[str, Any] | None:
        response = requests.post(f"{grants}/applications", json={"call_id": call["id"], "lines": lines,
                                 "declared_aid": []}, headers=rep, timeout=10)  # fmt: skip
        return response.json() if response.status_code == 201 else None

    draft = wait_until(eligible_draft, "grants to learn of the enterprise from the register's events", timeout=60)
    app_id = draft["id"]
    wait_until(lambda: get(f"{grants}/applications/{app_id}", rep).json()["eligibility"]["eligible"],
               "grants to learn of the survey from training's events")  # fmt: skip

    client: MongoClient[dict[str, Any]] = MongoClient(platform["mongodb_uri"], serverSelectionTimeoutMS=5000)
    notifications_db = client[platform["notifications_db"]]
    try:
        wait_until(
            lambda: notifications_db["representatives"].find_one({"_id": enterprise_id, "people.subject": REP_SUBJECT}),
            "notifications to learn from the register who represents the enterprise",
        )

        # -- applied with the offer the call wants, checked (the centre reads the offer), evaluated by two
        # evaluators each declaring no conflict
        sent = requests.post(f"{grants}/applications/{app_id}/documents", headers=rep, data={"code": "offer"},
                             files={"file": ("оферта.pdf", pdf())}, timeout=10)  # fmt: skip
        assert sent.status_code == 201, sent.text
        post(f"{grants}/applications/{app_id}/submit", rep)
        read = get(f"{grants}/applications/{app_id}/documents/{sent.json()['id']}", CLERK)
        assert read.status_code == 200 and read.content == pdf()
        post(f"{grants}/applications/{app_id}/check", CLERK)
        post(f"{grants}/applications/{app_id}/admit", CLERK)
        for subject, points in zip(EVALUATORS, ({"need": 9, "impact": 4}, {"need": 8, "impact": 5}), strict=True):
            post(f"{grants}/applications/{app_id}/evaluators", CLERK, {"evaluator": subject})
            evaluator = token(subject, Role.CLERK, centre="plovdiv")
            post(f"{grants}/applications/{app_id}/declaration", evaluator, {"conflict_of_interest": False})
            post(f"{grants}/applications/{app_id}/scores", evaluator, {"points": points})

        # -- ranked within the region's envelope, awarded, contracted
        (place,) = post(f"{grants}/calls/{call['id']}/ranking", CLERK, {"region": REGION})["items"]
        assert (place["application_id"], place["rank"], place["proposal"]) == (app_id, 1, "award")
        awarded = post(f"{grants}/applications/{app_id}/award", CLERK, {"reasons": "Първо място в класирането."})
        assert awarded["status"] == "awarded" and awarded["award"]["amount_cents"] == 2_000_000
        today = awarded["award"]["awarded_on"]  # the platform's today, in Sofia (the machine's may still be yesterday)
        contract = post(f"{grants}/applications/{app_id}/contract", CLERK, {"signed_on": today})
        number = contract["award"]["contract_number"]

        # -- each line delivered and paid
        line_ids = [line["id"] for line in contract["lines"]]
        for i, (line_id, amount) in enumerate(zip(line_ids, (1_200_000, 800_000), strict=True)):
            post(f"{grants}/applications/{app_id}/deliveries", CLERK, {
                "line_id": line_id, "amount_cents": amount, "invoice": f"Ф-{i + 1}", "protocol": f"ПП-{i + 1}",
                "delivered_on": today,
            })  # fmt: skip
            kind = "final" if i == len(line_ids) - 1 else "interim"
            post(f"{grants}/applications/{app_id}/payments", CLERK,
                 {"kind": kind, "amount_cents": amount, "paid_on": today})  # fmt: skip

        # -- the follow-up assessment in training completes the support: digitalised
        follow_up = post(assessments, rep, {"version": "dma-2026-1", "answers": answers(0.9)})
        assert follow_up["label"] == "T1"

        def completed() -> dict[str, Any] | None:
            response = requests.post(f"{grants}/applications/{app_id}/complete", headers=CLERK, timeout=10)
            return response.json() if response.status_code == 200 else None

        done = wait_until(completed, "grants to learn of the follow-up assessment and complete the support")
        assert done["status"] == "completed" and done["completion"]["digitalised"] is True

        figures = {row["region"]: row for row in get(f"{grants}/calls/{call['id']}/figures").json()["regions"]}
        mine = figures[REGION]
        assert (mine["enterprises_supported"], mine["enterprises_completed"], mine["enterprises_digitalised"]) == (
            1,
            1,
            1,
        )
        assert (mine["committed_cents"], mine["contracted_cents"], mine["paid_cents"]) == (2_000_000,) * 3
        programme = get(f"{training}/programme", ADMIN).json()
        assert programme["figures"]["enterprises_digitalised"] == 1
        awards = get(f"{grants}/awards", call_id=call["id"]).json()["items"]
        assert [(a["beneficiary"], a["amount_cents"], a["contract_number"]) for a in awards] == [
            (NAME, 2_000_000, number)
        ]

        # -- exactly the expected notices: every event read, every e-mail sent, nothing more
        expected_mail = {
            REP_EMAIL: sorted([
                f"Получихме заявлението на {NAME}",
                f"Заявлението на {NAME} е одобрено – рег. № {registration}",
                f"Получихме заявлението за подкрепа на {NAME}",
                f"Одобрена подкрепа за {NAME}: 20 000,00 €",
                f"Договор {number} за подкрепа на {NAME}",
                f"Плащане по подкрепата на {NAME}: 12 000,00 €",
                f"Плащане по подкрепата на {NAME}: 8 000,00 €",
                f"Подкрепата за {NAME} приключи",
            ]),
            CONTACT: [f"Заявлението на {NAME} е одобрено – рег. № {registration}"],
        }  # fmt: skip

        def mail() -> dict[str, list[str]]:
            return {a: sorted(str(r.message["Subject"]) for r in handler.to(a)) for a in expected_mail}

        wait_until(lambda: sum(map(len, mail().values())) >= sum(map(len, expected_mail.values())),
                   "every expected e-mail", timeout=60)  # fmt: skip
        wait_until(lambda: caught_up(platform["kafka"], platform["notifications_group"], WATCHED_TOPICS),
                   "notifications to have read every event", timeout=60)  # fmt: skip
        wait_until(
            lambda: (
                notifications_db["deliveries"].count_documents({"status": {"$in": ["pending", "sending", "retrying"]}})
                == 0
            ),
            "the sender to have nothing left to send",
        )
        assert mail() == expected_mail

        def inbox(headers: dict[str, str], owner: str) -> list[str]:
            items = get(f"{platform['notifications']}/inbox", headers).json()["items"]
            return sorted(item["message"] for item in items if item["owner"] == owner)

        her = person(REP_SUBJECT, Role.REPRESENTATIVE, email=REP_EMAIL, enterprise_id=enterprise_id)
        assert inbox(her, f"user:{REP_SUBJECT}") == sorted([
            "application_received", "application_approved", "grant_received", "grant_awarded",
            "grant_contract_signed", "grant_payment_made", "grant_payment_made", "grant_completed",
        ])  # fmt: skip
        for subject in EVALUATORS:
            assert inbox(person(subject, Role.CLERK, centre="plovdiv"), f"user:{subject}") == ["grant_assigned"]
        centre = get(f"{platform['notifications']}/inbox", person(f"clerk-{RUN}", Role.CLERK, centre="plovdiv"))
        ours = sorted(i["message"] for i in centre.json()["items"] if app_id in (i["link"] or "") or
                      register_id in (i["link"] or ""))  # fmt: skip
        assert ours == ["application_queued", "grant_queued"]
    finally:
        client.close()
