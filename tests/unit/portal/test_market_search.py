"""The public marketplace: search with filters and counts, a listing's page, asking for a quote or ordering."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.unit.portal.conftest import sign_in
from tests.unit.portal.fakes import refusal

CATEGORIES = {
    "items": [
        {"code": "food", "name": {"bg": "Храни и напитки", "en": "Food and drink"}, "parent": None},
        {
            "code": "food.honey",
            "name": {"bg": "Мед и пчелни продукти", "en": "Honey and bee products"},
            "parent": "food",
        },
        {"code": "crafts", "name": {"bg": "Занаяти", "en": "Crafts"}, "parent": None},
    ]
}
SELLER = {
    "id": "ent-1",
    "name": "Кооперация „Тетевенски мед“",
    "registration_number": "СП-00007",
    "mark": "Продукт на социално предприятие",
    "enterprise_class": "A+",
    "in_good_standing": True,
    "register_status": "active",
    "certificate_valid_until": "2027-07-05",
    "vulnerable_staff_percent": 40,
    "district": {"code": "BG-11", "name": {"bg": "Ловеч", "en": "Lovech"}},
    "region": {"code": "BG31", "name": {"bg": "Северозападен", "en": "North-West"}},
    "centre": {"id": "lovech", "name": {"bg": "Регионален център Ловеч", "en": "Lovech regional centre"}},
}


def listing(**changes: Any) -> dict[str, Any]:
    item = {
        "id": "lst-1",
        "kind": "product",
        "title": {"bg": "Манов мед", "en": "Honeydew honey"},
        "description": {"bg": "Мед от Тетевенския балкан.", "en": None},
        "category": {
            "code": "food.honey",
            "name": {"bg": "Мед и пчелни продукти", "en": "Honey and bee products"},
            "parent": "food",
        },
        "price": {"cents": 1620, "on_request": False, "display": "16,20 €", "unit": "буркан", "minimum_quantity": 2},
        "districts_served": ["BG-16"],
        "image_urls": [],
        "tags": ["мед"],
        "available": True,
        "status": "published",
        "status_bg": "публикувана",
        "published_at": "2026-11-01T08:00:00Z",
        "seller": SELLER,
        "rating": {"count": 2, "average": 4.5},
    }
    item.update(changes)
    return item


PAGE = {
    "total": 21,
    "items": [listing()],
    "facets": {
        "category": [
            {"code": "food", "name": {"bg": "Храни и напитки", "en": "Food and drink"}, "parent": None, "count": 3},
            {
                "code": "food.honey",
                "name": {"bg": "Мед и пчелни продукти", "en": "Honey and bee products"},
                "parent": "food",
                "count": 2,
            },
        ],
        "region": [{"code": "BG31", "name": {"bg": "Северозападен", "en": "North-West"}, "count": 3}],
    },
    "next_cursor": "c-2",
}
REVIEWS = {
    "rating": {"count": 2, "average": 4.5},
    "items": [
        {
            "rating": 5,
            "text": "Чудесен мед.",
            "date": "2026-11-10",
            "buyer": "Мария",
            "listing": {"id": "lst-1", "title": "Манов мед"},
        }
    ],
}


def market(services: Any) -> Any:
    services.marketplace.answer("GET", "/api/v1/categories", CATEGORIES)
    return services.marketplace


def test_a_latin_query_finds_listings_with_price_seller_mark_and_class(portal: FlaskClient, services: Any) -> None:
    market(services).answer("GET", "/api/v1/listings", PAGE)
    page = portal.get("/marketplace?q=med").get_data(as_text=True)
    assert services.marketplace.sent("GET", "/api/v1/listings")[0].params["q"] == "med"
    assert "Намерени са 21 обяви" in page
    assert "Манов мед" in page and "16,20\xa0€" in page and "за буркан" in page
    assert "Кооперация „Тетевенски мед“" in page
    assert "Продукт на социално предприятие" in page and "Клас A+" in page
    assert "Оценка 4,5 от 5 (2 отзива)" in page


def test_facet_counts_are_filter_links_and_pages_are_numbered(portal: FlaskClient, services: Any) -> None:
    market(services).answer("GET", "/api/v1/listings", PAGE)
    page = portal.get("/marketplace?q=med&region=BG31").get_data(as_text=True)
    assert 'href="/marketplace?q=med&amp;region=BG31&amp;category=food.honey">Мед и пчелни продукти (2)</a>' in page
    assert '<strong aria-current="true">Северозападен (3)</strong>' in page
    assert services.marketplace.sent("GET", "/api/v1/listings")[0].params["page"] == 1
    # 21 listings, 20 a page: page 1 marked as the current one, page 2 a link keeping the filters.
    assert '<a aria-current="page" aria-label="Страница 1 от 2">1</a>' in page
    assert 'href="/marketplace?q=med&amp;region=BG31&amp;page=2" aria-label="Страница 2 от 2">2</a>' in page
    second = portal.get("/marketplace?q=med&region=BG31&page=2").get_data(as_text=True)
    assert services.marketplace.sent("GET", "/api/v1/listings")[1].params["page"] == 2
    assert '<a aria-current="page" aria-label="Страница 2 от 2">2</a>' in second and 'rel="prev"' in second


def test_on_a_phone_the_results_come_before_the_category_links(portal: FlaskClient, services: Any) -> None:
    market(services).answer("GET", "/api/v1/listings", PAGE)
    page = portal.get("/marketplace?q=med").get_data(as_text=True)
    # One column on a phone follows the page's order: the form, what was found, then the links by category.
    assert page.index('id="filters-heading"') < page.index("Манов мед") < page.index('id="facets-heading"')


def test_filters_in_euro_and_percent_are_sent_in_cents_with_every_class_chosen(
    portal: FlaskClient, services: Any
) -> None:
    market(services).answer("GET", "/api/v1/listings", PAGE)
    portal.get(
        "/marketplace?price_min=5&price_max=12,50&enterprise_class=A&enterprise_class=A%2B"
        "&vulnerable_min_percent=30&district=BG-16&sort=price_asc"
    )
    params = services.marketplace.sent("GET", "/api/v1/listings")[0].params
    assert params["price_min_cents"] == 500 and params["price_max_cents"] == 1250
    assert params["enterprise_class"] == ["A", "A+"]
    assert params["vulnerable_min_percent"] == 30
    assert params["district"] == ["BG-16"] and params["sort"] == "price_asc"


def test_a_wrong_figure_is_shown_on_its_field_and_nothing_is_searched(portal: FlaskClient, services: Any) -> None:
    market(services)
    page = portal.get("/marketplace?price_min=пет&vulnerable_min_percent=120").get_data(as_text=True)
    assert 'id="e-price_min"' in page and "Въведете сума в евро, напр. 12,50." in page
    assert "Въведете процент от 0 до 100." in page
    assert not services.marketplace.sent("GET", "/api/v1/listings")


def test_the_services_refusal_of_a_price_range_lands_next_to_the_upper_bound(
    portal: FlaskClient, services: Any
) -> None:
    market(services).answer(
        "GET", "/api/v1/listings", refusal(422, {"price_max_cents": "Горната граница е под долната."})
    )
    page = portal.get("/marketplace?price_min=20&price_max=10").get_data(as_text=True)
    assert '<p class="field-error" id="e-price_max"><span>Горната граница е под долната.</span>' in page
    english = portal.get("/marketplace?price_min=20&price_max=10&lang=en").get_data(as_text=True)
    assert "EN Горната граница е под долната." in english


def test_a_listing_shows_its_seller_reviews_and_both_ways_to_buy(portal: FlaskClient, services: Any) -> None:
    market(services).answer("GET", "/api/v1/listings/lst-1", listing())
    services.marketplace.answer("GET", "/api/v1/listings/lst-1/reviews", REVIEWS)
    services.marketplace.answer("GET", "/api/v1/favourites", {"listing_ids": [], "seller_ids": []})
    sign_in(portal, "buyer")
    page = portal.get("/marketplace/listings/lst-1").get_data(as_text=True)
    assert "Служители от уязвими групи:</strong> 40\xa0%" in page
    assert "Ловеч (район Северозападен)" in page
    assert "Чудесен мед." in page and "Мария" in page
    assert '<button type="submit" name="do" value="quote">Поискай оферта</button>' in page
    assert "Поръчай сега</button>" in page
    assert "Добави в любими" in page
    assert 'value="2"' in page  # the minimum quantity, offered as the quantity


def test_a_listing_priced_on_request_can_only_be_quoted_and_visitors_are_asked_to_sign_in(
    portal: FlaskClient, services: Any
) -> None:
    on_request = {
        "cents": None,
        "on_request": True,
        "display": "Цена при запитване",
        "unit": "час",
        "minimum_quantity": 1,
    }
    market(services).answer("GET", "/api/v1/listings/lst-1", listing(price=on_request))
    services.marketplace.answer("GET", "/api/v1/listings/lst-1/reviews", REVIEWS)
    page = portal.get("/marketplace/listings/lst-1").get_data(as_text=True)
    assert "Цена при запитване" in page
    assert "Влезте, за да поискате оферта или да поръчате" in page
    sign_in(portal, "buyer")
    services.marketplace.answer("GET", "/api/v1/favourites", {"listing_ids": ["lst-1"], "seller_ids": []})
    page = portal.get("/marketplace/listings/lst-1").get_data(as_text=True)
    assert "Поискай оферта</button>" in page and "Поръчай сега" not in page
    assert "Премахни от любими" in page


def test_requesting_a_quote_sends_the_request_and_opens_it(portal: FlaskClient, services: Any) -> None:
    made = {"id": "deal-1", "supplier": {"name": "Кооперация „Тетевенски мед“"}, "order_number": None}
    market(services).answer("POST", "/api/v1/quotes", made)
    token = sign_in(portal, "buyer")
    response = portal.post(
        "/marketplace/listings/lst-1",
        data={
            "quantity": "10",
            "needed_by": "15.12.2026",
            "message": "За коледен базар",
            "organisation": "Община Габрово",
            "buyer_kind": "municipality",
            "do": "quote",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/my/purchases/quotes/deal-1"
    call = services.marketplace.sent("POST", "/api/v1/quotes")[0]
    assert call.token == token
    assert call.json == {
        "listing_id": "lst-1",
        "quantity": 10,
        "needed_by": "2026-12-15",
        "message": "За коледен базар",
        "organisation": "Община Габрово",
        "buyer_kind": "municipality",
    }
    services.marketplace.answer("GET", "/api/v1/quotes/deal-1", refusal(404))
    flashed = portal.get("/my/purchases/quotes/deal-1").get_data(as_text=True)
    assert "Запитването ви за оферта е изпратено до Кооперация „Тетевенски мед“." in flashed


def test_ordering_now_places_an_order_at_the_listed_price(portal: FlaskClient, services: Any) -> None:
    made = {"id": "deal-2", "supplier": {"name": "Кооперация „Тетевенски мед“"}, "order_number": "2026-000007"}
    market(services).answer("POST", "/api/v1/orders", made)
    market(services).answer("GET", "/api/v1/listings/lst-1", listing())
    sign_in(portal, "buyer")
    summary = portal.post("/marketplace/listings/lst-1", data={"quantity": "3", "do": "order", "message": "До 10-и"})
    page = summary.get_data(as_text=True)
    assert summary.status_code == 200 and "<h1>Потвърдете поръчката</h1>" in page  # a summary first
    assert "3\xa0буркана" in page and "48,60\xa0€" in page and "До 10-и" in page  # 3 × 16,20 €
    assert not services.marketplace.sent("POST", "/api/v1/orders")  # nothing ordered until confirmed
    confirmed = {"quantity": "3", "do": "order", "confirmed": "1", "message": "До 10-и", "organisation": ""}
    response = portal.post("/marketplace/listings/lst-1", data=confirmed)
    assert response.headers["Location"] == "/my/purchases/orders/deal-2"
    assert services.marketplace.sent("POST", "/api/v1/orders")[0].json["quantity"] == 3
    assert "needed_by" not in services.marketplace.sent("POST", "/api/v1/orders")[0].json


def test_too_small_a_quantity_is_shown_next_to_it_in_both_languages(portal: FlaskClient, services: Any) -> None:
    market(services).answer("GET", "/api/v1/listings/lst-1", listing())
    services.marketplace.answer("GET", "/api/v1/listings/lst-1/reviews", REVIEWS)
    services.marketplace.answer("GET", "/api/v1/favourites", {"listing_ids": [], "seller_ids": []})
    services.marketplace.answer("POST", "/api/v1/quotes", refusal(422, {"quantity": "Най-малкото количество е 2."}))
    sign_in(portal, "buyer")
    response = portal.post("/marketplace/listings/lst-1", data={"quantity": "1", "do": "quote"})
    assert response.status_code == 422
    assert '<p class="field-error" id="e-quantity"><span>Най-малкото количество е 2.</span>' in response.get_data(
        as_text=True
    )
    english = portal.post("/marketplace/listings/lst-1?lang=en", data={"quantity": "1"}).get_data(as_text=True)
    assert "EN Най-малкото количество е 2." in english


def test_a_quantity_that_is_not_a_number_never_reaches_the_service(portal: FlaskClient, services: Any) -> None:
    market(services).answer("GET", "/api/v1/listings/lst-1", listing())
    services.marketplace.answer("GET", "/api/v1/listings/lst-1/reviews", REVIEWS)
    services.marketplace.answer("GET", "/api/v1/favourites", {"listing_ids": [], "seller_ids": []})
    sign_in(portal, "buyer")
    page = portal.post("/marketplace/listings/lst-1", data={"quantity": "десет", "needed_by": "утре"}).get_data(
        as_text=True
    )
    assert "Въведете цяло число." in page and "Въведете дата, напр. 30.11.2026." in page
    assert not services.marketplace.sent("POST", "/api/v1/quotes")


def test_favourites_are_added_and_removed_and_the_buyer_comes_back(portal: FlaskClient, services: Any) -> None:
    market(services).answer("PUT", "/api/v1/favourites/listings/lst-1", {})
    services.marketplace.answer("DELETE", "/api/v1/favourites/sellers/ent-1", {})
    sign_in(portal, "buyer")
    added = portal.post("/marketplace/listings/lst-1/favourite", data={"action": "add"})
    assert added.headers["Location"] == "/marketplace/listings/lst-1"
    removed = portal.post(
        "/marketplace/sellers/ent-1/favourite", data={"action": "remove", "next": "/my/purchases/favourites"}
    )
    assert removed.headers["Location"] == "/my/purchases/favourites"
    assert services.marketplace.sent("PUT", "/api/v1/favourites/listings/lst-1")
    assert services.marketplace.sent("DELETE", "/api/v1/favourites/sellers/ent-1")
    elsewhere = portal.post("/marketplace/listings/lst-1/favourite", data={"next": "//example.com"})
    assert elsewhere.headers["Location"] == "/marketplace/listings/lst-1"


def test_the_enterprise_page_shows_only_published_listings_and_its_reviews(portal: FlaskClient, services: Any) -> None:
    draft = listing(id="lst-2", title={"bg": "Чернова", "en": None}, status="draft")
    market(services).answer(
        "GET", "/api/v1/sellers/ent-1", {**SELLER, "rating": REVIEWS["rating"], "listings": [listing(), draft]}
    )
    services.marketplace.answer("GET", "/api/v1/sellers/ent-1/reviews", REVIEWS)
    services.marketplace.answer("GET", "/api/v1/favourites", {"listing_ids": [], "seller_ids": ["ent-1"]})
    sign_in(portal, "buyer")
    page = portal.get("/marketplace/sellers/ent-1").get_data(as_text=True)
    assert "Манов мед" in page and "Чернова" not in page
    assert "Чудесен мед." in page
    assert "Премахни продавача от любими" in page


def test_an_unknown_listing_or_an_id_that_cannot_be_one_is_a_missing_page(portal: FlaskClient, services: Any) -> None:
    market(services)
    assert portal.get("/marketplace/listings/nope").status_code == 404
    assert portal.get("/marketplace/listings/a%20b").status_code == 404
    assert not services.marketplace.sent("GET", "/api/v1/listings/a b")


def test_the_empty_fields_of_the_search_form_are_left_out_of_the_address(portal: FlaskClient, services: Any) -> None:
    market(services)
    response = portal.get("/marketplace?q=med&category=&enterprise_class=A&enterprise_class=A%2B&price_min=")
    assert response.status_code == 302
    assert response.headers["Location"] == "/marketplace?q=med&enterprise_class=A&enterprise_class=A%2B"


def test_a_listing_without_reviews_says_so_once(portal: FlaskClient, services: Any) -> None:
    market(services).answer("GET", "/api/v1/listings/lst-1", listing(rating={"count": 0, "average": None}))
    services.marketplace.answer("GET", "/api/v1/listings/lst-1/reviews", {"rating": {"count": 0}, "items": []})
    services.marketplace.answer("GET", "/api/v1/favourites", {"listing_ids": [], "seller_ids": []})
    page = portal.get("/marketplace/listings/lst-1").get_data(as_text=True)
    assert page.count("Все още няма отзиви") == 1
