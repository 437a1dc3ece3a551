"""An enterprise applies and is approved; it publishes a listing; a buyer finds it in Latin, asks, orders, reviews.

Everything a person does here happens in the browser; the test only waits for what crosses Kafka.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import Person, Platform
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

EIK = "204837591"
NAME = "Кооперация „Родопска билка“"
REPRESENTATIVE = ("Представител на предприятие", "Стоянка Белчева", "stoyanka@rodopska-bilka.example.bg")


def apply(representative: Person) -> None:
    page = representative.menu("Моите заявления")
    page.get_by_role("link", name="Започни заявление").click()
    page.get_by_label(re.compile("^Наименование на предприятието")).fill(NAME)
    page.get_by_label(re.compile("^Правна форма")).select_option(label="Кооперация")
    page.get_by_label(re.compile("^ЕИК")).fill(EIK)
    page.get_by_label(re.compile("^Област")).select_option(label="Пловдив")
    page.get_by_label(re.compile("^Община")).fill("Асеновград")
    page.get_by_label(re.compile("^Населено място")).fill("Асеновград")
    page.get_by_label(re.compile("^Адрес")).fill("ул. Родопи 12")
    page.get_by_label(re.compile("^Пощенски код")).fill("4230")
    page.get_by_label(re.compile("^Имейл за регистъра")).fill("kontakt@rodopska-bilka.example.bg")
    page.get_by_label(re.compile("^Име, презиме и фамилия на представителя")).fill("Стоянка Петрова Белчева")
    page.get_by_label(re.compile("^Длъжност")).fill("председател")
    page.get_by_label(re.compile("^Дейности")).fill("билкови чайове\nсушени плодове")
    page.get_by_label(re.compile("^С какво се занимава предприятието")).fill(
        "Кооперация, в която работят хора без работа от години."
    )
    page.get_by_role("group", name="Основание за клас A").get_by_label(
        "Поне 30% от персонала са от уязвими групи"
    ).check()
    page.get_by_label("Социалната дейност и добавената ѝ стойност са доказани").check()
    page.get_by_label("Членовете или работниците участват в управлението").check()
    page.get_by_label(re.compile("^Резултат след данъци")).fill("15 000,00")
    page.get_by_label(re.compile("^Разходи за социални цели")).fill("9 000,00")
    page.get_by_label(re.compile("^Персонал")).fill("9")
    page.get_by_label(re.compile("^Продължително безработни")).fill("4")
    page.get_by_label(re.compile("^От тях работили непрекъснато 6 месеца")).fill("3")
    page.get_by_role("button", name="Провери критериите").click()
    expect(page.locator("#outcomes")).to_contain_text("Критериите са изпълнени")
    representative.shot("application-checked")
    page.get_by_role("button", name="Запази като чернова").click()
    expect(page.get_by_role("status")).to_contain_text("Черновата на заявлението е запазена.")
    page.get_by_role("button", name="Подай заявлението").click()
    representative.shot("application-submitted")


def approve(clerk: Person) -> None:
    page = clerk.menu("Заявления за разглеждане")
    clerk.shot("queue")
    page.get_by_role("link", name=NAME).click()
    clerk.shot("review")
    page.get_by_label(re.compile("^Номер на заповедта")).fill("РД-01-214")
    page.get_by_label(re.compile("^Потвърждавам: предприятието се вписва")).check()
    page.get_by_role("button", name="Одобри заявлението").click()
    expect(page.get_by_role("status")).to_contain_text("предприятието е вписано в регистъра под номер СП-")


def decision_in_her_inbox_and_mail(representative: Person, platform: Platform) -> None:
    """The applicant herself, still signed in as before approval (no enterprise in her token yet), finds the
    decision in HER inbox, opens it (read, its short text, a link to the application) and in HER e-mail;
    the enterprise's contact address gets the legal copy once."""
    her_address, contact = REPRESENTATIVE[2], "kontakt@rodopska-bilka.example.bg"
    approved = re.compile(r"Заявлението на .*Родопска билка.* е одобрено")
    page = representative.open("/inbox")

    def listed() -> bool:  # the decision crosses Kafka to the notifications consumer
        page.reload()
        return page.get_by_role("link", name=approved).count() == 1

    wait_until(listed, "the decision in her inbox", interval=0.5)
    unread_decision = page.locator("li.message", has_text="Непрочетено:").filter(
        has=page.get_by_role("link", name=approved)
    )
    expect(unread_decision).to_have_count(1)
    page.get_by_role("link", name=approved).click()
    expect(page.get_by_text(re.compile("заявлението на .*Родопска билка.* е одобрено"))).to_be_visible()
    expect(page.get_by_text("Поздрави")).to_have_count(0)  # the short text, not the e-mail with its footer
    expect(unread_decision).to_have_count(0)  # opening it marked it read
    representative.shot("inbox-decision")
    page.locator("li.message").get_by_role("link", name="Преглед", exact=True).click()
    expect(page).to_have_url(re.compile(r"/my/applications/[0-9a-f-]+$"))
    received = page.get_by_role("link", name=re.compile("Получихме заявлението"))
    page = representative.open("/inbox")
    expect(received).to_have_count(1)

    def mails_to(address: str) -> list[str]:
        return [str(m.message["Subject"]) for m in platform.mailbox.to(address)]

    wait_until(lambda: any("одобрено" in s for s in mails_to(her_address)), "the decision in her e-mail")
    wait_until(lambda: mails_to(contact), "the legal copy at the enterprise's contact address")
    assert sum("одобрено" in s for s in mails_to(her_address)) == 1
    assert len(mails_to(contact)) == 1 and "одобрено" in mails_to(contact)[0]


def test_an_enterprise_is_registered_sells_and_is_reviewed(people: Any, platform: Platform) -> None:
    representative = people("representative")
    representative.sign_in_new(*REPRESENTATIVE)
    apply(representative)
    clerk = people("clerk")
    clerk.sign_in_as("Георги Атанасов")
    approve(clerk)
    decision_in_her_inbox_and_mail(representative, platform)

    visitor = people("visitor")
    page = visitor.open("/")
    page = visitor.menu("Регистър")
    page.get_by_label(re.compile("^Наименование или ЕИК")).fill("rodopska bilka")
    page.get_by_role("button", name="Търси").click()
    page.get_by_role("link", name=NAME).click()
    expect(page.get_by_text("Клас A").first).to_be_visible()
    visitor.shot("register-entry")
    enterprise_id = requests.get(f"{platform.apis['registry']}/api/v1/register", params={"q": EIK}, timeout=10).json()[
        "items"
    ][0]["id"]
    wait_until(
        lambda: requests.get(f"{platform.apis['marketplace']}/api/v1/sellers/{enterprise_id}", timeout=10).ok,
        "the marketplace to learn of the new enterprise from Kafka",
    )

    seller = people("seller")  # signing in again: the token now names the registered enterprise
    seller.sign_in_new(*REPRESENTATIVE)
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
