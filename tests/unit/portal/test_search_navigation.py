"""Between the register and the marketplace: an entry links to the enterprise's shop, a seller shows its mission."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from services.portal.clients import Download
from tests.unit.portal.test_market_search import CATEGORIES, PAGE, REVIEWS, SELLER, listing
from tests.unit.portal.test_registry_register import ENTRY

ACTIVE_ENTRY = {**ENTRY, "status": "active", "deletion": None}


def test_a_register_entry_links_to_the_enterprises_shop_when_it_sells(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", "/api/v1/register/ent-1", ACTIVE_ENTRY)
    services.marketplace.answer("GET", "/api/v1/sellers/ent-1", {**SELLER, "listings": [listing()]})
    page = portal.get("/register/ent-1").get_data(as_text=True)
    assert 'href="/marketplace/sellers/ent-1"' in page
    assert "Вижте стоките и услугите му в пазара" in page


def test_no_shop_link_for_an_enterprise_without_published_listings_or_unknown_to_the_marketplace(
    portal: FlaskClient, services: Any
) -> None:
    services.registry.answer("GET", "/api/v1/register/ent-1", ACTIVE_ENTRY)
    page = portal.get("/register/ent-1").get_data(as_text=True)  # the marketplace answers 404
    assert "/marketplace/sellers/ent-1" not in page
    services.marketplace.answer("GET", "/api/v1/sellers/ent-1", {**SELLER, "listings": [listing(status="draft")]})
    assert "/marketplace/sellers/ent-1" not in portal.get("/register/ent-1").get_data(as_text=True)


def test_the_seller_page_shows_its_social_mission_from_the_register(portal: FlaskClient, services: Any) -> None:
    services.marketplace.answer("GET", "/api/v1/categories", CATEGORIES)
    services.marketplace.answer(
        "GET",
        "/api/v1/sellers/ent-1",
        {
            **SELLER,
            "listings": [listing()],
            "social_mission": {
                "activities": ["Пчеларство", "Преработка на мед"],
                "vulnerable_staff": {"long_term_unemployed": 3},
            },
        },
    )
    services.marketplace.answer("GET", "/api/v1/sellers/ent-1/reviews", REVIEWS)
    page = portal.get("/marketplace/sellers/ent-1").get_data(as_text=True)
    assert "Социална мисия" in page
    assert "Пчеларство, Преработка на мед" in page
    assert "Продължително безработни: 3" in page
    assert 'href="/register/' in page


def test_the_register_export_follows_the_active_filters(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", "/api/v1/register", {"total": 0, "items": []})
    page = portal.get("/register?q=most&district=BG-16").get_data(as_text=True)
    assert 'href="/register/export.csv?q=most&amp;district=BG-16&amp;status=active"' in page
    assert "Предприятията, намерени при това търсене" in page
    services.registry.answer(
        "GET", "/api/v1/register/export.csv", Download("\ufeffРегистров номер\n".encode(), "text/csv", "register.csv")
    )
    assert portal.get("/register/export.csv?q=most&district=BG-16&status=active").status_code == 200
    sent = services.registry.sent("GET", "/api/v1/register/export.csv")[0].params
    assert sent == {"q": "most", "district": "BG-16", "status": "active", "labels": "bg"}


def test_a_place_named_in_the_query_is_shown_as_what_narrowed_the_results(portal: FlaskClient, services: Any) -> None:
    services.marketplace.answer("GET", "/api/v1/categories", CATEGORIES)
    gabrovo = {"code": "BG-07", "name": {"bg": "Габрово", "en": "Gabrovo"}}
    services.marketplace.answer("GET", "/api/v1/listings", {**PAGE, "named_places": [gabrovo]})
    page = portal.get("/marketplace?q=мляко+Габрово").get_data(as_text=True)
    assert "Само обяви с доставка в област Габрово или на продавачи оттам" in page
