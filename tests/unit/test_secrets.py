"""Outside development mode nothing starts with a secret anyone could read in the code."""

from __future__ import annotations

import dataclasses

import pytest

from services.portal.config import PortalConfig
from shared.config import JWT_SECRET, InsecureSecret, Settings
from shared.web.app_factory import create_service_app

STRONG = "k3Yq8w0tV9xZ2mB7cN4rL6pA1sD5fG8h"


def production(**changes: object) -> Settings:
    return dataclasses.replace(Settings.from_env("registry"), development_mode=False, **changes)


@pytest.mark.parametrize(
    ("secret", "named"),
    [(str(JWT_SECRET.default), "JWT_SECRET"), ("", "JWT_SECRET"), ("short-but-not-default", "too short")],
)
def test_a_service_refuses_to_start_with_a_default_empty_or_short_jwt_secret(secret: str, named: str) -> None:
    with pytest.raises(InsecureSecret, match=named):
        create_service_app(
            settings=production(jwt_secret=secret), title="t", version="1", description="", blueprints=[], readiness={}
        )


def test_a_service_starts_with_a_strong_secret_or_with_an_identity_providers_keys() -> None:
    production(jwt_secret=STRONG).check_secrets()
    production(jwt_secret="", jwt_jwks_url="https://id.example.bg/jwks", jwt_algorithm="RS256").check_secrets()


def test_an_identity_provider_with_a_shared_key_algorithm_is_refused() -> None:
    with pytest.raises(InsecureSecret, match="JWT_ALGORITHM"):
        production(jwt_jwks_url="https://id.example.bg/jwks", jwt_algorithm="HS256").check_secrets()


def test_development_mode_accepts_the_built_in_secrets() -> None:
    dataclasses.replace(Settings.from_env("registry"), development_mode=True).check_secrets()


def portal(**changes: object) -> PortalConfig:
    config = PortalConfig.from_env()
    settings = dataclasses.replace(config.settings, development_mode=False)
    return dataclasses.replace(config, **{"settings": settings, "dev_sign_in": False, **changes})


def test_the_portal_refuses_its_default_cookie_key_and_the_developer_sign_in_outside_development_mode() -> None:
    with pytest.raises(InsecureSecret, match="PORTAL_SECRET_KEY"):
        portal().check_secrets()
    with pytest.raises(InsecureSecret, match="PORTAL_DEV_SIGN_IN"):
        portal(secret_key=STRONG, dev_sign_in=True).check_secrets()
    portal(secret_key=STRONG).check_secrets()
