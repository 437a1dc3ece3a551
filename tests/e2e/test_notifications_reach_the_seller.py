"""End to end: a buyer's order reaches the seller's representative herself — her own inbox and her own
e-mail — and the enterprise's contact address gets one copy.

The registry, the marketplace and notifications run as separate processes (web, relays, consumers, the
sender) meeting only on Kafka; the mail server is a real SMTP server in this test's process. The
marketplace's order event names the seller only: notifications learns who represents it from the
registry's enterprise events, into its own read model.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from pymongo import MongoClient

from shared.auth import Role
from tests.e2e.registry_flow import ORDER
from tests.e2e.services import post, services_with_notifications
from tests.integration.marketplace_api import LISTING, buyer
from tests.integration.notifications_api import CollectingHandler, person
from tests.integration.registry_api import CLERK_PLOVDIV, application, token
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

IVANKA = "Ivanka.Stoyanova@example.bg"
"""The representative's own address, as her sign-in verified it."""
CONTACT = "office@rodopska-pchela.example.bg"
"""The enterprise's contact address, typed in the application."""
BUYER = "buyer-seller-e2e@example.bg"


@pytest.fixture(scope="module")
def platform(
    infra: Any, registry_api: str, mailbox: tuple[CollectingHandler, int], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """The marketplace and notifications as processes; the registry's from ``registry_api``."""
    with services_with_notifications(
        infra, tmp_path_factory, ("marketplace",), smtp_port=mailbox[1], name="seller"
    ) as up:
        yield {"registry": registry_api, **up}


def test_an_order_reaches_the_sellers_representative_in_her_inbox_and_e_mail_and_the_contact_once(
    platform: dict[str, str], mailbox: tuple[CollectingHandler, int]
) -> None:
    handler = mailbox[0]
    registry, market = platform["registry"], platform["marketplace"]
    applying = token("rep-ivanka", Role.REPRESENTATIVE, name="Иванка Стоянова", email=IVANKA)
    body = application(details__eik="204285933", details__name="Сдружение „Родопска пчела“",
                       details__contacts__email=CONTACT)  # fmt: skip
    app_id = post(f"{registry}/applications", applying, body)["id"]
    post(f"{registry}/applications/{app_id}/submit", applying)
    enterprise_id = post(f"{registry}/applications/{app_id}/approve", CLERK_PLOVDIV, ORDER)["enterprise_id"]

    seller = token("rep-ivanka", Role.REPRESENTATIVE, name="Иванка Стоянова", email=IVANKA, enterprise_id=enterprise_id)
    wait_until(
        lambda: requests.get(f"{market}/sellers/{enterprise_id}", timeout=10).status_code == 200,
        "the marketplace to learn of the new seller from Kafka",
    )
    client: MongoClient[dict[str, Any]] = MongoClient(platform["mongodb_uri"], serverSelectionTimeoutMS=5000)
    try:
        known = client[platform["notifications_db"]]["representatives"]
        wait_until(
            lambda: known.find_one({"_id": enterprise_id, "people.subject": "rep-ivanka"}) is not None,
            "notifications to learn from the registry's events who represents the seller",
            timeout=60,
        )
    finally:
        client.close()
    listing = post(f"{market}/listings", seller, {**LISTING, "title_bg": "Планински пчелен мед"})
    post(f"{market}/listings/{listing['id']}/publish", seller)

    shopper = buyer("buyer-seller-e2e", email=BUYER, name="Мария Петрова")
    order = post(f"{market}/orders", shopper, {"listing_id": listing["id"], "quantity": 3})
    number = order["order_number"]

    def ordered(address: str) -> list[Any]:
        return [r for r in handler.to(address) if number in str(r.message["Subject"])]

    mine = wait_until(lambda: ordered(IVANKA), "the order's e-mail at the representative's own address", timeout=60)
    copy = wait_until(lambda: ordered(CONTACT), "the order's copy at the enterprise's contact address", timeout=30)
    assert (
        mine[0].rcpt_tos == [IVANKA]
        and "Мария Петрова направи поръчка" in mine[0].message.get_body(("plain",)).get_content()
    )
    assert "Планински пчелен мед" in str(mine[0].message["Subject"])

    her = person("rep-ivanka", Role.REPRESENTATIVE, email=IVANKA, enterprise_id=enterprise_id)
    items = requests.get(f"{platform['notifications']}/inbox", headers=her, timeout=10).json()["items"]
    (placed,) = [item for item in items if item["message"] == "order_placed"]  # hers, not the contact's
    assert placed["owner"] == "user:rep-ivanka"
    assert placed["link"] == f"/my/sales/orders/{order['id']}"
    assert number in placed["subject"] and placed["read"] is False

    # one e-mail each; the buyer's own address got nothing of the seller's
    assert len(ordered(IVANKA)) == 1 and len(copy) == 1 and len(ordered(CONTACT)) == 1
    assert ordered(BUYER) == []
