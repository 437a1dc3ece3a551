"""Getting an enterprise into the register over the registry's HTTP API, for end-to-end tests."""

from __future__ import annotations

from tests.e2e.services import post
from tests.integration.registry_api import CLERK_PLOVDIV, REP, application

ORDER = {"order_number": "РД-01-90", "order_date": "2026-11-23"}


def register(registry: str, eik: str, name: str) -> str:
    """Apply (or apply again), submit, approve at the Plovdiv centre: the enterprise's id."""
    body = application(details__eik=eik, details__name=name)
    app_id = post(f"{registry}/applications", REP, body)["id"]
    post(f"{registry}/applications/{app_id}/submit", REP)
    return post(f"{registry}/applications/{app_id}/approve", CLERK_PLOVDIV, ORDER)["enterprise_id"]
