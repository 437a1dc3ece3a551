"""The training service's use cases as the HTTP layer reaches them."""

from __future__ import annotations

from flask import current_app

from services.training.entrypoints.wiring import Training

EXTENSION = "training"


def training() -> Training:
    return current_app.extensions[EXTENSION]
