"""A registered enterprise publishes a listing; a buyer finds it by a Latin query, asks, orders, receives, reviews."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import Platform
from tests.e2e.registry_flow import register
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

EIK = "204837591"
NAME = "Кооперация „Родопска билка“"


def test_a_buyer_finds_a_listing_in_latin_and_orders_after_a_quote(people: Any, platform: Platform) -> None:
    enterprise_id = register(f"{platform.apis['registry']}/api/v1", EIK, NAME)
    wait_until(
        lambda: requests.get(f"{platform.apis['marketplace']}/api/v1/sellers/{enterprise_id}", timeout=10).ok,
        "the marketplace to learn of the new enterprise from Kafka",
    )

    seller = people("seller")
    seller.sign_in_new("Представител на предприятие", "Стоянка Белчева", "stoyanka@rodopska-bilka.example.bg",
                       enterprise=EIK)  # fmt: skip
    page = seller.menu("Моите обяви")
    page.get_by_role("link", name="Нова обява").click()
    page.get_by_label("Заглавие на български").fill("Планински чай от мащерка")
    page.get_by_label("Описание на български").fill("Ръчно бран чай от Родопите, пакет от 100 г.")
    category = page.get_by_label("Категория")
    category.select_option(index=1)
    page.get_by_label("Единична цена (€)").fill("4,80")
    page.get_by_label("Мерна единица").fill("пакет")
    page.get_by_label("Всички 28 области").check()
    seller.shot("new-listing")
    page.get_by_role("button", name="Запази и публикувай").click()
    expect(page.get_by_role("status")).to_contain_text("е публикувана")
    seller.shot("listings")

    buyer = people("buyer")
    buyer.sign_in_new("Купувач", "Мартин Стоев", "zakupki@smolyan.example.bg")
    page = buyer.menu("Пазар")
    page.get_by_label("Какво търсите?").fill("planinski chay")
    page.get_by_role("button", name="Търси").click()
    buyer.shot("search")
    page.get_by_role("link", name="Планински чай от мащерка").click()
    expect(page.get_by_text(NAME).first).to_be_visible()
    buyer.shot("listing")
    page.get_by_label("Количество").fill("30")
    page.get_by_label("Съобщение до продавача").fill("За подаръци на служителите на общината.")
    page.get_by_role("button", name="Поискай оферта").click()
    buyer.shot("quote-requested")

    page = seller.menu("Запитвания за оферти")
    page.get_by_role("link", name="Направи оферта").first.click()
    page.get_by_label("Цена за").fill("4,20")
    page.get_by_label("Бележка до купувача").fill("Отстъпка за количество.")
    page.get_by_role("button", name="Изпрати офертата").click()
    seller.shot("offer-sent")

    page = buyer.menu("Моите запитвания")
    page.get_by_role("button", name="Приеми офертата").first.click()
    expect(page.get_by_role("status")).to_contain_text("Приехте офертата: поръчка")
    buyer.shot("order-placed")

    page = seller.menu("Продажби")
    page.get_by_role("button", name="Отбележи като изпълнена").first.click()

    page = buyer.menu("Моите поръчки")
    page.get_by_role("button", name="Потвърди получаването").first.click()
    page.get_by_label("5 — отлично").check()
    page.get_by_label("Вашият отзив").fill("Ароматен чай, доставен навреме.")
    page.get_by_role("button", name="Публикувай отзива").click()
    buyer.shot("reviewed")
    page = buyer.open("/marketplace/sellers/" + enterprise_id)
    expect(page.get_by_text("Ароматен чай, доставен навреме.")).to_be_visible(timeout=30_000)
