"""Clerks check buyers' needs before sellers see them: the queue, publishing, refusing with a reason."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.unit.portal.conftest import sign_in
from tests.unit.portal.fakes import refusal

CATEGORIES = {"items": [{"code": "catering", "name": {"bg": "Кетъринг", "en": "Catering"}, "parent": None}]}
NEED = {
    "id": "need-7", "title": "Кетъринг за 120 души", "description": "Празник на общината.",
    "category": {"code": "catering", "name": {"bg": "Кетъринг", "en": "Catering"}, "parent": None},
    "districts": ["BG-03"], "quantity": 120, "unit": "порция",
    "budget": {"min_cents": 450000, "max_cents": 600000}, "deadline": "2026-12-20", "status": "submitted",
    "buyer": {"id": "b-1", "name": "Мария Петкова", "email": "m@gabrovo.example.bg",
              "organisation": "Община Габрово", "kind": "municipality"},
}  # fmt: skip


def clerk(portal: FlaskClient, services: Any) -> Any:
    services.marketplace.answer("GET", "/api/v1/categories", CATEGORIES)
    services.marketplace.answer("GET", "/api/v1/needs/need-7", NEED)
    sign_in(portal, "clerk", centre="gabrovo")
    return services.marketplace


def test_the_queue_lists_submitted_needs_oldest_first(portal: FlaskClient, services: Any) -> None:
    market = clerk(portal, services)
    market.answer("GET", "/api/v1/needs", {"items": [NEED], "total": 1})
    page = portal.get("/clerk/needs").get_data(as_text=True)
    assert "Кетъринг за 120 души" in page and "Община Габрово" in page
    assert market.sent("GET", "/api/v1/needs")[0].params["status"] == "submitted"


def test_publishing_a_need_returns_to_the_queue_with_a_message(portal: FlaskClient, services: Any) -> None:
    market = clerk(portal, services)
    market.answer("POST", "/api/v1/needs/need-7/validate", {**NEED, "status": "published"})
    market.answer("GET", "/api/v1/needs", {"items": [], "total": 0})
    response = portal.post("/clerk/needs/need-7/validate")
    assert response.headers["Location"] == "/clerk/needs"
    page = portal.get("/clerk/needs").get_data(as_text=True)
    assert "Потребността е публикувана" in page
    assert "Няма потребности, които чакат проверка." in page


def test_refusing_needs_a_reason_which_the_buyer_gets(portal: FlaskClient, services: Any) -> None:
    market = clerk(portal, services)
    empty = portal.post("/clerk/needs/need-7/reject", data={"reason": "  "})
    assert empty.status_code == 422
    assert "купувачът ще го прочете" in empty.get_data(as_text=True)
    assert not market.sent("POST", "/api/v1/needs/need-7/reject")

    market.answer("POST", "/api/v1/needs/need-7/reject", {**NEED, "status": "rejected"})
    done = portal.post("/clerk/needs/need-7/reject", data={"reason": "Бюджетът не е посочен реално."})
    assert done.status_code == 302
    assert market.sent("POST", "/api/v1/needs/need-7/reject")[0].json == {"reason": "Бюджетът не е посочен реално."}


def test_a_need_already_decided_is_explained_not_decided_again(portal: FlaskClient, services: Any) -> None:
    market = clerk(portal, services)
    market.answer("POST", "/api/v1/needs/need-7/validate", refusal(409, message="Потребността вече е публикувана."))
    response = portal.post("/clerk/needs/need-7/validate")
    assert response.headers["Location"] == "/clerk/needs/need-7"
    assert "Потребността вече е публикувана." in portal.get("/clerk/needs/need-7").get_data(as_text=True)


def test_buyers_cannot_check_needs(portal: FlaskClient, services: Any) -> None:
    sign_in(portal, "buyer")
    assert portal.get("/clerk/needs").status_code == 403
