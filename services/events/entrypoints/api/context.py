"""The events use cases as the HTTP layer reaches them."""

from __future__ import annotations

from flask import current_app

from services.events.service_layer.events import EventsService

EXTENSION = "events"


def events() -> EventsService:
    return current_app.extensions[EXTENSION]
