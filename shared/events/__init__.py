"""The published language: one envelope for every event and a catalogue of event types."""

from shared.events.catalog import EventCatalog, EventType
from shared.events.envelope import Envelope, InvalidEvent, new_envelope

__all__ = ["Envelope", "EventCatalog", "EventType", "InvalidEvent", "new_envelope"]
