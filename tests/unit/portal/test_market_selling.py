"""A seller's pages: listings in every state, the listing form, quote requests, sales and buyers' needs."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from services.portal.forms import UNREADABLE
from tests.unit.portal.conftest import sign_in
from tests.unit.portal.fakes import refusal

ENTERPRISE = "ent-1"
CATEGORIES = {
    "items": [
        {"code": "food", "name": {"bg": "Храни и напитки", "en": "Food and drink"}, "parent": None},
        {
            "code": "food.honey",
            "name": {"bg": "Мед и пчелни продукти", "en": "Honey and bee products"},
            "parent": "food",
        },
    ]
}
SELLER = {
    "id": ENTERPRISE,
    "name": "Кооперация „Тетевенски мед“",
    "mark": "Продукт на социално предприятие",
    "enterprise_class": "A",
    "in_good_standing": True,
    "vulnerable_staff_percent": 40,
    "district": {"code": "BG-11", "name": {"bg": "Ловеч", "en": "Lovech"}},
    "region": {"code": "BG31", "name": {"bg": "Северозападен", "en": "North-West"}},
}


def listing(status: str = "published", **changes: Any) -> dict[str, Any]:
    item = {
        "id": f"lst-{status}",
        "kind": "product",
        "title": {"bg": f"Мед ({status})", "en": None},
        "description": {"bg": "Манов мед.", "en": None},
        "category": {"code": "food.honey", "name": {"bg": "Мед и пчелни продукти", "en": "Honey"}, "parent": "food"},
        "price": {"cents": 1250, "on_request": False, "unit": "буркан", "minimum_quantity": 1},
        "districts_served": ["BG-16", "BG-03"],
        "image_urls": [],
        "tags": ["мед", "био"],
        "available": True,
        "status": status,
        "seller": SELLER,
        "rating": {"count": 0, "average": None},
        "pause_reason": None,
    }
    item.update(changes)
    return item


def deal(state: str, **changes: Any) -> dict[str, Any]:
    item = {
        "id": "deal-1",
        "state": state,
        "listing": {"id": "lst-published", "title": "Манов мед"},
        "supplier": {"id": ENTERPRISE, "name": SELLER["name"], "mark": SELLER["mark"], "enterprise_class": "A"},
        "buyer": {
            "id": "b-1",
            "name": "Мария Петкова",
            "organisation": "Община Габрово",
            "kind": "municipality",
            "email": "porachki@gabrovo.example.bg",
        },
        "quantity": 40,
        "unit": "буркан",
        "needed_by": None,
        "message": "За общински празник",
        "offer": None,
        "order_number": None,
        "placed_at": None,
        "declined_by": None,
        "cancelled_by": None,
        "reason": None,
        "timeline": [{"at": "2026-11-20T08:00:00Z", "state": "requested", "note": "За общински празник"}],
        "review": None,
        "seller_in_good_standing": True,
        "created_at": "2026-11-20T08:00:00Z",
    }
    item.update(changes)
    return item


def seller(portal: FlaskClient, services: Any) -> Any:
    services.marketplace.answer("GET", "/api/v1/categories", CATEGORIES)
    sign_in(portal, "representative", enterprise_id=ENTERPRISE)
    return services.marketplace


def test_my_listings_shows_every_state_with_the_steps_each_allows(portal: FlaskClient, services: Any) -> None:
    page_of = {**SELLER, "listings": [listing("draft"), listing("published"), listing("paused"), listing("archived")]}
    seller(portal, services).answer("GET", f"/api/v1/sellers/{ENTERPRISE}", page_of)
    page = portal.get("/my/sales/listings").get_data(as_text=True)
    for label in ("Чернова", "Публикувана", "Спряна", "Архивирана"):
        assert label in page
    assert page.count(">Публикувай<") == 2  # the draft and the paused one
    assert page.count(">Спри<") == 1
    assert page.count(">Архивирай<") == 3
    assert "Нова обява" in page


def test_publishing_refused_for_an_enterprise_not_in_good_standing_says_why(portal: FlaskClient, services: Any) -> None:
    market = seller(portal, services)
    market.answer(
        "POST",
        "/api/v1/listings/lst-draft/publish",
        refusal(409, message="Не може да се публикува обявата: предприятието няма действащо вписване в регистъра."),
    )
    market.answer(
        "GET", f"/api/v1/sellers/{ENTERPRISE}", {**SELLER, "in_good_standing": False, "listings": [listing("draft")]}
    )
    response = portal.post("/my/sales/listings/lst-draft/publish")
    assert response.headers["Location"] == "/my/sales/listings"
    page = portal.get("/my/sales/listings").get_data(as_text=True)
    assert '<p class="flash flash-error">Не може да се публикува обявата: предприятието няма действащо' in page
    assert "Няма действащо вписване в регистъра" in page


def test_a_new_listing_is_sent_in_cents_with_its_lists_and_published_at_once(
    portal: FlaskClient, services: Any
) -> None:
    market = seller(portal, services)
    market.answer("POST", "/api/v1/listings", listing("draft", id="lst-new"))
    market.answer("POST", "/api/v1/listings/lst-new/publish", listing("published", id="lst-new"))
    response = portal.post(
        "/my/sales/listings/new",
        data={
            "kind": "product",
            "title_bg": "Манов мед",
            "description_bg": "От Тетевен.",
            "category": "food.honey",
            "price_cents": "12,50",
            "unit": "буркан",
            "minimum_quantity": "2",
            "districts_served": ["BG-16", "BG-03"],
            "tags": "мед, био ,",
            "available": "1",
            "then": "publish",
        },
    )
    assert response.headers["Location"] == "/my/sales/listings"
    sent = market.sent("POST", "/api/v1/listings")[0].json
    assert sent["price_cents"] == 1250 and sent["price_on_request"] is False
    assert sent["districts_served"] == ["BG-16", "BG-03"]
    assert sent["tags"] == ["мед", "био"]
    assert "image_urls" not in sent, "photos are uploaded now; addresses elsewhere are neither asked nor wiped"
    assert sent["minimum_quantity"] == 2 and sent["available"] is True
    assert market.sent("POST", "/api/v1/listings/lst-new/publish")


def test_price_on_request_and_all_districts_need_no_price_and_no_ticking_each(
    portal: FlaskClient, services: Any
) -> None:
    market = seller(portal, services)
    market.answer("POST", "/api/v1/listings", listing("draft", id="lst-new"))
    response = portal.post(
        "/my/sales/listings/new",
        data={
            "kind": "service",
            "title_bg": "Ремонт",
            "description_bg": "Ремонт.",
            "category": "food",
            "unit": "час",
            "price_cents": "",
            "price_on_request": "1",
            "all_districts": "1",
            "then": "draft",
        },
    )
    assert response.status_code == 302
    sent = market.sent("POST", "/api/v1/listings")[0].json
    assert sent["price_cents"] is None and sent["price_on_request"] is True
    assert sent["districts_served"] == ["BG-03", "BG-16"]  # every district of the register (two in the fakes)
    assert not market.sent("POST", "/api/v1/listings/lst-new/publish")


def test_a_price_that_is_not_one_is_shown_next_to_it_and_nothing_is_created(portal: FlaskClient, services: Any) -> None:
    market = seller(portal, services)
    page = portal.post("/my/sales/listings/new", data={"title_bg": "Мед", "price_cents": "дванайсет"})
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert '<p class="field-error" id="e-price_cents"><span>Въведете сума в евро, напр. 12,50.</span>' in text
    assert 'value="Мед"' in text
    empty = portal.post("/my/sales/listings/new", data={"title_bg": "Мед"}).get_data(as_text=True)
    assert "Въведете цена в евро или отметнете „Цена при запитване“." in empty
    # sent only for the service's word on the other fields, the price in a form it refuses: nothing is created
    assert [c.json["price_cents"] for c in market.sent("POST", "/api/v1/listings")] == [UNREADABLE, UNREADABLE]


def test_a_negative_price_does_not_hide_four_empty_required_fields(portal: FlaskClient, services: Any) -> None:
    market = seller(portal, services)
    market.answer(
        "POST",
        "/api/v1/listings",
        refusal(
            422,
            {
                "description_bg": "Задължително поле.",
                "districts_served": "Изберете поне една област.",
                "price_cents": "Not a valid integer.",
                "title_bg": "Задължително поле.",
                "unit": "Задължително поле.",
            },
        ),
    )
    page = portal.post("/my/sales/listings/new", data={"price_cents": "-5", "title_bg": "", "unit": ""})
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert '<p class="field-error" id="e-price_cents"><span>Сумата не може да е отрицателна.</span>' in text
    for name in ("title_bg", "description_bg", "unit", "districts_served"):
        assert f'<p class="field-error" id="e-{name}">' in text, name
    summary = text[text.index('id="error-summary"') : text.index("</ul>", text.index('id="error-summary"'))]
    order = [summary.index(f'href="#f-{name}"') for name in ("title_bg", "description_bg", "price_cents", "unit")]
    assert order == sorted(order)  # as the form asks for them
    assert "Not a valid integer." not in text


def test_the_services_refusal_of_a_district_lands_on_the_districts(portal: FlaskClient, services: Any) -> None:
    market = seller(portal, services)
    market.answer(
        "POST",
        "/api/v1/listings",
        refusal(422, {"districts_served.0": "Непозната област.", "title_bg": "Задължително поле."}),
    )
    page = portal.post("/my/sales/listings/new", data={"price_cents": "1", "districts_served": ["BG-16"]})
    text = page.get_data(as_text=True)
    assert '<p class="field-error" id="e-districts_served"><span>Непозната област.</span>' in text
    assert '<p class="field-error" id="e-title_bg"><span>Задължително поле.</span>' in text
    assert 'id="f-districts_served-2" name="districts_served" value="BG-16" checked' in text


def test_editing_shows_the_listing_as_it_is_and_sends_the_changes(portal: FlaskClient, services: Any) -> None:
    market = seller(portal, services)
    market.answer("GET", "/api/v1/listings/lst-paused", listing("paused"))
    market.answer("PATCH", "/api/v1/listings/lst-paused", listing("paused"))
    form = portal.get("/my/sales/listings/lst-paused/edit").get_data(as_text=True)
    assert 'value="12,50"' in form and 'value="мед, био"' in form
    assert "Запази и публикувай" in form
    response = portal.post(
        "/my/sales/listings/lst-paused/edit",
        data={
            "kind": "product",
            "title_bg": "Мед",
            "description_bg": "Манов мед.",
            "category": "food.honey",
            "price_cents": "13",
            "unit": "буркан",
            "districts_served": ["BG-16"],
            "then": "save",
        },
    )
    assert response.headers["Location"] == "/my/sales/listings"
    assert market.sent("PATCH", "/api/v1/listings/lst-paused")[0].json["price_cents"] == 1300


def test_a_representative_without_a_registered_enterprise_is_told_why(portal: FlaskClient, services: Any) -> None:
    sign_in(portal, "representative")
    response = portal.get("/my/sales/listings")
    assert response.status_code == 403
    assert "Профилът ви не е свързан със социално предприятие" in response.get_data(as_text=True)
    sign_in(portal, "buyer")
    assert portal.get("/my/sales/quotes").status_code == 403


def test_an_offer_is_prefilled_and_sent_in_cents_until_a_sofia_date(portal: FlaskClient, services: Any) -> None:
    market = seller(portal, services)
    market.answer("GET", "/api/v1/quotes/deal-1", deal("requested"))
    market.answer("GET", "/api/v1/listings/lst-published", listing())
    market.answer("POST", "/api/v1/quotes/deal-1/offer", deal("offered", offer={"total_cents": 47600}))
    page = portal.get("/my/sales/quotes/deal-1").get_data(as_text=True)
    assert "За общински празник" in page and "porachki@gabrovo.example.bg" in page
    assert 'value="12,50"' in page and "Изпрати офертата" in page
    response = portal.post(
        "/my/sales/quotes/deal-1/offer",
        data={"unit_price_cents": "11,90", "valid_until": "30.12.2026", "terms": "С доставка."},
    )
    assert response.headers["Location"] == "/my/sales/quotes"
    assert market.sent("POST", "/api/v1/quotes/deal-1/offer")[0].json == {
        "unit_price_cents": 1190,
        "valid_until": "2026-12-30",
        "terms": "С доставка.",
    }
    assert "Офертата ви за 476,00\xa0€ е изпратена на Мария Петкова." in portal.get("/").get_data(as_text=True)


def test_an_offer_valid_until_a_past_day_is_refused_next_to_the_date(portal: FlaskClient, services: Any) -> None:
    market = seller(portal, services)
    market.answer("GET", "/api/v1/quotes/deal-1", deal("requested"))
    market.answer(
        "POST",
        "/api/v1/quotes/deal-1/offer",
        refusal(422, {"valid_until": "Офертата трябва да е валидна поне до днес."}),
    )
    page = portal.post("/my/sales/quotes/deal-1/offer", data={"unit_price_cents": "5", "valid_until": "2020-01-01"})
    assert page.status_code == 422
    assert '<p class="field-error" id="e-valid_until"><span>Офертата трябва да е валидна' in page.get_data(as_text=True)
    missing = portal.post("/my/sales/quotes/deal-1/offer", data={"unit_price_cents": ""}).get_data(as_text=True)
    assert "Въведете единичната цена в евро." in missing and "Въведете последния ден" in missing


def test_quote_requests_are_listed_with_the_buyer_and_an_unknown_filter_shows_them_all(
    portal: FlaskClient, services: Any
) -> None:
    market = seller(portal, services)
    market.answer(
        "GET",
        "/api/v1/quotes",
        {
            "items": [
                deal("requested"),
                deal("offered", id="deal-2", offer={"total_cents": 47600, "valid_until": "2026-12-05"}),
            ]
        },
    )
    page = portal.get("/my/sales/quotes?state=placed").get_data(as_text=True)
    assert market.sent("GET", "/api/v1/quotes")[0].params == {"state": None}
    assert '<strong aria-current="true">Всички</strong>' in page
    assert 'href="/my/sales/quotes?state=offered"' in page and 'href="/my/sales/quotes?state=placed"' not in page
    assert 'Мария Петкова<br><span class="muted">Община Габрово</span>' in page
    assert "Направи оферта" in page and "Промени офертата" in page and "476,00\xa0€" in page


def test_declining_a_request_tells_the_service_why(portal: FlaskClient, services: Any) -> None:
    market = seller(portal, services)
    market.answer("POST", "/api/v1/quotes/deal-1/decline", deal("declined"))
    response = portal.post("/my/sales/quotes/deal-1/decline", data={"reason": "Нямаме капацитет."})
    assert response.headers["Location"] == "/my/sales/quotes"
    assert market.sent("POST", "/api/v1/quotes/deal-1/decline")[0].json == {"reason": "Нямаме капацитет."}


def test_sales_are_fulfilled_from_the_list_and_disputes_need_a_reason(portal: FlaskClient, services: Any) -> None:
    market = seller(portal, services)
    placed = deal(
        "placed",
        order_number="2026-000002",
        placed_at="2026-11-21T08:00:00Z",
        offer={"unit_price_cents": 1190, "total_cents": 47600, "valid_until": "2026-11-21"},
    )
    market.answer("GET", "/api/v1/orders", {"items": [placed]})
    market.answer("POST", "/api/v1/orders/deal-1/fulfil", {**placed, "state": "fulfilled"})
    market.answer("GET", "/api/v1/orders/deal-1", placed)
    market.answer("POST", "/api/v1/orders/deal-1/dispute", refusal(422, {"reason": "Посочете причина."}))
    page = portal.get("/my/sales/orders").get_data(as_text=True)
    assert "2026-000002" in page and "476,00\xa0€" in page and "Отбележи като изпълнена" in page
    response = portal.post("/my/sales/orders/deal-1/fulfil", data={"back": "list"})
    assert response.headers["Location"] == "/my/sales/orders"
    assert market.sent("POST", "/api/v1/orders/deal-1/fulfil")[0].json == {"note": ""}
    disputed = portal.post("/my/sales/orders/deal-1/dispute", data={"dispute_reason": ""}).get_data(as_text=True)
    assert '<p class="field-error" id="e-dispute_reason"><span>Посочете причина.</span>' in disputed


def test_a_step_the_order_no_longer_allows_is_said_on_its_page(portal: FlaskClient, services: Any) -> None:
    market = seller(portal, services)
    market.answer(
        "POST",
        "/api/v1/orders/deal-1/cancel",
        refusal(409, message="Не може да се отмени поръчката: сделката е „получена“."),
    )
    response = portal.post("/my/sales/orders/deal-1/cancel", data={"reason": ""})
    assert response.headers["Location"] == "/my/sales/orders/deal-1"
    market.answer("GET", "/api/v1/orders/deal-1", deal("received", order_number="2026-000002"))
    assert "сделката е „получена“" in portal.get("/my/sales/orders/deal-1").get_data(as_text=True)


def test_a_seller_answers_a_published_need(portal: FlaskClient, services: Any) -> None:
    market = seller(portal, services)
    need = {
        "id": "need-1",
        "title": "Мед за детски градини",
        "description": "",
        "quantity": 200,
        "unit": "буркан",
        "category": {"code": "food.honey", "name": {"bg": "Мед и пчелни продукти", "en": "Honey"}, "parent": "food"},
        "districts": ["BG-16"],
        "budget": {"min_cents": 200000, "max_cents": None},
        "deadline": "2026-12-14",
        "status": "published",
        "accepts_interest": True,
        "buyer": {"organisation": "Община Пловдив", "kind": "municipality"},
        "my_interest": None,
    }
    market.answer("GET", "/api/v1/needs", {"total": 1, "page": 1, "per_page": 20, "items": [need]})
    market.answer("GET", "/api/v1/needs/need-1", need)
    market.answer("POST", "/api/v1/needs/need-1/interest", {})
    board = portal.get("/my/sales/needs?category=food").get_data(as_text=True)
    assert "Мед за детски градини" in board and "от 2\xa0000,00\xa0€" in board and "Заяви интерес" in board
    assert services.marketplace.sent("GET", "/api/v1/needs")[0].params["category"] == "food"
    empty = portal.post("/my/sales/needs/need-1/interest", data={"message": " "}).get_data(as_text=True)
    assert "Напишете съобщение до купувача." in empty
    response = portal.post("/my/sales/needs/need-1/interest", data={"message": "Можем да доставим до 10 декември."})
    assert response.headers["Location"] == "/my/sales/needs/need-1"
    assert market.sent("POST", "/api/v1/needs/need-1/interest")[0].json == {
        "message": "Можем да доставим до 10 декември."
    }
