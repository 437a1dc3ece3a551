"""Payload schemas of the enrolment events, version 1."""

from __future__ import annotations

from shared.events import EventType

ENROLMENT_EVENT_TYPES: list[EventType] = []
