"""A buyer's pages: offers to accept, orders to confirm and review, favourites, needs and the impact report."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from services.portal.clients import Download
from tests.unit.portal.conftest import sign_in
from tests.unit.portal.fakes import refusal

CATEGORIES = {
    "items": [
        {"code": "food", "name": {"bg": "Храни и напитки", "en": "Food and drink"}, "parent": None},
        {"code": "catering", "name": {"bg": "Кетъринг", "en": "Catering"}, "parent": None},
    ]
}
SUPPLIER = {
    "id": "ent-1",
    "name": "Сдружение „Дунавски занаяти“",
    "mark": "Продукт на социално предприятие",
    "enterprise_class": "A+",
    "district": {"code": "BG-05", "name": {"bg": "Видин", "en": "Vidin"}},
    "region": {"code": "BG31", "name": {"bg": "Северозападен", "en": "North-West"}},
}
OFFER = {"unit_price_cents": 610, "total_cents": 24400, "valid_until": "2026-12-05", "terms": "Доставка в Габрово."}


def deal(state: str, **changes: Any) -> dict[str, Any]:
    item = {
        "id": "deal-1",
        "state": state,
        "listing": {"id": "lst-1", "title": "Топъл обяд"},
        "supplier": SUPPLIER,
        "buyer": {
            "id": "demo-buyer",
            "name": "Мария Петкова",
            "organisation": "Община Габрово",
            "kind": "municipality",
        },
        "quantity": 40,
        "unit": "порция",
        "needed_by": None,
        "message": "",
        "offer": None,
        "order_number": None,
        "placed_at": None,
        "declined_by": None,
        "cancelled_by": None,
        "reason": None,
        "timeline": [],
        "review": None,
        "seller_in_good_standing": True,
        "created_at": "2026-11-20T08:00:00Z",
    }
    item.update(changes)
    return item


def order(state: str, **changes: Any) -> dict[str, Any]:
    return deal(state, order_number="2026-000002", placed_at="2026-11-21T08:00:00Z", offer=OFFER, **changes)


def buyer(portal: FlaskClient, services: Any) -> Any:
    services.marketplace.answer("GET", "/api/v1/categories", CATEGORIES)
    sign_in(portal, "buyer", subject="demo-buyer", name="Мария Петкова")
    return services.marketplace


def test_an_offer_is_shown_with_its_total_and_accepted_into_an_order(portal: FlaskClient, services: Any) -> None:
    market = buyer(portal, services)
    market.answer("GET", "/api/v1/quotes", {"items": [deal("offered", offer=OFFER), deal("requested", id="deal-2")]})
    market.answer("POST", "/api/v1/quotes/deal-1/accept", order("placed"))
    page = portal.get("/my/purchases/quotes").get_data(as_text=True)
    assert "244,00\xa0€" in page and "валидна до 05.12.2026 г." in page
    assert page.count("Приеми офертата") == 1
    assert "Очаква оферта" in page
    response = portal.post("/my/purchases/quotes/deal-1/accept")
    assert response.headers["Location"] == "/my/purchases/orders/deal-1"
    assert market.sent("POST", "/api/v1/quotes/deal-1/accept")[0].json == {}
    market.answer("GET", "/api/v1/orders/deal-1", order("placed"))
    assert "Приехте офертата: поръчка 2026-000002 е направена." in portal.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_an_expired_offer_cannot_be_accepted_and_the_page_says_so(portal: FlaskClient, services: Any) -> None:
    market = buyer(portal, services)
    market.answer(
        "POST",
        "/api/v1/quotes/deal-1/accept",
        refusal(409, message="Не може да се приеме офертата: офертата е изтекла."),
    )
    market.answer("GET", "/api/v1/quotes/deal-1", deal("expired", offer=OFFER))
    response = portal.post("/my/purchases/quotes/deal-1/accept?lang=en")
    assert response.headers["Location"] == "/my/purchases/quotes/deal-1"
    page = portal.get("/my/purchases/quotes/deal-1").get_data(as_text=True)
    assert "EN Не може да се приеме офертата: офертата е изтекла." in page
    assert "Accept the offer" not in page


def test_an_accepted_quote_opens_as_its_order(portal: FlaskClient, services: Any) -> None:
    buyer(portal, services).answer("GET", "/api/v1/quotes/deal-1", order("placed"))
    assert portal.get("/my/purchases/quotes/deal-1").headers["Location"] == "/my/purchases/orders/deal-1"


def test_receipt_is_confirmed_then_the_order_is_reviewed_once(portal: FlaskClient, services: Any) -> None:
    market = buyer(portal, services)
    market.answer("GET", "/api/v1/orders", {"items": [order("fulfilled")]})
    market.answer("POST", "/api/v1/orders/deal-1/receive", order("received"))
    market.answer("GET", "/api/v1/orders/deal-1", order("received"))
    market.answer("POST", "/api/v1/orders/deal-1/review", order("received", review={"rating": 4, "text": "Добре."}))
    assert "Потвърди получаването" in portal.get("/my/purchases/orders").get_data(as_text=True)
    response = portal.post("/my/purchases/orders/deal-1/receive")
    assert response.headers["Location"] == "/my/purchases/orders/deal-1#review-heading"
    page = portal.get("/my/purchases/orders/deal-1").get_data(as_text=True)
    assert "Потвърдихте получаването на поръчка 2026-000002." in page
    assert "Публикувай отзива" in page and "5 — отлично" in page
    no_rating = portal.post("/my/purchases/orders/deal-1/review", data={"text": "Добре."})
    assert no_rating.status_code == 422
    assert '<p class="field-error" id="e-rating"><span>Изберете оценка от 1 до 5.</span>' in no_rating.get_data(
        as_text=True
    )
    assert not market.sent("POST", "/api/v1/orders/deal-1/review")
    reviewed = portal.post("/my/purchases/orders/deal-1/review", data={"rating": "4", "text": " Добре. "})
    assert reviewed.headers["Location"] == "/my/purchases/orders/deal-1"
    assert market.sent("POST", "/api/v1/orders/deal-1/review")[0].json == {"rating": 4, "text": "Добре."}


def test_the_orders_are_narrowed_to_one_state_and_back_to_all(portal: FlaskClient, services: Any) -> None:
    market = buyer(portal, services)
    market.answer("GET", "/api/v1/orders", {"items": [order("placed")]})
    page = portal.get("/my/purchases/orders?state=placed").get_data(as_text=True)
    assert market.sent("GET", "/api/v1/orders")[0].params == {"state": "placed"}
    assert '<strong aria-current="true">Поръчана</strong>' in page
    assert '<a href="/my/purchases/orders">Всички</a>' in page
    assert (
        'href="/my/purchases/orders?state=received"' in page and 'href="/my/purchases/orders?state=offered"' not in page
    )


def test_a_dispute_without_a_reason_is_refused_next_to_the_reason(portal: FlaskClient, services: Any) -> None:
    market = buyer(portal, services)
    market.answer("GET", "/api/v1/orders/deal-1", order("placed"))
    market.answer("POST", "/api/v1/orders/deal-1/dispute", refusal(422, {"reason": "Посочете причина."}))
    page = portal.post("/my/purchases/orders/deal-1/dispute", data={"dispute_reason": ""}).get_data(as_text=True)
    assert '<p class="field-error" id="e-dispute_reason"><span>Посочете причина.</span>' in page
    assert "Отмени поръчката" in page


def test_favourites_list_listings_and_sellers_and_says_how_many_are_hidden(portal: FlaskClient, services: Any) -> None:
    listing = {
        "id": "lst-1",
        "title": {"bg": "Топъл обяд", "en": None},
        "seller": SUPPLIER,
        "price": {"cents": 610, "on_request": False, "unit": "порция", "minimum_quantity": 1},
    }
    buyer(portal, services).answer(
        "GET",
        "/api/v1/favourites",
        {
            "listing_ids": ["lst-1", "lst-gone"],
            "seller_ids": ["ent-1"],
            "listings": [listing],
            "sellers": [{**SUPPLIER, "rating": {"count": 1, "average": 5.0}}],
        },
    )
    page = portal.get("/my/purchases/favourites").get_data(as_text=True)
    assert "Топъл обяд" in page and "Сдружение „Дунавски занаяти“" in page
    assert "1 любима обява в момента не е публикувана." in page
    assert 'name="next" value="/my/purchases/favourites"' in page


def test_a_need_is_posted_in_cents_with_its_districts_and_deadline(portal: FlaskClient, services: Any) -> None:
    market = buyer(portal, services)
    market.answer("POST", "/api/v1/needs", {"id": "need-1"})
    response = portal.post(
        "/my/purchases/needs/new",
        data={
            "title": "Кетъринг за 120 души",
            "category": "catering",
            "districts": ["BG-03"],
            "quantity": "120",
            "unit": "порция",
            "budget_min_cents": "4 500",
            "budget_max_cents": "6000,50",
            "deadline": "2026-12-20",
            "organisation": "Община Габрово",
            "kind": "municipality",
        },
    )
    assert response.headers["Location"] == "/my/purchases/needs/need-1"
    assert market.sent("POST", "/api/v1/needs")[0].json == {
        "title": "Кетъринг за 120 души",
        "description": "",
        "districts": ["BG-03"],
        "quantity": 120,
        "unit": "порция",
        "budget_min_cents": 450000,
        "budget_max_cents": 600050,
        "deadline": "2026-12-20",
        "organisation": "Община Габрово",
        "category": "catering",
        "kind": "municipality",
    }


def test_a_need_with_wrong_figures_is_returned_with_a_message_on_each(portal: FlaskClient, services: Any) -> None:
    market = buyer(portal, services)
    page = portal.post(
        "/my/purchases/needs/new",
        data={
            "title": "Шалове",
            "quantity": "много",
            "deadline": "31.02.2026",
            "budget_max_cents": "-5",
            "districts": ["BG-16"],
        },
    )
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert '<p class="field-error" id="e-quantity"><span>Въведете цяло число.</span>' in text
    assert '<p class="field-error" id="e-deadline"><span>Въведете дата, напр. 30.11.2026.</span>' in text
    assert '<p class="field-error" id="e-budget_max_cents"><span>Сумата не може да е отрицателна.</span>' in text
    assert 'value="Шалове"' in text and 'value="BG-16" checked' in text
    assert not market.sent("POST", "/api/v1/needs")


def test_after_the_deadline_the_buyer_records_the_outcome(portal: FlaskClient, services: Any) -> None:
    market = buyer(portal, services)
    need = {
        "id": "need-1",
        "title": "Шалове",
        "description": "",
        "quantity": 30,
        "unit": "брой",
        "category": {"code": "food", "name": {"bg": "Храни и напитки", "en": "Food"}, "parent": None},
        "districts": ["BG-16"],
        "budget": {"min_cents": None, "max_cents": None},
        "deadline": "2026-01-10",
        "status": "awaiting_outcome",
        "buyer": {"organisation": None, "kind": "citizen"},
        "interests": [
            {
                "seller_id": "ent-1",
                "seller_name": "Сдружение „Дунавски занаяти“",
                "seller_email": "d@example.bg",
                "message": "Можем.",
                "at": "2026-01-05T10:00:00Z",
            }
        ],
        "matches": [],
        "outcome": None,
    }
    market.answer("GET", "/api/v1/needs/need-1", need)
    market.answer("POST", "/api/v1/needs/need-1/outcome", {**need, "status": "closed"})
    page = portal.get("/my/purchases/needs/need-1").get_data(as_text=True)
    assert "Изтекъл срок: очаква се резултат" in page and "по договаряне" in page
    assert "Запиши резултата" in page and "Можем." in page
    unanswered = portal.post("/my/purchases/needs/need-1/outcome", data={}).get_data(as_text=True)
    assert "Посочете дали е сключена сделка." in unanswered
    response = portal.post(
        "/my/purchases/needs/need-1/outcome",
        data={"deal_happened": "yes", "seller_id": "ent-1", "amount_cents": "250", "note": ""},
    )
    assert response.headers["Location"] == "/my/purchases/needs/need-1"
    assert market.sent("POST", "/api/v1/needs/need-1/outcome")[0].json == {
        "deal_happened": True,
        "note": "",
        "seller_id": "ent-1",
        "amount_cents": 25000,
    }


def test_the_impact_report_shows_its_figures_and_downloads_as_csv(portal: FlaskClient, services: Any) -> None:
    figures = {"cents": 3050, "orders": 1, "enterprises": 1, "vulnerable_staff_total": 6, "staff_count": 9}
    empty = {"cents": 0, "orders": 0, "enterprises": 0, "vulnerable_staff_total": 0, "staff_count": 0}
    market = buyer(portal, services)
    market.answer(
        "GET",
        "/api/v1/impact-report",
        {
            "period": {"from": "2026-01-01", "to": "2026-11-23"},
            "total": figures,
            "by_class": {"A": empty, "A+": figures},
            "by_region": [{**figures, "code": "BG31", "name": {"bg": "Северозападен", "en": "North-West"}}],
        },
    )
    market.answer(
        "GET",
        "/api/v1/impact-report.csv",
        Download(
            b"\xef\xbb\xbf\xd0\x93\xd1\x80\xd1\x83\xd0\xbf\xd0\xb0;",
            "text/csv; charset=utf-8; charset=utf-8",
            "impact-report-2026-01-01-2026-11-23.csv",
        ),
    )
    page = portal.get("/my/purchases/impact?from=01.01.2026").get_data(as_text=True)
    assert market.sent("GET", "/api/v1/impact-report")[0].params == {"from": "2026-01-01", "to": None}
    assert "От 01.01.2026 г. до 23.11.2026 г." in page
    assert "30,50\xa0€" in page and "6 от общо 9 служители" in page and "Северозападен" in page
    assert 'href="/my/purchases/impact.csv?from=2026-01-01"' in page
    sheet = portal.get("/my/purchases/impact.csv?from=2026-01-01")
    assert sheet.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="impact-report-2026-01-01-2026-11-23.csv"' in sheet.headers["Content-Disposition"]
    assert sheet.data.startswith(b"\xef\xbb\xbf")


def test_a_wrong_period_is_shown_on_its_dates(portal: FlaskClient, services: Any) -> None:
    market = buyer(portal, services)
    market.answer("GET", "/api/v1/impact-report", refusal(422, {"to": "Краят е преди началото."}))
    page = portal.get("/my/purchases/impact?from=2026-12-01&to=2026-01-01").get_data(as_text=True)
    assert '<p class="field-error" id="e-to"><span>Краят е преди началото.</span>' in page
    wrong = portal.get("/my/purchases/impact?from=вчера").get_data(as_text=True)
    assert '<p class="field-error" id="e-from"><span>Въведете дата, напр. 30.11.2026.</span>' in wrong
    assert portal.get("/my/purchases/impact.csv?from=вчера").headers["Location"].startswith("/my/purchases/impact?")


def test_purchases_are_for_buyers(portal: FlaskClient, services: Any) -> None:
    assert portal.get("/my/purchases/orders").headers["Location"].startswith("/sign-in?next=/my/purchases/orders")
    sign_in(portal, "representative", enterprise_id="ent-1")
    assert portal.get("/my/purchases/orders").status_code == 403
