"""Payload schemas of the session events, version 1."""

from __future__ import annotations

from shared.events import EventType

SESSION_EVENT_TYPES: list[EventType] = []
