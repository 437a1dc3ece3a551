"""The register's reference lists (centres, districts, regions, legal forms…), kept for a few minutes."""

from __future__ import annotations

import time
from typing import Any

from services.portal.clients import current_services
from services.portal.i18n import localised

_CACHE_SECONDS = 600
_cache: dict[str, tuple[float, Any]] = {}


def _fetched(key: str, fetch: Any) -> Any:
    hit = _cache.get(key)
    if hit and time.monotonic() - hit[0] < _CACHE_SECONDS:
        return hit[1]
    value = fetch()
    _cache[key] = (time.monotonic(), value)
    return value


def register_reference() -> dict[str, list[dict[str, Any]]]:
    services = current_services()
    return _fetched("registry", lambda: services.registry.get("/api/v1/reference"))


def market_categories() -> list[dict[str, Any]]:
    services = current_services()
    return _fetched("categories", lambda: services.marketplace.get("/api/v1/categories"))


def name_of(item: dict[str, Any]) -> str:
    """A reference item's name in the page's language (``name_bg``/``name_en``)."""
    return localised({"bg": item.get("name_bg", ""), "en": item.get("name_en", "")})


def choices(kind: str) -> list[tuple[str, str]]:
    """``(code, name)`` pairs of one register list, for a <select>."""
    return [(item.get("code") or item["id"], name_of(item)) for item in register_reference()[kind]]


def centre_name(centre_id: str | None) -> str:
    for centre in register_reference()["centres"]:
        if centre["id"] == centre_id:
            return name_of(centre)
    return centre_id or ""


def clear_cache() -> None:
    """Forget the lists fetched so far (tests, and after a deployment changes them)."""
    _cache.clear()
