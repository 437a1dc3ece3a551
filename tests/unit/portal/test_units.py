"""Every unit a seller can choose reads right after 1, 2, 5 and 21 in Bulgarian (and in English), through
Babel's plural rule and the catalogue's plural entries."""

from __future__ import annotations

from typing import Any

import pytest
from babel import Locale
from flask import Flask
from flask.testing import FlaskClient

from services.portal.formatting import quantity
from shared.bg.units import unit_choices, units
from tests.unit.portal.conftest import sign_in

# What a Bulgarian writes after "1" and after any other number, for each unit (independent of the catalogue).
BULGARIAN: dict[str, tuple[str, str]] = {
    "брой": ("брой", "броя"), "бр.": ("бр.", "бр."), "парче": ("парче", "парчета"), "пакет": ("пакет", "пакета"),
    "опаковка": ("опаковка", "опаковки"), "кутия": ("кутия", "кутии"), "кашон": ("кашон", "кашона"),
    "торба": ("торба", "торби"), "щайга": ("щайга", "щайги"), "палет": ("палет", "палета"),
    "бутилка": ("бутилка", "бутилки"), "буркан": ("буркан", "буркана"), "кошница": ("кошница", "кошници"),
    "чифт": ("чифт", "чифта"), "комплект": ("комплект", "комплекта"), "ролка": ("ролка", "ролки"),
    "порция": ("порция", "порции"), "торта": ("торта", "торти"), "хляб": ("хляб", "хляба"),
    "сапун": ("сапун", "сапуна"), "килограм": ("килограм", "килограма"), "кг": ("кг", "кг"),
    "грам": ("грам", "грама"), "г": ("г", "г"), "тон": ("тон", "тона"), "литър": ("литър", "литра"),
    "л": ("л", "л"), "метър": ("метър", "метра"), "м": ("м", "м"), "м²": ("м²", "м²"), "кв. м": ("кв. м", "кв. м"),
    "дка": ("дка", "дка"), "час": ("час", "часа"), "ден": ("ден", "дни"), "седмица": ("седмица", "седмици"),
    "месец": ("месец", "месеца"), "нощувка": ("нощувка", "нощувки"), "човек": ("човек", "души"),
    "урок": ("урок", "урока"), "консултация": ("консултация", "консултации"), "услуга": ("услуга", "услуги"),
    "курс": ("курс", "курса"), "проект": ("проект", "проекта"), "страница": ("страница", "страници"),
}  # fmt: skip
ABBREVIATIONS = {"бр.", "кг", "г", "л", "м", "м²", "кв. м"}
COUNTS = (1, 2, 5, 21)


def test_every_unit_a_seller_can_choose_has_its_bulgarian_forms() -> None:
    assert set(unit_choices()) == set(BULGARIAN) == set(units())


def test_babel_counts_21_as_many_in_bulgarian() -> None:
    """Bulgarian has two forms: one for 1, the other for every other number, 21 included."""
    assert [Locale.parse("bg").plural_form(n) for n in COUNTS] == ["one", "other", "other", "other"]


@pytest.mark.parametrize("unit", sorted(BULGARIAN))
def test_a_count_of_the_unit_reads_right_in_bulgarian(portal_app: Flask, unit: str) -> None:
    one, other = BULGARIAN[unit]
    with portal_app.test_request_context("/"):
        portal_app.preprocess_request()
        shown = [quantity(n, unit) for n in COUNTS]
        assert quantity(21, unit.upper()) == f"21\xa0{other}"  # however the seller typed its case
    assert shown == [f"1\xa0{one}", f"2\xa0{other}", f"5\xa0{other}", f"21\xa0{other}"]


@pytest.mark.parametrize("unit", sorted(BULGARIAN))
def test_a_count_of_the_unit_reads_in_english_on_an_english_page(portal_app: Flask, unit: str) -> None:
    with portal_app.test_request_context("/?lang=en"):
        portal_app.preprocess_request()
        one, many = quantity(1, unit), quantity(5, unit)
    assert one.startswith("1\xa0") and many.startswith("5\xa0")
    assert not any("\u0400" <= letter <= "\u04ff" for letter in one + many)  # no Cyrillic left
    if unit not in ABBREVIATIONS and unit != "дка":
        assert one != many.replace("5", "1", 1)


def test_big_and_fractional_counts_take_the_plural(portal_app: Flask) -> None:
    with portal_app.test_request_context("/"):
        portal_app.preprocess_request()
        assert quantity(1000, "буркан") == "1\xa0000\xa0буркана"
        assert quantity(2.5, "килограм") == "2,5\xa0килограма"
        assert quantity(1, "100 бр.") == "1\xa0100 бр."  # a unit of its own making stays as typed


def test_the_listing_form_offers_every_unit(portal: FlaskClient, services: Any) -> None:
    sign_in(portal, "representative", enterprise_id="ent-1")
    services.marketplace.answer("GET", "/api/v1/categories", {"items": [{"code": "food", "name": "Храни"}]})
    page = portal.get("/my/sales/listings/new").get_data(as_text=True)
    assert 'list="unit-choices"' in page
    assert all(f'<option value="{unit}">' in page for unit in unit_choices())
