"""Administrators settle disputed orders: received or cancelled, with a note both parties read."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.unit.portal.conftest import sign_in

ORDER = {
    "id": "deal-3", "state": "disputed", "order_number": "2026-000042",
    "listing": {"id": "lst-1", "title": "Топъл обяд"},
    "supplier": {"id": "ent-1", "name": "Сдружение „Дунавски занаяти“"},
    "buyer": {"id": "b-1", "name": "Мария Петкова", "organisation": "Община Габрово", "kind": "municipality"},
    "offer": {"unit_price_cents": 610, "total_cents": 24400}, "reason": "Доставени са 30 порции вместо 40.",
}  # fmt: skip


def admin(portal: FlaskClient, services: Any) -> Any:
    services.marketplace.answer("GET", "/api/v1/orders", {"items": [ORDER]})
    sign_in(portal, "admin")
    return services.marketplace


def test_disputed_orders_are_listed_with_the_reason(portal: FlaskClient, services: Any) -> None:
    market = admin(portal, services)
    page = portal.get("/admin/disputes").get_data(as_text=True)
    assert "Поръчка 2026-000042" in page and "Доставени са 30 порции вместо 40." in page
    assert "244,00" in page
    assert market.sent("GET", "/api/v1/orders")[0].params["state"] == "disputed"


def test_settling_sends_the_decision_and_note(portal: FlaskClient, services: Any) -> None:
    market = admin(portal, services)
    market.answer("POST", "/api/v1/orders/deal-3/resolve", {**ORDER, "state": "cancelled"})
    response = portal.post("/admin/disputes/deal-3", data={"resolution": "cancelled", "note": "Върнете сумата."})
    assert response.headers["Location"] == "/admin/disputes"
    assert market.sent("POST", "/api/v1/orders/deal-3/resolve")[0].json == {
        "resolution": "cancelled",
        "note": "Върнете сумата.",
    }


def test_a_decision_must_be_chosen(portal: FlaskClient, services: Any) -> None:
    market = admin(portal, services)
    response = portal.post("/admin/disputes/deal-3", data={"note": "?"})
    assert response.status_code == 422
    assert "Изберете как завършва спорът." in response.get_data(as_text=True)
    assert not market.sent("POST", "/api/v1/orders/deal-3/resolve")


def test_only_administrators_settle_disputes(portal: FlaskClient, services: Any) -> None:
    sign_in(portal, "clerk", centre="national")
    assert portal.get("/admin/disputes").status_code == 403
