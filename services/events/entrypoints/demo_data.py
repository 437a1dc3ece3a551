"""Demo events (``events-demo-data``), through the real use cases, for ``make run``.

At every regional centre: a fair or bazaar in its hall in the coming weeks with a stand plan, a forum at an
address in the centre's town with visitors registered (the last ones waiting), an exhibition held a month ago
with its report, and — spread over the centres — a rescheduled, a cancelled and a draft event; one online
conference of the ministry. Once the consumer has taken the register's enterprises and the marketplace's
listings, active enterprises apply for the upcoming fairs with their products: most are selected for a
stand, one waits with a reason. Running it again adds nothing when events exist.
"""

from __future__ import annotations

import argparse
import dataclasses
from datetime import datetime, timedelta
from datetime import time as clock_time

from services.events.config import SERVICE
from services.events.domain.event import Event, Kind, Plan, Stand, Window
from services.events.domain.venue import Venue, VenueKind
from services.events.entrypoints.wiring import build
from services.events.service_layer.events import EventsService
from shared.auth import Principal, Role
from shared.bg.geography import Centre, geography
from shared.bg.places import places
from shared.clock import SOFIA, FixedClock
from shared.config import Settings
from shared.mongo import connect
from shared.settle import settled

MINISTRY = Principal("demo-ministry", frozenset({Role.CLERK}), name="Министерство (демо)", centre="national")
FIRST_NAMES = ("Мария", "Иван", "Елена", "Георги", "Десислава", "Петър", "Надежда", "Стоян")
STANDS = tuple(Stand(f"A{n}", 300, 200, 0 if n <= 2 else 4_000) for n in range(1, 7))


def clerk(centre: str) -> Principal:
    return Principal(f"demo-clerk-{centre}", frozenset({Role.CLERK}), name=f"Служител {centre}", centre=centre)


def at(day: datetime, hour: int) -> datetime:
    """``hour`` o'clock in Sofia on ``day``'s Sofia date."""
    return datetime.combine(day.astimezone(SOFIA).date(), clock_time(hour), tzinfo=SOFIA)


def town_venue(centre: Centre, street: str) -> Venue:
    for municipality in places().municipalities.values():
        if municipality.centre == centre.city_bg and centre.city_bg in municipality.towns:
            return Venue(VenueKind.ADDRESS, municipality=municipality.code, settlement=centre.city_bg, street=street)
    return Venue(VenueKind.HALL, centre=centre.id)


def plan(
    kind: Kind, organiser: str, title: str, venue: Venue, starts: datetime, hours: int, now: datetime, **more: object
) -> Plan:
    ends = starts + timedelta(hours=hours)
    base = Plan(
        kind=kind,
        organiser=organiser,
        title_bg=title,
        description_bg=f"{title}: социалните предприятия представят своите продукти и услуги, срещи с партньори.",
        venue=venue,
        starts_at=starts,
        ends_at=ends,
        visitor_capacity=None,
        exhibitor_window=None,
        visitor_window=None,
    )
    return dataclasses.replace(base, **more)


