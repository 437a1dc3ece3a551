"""End to end: a fair of the Plovdiv centre, from the register to its report, across four services' processes.

The registry (web, relay), the marketplace (web, relay, consumer), events (web, relay, consumer) and
notifications (web, consumer, sender) run as separate processes meeting only on Kafka; the mail server is a
real SMTP server in this test's process. A bakery is registered through the register's flow and publishes
two products in the marketplace; it applies for a stand at a fair with them, the centre selects it and the
fair's public page shows its products; the fair is held, the bakery reports its contacts and sales and the
centre makes the event's report. A tailor selected for an upcoming fair is deleted from the register and
withdrawn automatically. Exactly the expected notices reach each address and inbox, nothing more.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from pymongo import MongoClient

from shared.auth import Role
from tests.e2e.registry_flow import ORDER
from tests.e2e.services import caught_up, post, services_with_notifications
from tests.integration.marketplace_api import LISTING
from tests.integration.notifications_api import CollectingHandler, person
from tests.integration.registry_api import CLERK_PLOVDIV, application, token
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

RUN = uuid.uuid4().hex[:6]
BAKERY, TAILOR = "Социална пекарна „Житен клас“", "Шивашка кооперация „Игла“"
BAKER = (f"rep-baker-{RUN}", "Елена Георгиева", f"elena.{RUN}@zhiten-klas.example.bg")
TAILOR_REP = (f"rep-tailor-{RUN}", "Иво Стоев", f"ivo.{RUN}@igla.example.bg")
BAKERY_CONTACT, TAILOR_CONTACT = f"office.{RUN}@zhiten-klas.example.bg", f"office.{RUN}@igla.example.bg"
CLERK = token(f"clerk-plovdiv-{RUN}", Role.CLERK, centre="plovdiv")
WATCHED_TOPICS = ("registry.application.v1", "registry.enterprise.v1", "events.event.v1", "events.participation.v1")
UNSENT = ["pending", "sending", "retrying"]


@pytest.fixture(scope="module")
def platform(
    infra: Any, registry_api: str, mailbox: tuple[CollectingHandler, int], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """The marketplace, events and notifications as processes; the registry's from ``registry_api``."""
    with services_with_notifications(
        infra, tmp_path_factory, ("marketplace", "events"), smtp_port=mailbox[1], name="fairs-e2e"
    ) as up:
        yield {"registry": registry_api, **up}


