"""The events use cases wired to MongoDB: one place for the web app, the consumer and the demo data."""

from __future__ import annotations

from pymongo.database import Database

from services.events.adapters.repository import INDEXES as REPOSITORY_INDEXES
from services.events.adapters.repository import (
    EventSeats,
    MongoEnterprises,
    MongoEvents,
    MongoExhibitors,
    MongoListings,
    MongoRegistrations,
    StandLedger,
    VenueBookings,
)
from services.events.events.schemas import EVENTS_EVENTS
from services.events.service_layer.events import EventsService
from shared.clock import Clock, SystemClock
from shared.mongo import IndexSpec, ensure_indexes

INDEXES: list[IndexSpec] = [*REPOSITORY_INDEXES]


def build(db: Database, clock: Clock | None = None) -> EventsService:
    ensure_indexes(db, INDEXES)
    return EventsService(
        events=MongoEvents(db),
        exhibitors=MongoExhibitors(db),
        registrations=MongoRegistrations(db),
        stands=StandLedger(db),
        seats=EventSeats(db),
        bookings=VenueBookings(db),
        enterprises=MongoEnterprises(db),
        listings=MongoListings(db),
        catalog=EVENTS_EVENTS,
        clock=clock or SystemClock(),
    )
