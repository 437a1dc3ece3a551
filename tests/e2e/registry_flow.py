"""Getting an enterprise into the register over the registry's HTTP API, for end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.services import BIN, post, running_service, service_env
from tests.integration.registry_api import CLERK_PLOVDIV, REP, application

ORDER = {"order_number": "РД-01-90", "order_date": "2026-11-23"}


def register(registry: str, eik: str, name: str) -> str:
    """Apply (or apply again), submit, approve at the Plovdiv centre: the enterprise's id."""
    body = application(details__eik=eik, details__name=name)
    app_id = post(f"{registry}/applications", REP, body)["id"]
    post(f"{registry}/applications/{app_id}/submit", REP)
    return post(f"{registry}/applications/{app_id}/approve", CLERK_PLOVDIV, ORDER)["enterprise_id"]


@pytest.fixture(scope="module")
def registry_api(infra: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The registry's web and relay processes for a module's tests: the API's base URL."""
    logs = tmp_path_factory.mktemp("registry-processes")
    env = service_env(infra, "registry", logs)
    with running_service("registry", logs, env, {"relay": [str(BIN / "registry-relay")]}, alive=["relay-alive"]) as url:
        yield f"{url}/api/v1"