def get(url: str, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.get(url, headers=headers or {}, timeout=10)


def at(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def fair(title: str, starts: datetime, hours: float) -> dict[str, Any]:
    ends = starts + timedelta(hours=hours)
    return {
        "kind": "fair",
        "organiser": "plovdiv",
        "title_bg": title,
        "description_bg": "Продукти и услуги на социалните предприятия от Южен централен район.",
        "venue": {"kind": "hall", "centre": "plovdiv"},
        "starts_at": at(starts),
        "ends_at": at(ends),
        "visitor_capacity": None,  # a fair open to all without registration
        "stands": [{"code": "A1", "width_cm": 300, "depth_cm": 200, "price_cents": 5000}],
        "exhibitor_window": {"opens_at": at(starts - timedelta(days=40)), "closes_at": at(starts)},
    }


def registered(registry: str, who: tuple[str, str, str], eik: str, name: str, contact: str) -> tuple[str, str]:
    """The register's flow with the representative's own (verified) address: the enterprise's id and number."""
    applying = token(who[0], Role.REPRESENTATIVE, name=who[1], email=who[2])
    body = application(details__eik=eik, details__name=name, details__contacts__email=contact)
    app_id = post(f"{registry}/applications", applying, body)["id"]
    post(f"{registry}/applications/{app_id}/submit", applying)
    approved = post(f"{registry}/applications/{app_id}/approve", CLERK_PLOVDIV, ORDER)
    return approved["enterprise_id"], approved["registration_number"]


def test_a_fair_from_the_register_to_its_report_with_exactly_the_expected_notices(
    platform: dict[str, str], mailbox: tuple[CollectingHandler, int]
) -> None:
    handler = mailbox[0]
    registry, market, events = platform["registry"], platform["marketplace"], platform["events"]
    client: MongoClient[dict[str, Any]] = MongoClient(platform["mongodb_uri"], serverSelectionTimeoutMS=5000)
    try:
        known = client[platform["events_db"]]
        # -- the register: both enterprises entered at the Plovdiv centre
        bakery, bakery_number = registered(registry, BAKER, "121873457", BAKERY, BAKERY_CONTACT)
        tailor, tailor_number = registered(registry, TAILOR_REP, "204285933", TAILOR, TAILOR_CONTACT)
        baker = token(BAKER[0], Role.REPRESENTATIVE, name=BAKER[1], email=BAKER[2], enterprise_id=bakery)
        tailor_rep = token(TAILOR_REP[0], Role.REPRESENTATIVE, name=TAILOR_REP[1], email=TAILOR_REP[2],
                           enterprise_id=tailor)  # fmt: skip

        # -- the marketplace: the bakery publishes two products, which the events service learns of
        wait_until(lambda: get(f"{market}/sellers/{bakery}").status_code == 200,
                   "the marketplace to learn of the bakery from Kafka")  # fmt: skip
        products = []
        for title in ("Пълнозърнест хляб с лимец", "Козунак с орехи"):
            listing = post(f"{market}/listings", baker, {**LISTING, "title_bg": title})
            post(f"{market}/listings/{listing['id']}/publish", baker)
            products.append(listing["id"])
        wait_until(
            lambda: (
                known["listings"].count_documents({"_id": {"$in": products}, "status": "published"}) == 2
                and known["enterprises"].count_documents({"_id": {"$in": [bakery, tailor]}, "status": "active"}) == 2
            ),
            "the events service to learn of the enterprises and the products from Kafka",
        )

        # -- the centre plans a fair starting in 12 s and another in 30 days; the bakery applies for a stand at once
        start = datetime.now(UTC) + timedelta(seconds=12)
        held = post(f"{events}/events", CLERK, fair("Коледен базар на социалните предприятия", start, 0.01))
        later = post(f"{events}/events", CLERK, fair("Пролетно изложение", start + timedelta(days=30), 8))
        for one in (held, later):
            post(f"{events}/events/{one['id']}/publish", CLERK)
        applied = post(f"{events}/events/{held['id']}/exhibitors", baker, {"listings": products})
        post(f"{events}/exhibitors/{applied['id']}/selection", CLERK, {"stand": "A1"})
        shown = get(f"{events}/events/{held['id']}/exhibitors").json()["items"]
        assert [(e["enterprise_name"], e["stand"], [p["title_bg"] for p in e["products"]]) for e in shown] == [
            (BAKERY, "A1", ["Пълнозърнест хляб с лимец", "Козунак с орехи"])
        ]

        # -- the tailor is selected for the later fair, then deleted from the register: withdrawn automatically
        chosen = post(f"{events}/events/{later['id']}/exhibitors", tailor_rep, {"listings": []})
        post(f"{events}/exhibitors/{chosen['id']}/selection", CLERK, {"stand": "A1"})
        # Weeks pass in life between the selection and the deletion: the tailor's people hear of the stand first
        # (read after the deletion, the stand's messages would find the deleted enterprise's people gone).
        wait_until(lambda: any("Одобрен щанд" in str(r.message["Subject"]) for r in handler.to(TAILOR_REP[2])),
                   "the tailor's representative to hear of the stand", timeout=60)  # fmt: skip
        post(f"{registry}/enterprises/{tailor}/deletion", CLERK_PLOVDIV, {**ORDER, "reason_code": "own_request"})
        gone = wait_until(
            lambda: (e := get(f"{events}/exhibitors/{chosen['id']}", tailor_rep).json())["state"] == "withdrawn" and e,
            "the events service to withdraw the deleted tailor",
        )
        assert (gone["withdrawn_by"], gone["stand"]) == ("register", None)
        assert get(f"{events}/events/{later['id']}/exhibitors").json()["items"] == []

        # -- the fair is held; the bakery reports its contacts and sales; the centre makes the report
        wait_until(lambda: datetime.now(UTC) > start, "the fair to start", timeout=60)
        post(f"{events}/events/{held['id']}/held", CLERK)
        post(f"{events}/events/{held['id']}/attendance", CLERK, {"visitors": 240})
        post(f"{events}/exhibitors/{applied['id']}/report", baker, {"contacts": 14, "sales_cents": 48_050})
        post(f"{events}/events/{held['id']}/report", CLERK)
        figures = get(f"{events}/events/{held['id']}/figures", CLERK).json()
        reported = ("exhibitors", "exhibitors_reported", "contacts", "sales_cents", "attendance")
        assert {k: figures[k] for k in reported} == {
            "exhibitors": 1, "exhibitors_reported": 1, "contacts": 14, "sales_cents": 48_050, "attendance": 240,
        }  # fmt: skip

        period = requests.get(f"{events}/reports", headers=CLERK, timeout=10, params={
            "organiser": "plovdiv", "since": at(start - timedelta(days=1)), "until": at(start + timedelta(days=60)),
        }).json()  # fmt: skip
        assert (period["events_held"], period["exhibitors"], period["sales_cents"]) == (1, 1, 48_050)

        # -- exactly the expected notices: every event read, every e-mail sent, nothing more
        fair_title, later_title = held["title_bg"], later["title_bg"]
        expected_mail = {
            BAKER[2]: sorted([
                f"Получихме заявлението на {BAKERY}",
                f"Заявлението на {BAKERY} е одобрено – рег. № {bakery_number}",
                f"Получихме кандидатурата за щанд: {fair_title}",
                f"Одобрен щанд A1: {fair_title}",
            ]),
            BAKERY_CONTACT: sorted([
                f"Заявлението на {BAKERY} е одобрено – рег. № {bakery_number}",
                f"Получихме кандидатурата за щанд: {fair_title}",
                f"Одобрен щанд A1: {fair_title}",
            ]),
            TAILOR_REP[2]: sorted([
                f"Получихме заявлението на {TAILOR}",
                f"Заявлението на {TAILOR} е одобрено – рег. № {tailor_number}",
                f"Получихме кандидатурата за щанд: {later_title}",
                f"Одобрен щанд A1: {later_title}",
                f"Заличаване от Регистъра на социалните предприятия: {TAILOR}",
            ]),
            TAILOR_CONTACT: sorted([
                f"Заявлението на {TAILOR} е одобрено – рег. № {tailor_number}",
                f"Получихме кандидатурата за щанд: {later_title}",
                f"Одобрен щанд A1: {later_title}",
                f"Заличаване от Регистъра на социалните предприятия: {TAILOR}",
                f"Кандидатурата за щанд е оттеглена: {later_title}",
            ]),
        }  # fmt: skip

        def mail() -> dict[str, list[str]]:  # this run's addresses: a fresh consumer group reads earlier tests' too
            return {
                address: sorted(str(r.message["Subject"]) for r in handler.to(address))
                for address in {a for r in handler.received for a in r.rcpt_tos if RUN in a} | set(expected_mail)
            }

        with contextlib.suppress(pytest.fail.Exception):  # what is missing is named by the comparison below
            wait_until(lambda: sum(map(len, mail().values())) >= sum(map(len, expected_mail.values())),
                       "every expected e-mail", timeout=60)  # fmt: skip
        wait_until(lambda: caught_up(platform["kafka"], platform["notifications_group"], WATCHED_TOPICS),
                   "notifications to have read every event", timeout=60)  # fmt: skip
        deliveries = client[platform["notifications_db"]]["deliveries"]
        wait_until(lambda: deliveries.count_documents({"status": {"$in": UNSENT}}) == 0,
                   "the sender to have nothing left to send")  # fmt: skip
        assert mail() == expected_mail
        withdrawal = next(r for r in handler.to(TAILOR_CONTACT) if "оттеглена" in str(r.message["Subject"]))
        text = withdrawal.message.get_body(("plain",)).get_content()
        assert "оттеглена автоматично, защото предприятието е заличено от Регистъра" in text

        def inbox(headers: dict[str, str], owner: str) -> list[str]:
            items = get(f"{platform['notifications']}/inbox", headers).json()["items"]
            return sorted(item["message"] for item in items if item["owner"] == owner)

        her = person(BAKER[0], Role.REPRESENTATIVE, email=BAKER[2], enterprise_id=bakery)
        assert inbox(her, f"user:{BAKER[0]}") == sorted(
            ["application_received", "application_approved", "exhibitor_applied", "exhibitor_selected"]
        )
        # The centre's inbox is shared by its clerks and holds earlier tests' Plovdiv fairs too: only this run's count.
        clerk = person(f"clerk-{RUN}", Role.CLERK, centre="plovdiv")
        centre = get(f"{platform['notifications']}/inbox?limit=100", clerk)
        ours = {f"/events/{held['id']}", f"/events/{later['id']}"}
        fairs = sorted(
            (i["message"], i["link"])
            for i in centre.json()["items"]
            if i["message"].startswith("exhibitor") and i["link"] in ours
        )
        assert fairs == sorted(("exhibitor_queued", link) for link in ours)
    finally:
        client.close()
