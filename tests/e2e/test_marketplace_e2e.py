"""End to end: the registry and the marketplace as separate real processes, meeting only on Kafka.

An enterprise is approved in the registry and appears in the marketplace; it publishes a listing; a
buyer finds it by a Latin query, asks for a quote, orders, receives and reviews. The enterprise is
then deleted from the register: its listing leaves search within seconds, and comes back when the
enterprise is registered again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from shared.auth import Role
from tests.e2e.registry_flow import ORDER, register
from tests.e2e.services import BIN, post, running_service, service_env
from tests.integration.marketplace_api import LISTING, buyer
from tests.integration.registry_api import CLERK_PLOVDIV, token
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

EIK = "831650349"
NAME = "Кооперация „Пчелица“"


@pytest.fixture(scope="module")
def marketplace(infra: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    logs = tmp_path_factory.mktemp("marketplace-processes")
    env = service_env(infra, "marketplace", logs)
    extra = {"relay": [str(BIN / "marketplace-relay")], "consumer": [str(BIN / "marketplace-consumer")]}
    with running_service("marketplace", logs, env, extra, alive=["relay-alive", "consumer-alive"]) as base:
        yield f"{base}/api/v1"


def found(marketplace: str, query: str) -> list[str]:
    response = requests.get(f"{marketplace}/listings", params={"q": query}, timeout=10)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_from_the_register_to_an_order_and_out_of_search_and_back(registry_api: str, marketplace: str) -> None:
    enterprise_id = register(registry_api, EIK, NAME)
    seller = token("rep-1", Role.REPRESENTATIVE, enterprise_id=enterprise_id)
    wait_until(
        lambda: requests.get(f"{marketplace}/sellers/{enterprise_id}", timeout=10).status_code == 200,
        "the marketplace to learn of the new enterprise from Kafka",
    )
    listing = post(f"{marketplace}/listings", seller, {**LISTING, "title_bg": "Липов мед от Пчелица"})
    post(f"{marketplace}/listings/{listing['id']}/publish", seller)

    shopper = buyer("buyer-e2e")
    assert found(marketplace, "lipov med pchelitsa") == [listing["id"]]
    quote = post(
        f"{marketplace}/quotes", shopper, {"listing_id": listing["id"], "quantity": 40, "message": "За 40 души"}
    )
    post(f"{marketplace}/quotes/{quote['id']}/offer", seller,
         {"unit_price_cents": 1100, "valid_until": "2099-12-31", "terms": "Доставка до 5 дни"})  # fmt: skip
    order = post(f"{marketplace}/quotes/{quote['id']}/accept", shopper)
    assert order["order_number"] and order["offer"]["total_cents"] == 44_000
    post(f"{marketplace}/orders/{order['id']}/fulfil", seller, {"note": "Изпратено с куриер"})
    post(f"{marketplace}/orders/{order['id']}/receive", shopper)
    post(f"{marketplace}/orders/{order['id']}/review", shopper, {"rating": 5, "text": "Чудесен мед."})

    def rated() -> bool:
        shown = requests.get(f"{marketplace}/listings/{listing['id']}", timeout=10).json()
        return shown["rating"] == {"count": 1, "average": 5.0}

    wait_until(rated, "the review to reach the listing's rating through Kafka")

    deletion = {**ORDER, "reason_code": "own_request", "note": "По искане на предприятието"}
    post(f"{registry_api}/enterprises/{enterprise_id}/deletion", CLERK_PLOVDIV, deletion)
    wait_until(lambda: found(marketplace, "lipov med") == [], "the listing to leave search", timeout=20)
    assert requests.get(f"{marketplace}/listings/{listing['id']}", timeout=10).status_code == 404

    assert register(registry_api, EIK, NAME) == enterprise_id
    wait_until(lambda: found(marketplace, "lipov med") == [listing["id"]], "the listing to come back", timeout=20)
