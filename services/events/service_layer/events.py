"""The events service's use cases: who may do what, and each change saved with its events in one write.

Who organises an event: clerks of its organiser's centre (an event of the ministry: national clerks) and
admins. Exhibitors are the representatives of enterprises active in the register, for their own
enterprise. Visitors are signed-in people with a verified e-mail address, each for themselves.

Stands and seats are handed out by the ledgers first (conditional updates that cannot over-allocate),
and the exhibitor or registration then follows what the ledger gave; a venue is claimed in the booking
ledger before an event is saved.
"""

from __future__ import annotations

import contextlib
import copy
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
from services.events.config import SERVICE
from services.events.domain.event import NATIONAL, UPCOMING, Event, Plan, Status, Told, Window
from services.events.domain.ledger import MAX_WAITING, WaitingListFull
from services.events.domain.participation import (
    Exhibitor,
    ExhibitorState,
    Registration,
    VisitorState,
    WithdrawnBy,
    exhibitor_id,
    registration_id,
)
from services.events.domain.reports import EventReport, PeriodReport, event_report, period_report
from shared.auth import Principal, Role
from shared.clock import Clock
from shared.errors import Conflict, Forbidden, NotFound, StaleVersion, Text
from shared.events import EventCatalog
from shared.outbox.entries import to_outbox
from shared.seat_ledger import WaitingListFull as LedgerFull

_ORGANISERS_ONLY = Forbidden(
    Text("Само служители на центъра, който организира събитието.", "Only staff of the organising centre.")
)
_OWN_ENTERPRISE = Forbidden(Text("Само представител на предприятието.", "Only a representative of the enterprise."))
_VERIFIED_EMAIL = Forbidden(
    Text(
        "За записване е нужен потвърден адрес на електронна поща.",
        "Registering needs a verified e-mail address.",
    )
)
PUBLIC_STATUSES = (Status.PUBLISHED, Status.RESCHEDULED, Status.CANCELLED, Status.HELD, Status.REPORTED)
PAST_STATUSES = (Status.HELD, Status.REPORTED)
TOLD_EXHIBITORS = (ExhibitorState.SELECTED.value, ExhibitorState.WAITING.value, ExhibitorState.APPLIED.value)
TOLD_VISITORS = (VisitorState.REGISTERED.value, VisitorState.WAITING.value)
_SAVE_ATTEMPTS = 5


