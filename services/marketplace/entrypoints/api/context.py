"""The marketplace's use cases as the HTTP layer reaches them."""

from __future__ import annotations

from flask import current_app

from services.marketplace.entrypoints.wiring import Marketplace

EXTENSION = "marketplace"


def marketplace() -> Marketplace:
    return current_app.extensions[EXTENSION]
