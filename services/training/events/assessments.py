"""Payload schemas of the assessment events, version 1."""

from __future__ import annotations

from shared.events import EventType

ASSESSMENT_EVENT_TYPES: list[EventType] = []