@dataclass
class EventsService:
    events: MongoEvents
    exhibitors: MongoExhibitors
    registrations: MongoRegistrations
    stands: StandLedger
    seats: EventSeats
    bookings: VenueBookings
    enterprises: MongoEnterprises
    listings: MongoListings
    catalog: EventCatalog
    clock: Clock

    # ------------------------------------------------------------------ helpers
    def _outbox(self, aggregate_type: str, aggregate: Any) -> list:
        return to_outbox(self.catalog, SERVICE, aggregate_type, aggregate.id, aggregate.pull_events(), self.clock.now())

    def _save_event(self, event: Event) -> Event:
        self.events.save(event, self._outbox("event", event))
        return event

    def _save_exhibitor(self, exhibitor: Exhibitor) -> Exhibitor:
        self.exhibitors.save(exhibitor, self._outbox("participation", exhibitor))
        return exhibitor

    def _save_registration(self, registration: Registration) -> Registration:
        self.registrations.save(registration, self._outbox("participation", registration))
        return registration

    @staticmethod
    def may_organise(principal: Principal, organiser: str) -> bool:
        if organiser == NATIONAL:
            return principal.is_national
        return principal.may_work_in_centre(organiser)

    def organised(self, principal: Principal, event_id: str) -> Event:
        event = self.events.get(event_id)
        if event.status is Status.DRAFT and not self.may_organise(principal, event.plan.organiser):
            raise NotFound(Text("Няма такова събитие.", "No such event."))
        if not self.may_organise(principal, event.plan.organiser):
            raise _ORGANISERS_ONLY
        return event

    def public_event(self, event_id: str) -> Event:
        event = self.events.get(event_id)
        if event.status is Status.DRAFT:
            raise NotFound(Text("Няма такова събитие.", "No such event."))
        return event

    def event_for(self, principal: Principal, event_id: str) -> Event:
        """A draft only for its organisers; anything else for anyone."""
        event = self.events.get(event_id)
        if event.status is Status.DRAFT and not self.may_organise(principal, event.plan.organiser):
            raise NotFound(Text("Няма такова събитие.", "No such event."))
        return event

    def _told(self, event_id: str) -> Told:
        exhibitors = self.exhibitors.of_event(event_id, TOLD_EXHIBITORS)
        visitors = self.registrations.of_event(event_id, TOLD_VISITORS)
        people = {r.email.casefold(): (r.subject, r.name, r.email.casefold()) for r in visitors}
        return Told(tuple(dict.fromkeys(e.enterprise_id for e in exhibitors)), tuple(people), tuple(people.values()))

    def _allocated_seats(self, event_id: str) -> int:
        places = self.seats.ledger.get(event_id)
        return 0 if places is None else len(places.holders)

    # ------------------------------------------------------------------ organisers
    def create(self, principal: Principal, plan: Plan) -> Event:
        if not self.may_organise(principal, plan.organiser):
            raise _ORGANISERS_ONLY
        event = Event.draft(uuid.uuid4().hex, plan, self.clock.now())
        self.bookings.claim(event)
        try:
            self.events.add(event, self._outbox("event", event))
        except Exception:
            self.bookings.release(event)
            raise
        return event

    def edit(self, principal: Principal, event_id: str, plan: Plan, version: int | None = None) -> Event:
        event = self.organised(principal, event_id)
        if version is not None and version != event.version:
            raise StaleVersion()
        if not self.may_organise(principal, plan.organiser):
            raise _ORGANISERS_ONLY
        before = (event.venue, event.starts_at, event.ends_at)
        previous = copy.deepcopy(event)
        event.edit(
            plan,
            self.clock.now(),
            allocated_seats=self._allocated_seats(event.id),
            assigned_stands=self.stands.held(event.id),
        )
        moved = before != (event.venue, event.starts_at, event.ends_at)
        if moved:
            self._claim_moved(event, previous)
        self._save_event(event)
        if moved:
            self._release_old_booking(event, before)
        self._promote(event)
        return event

    def _claim_moved(self, event: Event, previous: Event) -> None:
        """Books the venue at the event's new times; if that is refused, the old times are booked as they were."""
        try:
            self.bookings.claim(event)
        except Exception:
            with contextlib.suppress(Exception):
                self.bookings.claim(previous)
            raise

    def _release_old_booking(self, event: Event, before: tuple[Any, datetime, datetime]) -> None:
        """Frees the days the event held before a move and holds no longer (it holds the new ones already)."""
        venue, starts_at, ends_at = before
        self.bookings.release_moved(event, venue, starts_at, ends_at)

    def publish(self, principal: Principal, event_id: str) -> Event:
        event = self.organised(principal, event_id)
        event.publish(self.clock.now())
        return self._save_event(event)

    def reschedule(
        self,
        principal: Principal,
        event_id: str,
        starts_at: datetime,
        ends_at: datetime,
        exhibitor_window: Window | None,
        visitor_window: Window | None,
    ) -> Event:
        event = self.organised(principal, event_id)
        before = (event.venue, event.starts_at, event.ends_at)
        previous = copy.deepcopy(event)
        event.reschedule(
            starts_at,
            ends_at,
            self.clock.now(),
            exhibitor_window=exhibitor_window,
            visitor_window=visitor_window,
            told=self._told(event.id),
        )
        self._claim_moved(event, previous)
        self._save_event(event)
        self._release_old_booking(event, before)
        return event

    def cancel(self, principal: Principal, event_id: str, reason: str) -> Event:
        event = self.organised(principal, event_id)
        event.cancel(reason, self.clock.now(), told=self._told(event.id))
        self._save_event(event)
        self.bookings.release(event)
        return event

    def hold(self, principal: Principal, event_id: str) -> Event:
        event = self.organised(principal, event_id)
        event.hold(self.clock.now())
        return self._save_event(event)

    def record_attendance(self, principal: Principal, event_id: str, visitors: int) -> Event:
        event = self.organised(principal, event_id)
        event.record_attendance(visitors)
        return self._save_event(event)

    def report(self, principal: Principal, event_id: str) -> Event:
        event = self.organised(principal, event_id)
        figures = self.event_report(event)
        event.report(figures.as_figures())
        return self._save_event(event)

    def event_report(self, event: Event) -> EventReport:
        return event_report(
            event,
            self.exhibitors.of_event(event.id, [ExhibitorState.SELECTED.value]),
            self.registrations.of_event(event.id, [VisitorState.REGISTERED.value]),
        )

    def organised_events(self, principal: Principal, organiser: str, since: datetime) -> list[Event]:
        """An organiser's events for its staff, drafts included, ending from ``since`` on, soonest first."""
        if not self.may_organise(principal, organiser):
            raise _ORGANISERS_ONLY
        return self.events.query({"plan.organiser": organiser, "plan.ends_at": {"$gte": since}}, 500)

    def period_report(
        self, principal: Principal, organiser: str | None, since: datetime, until: datetime
    ) -> PeriodReport:
        if organiser is None and not principal.is_national:
            raise _ORGANISERS_ONLY
        if organiser is not None and not self.may_organise(principal, organiser):
            raise _ORGANISERS_ONLY
        query: dict[str, Any] = {"plan.starts_at": {"$gte": since, "$lt": until}, "status": {"$ne": Status.DRAFT.value}}
        if organiser is not None:
            query["plan.organiser"] = organiser
        events = self.events.query(query, 5000)
        reports = {e.id: self.event_report(e) for e in events if e.status in PAST_STATUSES}
        return period_report(organiser, since, until, events, reports)

    # ------------------------------------------------------------------ exhibitors
    def apply(self, principal: Principal, event_id: str, listings: list[str]) -> Exhibitor:
        enterprise_id = principal.enterprise_id
        if not principal.has_any(Role.REPRESENTATIVE) or not enterprise_id:
            raise _OWN_ENTERPRISE
        event = self.public_event(event_id)
        existing = self.exhibitors.find(exhibitor_id(event.id, enterprise_id))
        if existing is not None and existing.state is not ExhibitorState.WITHDRAWN:
            raise Conflict(
                Text("Предприятието вече кандидатства за щанд.", "The enterprise has applied for a stand already.")
            )
        known = self.enterprises.get(enterprise_id) or {}
        exhibitor = Exhibitor.apply(
            event,
            enterprise_id=enterprise_id,
            enterprise_name=known.get("name", ""),
            enterprise_active=known.get("status") == "active",
            listings=listings,
            known_listings=self.listings.published_of(enterprise_id, listings),
            now=self.clock.now(),
        )
        if existing is not None:
            exhibitor.version = existing.version
            return self._save_exhibitor(exhibitor)
        if not self.exhibitors.add(exhibitor, self._outbox("participation", exhibitor)):
            raise Conflict(
                Text("Предприятието вече кандидатства за щанд.", "The enterprise has applied for a stand already.")
            )
        return exhibitor

    def exhibitors_of_enterprise(self, principal: Principal) -> list[Exhibitor]:
        """Every application for a stand of the caller's enterprise, in the order they were made."""
        if not principal.has_any(Role.REPRESENTATIVE) or not principal.enterprise_id:
            raise _OWN_ENTERPRISE
        return self.exhibitors.of_enterprise(principal.enterprise_id, [s.value for s in ExhibitorState])

    def own_exhibitor(self, principal: Principal, participation_id: str) -> Exhibitor:
        exhibitor = self.exhibitors.get(participation_id)
        own = principal.has_any(Role.REPRESENTATIVE) and principal.enterprise_id == exhibitor.enterprise_id
        if not own and not self.may_organise(principal, self.events.get(exhibitor.event_id).plan.organiser):
            raise NotFound(Text("Няма такава кандидатура за щанд.", "No such exhibitor application."))
        return exhibitor

    def change_listings(self, principal: Principal, participation_id: str, listings: list[str]) -> Exhibitor:
        exhibitor = self.exhibitors.get(participation_id)
        if principal.enterprise_id != exhibitor.enterprise_id:
            raise _OWN_ENTERPRISE
        exhibitor.change_listings(listings, self.listings.published_of(exhibitor.enterprise_id, listings))
        return self._save_exhibitor(exhibitor)

    def _organised_exhibitor(self, principal: Principal, participation_id: str) -> tuple[Event, Exhibitor]:
        exhibitor = self.exhibitors.get(participation_id)
        event = self.organised(principal, exhibitor.event_id)
        exhibitor.follow_event(event)
        return event, exhibitor

    def select(self, principal: Principal, participation_id: str, stand: str) -> Exhibitor:
        """Gives ``stand`` to the exhibitor: the stand ledger first (one exhibitor per stand, whoever asks at
        the same moment), then the application; a failed save gives the stand back unless the application
        as saved holds it (a twin request won)."""
        event, exhibitor = self._organised_exhibitor(principal, participation_id)
        if event.status not in UPCOMING:
            raise Conflict(Text("Събитието не предстои.", "The event is not upcoming."))
        if exhibitor.state not in {ExhibitorState.APPLIED, ExhibitorState.WAITING} or event.stand(stand) is None:
            exhibitor.select(event, stand)  # refused, naming why
        self.stands.assign(event.id, stand, exhibitor.id)
        try:
            exhibitor.select(event, stand)
            return self._save_exhibitor(exhibitor)
        except Exception:
            if self.exhibitors.get(exhibitor.id).stand != stand:
                self.stands.free(event.id, stand, exhibitor.id)
            raise

    def wait(self, principal: Principal, participation_id: str, reason: str) -> Exhibitor:
        _, exhibitor = self._organised_exhibitor(principal, participation_id)
        exhibitor.wait(reason)
        return self._save_exhibitor(exhibitor)

    def reject(self, principal: Principal, participation_id: str, reason: str) -> Exhibitor:
        _, exhibitor = self._organised_exhibitor(principal, participation_id)
        exhibitor.reject(reason)
        return self._save_exhibitor(exhibitor)

    def withdraw(self, principal: Principal, participation_id: str, reason: str) -> Exhibitor:
        exhibitor = self.exhibitors.get(participation_id)
        if principal.has_any(Role.REPRESENTATIVE) and principal.enterprise_id == exhibitor.enterprise_id:
            by = WithdrawnBy.ENTERPRISE
            exhibitor.follow_event(self.events.get(exhibitor.event_id))
        else:
            exhibitor.follow_event(self.organised(principal, exhibitor.event_id))
            by = WithdrawnBy.ORGANISER
        return self._withdraw(exhibitor, by, reason)

    def _withdraw(
        self, exhibitor: Exhibitor, by: WithdrawnBy, reason: str, register_status: str | None = None
    ) -> Exhibitor:
        freed = exhibitor.withdraw(by, reason, register_status)
        self._save_exhibitor(exhibitor)
        if freed:
            self.stands.free(exhibitor.event_id, freed, exhibitor.id)
        return exhibitor

    def exhibitor_report(
        self, principal: Principal, participation_id: str, contacts: int, sales_cents: int | None
    ) -> Exhibitor:
        exhibitor = self.exhibitors.get(participation_id)
        if principal.enterprise_id != exhibitor.enterprise_id or not principal.has_any(Role.REPRESENTATIVE):
            raise _OWN_ENTERPRISE
        event = self.events.get(exhibitor.event_id)
        exhibitor.follow_event(event)
        exhibitor.report(event, contacts=contacts, sales_cents=sales_cents)
        return self._save_exhibitor(exhibitor)

    def exhibitors_of(self, principal: Principal, event_id: str) -> list[Exhibitor]:
        event = self.organised(principal, event_id)
        return self.exhibitors.of_event(event.id)

    def public_exhibitors(self, event_id: str) -> list[dict[str, Any]]:
        """The selected exhibitors with their stand and the products they show (published listings only)."""
        event = self.public_event(event_id)
        selected = self.exhibitors.of_event(event.id, [ExhibitorState.SELECTED.value])
        titles = self.listings.titles(listing for e in selected for listing in e.listings)
        return [
            {
                "enterprise_id": e.enterprise_id,
                "enterprise_name": e.enterprise_name,
                "stand": e.stand,
                "products": [
                    {
                        "listing_id": listing,
                        "title_bg": titles[listing]["title_bg"],
                        "title_en": titles[listing].get("title_en", ""),
                    }
                    for listing in e.listings
                    if listing in titles and titles[listing].get("seller_id") == e.enterprise_id
                ],
            }
            for e in sorted(selected, key=lambda e: (e.stand or "", e.enterprise_name))
        ]

    # ------------------------------------------------------------------ visitors
    def register(self, principal: Principal, event_id: str, name: str) -> Registration:
        """A seat while one is free, else a place on the waiting list (the seat ledger decides, whoever asks
        at the same moment); registering again finds the registration as it is."""
        email = principal.verified_email
        if not email:
            raise _VERIFIED_EMAIL
        event = self.public_event(event_id)
        registration = self.registrations.find(registration_id(event.id, email))
        if registration is None or registration.state is VisitorState.CANCELLED:
            fresh = Registration.register(
                event, name=name, email=email, now=self.clock.now(), subject=principal.subject
            )
            if registration is not None:
                fresh.version = registration.version
            elif not self.registrations.add(fresh, []):
                fresh = self.registrations.get(fresh.id)  # a twin request created it
            registration = fresh
        registration.follow_event(event)
        try:
            places = self.seats.ledger.claim(event.id, registration.id, event.plan.visitor_capacity or 0, MAX_WAITING)
        except LedgerFull:
            raise WaitingListFull() from None
        seated, position = places.place_of(registration.id)
        registration.follow_seat(seated, position)
        outbox = self._outbox("participation", registration)
        if outbox:
            try:
                self.registrations.save(registration, outbox)
            except StaleVersion:
                self._follow(registration.id, event)  # a twin request saved it: bring it up to the ledger
                return self.registrations.get(registration.id)
        return registration

    def my_registrations(self, principal: Principal) -> list[Registration]:
        """The caller's registrations (by their verified e-mail address), in the order they were made."""
        email = principal.verified_email
        return self.registrations.of_person(email) if email else []

    def events_by_id(self, event_ids: list[str]) -> dict[str, Event]:
        return {e.id: e for e in self.events.query({"_id": {"$in": list(dict.fromkeys(event_ids))}}, 1000)}

    def my_registration(self, principal: Principal, event_id: str) -> Registration:
        email = principal.verified_email
        found = self.registrations.find(registration_id(event_id, email)) if email else None
        if found is None:
            raise NotFound(Text("Не сте записани за това събитие.", "You are not registered for this event."))
        return found

    def cancel_registration(self, principal: Principal, event_id: str) -> Registration:
        registration = self.my_registration(principal, event_id)
        event = self.events.get(event_id)
        registration.follow_event(event)
        if registration.cancel():
            self._save_registration(registration)
        self.seats.ledger.release(event.id, [registration.id])
        self._promote(event)
        return registration

    def _promote(self, event: Event) -> None:
        """Free seats go to the first waiting, in order; each promoted registration follows the ledger."""
        capacity = event.plan.visitor_capacity or 0
        for _ in range(capacity + 1):
            places = self.seats.ledger.get(event.id)
            if places is None or not places.waiting or len(places.holders) >= capacity:
                break
            first = places.waiting[0]
            if self.seats.ledger.promote_first(event.id, first, capacity):
                self._follow(first, event)
        places = self.seats.ledger.get(event.id)
        for waiting in places.waiting if places else ():
            self._follow(waiting, event)

    def _follow(self, registration_id_: str, event: Event) -> None:
        for _ in range(_SAVE_ATTEMPTS):
            registration = self.registrations.find(registration_id_)
            places = self.seats.ledger.get(event.id)
            if registration is None or places is None or registration.state is VisitorState.CANCELLED:
                return
            seated, position = places.place_of(registration.id)
            if (registration.state is VisitorState.REGISTERED) == seated and registration.waiting_position == position:
                return
            registration.follow_event(event)
            registration.follow_seat(seated, position)
            try:
                self._save_registration(registration)
                return
            except StaleVersion:
                continue

    def check_in_list(self, principal: Principal, event_id: str) -> list[Registration]:
        event = self.organised(principal, event_id)
        return self.registrations.of_event(event.id, [VisitorState.REGISTERED.value])

    def check_in(self, principal: Principal, event_id: str, participation_id: str, present: bool) -> Registration:
        event = self.organised(principal, event_id)
        registration = self.registrations.get(participation_id)
        if registration.event_id != event.id:
            raise NotFound(Text("Няма такова записване.", "No such registration."))
        registration.follow_event(event)
        registration.check_in(present)
        return self._save_registration(registration)

    # ------------------------------------------------------------------ the public
    def calendar(
        self, since: datetime, until: datetime, centre: str | None, district: str | None, kind: str | None
    ) -> list[Event]:
        query: dict[str, Any] = {
            "plan.ends_at": {"$gte": since},
            "plan.starts_at": {"$lt": until},
            "status": {"$in": [s.value for s in PUBLIC_STATUSES]},
        }
        if centre:
            query["plan.organiser"] = centre
        if kind:
            query["plan.kind"] = kind
        events = self.events.query(query, 500)
        if district:
            events = [e for e in events if e.venue.district == district]
        return events

    def past_events(self, until: datetime) -> list[Event]:
        return self.events.query(
            {"plan.starts_at": {"$lt": until}, "status": {"$in": [s.value for s in PAST_STATUSES]}}, 5000
        )

    # ------------------------------------------------------------------ from the register and the marketplace
    def apply_registry_event(self, envelope: Any, payload: dict[str, Any]) -> bool:
        """Keeps the enterprise's standing; a deleted or expired one is withdrawn from every upcoming event
        (each withdrawal published, so notifications tells the enterprise). A redelivery withdraws nothing
        more: a withdrawn application stays withdrawn."""
        applied = self.enterprises.apply_registry_event(envelope, payload)
        if (
            payload["status"] in {"deleted", "expired"}
            and self.enterprises.status(payload["enterprise_id"]) != "active"
        ):
            self.withdraw_inactive(payload["enterprise_id"], payload["status"])
        return applied

    def withdraw_inactive(self, enterprise_id: str, status: str) -> list[Exhibitor]:
        reason = (
            "Предприятието е заличено от регистъра на социалните предприятия."
            if status == "deleted"
            else "Вписването на предприятието в регистъра е изтекло."
        )
        withdrawn = []
        active = [ExhibitorState.APPLIED.value, ExhibitorState.WAITING.value, ExhibitorState.SELECTED.value]
        for found in self.exhibitors.of_enterprise(enterprise_id, active):
            event = self.events.find(found.event_id)
            if event is None or event.status not in UPCOMING or event.starts_at <= self.clock.now():
                continue
            exhibitor = found
            for _ in range(_SAVE_ATTEMPTS):
                try:
                    exhibitor.follow_event(event)
                    withdrawn.append(self._withdraw(exhibitor, WithdrawnBy.REGISTER, reason, status))
                    break
                except StaleVersion:
                    exhibitor = self.exhibitors.get(found.id)
        return withdrawn

    def apply_listing_event(self, envelope: Any, payload: dict[str, Any]) -> bool:
        return self.listings.apply_listing_event(envelope, payload)
