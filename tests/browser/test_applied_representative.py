"""A representative whose enterprise has only applied: the portal, against the real services, shows her no
seller links, and a seller's page opened anyway tells her why and where to follow the application (not 403).

Her sign-in names the enterprise of her latest application (the token's claim): the register says it is
not entered yet."""

from __future__ import annotations

import hashlib
from typing import Any

import requests
from playwright.sync_api import expect

from shared.auth import Role
from tests.browser.conftest import Platform
from tests.integration.registry_api import application, token

NAME, EMAIL = "Дарина Пеева", "darina@tkachen-stan.example.bg"
SELLER_LINKS = ("Моите обяви", "Запитвания за оферти", "Продажби", "Нужди на купувачи")


def test_a_representative_of_an_enterprise_that_only_applied_sees_no_seller_links_and_is_told_why(
    people: Any, platform: Platform
) -> None:
    subject = "dev-representative-" + hashlib.sha256(f"representative:{EMAIL}".encode()).hexdigest()[:16]
    hers = token(subject, Role.REPRESENTATIVE, name=NAME, email=EMAIL)
    registry = f"{platform.apis['registry']}/api/v1"
    body = application(details__eik="121759222", details__name="Кооперация „Тъкачен стан“")
    created = requests.post(f"{registry}/applications", json=body, headers=hers, timeout=10)
    assert created.status_code == 201, created.text
    submitted = requests.post(f"{registry}/applications/{created.json()['id']}/submit", headers=hers, timeout=10)
    assert submitted.status_code == 200, submitted.text

    representative = people("representative")
    representative.sign_in_new("Представител на предприятие", NAME, EMAIL)
    page = representative.page
    menu = page.get_by_role("navigation", name="Основно меню").first
    expect(menu.get_by_role("link", name="Моите заявления", exact=True)).to_be_visible()
    for label in SELLER_LINKS:
        expect(menu.get_by_role("link", name=label, exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Кандидатствайте за вписване", exact=True)).to_be_visible()

    response = page.goto(platform.portal + "/my/sales/orders")
    assert response is not None and response.status == 200
    expect(page.get_by_text("Предприятието ви все още не е вписано в регистъра")).to_be_visible()
    representative.shot("not-yet-registered")
    page.get_by_role("main").get_by_role("link", name="Моите заявления").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("заявления")
