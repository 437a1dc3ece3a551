"""The header's seller links and the seller's pages follow the register, not the token's enterprise claim.

A representative's token names her enterprise from its first application on; until the centre enters it in
the register she is shown no seller links, and a seller's page explains instead of refusing."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from services.portal.clients import ServiceError
from tests.unit.portal.conftest import sign_in

SELLER_LINKS = ("/my/sales/listings", "/my/sales/quotes", "/my/sales/orders", "/my/sales/needs", "/my/maturity",
                "/my/workers")  # fmt: skip
NOT_FOUND = ServiceError(404, "not_found", {"bg": "Няма такова вписване.", "en": "No such entry."})


def _menu(page: str) -> str:
    start = page.index('aria-label="Основно меню"')
    return page[start : page.index("</nav>", start)]


def _register_says(services: Any, enterprise_id: str, answer: Any) -> None:
    services.registry.answer("GET", f"/api/v1/register/{enterprise_id}", answer)


def test_a_representative_whose_enterprise_only_applied_sees_no_seller_links_and_is_told_why(
    portal: FlaskClient, services: Any
) -> None:
    sign_in(portal, "representative", enterprise_id="applied-1")
    _register_says(services, "applied-1", NOT_FOUND)

    home = portal.get("/").get_data(as_text=True)
    menu = _menu(home)
    assert 'href="/my/applications"' in menu
    assert not [link for link in SELLER_LINKS if f'href="{link}"' in menu]
    assert "Кандидатствайте за вписване в регистъра" in home  # not told her enterprise is entered

    for page in ("/my/sales/listings", "/my/sales/quotes", "/my/sales/orders", "/my/sales/listings/new"):
        response = portal.get(page)
        assert response.status_code == 200, page
        text = response.get_data(as_text=True)
        assert "Предприятието ви все още не е вписано в регистъра" in text
        assert 'href="/my/applications"' in text
    assert services.marketplace.calls == []  # nothing asked of the marketplace for her
    # the register is asked once for all these pages, then the answer is kept a minute
    assert len(services.registry.sent("GET", "/api/v1/register/applied-1")) == 1


def test_once_the_enterprise_is_entered_the_seller_links_appear(portal: FlaskClient, services: Any) -> None:
    sign_in(portal, "representative", enterprise_id="ent-1")
    _register_says(services, "ent-1", {"id": "ent-1", "status": "active"})
    menu = _menu(portal.get("/").get_data(as_text=True))
    assert all(f'href="{link}"' in menu for link in SELLER_LINKS)


def test_a_deleted_enterprise_shows_no_seller_links(portal: FlaskClient, services: Any) -> None:
    sign_in(portal, "representative", enterprise_id="gone-1")
    _register_says(services, "gone-1", {"id": "gone-1", "status": "deleted"})
    menu = _menu(portal.get("/").get_data(as_text=True))
    assert 'href="/my/sales/listings"' not in menu


def test_when_the_register_cannot_be_reached_the_claim_is_trusted_and_asked_again(
    portal: FlaskClient, services: Any
) -> None:
    sign_in(portal, "representative", enterprise_id="ent-2")
    _register_says(services, "ent-2", ServiceError(503, "unavailable", {"bg": "Няма връзка.", "en": "Down."}))
    assert 'href="/my/sales/listings"' in _menu(portal.get("/").get_data(as_text=True))
    portal.get("/")
    assert len(services.registry.sent("GET", "/api/v1/register/ent-2")) >= 2  # nothing kept


def test_a_representative_linked_to_no_enterprise_is_still_refused_with_the_reason(
    portal: FlaskClient, services: Any
) -> None:
    sign_in(portal, "representative")
    response = portal.get("/my/sales/listings")
    assert response.status_code == 403
    assert services.registry.sent("GET", r"/api/v1/register/.*") == []
