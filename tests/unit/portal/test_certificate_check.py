"""One public check page for every certificate (training certificates with their check code, certificates of
entry in the register by number), numbers read as typed off the paper, and printed certificates whose link and
QR code point to that page at the portal's configured public address."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import segno
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from services.portal.config import PortalConfig
from services.portal.entrypoints.app import create_app
from tests.unit.portal.conftest import sign_in
from tests.unit.portal.test_registry_register import ENTRY
from tests.unit.portal.test_training_samples import LEARNER_EMAIL, enrolment

PUBLIC = "https://solidarityhub.example.bg"
ACTIVE = {**ENTRY, "status": "active", "deletion": None}
CHECKED = {
    "number": "УСП-2023-00005",
    "issued_on": "2023-12-09",
    "valid_from": "2023-12-09",
    "valid_until": "2026-12-08",
    "valid": True,
    "enterprise": {
        "id": "ent-1",
        "name": "Фондация „Мост към труд“",
        "registration_number": "СП-00005",
        "enterprise_class": "A",
        "status": "active",
    },
    "entry_url": f"{PUBLIC}/register/%D0%A1%D0%9F-00005",
}
INTERNAL_HOSTS = ("127.0.0.1", "localhost", ":8101", ":8103")


@pytest.fixture
def public(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("PUBLIC_PORTAL_URL", PUBLIC)
    return PUBLIC


def test_a_certificate_of_entry_is_checked_by_its_number_alone(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", "/api/v1/register/certificates/.*", CHECKED)
    typed = " usp 2023–00005 "
    page = portal.get("/certificates?" + urlencode({"number": typed})).get_data(as_text=True)
    (call,) = services.registry.sent("GET", "/api/v1/register/certificates/.*")
    assert call.path == "/api/v1/register/certificates/" + quote(typed.strip(), safe="")  # the service reads it
    assert not services.training.sent("GET", "/api/v1/certificates/.*")  # no check code: not a training one
    assert "Удостоверение за вписване № УСП-2023-00005 е валидно" in page
    assert "Фондация „Мост към труд“" in page and "08.12.2026" in page
    assert 'href="/register/ent-1"' in page  # and its entry in the register


def test_a_certificate_of_entry_no_longer_in_force_says_so(portal: FlaskClient, services: Any) -> None:
    ended = {**CHECKED, "valid": False, "enterprise": {**CHECKED["enterprise"], "status": "deleted"}}
    services.registry.answer("GET", "/api/v1/register/certificates/.*", ended)
    page = portal.get("/certificates?number=УСП-2023-00005").get_data(as_text=True)
    assert "Удостоверение за вписване № УСП-2023-00005 не е валидно" in page and "Заличено" in page


def test_a_training_number_typed_with_spaces_and_another_dash_reaches_the_service(
    portal: FlaskClient, services: Any
) -> None:
    services.training.answer("GET", "/api/v1/certificates/.*", {"number": "ДУ-2026-000147", "valid": True,
        "learner_name": "Иван Петров", "course_title": "Електронни фактури", "centre": {"id": "plovdiv",
        "name": {"bg": "Регионален център Пловдив", "en": "Plovdiv regional centre"}}, "starts_on": "2026-12-07",
        "ends_on": "2026-12-07", "trainer_name": "", "issued_at": "2026-12-08T16:00:00Z",
        "html_url": "/api/v1/certificates/ДУ-2026-000147.html?code=K7QM-2XHD-94RT"})  # fmt: skip
    page = portal.get("/certificates?" + urlencode({"number": "ду 2026–000147", "code": "k7qm 2xhd 94rt"}))
    (call,) = services.training.sent("GET", "/api/v1/certificates/.*")
    assert call.path == "/api/v1/certificates/" + quote("ду 2026–000147", safe=":@")
    assert "Удостоверение № ДУ-2026-000147 е валидно" in page.get_data(as_text=True)


def test_an_unknown_number_without_a_code_asks_for_the_training_check_code(portal: FlaskClient, services: Any) -> None:
    page = portal.get("/certificates?number=ДУ-2026-000147").get_data(as_text=True)
    assert services.registry.sent("GET", "/api/v1/register/certificates/.*")  # looked up as a certificate of entry
    assert not services.training.sent("GET", "/api/v1/certificates/.*")
    assert 'id="e-code"' in page and "въведете и кода за проверка" in page


def test_the_printed_certificate_of_entry_carries_a_qr_code_of_the_public_check(
    portal: FlaskClient, services: Any, public: str
) -> None:
    services.registry.answer("GET", "/api/v1/register/.*", ACTIVE)
    answer = portal.get(f"/register/{quote('СП-00005')}/certificate")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    check = f"{public}/certificates?{urlencode({'number': 'УСП-2023-00005'})}"
    assert f'href="{escape(check)}"' in page
    drawing = segno.make(check, error="m").svg_inline(scale=4, title="QR", border=2).split("<title>", 1)[1]
    assert drawing in page  # the QR code of that address (its drawing; the page's <svg> adds a viewBox)
    assert "Удостоверение за вписване в регистъра на социалните предприятия" in page
    assert "УСП-2023-00005" in page and "Фондация „Мост към труд“" in page and "178008184" in page
    assert not any(host in page for host in INTERNAL_HOSTS)
    entry = portal.get(f"/register/{quote('СП-00005')}").get_data(as_text=True)
    assert 'href="/register/ent-1/certificate"' in entry  # the entry links its printable certificate


def test_an_entry_without_a_certificate_has_no_printable_one(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", "/api/v1/register/.*", {**ACTIVE, "certificate": None})
    assert portal.get("/register/ent-1/certificate").status_code == 404


@pytest.fixture
def public_portal(services: Any, public: str) -> Iterator[FlaskClient]:
    """The portal as deployed: the training service called inside the cluster, opened by people elsewhere."""
    config = PortalConfig.from_env()
    config = PortalConfig(
        **{**config.__dict__, "dev_sign_in": True, "secure_cookies": False,
           "training_url": "http://training.internal:8103", "public_training_url": "https://training.example.bg"}
    )  # fmt: skip
    app: Flask = create_app(config, TESTING=True, WTF_CSRF_ENABLED=False)
    app.extensions["services"] = services
    yield app.test_client()


def test_a_learners_certificate_and_calendar_link_use_public_addresses(
    public_portal: FlaskClient, services: Any, public: str
) -> None:
    sign_in(public_portal, "learner", email=LEARNER_EMAIL)
    done = enrolment("completed", certificate={"number": "ДУ-2026-000147", "check_code": "K7QM-2XHD-94RT",
        "url": "/api/v1/certificates/ДУ-2026-000147?code=K7QM-2XHD-94RT",
        "html_url": "/api/v1/certificates/ДУ-2026-000147.html?code=K7QM-2XHD-94RT"})  # fmt: skip
    services.training.answer("GET", "/api/v1/enrolments", {"items": [done]})
    services.training.answer("GET", "/api/v1/learners/me/calendar-link", {"active": False, "created_at": None})
    page = public_portal.get("/my/training").get_data(as_text=True)
    check = f"{public}/certificates?{urlencode({'number': 'ДУ-2026-000147', 'code': 'K7QM-2XHD-94RT'})}"
    assert f'href="{escape(check)}"' in page
    assert segno.make(check, error="m").svg_inline(scale=3, title="QR", border=2).split("<title>", 1)[1] in page
    assert 'href="https://training.example.bg/api/v1/certificates/' in page

    feed = "http://training.internal:8103/api/v1/learners/Zk3hY-secret/sessions.ics"  # as the service made it
    services.training.answer(
        "POST", "/api/v1/learners/me/calendar-link", {"url": feed, "created_at": "2026-12-06T19:00:00Z"}
    )
    made = public_portal.post("/my/training/calendar-link").get_data(as_text=True)
    assert 'href="https://training.example.bg/api/v1/learners/Zk3hY-secret/sessions.ics"' in made
    assert "training.internal" not in made and "localhost" not in made


def test_every_page_links_the_certificate_check_in_its_footer(portal: FlaskClient) -> None:
    footer = portal.get("/about/contacts").get_data(as_text=True).split("<footer", 1)[1]
    assert 'href="/certificates"' in footer and "Проверка на удостоверение" in footer
