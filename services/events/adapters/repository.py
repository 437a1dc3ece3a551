"""The events service's MongoDB collections: events, exhibitors and registrations (outbox inside each
document), the stand, seat and venue ledgers, and the enterprises and listings read from other services."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from services.events.domain.event import Event, Status
from services.events.domain.ledger import StandTaken
from services.events.domain.participation import Exhibitor, Registration
from services.events.domain.venue import Venue, check_venue_free
from shared.clock import SOFIA
from shared.consumer import apply_once
from shared.documents import from_document, to_document
from shared.errors import NotFound, Text
from shared.events import Envelope
from shared.mongo import IndexSpec, index
from shared.outbox import OUTBOX_INDEXES, OutboxEntry
from shared.outbox.store import AggregateStore
from shared.seat_ledger import SeatLedger

EVENTS = "events"
EXHIBITORS = "exhibitors"
REGISTRATIONS = "registrations"
STANDS = "stands"
SEATS = "seats"
BOOKINGS = "venue_bookings"
ENTERPRISES = "enterprises"
LISTINGS = "listings"

INDEXES: list[IndexSpec] = [
    *(index(EVENTS, f) for f in OUTBOX_INDEXES),
    *(index(EXHIBITORS, f) for f in OUTBOX_INDEXES),
    *(index(REGISTRATIONS, f) for f in OUTBOX_INDEXES),
    index(EVENTS, "status", "plan.starts_at"),
    index(EVENTS, "plan.organiser", "plan.starts_at"),
    index(EXHIBITORS, "event_id", "state"),
    index(EXHIBITORS, "enterprise_id", "state"),
    index(REGISTRATIONS, "event_id", "state"),
    index(REGISTRATIONS, "email"),
    index(LISTINGS, "seller_id"),
]

_NO_EVENT = Text("Няма такова събитие.", "No such event.")
_NO_EXHIBITOR = Text("Няма такава кандидатура за щанд.", "No such exhibitor application.")
_NO_REGISTRATION = Text("Няма такова записване.", "No such registration.")
_ATTEMPTS = 20


class _Aggregates:
    cls: type[Any]
    missing: Text
    sort_field = "_id"

    def __init__(self, db: Database, collection: str) -> None:
        self._collection = db[collection]
        self._store = AggregateStore(self._collection)

    def add(self, aggregate: Any, outbox: list[OutboxEntry]) -> bool:
        """False if an aggregate with this id exists already (a twin request)."""
        try:
            aggregate.version = self._store.insert(to_document(aggregate), outbox)
        except DuplicateKeyError:
            return False
        return True

    def save(self, aggregate: Any, outbox: list[OutboxEntry]) -> None:
        document = to_document(aggregate)
        del document["_id"], document["version"]
        aggregate.version = self._store.update(aggregate.id, aggregate.version, document, outbox)

    def find(self, aggregate_id: str) -> Any | None:
        document = self._collection.find_one({"_id": aggregate_id}, {"outbox": 0})
        return None if document is None else from_document(self.cls, document)

    def get(self, aggregate_id: str) -> Any:
        found = self.find(aggregate_id)
        if found is None:
            raise NotFound(self.missing)
        return found

    def query(self, query: dict[str, Any], limit: int = 500, sort: str | None = None) -> list[Any]:
        found = self._collection.find(query, {"outbox": 0}).sort(sort or self.sort_field, 1).limit(limit)
        return [from_document(self.cls, d) for d in found]


class MongoEvents(_Aggregates):
    cls = Event
    missing = _NO_EVENT
    sort_field = "plan.starts_at"

    def __init__(self, db: Database) -> None:
        super().__init__(db, EVENTS)

    def get(self, aggregate_id: str) -> Event:
        return super().get(aggregate_id)

    def between(self, since: datetime, until: datetime, statuses: Iterable[Status], limit: int = 500) -> list[Event]:
        return self.query(
            {"plan.starts_at": {"$gte": since, "$lt": until}, "status": {"$in": [s.value for s in statuses]}},
            limit,
        )


class MongoExhibitors(_Aggregates):
    cls = Exhibitor
    missing = _NO_EXHIBITOR
    sort_field = "applied_at"

    def __init__(self, db: Database) -> None:
        super().__init__(db, EXHIBITORS)

    def get(self, aggregate_id: str) -> Exhibitor:
        return super().get(aggregate_id)

    def of_event(self, event_id: str, states: Iterable[str] | None = None) -> list[Exhibitor]:
        query: dict[str, Any] = {"event_id": event_id}
        if states is not None:
            query["state"] = {"$in": list(states)}
        return self.query(query, 1000)

    def of_enterprise(self, enterprise_id: str, states: Iterable[str]) -> list[Exhibitor]:
        return self.query({"enterprise_id": enterprise_id, "state": {"$in": list(states)}}, 1000)


class MongoRegistrations(_Aggregates):
    cls = Registration
    missing = _NO_REGISTRATION
    sort_field = "registered_at"

    def __init__(self, db: Database) -> None:
        super().__init__(db, REGISTRATIONS)

    def get(self, aggregate_id: str) -> Registration:
        return super().get(aggregate_id)

    def of_event(self, event_id: str, states: Iterable[str] | None = None, limit: int = 5000) -> list[Registration]:
        query: dict[str, Any] = {"event_id": event_id}
        if states is not None:
            query["state"] = {"$in": list(states)}
        return self.query(query, limit)

    def of_person(self, email: str, limit: int = 200) -> list[Registration]:
        return self.query({"email": email}, limit)


class StandLedger:
    """Which exhibitor holds each stand of an event: ``{_id: event id, held: {stand code: exhibitor id}}``.

    ``assign`` is one conditional update that sets ``held.<code>`` only where it does not exist yet, so two
    organisers giving the same stand at the same moment cannot both succeed (stand codes are letters,
    digits and hyphens: never a dot or a dollar).
    """

    def __init__(self, db: Database) -> None:
        self._collection = db[STANDS]

    def held(self, event_id: str) -> dict[str, str]:
        document = self._collection.find_one({"_id": event_id})
        return dict((document or {}).get("held", {}))

    def assign(self, event_id: str, stand: str, exhibitor_id: str) -> None:
        with contextlib.suppress(DuplicateKeyError):
            self._collection.update_one({"_id": event_id}, {"$setOnInsert": {"held": {}}}, upsert=True)
        result = self._collection.update_one(
            {"_id": event_id, f"held.{stand}": {"$exists": False}}, {"$set": {f"held.{stand}": exhibitor_id}}
        )
        if result.modified_count == 1:
            return
        if self.held(event_id).get(stand) != exhibitor_id:
            raise StandTaken(stand)

    def free(self, event_id: str, stand: str, exhibitor_id: str) -> None:
        self._collection.update_one({"_id": event_id, f"held.{stand}": exhibitor_id}, {"$unset": {f"held.{stand}": ""}})


class VenueBookings:
    """Which events hold a venue on each Sofia day: ``{_id: "<venue key>|<date>", bookings: [...], version}``.

    A booking claims every day the event touches; each day's document changes only if its version is the
    one read (the domain's overlap rule decided on exactly that list), so two events booked at once at the
    same venue cannot both pass. A refused day gives back the days already claimed.
    """

    def __init__(self, db: Database) -> None:
        self._collection = db[BOOKINGS]

    @staticmethod
    def _days(starts_at: datetime, ends_at: datetime) -> list[date]:
        first = starts_at.astimezone(SOFIA).date()
        last = (ends_at - timedelta(microseconds=1)).astimezone(SOFIA).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def claim(self, event: Event) -> None:
        key = event.venue.booking_key
        if key is None:
            return
        claimed: list[str] = []
        try:
            for day in self._days(event.starts_at, event.ends_at):
                doc_id = f"{key}|{day.isoformat()}"
                self._claim_day(doc_id, event)
                claimed.append(doc_id)
        except Exception:
            self._release(event.id, set(claimed))
            raise

    def _claim_day(self, doc_id: str, event: Event) -> None:
        mine = {
            "event_id": event.id,
            "title_bg": event.title_bg,
            "starts_at": event.starts_at,
            "ends_at": event.ends_at,
        }
        for _ in range(_ATTEMPTS):
            document = self._collection.find_one({"_id": doc_id})
            if document is None:
                with contextlib.suppress(DuplicateKeyError):
                    self._collection.insert_one({"_id": doc_id, "bookings": [mine], "version": 1})
                    return
                continue
            others = [b for b in document.get("bookings", []) if b["event_id"] != event.id]
            check_venue_free(event, [_Booked(b, event) for b in others])
            result = self._collection.update_one(
                {"_id": doc_id, "version": document["version"]},
                {"$set": {"bookings": [*others, mine]}, "$inc": {"version": 1}},
            )
            if result.modified_count == 1:
                return
        raise RuntimeError(f"could not book {doc_id}")

    def release(self, event: Event) -> None:
        """Frees the venue for the event's times (a cancelled event)."""
        key = event.venue.booking_key
        if key is not None:
            self._release(event.id, {f"{key}|{day.isoformat()}" for day in self._days(event.starts_at, event.ends_at)})

    def release_moved(self, event: Event, venue: Venue, starts_at: datetime, ends_at: datetime) -> None:
        """Frees the days of the event's former venue and times that its present ones do not hold."""
        old_key, new_key = venue.booking_key, event.venue.booking_key
        held = {f"{new_key}|{d.isoformat()}" for d in self._days(event.starts_at, event.ends_at)} if new_key else set()
        before = {f"{old_key}|{d.isoformat()}" for d in self._days(starts_at, ends_at)} if old_key else set()
        self._release(event.id, before - held)

    def _release(self, event_id: str, doc_ids: set[str]) -> None:
        for doc_id in sorted(doc_ids):
            self._collection.update_one(
                {"_id": doc_id}, {"$pull": {"bookings": {"event_id": event_id}}, "$inc": {"version": 1}}
            )


class _Booked:
    """Another event's booking as the overlap rule reads it."""

    holds_venue = True

    def __init__(self, booking: dict[str, Any], event: Event) -> None:
        self.id = booking["event_id"]
        self.title_bg = booking["title_bg"]
        self.venue = event.venue
        self.starts_at = booking["starts_at"]
        self.ends_at = booking["ends_at"]


class EventSeats:
    """The visitors' seats of each event (see shared.seat_ledger)."""

    def __init__(self, db: Database) -> None:
        self.ledger = SeatLedger(db[SEATS])


class MongoEnterprises:
    """Enterprises as the register last told (never moved back by an older event)."""

    def __init__(self, db: Database, collection: str = ENTERPRISES) -> None:
        self._collection = db[collection]

    def apply_registry_event(self, envelope: Envelope, payload: dict[str, Any]) -> bool:
        return apply_once(
            self._collection,
            payload["enterprise_id"],
            envelope.event_id,
            {"$set": {"name": payload["name"], "status": payload["status"], "as_of": envelope.occurred_at}},
            aggregate_version=envelope.aggregate_version,
        )

    def get(self, enterprise_id: str) -> dict[str, Any] | None:
        return self._collection.find_one({"_id": enterprise_id}, {"name": 1, "status": 1})

    def active(self, limit: int = 200) -> list[dict[str, Any]]:
        return list(self._collection.find({"status": "active"}, {"name": 1, "status": 1}).sort("_id", 1).limit(limit))

    def status(self, enterprise_id: str) -> str | None:
        found = self.get(enterprise_id)
        return None if found is None else found.get("status")


class MongoListings:
    """The marketplace's listings as its topic last told: who sells each, its title, whether it is published."""

    def __init__(self, db: Database, collection: str = LISTINGS) -> None:
        self._collection = db[collection]

    def apply_listing_event(self, envelope: Envelope, payload: dict[str, Any]) -> bool:
        state = {
            "seller_id": payload["seller_id"],
            "title_bg": payload["title_bg"],
            "title_en": payload.get("title_en") or "",
            "status": payload["status"],
            "price_cents": payload.get("price_cents"),
            "unit": payload.get("unit") or "",
        }
        return apply_once(
            self._collection,
            payload["listing_id"],
            envelope.event_id,
            {"$set": state},
            aggregate_version=envelope.aggregate_version,
        )

    def published_of(self, seller_id: str, listing_ids: Iterable[str]) -> dict[str, str]:
        """Listing id → seller, for the ``listing_ids`` published (of any seller: the rule names the wrong one)."""
        ids = list(dict.fromkeys(listing_ids))[:100]
        found = self._collection.find({"_id": {"$in": ids}, "status": "published"}, {"seller_id": 1})
        return {d["_id"]: d["seller_id"] for d in found}

    def of_seller(self, seller_id: str, limit: int = 20) -> list[str]:
        found = self._collection.find({"seller_id": seller_id, "status": "published"}, {"_id": 1})
        return [d["_id"] for d in found.sort("_id", 1).limit(limit)]

    def titles(self, listing_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        ids = list(dict.fromkeys(listing_ids))[:2000]
        found = self._collection.find({"_id": {"$in": ids}, "status": "published"})
        return {d["_id"]: d for d in found}
