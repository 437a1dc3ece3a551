"""Notification settings: the language of messages, the channels, and topics a person opts out of."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.unit.portal.conftest import sign_in
from tests.unit.portal.fakes import refusal

CURRENT = {"categories": ["marketplace", "registry", "training"], "email": True, "inbox": True,
           "language": "bg", "opted_out": []}  # fmt: skip


def test_the_settings_show_what_the_person_chose(portal: FlaskClient, services: Any) -> None:
    services.notifications.answer("GET", "/api/v1/preferences", {**CURRENT, "opted_out": ["training"]})
    sign_in(portal, "buyer")
    page = portal.get("/settings").get_data(as_text=True)
    assert 'id="opt-training" name="opted_out" value="training" checked' in page
    assert 'value="bg" checked' in page


def test_saving_sends_the_choices_and_confirms(portal: FlaskClient, services: Any) -> None:
    services.notifications.answer("PUT", "/api/v1/preferences", CURRENT)
    sign_in(portal, "buyer")
    response = portal.post("/settings", data={"language": "en", "inbox": "1", "opted_out": ["marketplace", "training"]})
    assert response.status_code == 302
    (sent,) = services.notifications.sent("PUT", "/api/v1/preferences")
    assert sent.json == {"language": "en", "email": False, "inbox": True, "opted_out": ["marketplace", "training"]}
    services.notifications.answer("GET", "/api/v1/preferences", CURRENT)
    assert "Настройките за известията са запазени." in portal.get("/settings").get_data(as_text=True)


def test_a_refused_choice_is_explained_on_the_page(portal: FlaskClient, services: Any) -> None:
    services.notifications.answer("GET", "/api/v1/preferences", CURRENT)
    services.notifications.answer(
        "PUT", "/api/v1/preferences", refusal(422, {"language": "Трябва да е едно от: bg, en."})
    )
    sign_in(portal, "buyer")
    response = portal.post("/settings", data={"language": "de"})
    assert response.status_code == 422
    assert "Трябва да е едно от: bg, en." in response.get_data(as_text=True)


def test_each_category_a_person_may_opt_out_of_is_named_in_words(portal: FlaskClient, services: Any) -> None:
    categories = ["events", "grants", "marketplace", "registry", "training"]
    services.notifications.answer("GET", "/api/v1/preferences", {**CURRENT, "categories": categories})
    sign_in(portal, "buyer")
    page = portal.get("/settings").get_data(as_text=True)
    for label in ("Регистърът", "Пазарът", "Обучения", "Подкрепа за модернизация", "Събития"):
        assert label in page
    assert not [c for c in categories if f'for="opt-{c}">{c}<' in page], "a category shown by its code"
