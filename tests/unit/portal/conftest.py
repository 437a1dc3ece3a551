"""The portal with fake services, and people signed in without a sign-in page."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.portal.clients import ServiceError
from services.portal.config import PortalConfig
from services.portal.entrypoints.app import create_app
from services.portal.reference import clear_cache
from shared.auth import Principal, Role, TokenCodec
from shared.config import Settings
from tests.unit.portal.fakes import FakeService, fake_services

REFERENCE = {
    "centres": [
        {"id": "plovdiv", "name_bg": "Регионален център Пловдив", "name_en": "Plovdiv regional centre",
         "city_bg": "Пловдив", "city_en": "Plovdiv"},
        {"id": "varna", "name_bg": "Регионален център Варна", "name_en": "Varna regional centre",
         "city_bg": "Варна", "city_en": "Varna"},
    ],
    "regions": [
        {"code": "BG42", "name_bg": "Южен централен", "name_en": "South-Central", "centre": "plovdiv"},
        {"code": "BG33", "name_bg": "Североизточен", "name_en": "North-East", "centre": "varna"},
    ],
    "districts": [
        {"code": "BG-16", "name_bg": "Пловдив", "name_en": "Plovdiv", "region": "BG42"},
        {"code": "BG-03", "name_bg": "Варна", "name_en": "Varna", "region": "BG33"},
    ],
    "legal_forms": [{"code": "cooperative", "name_bg": "Кооперация", "name_en": "Cooperative"}],
    "deletion_reasons": [{"code": "own_request", "name_bg": "По искане на предприятието",
                          "name_en": "At the enterprise's own request"}],
    "vulnerable_groups": [{"code": "long_term_unemployed", "name_bg": "Продължително безработни",
                           "name_en": "Long-term unemployed"}],
}  # fmt: skip


@pytest.fixture
def services() -> Any:
    fakes = fake_services()
    fakes.registry.answer("GET", "/api/v1/reference", REFERENCE)
    fakes.notifications.answer("GET", "/api/v1/inbox/unread-count", {"unread": 0})
    fakes.registry.answer("GET", r"/api/v1/applications/[^/]+/documents", {"items": []})
    fakes.registry.answer("GET", r"/api/v1/register/[^/]+", _signed_in_representatives_entry)
    return fakes


def _signed_in_representatives_entry(call: Any) -> dict[str, Any]:
    """The header asks the register whether a representative's enterprise is entered (with her token): yes,
    unless a test answers otherwise; a public entry asked without a token is not found unless answered."""
    if call.token is None:
        raise ServiceError(404, "not_found", {"bg": "Не е намерено.", "en": "Not found."})
    return {"id": call.path.rsplit("/", 1)[-1], "status": "active"}


@pytest.fixture
def portal_app(services: Any) -> Iterator[Flask]:
    clear_cache()
    config = PortalConfig.from_env()
    config = PortalConfig(**{**config.__dict__, "dev_sign_in": True, "secure_cookies": False})
    app = create_app(config, TESTING=True, WTF_CSRF_ENABLED=False)
    app.extensions["services"] = services
    yield app
    clear_cache()


@pytest.fixture
def portal(portal_app: Flask) -> FlaskClient:
    return portal_app.test_client()


def sign_in(
    client: FlaskClient,
    *roles: str,
    subject: str = "person-1",
    name: str = "Мария Иванова",
    email: str = "maria@example.bg",
    enterprise_id: str | None = None,
    centre: str | None = None,
) -> str:
    """Put a person's token in the portal's session, as the sign-in page would; returns the token."""
    principal = Principal(subject, frozenset(Role(r) for r in roles), name=name, email=email,
                          enterprise_id=enterprise_id, centre=centre)  # fmt: skip
    token = TokenCodec.from_settings(Settings.from_env("portal")).encode(principal)
    with client.session_transaction() as session:
        session["person"] = {"token": token, "subject": subject, "name": name, "email": email,
                             "roles": list(roles), "enterprise_id": enterprise_id, "centre": centre}  # fmt: skip
        now = time.time()
        session["sign_in"] = {"method": "dev", "since": now, "seen": now, "renew_at": now + 3600}
    return token


def calls_of(service: FakeService, method: str, path: str) -> list[Any]:
    return service.sent(method, path)
