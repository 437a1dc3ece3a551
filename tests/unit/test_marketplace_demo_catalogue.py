"""The demo catalogue reads like the real products of the demo enterprises: each sells what its trade is."""

from __future__ import annotations

import io

from PIL import Image

from services.marketplace.domain.categories import categories
from services.marketplace.domain.photo import alt_text
from services.marketplace.entrypoints.demo_catalogue import SHOPS, products_for
from services.marketplace.entrypoints.demo_pictures import PICTURES, picture
from services.registry.entrypoints.demo_data import PROFILES


def test_every_demo_enterprise_sells_its_own_trade_or_nothing() -> None:
    names = {profile.name for profile in PROFILES}
    assert set(SHOPS) <= names, "every shop is a demo enterprise of the register"
    bakery = products_for("Социална пекарна „Добро утро“ ЕООД", ())
    assert {p.category for p in bakery} <= {"food.bakery", "catering.school_meals"}
    workshop = products_for("Сдружение „Стъпка напред“", ())
    assert all(p.category.startswith("textiles.") for p in workshop), "a sewing workshop sells no yoghurt"
    repairs = products_for("Компютърен сервиз „Рестарт“ ЕООД", ())
    assert repairs[0].category == "it.repair" and "Ремонт на компютри" in repairs[0].title_bg
    assert products_for("Сдружение „Пирин за всички“", ("къща за гости", "планински водачи")) == []
    assert products_for("Кооперация Пчелица", ("шиене на работно облекло",))[0].category == "textiles.workwear"


def test_titles_carry_no_random_qualities_and_every_product_fits_the_taxonomy() -> None:
    for shop, products in SHOPS.items():
        for product in products:
            assert product.category in categories(), (shop, product.title_bg)
            assert " – " not in product.title_bg, f"{product.title_bg}: no adjective glued to the title"
            if product.photo is not None:
                motif, alt = product.photo
                assert motif in PICTURES and alt_text(alt) == alt


def test_the_demo_pictures_are_decent_photos_of_their_products() -> None:
    shown = Image.open(io.BytesIO(picture("honey")))
    assert shown.format == "JPEG" and shown.size == (1200, 900)
    assert len(shown.getcolors(maxcolors=1_000_000) or []) > 50, "more than a flat block of colour"