def demo_events(service: EventsService) -> dict[str, list[Event]]:
    now = service.clock.now()
    made: dict[str, list[Event]] = {"fairs": [], "forums": [], "held": [], "other": []}
    for n, centre in enumerate(sorted(geography().centres.values(), key=lambda c: c.id)):
        staff = clerk(centre.id)
        hall = Venue(VenueKind.HALL, centre=centre.id)
        # An upcoming fair in the hall with stands.
        starts = at(now + timedelta(days=21 + 7 * n), 10)
        kind = Kind.FAIR if n % 2 == 0 else Kind.BAZAAR
        title = f"{'Изложение' if kind is Kind.FAIR else 'Базар'} на социалните предприятия — {centre.city_bg}"
        fair = service.create(
            staff,
            plan(
                kind,
                centre.id,
                title,
                hall,
                starts,
                8,
                now,
                stands=STANDS,
                exhibitor_window=Window(now, starts - timedelta(days=7)),
            ),
        )
        made["fairs"].append(service.publish(staff, fair.id))
        # A forum in town, visitors register.
        starts = at(now + timedelta(days=14 + 5 * n), 14)
        forum = service.create(
            staff,
            plan(
                Kind.FORUM,
                centre.id,
                f"Форум „Социалната икономика в {centre.city_bg}“",
                town_venue(centre, "ул. Централна 1, зала 2"),
                starts,
                3,
                now,
                visitor_capacity=6,
                visitor_window=Window(now, starts),
            ),
        )
        made["forums"].append(service.publish(staff, forum.id))
        # An exhibition held a month ago, reported.
        then = now - timedelta(days=40 + n)
        past = dataclasses.replace(service, clock=FixedClock(then))
        starts = at(now - timedelta(days=30 + n), 10)
        held = past.create(
            staff,
            plan(
                Kind.EXHIBITION,
                centre.id,
                f"Изложба „Ръчна изработка“ — {centre.city_bg}",
                hall,
                starts,
                6,
                then,
                title_en=f"Handmade exhibition — {centre.city_en}",
            ),
        )
        past.publish(staff, held.id)
        service.hold(staff, held.id)
        service.record_attendance(staff, held.id, 120 + 35 * n)
        made["held"].append(service.report(staff, held.id))
        # One more in another state, by centre.
        starts = at(now + timedelta(days=45 + 3 * n), 11)
        other = service.create(
            staff,
            plan(
                Kind.CAMPAIGN if n % 3 else Kind.CONFERENCE,
                centre.id,
                f"Информационна кампания — {centre.city_bg}",
                town_venue(centre, "пл. Свобода 3"),
                starts,
                4,
                now,
                visitor_capacity=40,
                visitor_window=Window(now, starts),
            ),
        )
        if n % 3 == 1:
            service.publish(staff, other.id)
            service.cancel(staff, other.id, "Залата не е на разположение; ще обявим нова дата.")
        elif n % 3 == 2:
            service.publish(staff, other.id)
            later = starts + timedelta(days=7)
            service.reschedule(staff, other.id, later, later + timedelta(hours=4), None, Window(now, later))
        made["other"].append(service.events.get(other.id))
    starts = at(now + timedelta(days=30), 10)
    conference = service.create(
        MINISTRY,
        plan(
            Kind.CONFERENCE,
            "national",
            "Национална конференция за социалната икономика",
            Venue(VenueKind.ONLINE, url="https://meet.example.bg/social-economy"),
            starts,
            5,
            now,
            visitor_capacity=300,
            visitor_window=Window(now, starts),
        ),
    )
    made["other"].append(service.publish(MINISTRY, conference.id))
    return made


def demo_visitors(service: EventsService, forums: list[Event]) -> int:
    count = 0
    for n, forum in enumerate(forums):
        for i in range(7 + n % 2):  # a seat for six, the rest wait
            email = f"visitor{i + 1}@example.bg"
            person = Principal(f"demo-visitor-{i + 1}", frozenset({Role.BUYER}), email=email, email_verified=True)
            service.register(person, forum.id, f"{FIRST_NAMES[i % len(FIRST_NAMES)]} Демо")
            count += 1
    return count


def demo_exhibitors(service: EventsService, fairs: list[Event], seconds: float) -> dict[str, int]:
    enterprises = settled(lambda: service.enterprises.active(60), seconds)
    if enterprises:  # the marketplace's listings follow the register's enterprises
        settled(lambda: [e for e in enterprises if service.listings.of_seller(e["_id"], 1)], min(seconds, 120.0))
    states: dict[str, int] = {}
    for n, enterprise in enumerate(enterprises):
        fair = fairs[n % len(fairs)] if fairs else None
        if fair is None:
            break
        rep = Principal("demo-representative", frozenset({Role.REPRESENTATIVE}), enterprise_id=enterprise["_id"])
        exhibitor = service.apply(rep, fair.id, service.listings.of_seller(enterprise["_id"], 4))
        taken = len(service.stands.held(fair.id))
        if taken < 3:
            exhibitor = service.select(clerk(fair.plan.organiser), exhibitor.id, STANDS[taken].code)
        elif taken == 3 and not service.exhibitors.of_event(fair.id, ["waiting"]):
            exhibitor = service.wait(
                clerk(fair.plan.organiser),
                exhibitor.id,
                "Щандовете с тока са заети; ще ви съобщим, ако се освободи място.",
            )
        states[exhibitor.state.value] = states.get(exhibitor.state.value, 0) + 1
    return states


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Load demo events at every centre, exhibitors and visitors.")
    parser.add_argument("--wait", type=float, default=240.0, help="seconds to wait for the register's enterprises")
    args = parser.parse_args(argv)
    settings = Settings.from_env(SERVICE)
    client = connect(settings.mongodb_uri, app_name=f"{SERVICE}-demo-data")
    try:
        service = build(client[settings.mongodb_database])
        if service.events.query({}, 1):
            print("Events demo data: events exist already, nothing added.")
            return
        made = demo_events(service)
        visitors = demo_visitors(service, made["forums"])
        states = demo_exhibitors(service, made["fairs"], args.wait)
        shown = ", ".join(f"{state} {count}" for state, count in sorted(states.items())) or "none yet"
        events = sum(len(v) for v in made.values())
        print(f"Events demo data: events {events}, visitors registered {visitors}; exhibitors: {shown}.")
    finally:
        client.close()


if __name__ == "__main__":
    main()
