"""The events service's rules: events of the centres, exhibitors' stands, visitors' seats, reports."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.events.domain.event import Event, Kind, Plan, Stand, Status, Told, Window
from services.events.domain.ledger import Seats, Stands, StandTaken
from services.events.domain.participation import (
    Exhibitor,
    ExhibitorState,
    NotAllowed,
    Registration,
    VisitorState,
    WithdrawnBy,
)
from services.events.domain.reports import event_report, period_report
from services.events.domain.venue import Venue, VenueKind, VenueTaken, check_venue_free
from shared.errors import Conflict, InvalidInput

NOW = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)
START = datetime(2027, 6, 12, 7, 0, tzinfo=UTC)  # 10:00 in Sofia (summer time)
HALL = Venue(VenueKind.HALL, centre="plovdiv")


def plan(**changes: object) -> Plan:
    base = Plan(
        kind=Kind.FAIR,
        organiser="plovdiv",
        title_bg="Лятно изложение на социалните предприятия",
        description_bg="Продукти и услуги на социалните предприятия от Южен централен район.",
        venue=HALL,
        starts_at=START,
        ends_at=START + timedelta(hours=8),
        visitor_capacity=100,
        stands=(Stand("A1", 300, 200, 5000), Stand("A2", 300, 200, 0)),
        exhibitor_window=Window(NOW, START - timedelta(days=7)),
        visitor_window=Window(NOW, START),
    )
    return replace(base, **changes)


def published(**changes: object) -> Event:
    event = Event.draft("ev-1", plan(**changes), NOW)
    event.publish(NOW)
    event.pull_events()
    return event


def problems_of(error: pytest.ExceptionInfo[InvalidInput]) -> set[str]:
    return set(error.value.fields)


# ---------------------------------------------------------------------- events
def test_a_start_in_the_past_is_refused_naming_starts_at() -> None:
    with pytest.raises(InvalidInput) as error:
        Event.draft("ev-1", plan(starts_at=NOW - timedelta(hours=1), ends_at=NOW + timedelta(hours=2)), NOW)
    assert "starts_at" in problems_of(error)
    assert "в миналото" in error.value.fields["starts_at"].bg


def test_an_end_before_the_start_is_refused_naming_ends_at() -> None:
    with pytest.raises(InvalidInput) as error:
        Event.draft("ev-1", plan(ends_at=START - timedelta(minutes=1)), NOW)
    assert problems_of(error) == {"ends_at"}


def test_every_problem_is_named_at_once() -> None:
    bad = plan(
        title_bg=" ",
        organiser="sofia",
        visitor_capacity=-1,
        venue=Venue(VenueKind.ADDRESS, municipality="GAB05", settlement="Пловдив", street=""),
        stands=(Stand("A1", 300, 200, -5), Stand("A1", 0, 200, 0)),
        exhibitor_window=Window(START, START - timedelta(days=1)),
    )
    with pytest.raises(InvalidInput) as error:
        Event.draft("ev-1", bad, NOW)
    assert problems_of(error) == {
        "title_bg",
        "organiser",
        "visitor_capacity",
        "venue.settlement",
        "venue.street",
        "stands.0.price_cents",
        "stands.1.code",
        "stands.1.width_cm",
        "exhibitor_window.closes_at",
    }


def test_a_settlement_of_the_municipality_and_an_online_address_are_accepted() -> None:
    seat = Venue(VenueKind.ADDRESS, municipality="GAB35", settlement="Трявна", street="ул. Ангел Кънчев 1")
    event = Event.draft("ev-1", plan(venue=seat), NOW)
    assert event.venue.district == "BG-07"
    with pytest.raises(InvalidInput) as error:
        Event.draft("ev-2", plan(venue=Venue(VenueKind.ONLINE, url="http://example.bg")), NOW)
    assert problems_of(error) == {"venue.url"}
    assert Event.draft("ev-3", plan(venue=Venue(VenueKind.ONLINE, url="https://meet.example.bg/x")), NOW)


def test_forums_need_seats_and_fairs_may_be_open_to_all() -> None:
    open_fair = Event.draft("ev-1", plan(visitor_capacity=None, visitor_window=None), NOW)
    assert not open_fair.registration_required
    with pytest.raises(InvalidInput) as error:
        Event.draft("ev-2", plan(kind=Kind.FORUM, visitor_capacity=None), NOW)
    assert problems_of(error) == {"visitor_capacity"}


def test_registration_must_close_by_the_start() -> None:
    with pytest.raises(InvalidInput) as error:
        Event.draft("ev-1", plan(visitor_window=Window(NOW, START + timedelta(hours=1))), NOW)
    assert problems_of(error) == {"visitor_window.closes_at"}


def test_capacity_below_the_seats_already_held_is_refused() -> None:
    event = published()
    with pytest.raises(InvalidInput) as error:
        event.edit(plan(visitor_capacity=40), NOW, allocated_seats=41, assigned_stands=())
    assert problems_of(error) == {"visitor_capacity"}
    assert "41" in error.value.fields["visitor_capacity"].bg
    event.edit(plan(visitor_capacity=41), NOW, allocated_seats=41, assigned_stands=())
    assert event.plan.visitor_capacity == 41


def test_a_stand_already_assigned_cannot_be_removed() -> None:
    event = published()
    with pytest.raises(InvalidInput) as error:
        event.edit(plan(stands=(Stand("A2", 300, 200),)), NOW, allocated_seats=0, assigned_stands=("A1",))
    assert problems_of(error) == {"stands"}
    assert "A1" in error.value.fields["stands"].bg


def test_a_published_event_is_edited_and_moved_after_its_registration_closed() -> None:
    event = published(exhibitor_window=Window(NOW - timedelta(days=10), NOW + timedelta(days=1)))
    later = NOW + timedelta(days=3)  # the exhibitors' window has closed
    event.edit(
        plan(exhibitor_window=event.plan.exhibitor_window, visitor_capacity=150),
        later,
        allocated_seats=0,
        assigned_stands=(),
    )
    assert event.plan.visitor_capacity == 150
    moved = START - timedelta(days=10)
    event.reschedule(moved, moved + timedelta(hours=8), later, exhibitor_window=None, visitor_window=None, told=Told())
    assert event.plan.exhibitor_window == Window(NOW - timedelta(days=10), NOW + timedelta(days=1))
    assert event.plan.visitor_window == Window(NOW, moved)  # closes by the new start


def test_a_published_event_moves_only_by_rescheduling() -> None:
    event = published()
    with pytest.raises(InvalidInput) as error:
        event.edit(
            plan(starts_at=START + timedelta(days=1), ends_at=START + timedelta(days=1, hours=2)),
            NOW,
            allocated_seats=0,
            assigned_stands=(),
        )
    assert {"starts_at", "ends_at"} <= problems_of(error)
    later = START + timedelta(days=7)
    event.reschedule(
        later,
        later + timedelta(hours=8),
        NOW,
        exhibitor_window=Window(NOW, later),
        visitor_window=Window(NOW, later),
        told=Told(("ent-1",), ("m@example.bg",)),
    )
    assert event.status is Status.RESCHEDULED
    [recorded] = event.pull_events()
    assert recorded.name == "EventRescheduled"
    assert recorded.payload["previous_starts_at"] == "2027-06-12T07:00:00Z"
    assert (recorded.payload["exhibitors"], recorded.payload["visitors"]) == (["ent-1"], ["m@example.bg"])


def test_the_life_of_an_event() -> None:
    event = Event.draft("ev-1", plan(), NOW)
    assert event.pull_events() == []
    event.publish(NOW)
    with pytest.raises(Conflict):
        event.hold(NOW)  # not started yet
    event.hold(START + timedelta(hours=1))
    with pytest.raises(InvalidInput) as error:
        event.report({})
    assert problems_of(error) == {"visitors"}
    event.record_attendance(420)
    event.report({"attendance": 420})
    assert event.status is Status.REPORTED
    assert [e.name for e in event.pull_events()] == ["EventPublished", "EventHeld", "EventReported"]
    with pytest.raises(Conflict):
        event.cancel("късно", NOW, told=Told())


def test_a_cancellation_needs_a_reason() -> None:
    event = published()
    with pytest.raises(InvalidInput) as error:
        event.cancel("  ", NOW, told=Told())
    assert problems_of(error) == {"reason"}
    event.cancel("Залата се ремонтира.", NOW, told=Told())
    assert event.status is Status.CANCELLED
    assert event.pull_events()[0].payload["reason"] == "Залата се ремонтира."


def test_a_venue_booked_twice_is_refused_naming_the_other_event() -> None:
    other = published()
    mine = Event.draft(
        "ev-2", plan(title_bg="Базар", starts_at=START + timedelta(hours=7), ends_at=START + timedelta(hours=10)), NOW
    )
    with pytest.raises(VenueTaken) as error:
        check_venue_free(mine, [other])
    assert "Лятно изложение на социалните предприятия" in error.value.message.bg
    assert error.value.other_id == "ev-1"
    assert "venue" in error.value.fields
    back_to_back = Event.draft("ev-3", plan(starts_at=other.ends_at, ends_at=other.ends_at + timedelta(hours=2)), NOW)
    check_venue_free(back_to_back, [other])
    other.cancel("Отменено.", NOW, told=Told())
    check_venue_free(mine, [other])  # a cancelled event frees its venue
    online = Event.draft("ev-4", plan(venue=Venue(VenueKind.ONLINE, url="https://meet.example.bg/a")), NOW)
    check_venue_free(online, [replace(online, id="ev-5")])


# ---------------------------------------------------------------------- exhibitors
KNOWN = {"l-1": "ent-1", "l-2": "ent-1", "l-9": "ent-9"}


def apply(event: Event, listings: list[str] | None = None, active: bool = True) -> Exhibitor:
    return Exhibitor.apply(
        event,
        enterprise_id="ent-1",
        enterprise_name="Пекарна Добро",
        enterprise_active=active,
        listings=["l-1", "l-2"] if listings is None else listings,
        known_listings=KNOWN,
        now=NOW,
    )


def test_unknown_or_foreign_listings_and_an_inactive_enterprise_are_named() -> None:
    event = published()
    with pytest.raises(InvalidInput) as error:
        apply(event, ["l-1", "l-404", "l-9", "l-1"], active=False)
    assert problems_of(error) == {"listings.1", "listings.2", "listings.3", "enterprise_id"}
    assert "Няма такава" in error.value.fields["listings.1"].bg


def test_applications_only_while_the_window_is_open() -> None:
    event = Event.draft("ev-1", plan(), NOW)
    with pytest.raises(NotAllowed):
        apply(event)  # a draft
    event.publish(NOW)
    with pytest.raises(NotAllowed):
        Exhibitor.apply(
            event,
            enterprise_id="ent-1",
            enterprise_name="x",
            enterprise_active=True,
            listings=[],
            known_listings=KNOWN,
            now=START - timedelta(days=1),
        )


def test_selection_waiting_list_reasons_and_withdrawal() -> None:
    event = published()
    exhibitor = apply(event)
    with pytest.raises(InvalidInput) as error:
        exhibitor.wait("")
    assert problems_of(error) == {"reason"}
    exhibitor.wait("Всички щандове са заети засега.")
    exhibitor.select(event, "A1")
    assert (exhibitor.state, exhibitor.stand, exhibitor.reason) == (ExhibitorState.SELECTED, "A1", "")
    assert exhibitor.withdraw(WithdrawnBy.REGISTER, "Предприятието е заличено от регистъра.") == "A1"
    assert exhibitor.withdraw(WithdrawnBy.REGISTER, "Отново.") is None
    names = [e.name for e in exhibitor.pull_events()]
    assert names == ["ExhibitorApplied", "ExhibitorWaitlisted", "ExhibitorSelected", "ExhibitorWithdrawn"]


def test_an_unknown_stand_is_named() -> None:
    event = published()
    exhibitor = apply(event)
    with pytest.raises(InvalidInput) as error:
        exhibitor.select(event, "Z9")
    assert problems_of(error) == {"stand"}


def test_exhibitors_report_after_the_event() -> None:
    event = published()
    exhibitor = apply(event)
    exhibitor.select(event, "A1")
    with pytest.raises(NotAllowed):
        exhibitor.report(event, contacts=3, sales_cents=100)
    event.hold(START)
    with pytest.raises(InvalidInput) as error:
        exhibitor.report(event, contacts=-1, sales_cents=-1)
    assert problems_of(error) == {"contacts", "sales_cents"}
    exhibitor.report(event, contacts=12, sales_cents=48_050)
    visitor = Registration(
        "r", event.id, "Мария", "m@example.bg", VisitorState.REGISTERED, NOW, event.title_bg, START, attended=True
    )
    event.record_attendance(300)
    report = event_report(event, [exhibitor], [visitor])
    assert report.as_figures() == {
        "exhibitors": 1,
        "exhibitors_reported": 1,
        "contacts": 12,
        "sales_cents": 48_050,
        "registered_visitors": 1,
        "checked_in": 1,
        "attendance": 300,
    }
    cancelled = published()
    cancelled.id = "ev-2"
    cancelled.cancel("Дъжд.", NOW, told=Told())
    period = period_report(
        "plovdiv",
        datetime(2027, 1, 1, tzinfo=UTC),
        datetime(2028, 1, 1, tzinfo=UTC),
        [event, cancelled],
        {event.id: report},
    )
    assert (period.events_held, period.exhibitors, period.visitors, period.sales_cents, period.cancelled) == (
        1,
        1,
        300,
        48_050,
        1,
    )


# ---------------------------------------------------------------------- ledgers and visitors
def test_a_stand_is_held_by_one_exhibitor() -> None:
    stands = Stands("ev-1").assign("A1", "x")
    assert stands.assign("A1", "x") == stands
    with pytest.raises(StandTaken):
        stands.assign("A1", "y")
    moved = stands.assign("A2", "x")
    assert moved.held == {"A2": "x"}
    assert moved.free("A2", "x").assign("A2", "y").held == {"A2": "y"}


def test_seats_then_the_waiting_list_and_a_freed_seat_goes_to_the_first_waiting() -> None:
    seats = Seats("ev-1", 2)
    for who in ("a", "b", "c", "d"):
        seats = seats.claim(who)
    assert seats.holders == ("a", "b") and seats.waiting == ("c", "d")
    assert seats.seat_of("d") == (False, 2)
    seats, promoted = seats.release("a")
    assert promoted == "c" and seats.holders == ("b", "c") and seats.waiting == ("d",)


def test_visitors_register_only_where_registration_is_open() -> None:
    with pytest.raises(NotAllowed):
        Registration.register(
            published(visitor_capacity=None, visitor_window=None), name="Мария", email="m@example.bg", now=NOW
        )
    event = published()
    with pytest.raises(InvalidInput) as error:
        Registration.register(event, name="", email="not an address", now=NOW)
    assert problems_of(error) == {"name", "email"}
    registration = Registration.register(event, name="Мария", email="M@example.bg", now=NOW)
    assert registration.id == Registration.register(event, name="Мария", email="m@example.bg ", now=NOW).id
    registration.follow_seat(True, None)
    assert registration.state is VisitorState.REGISTERED
    assert registration.cancel() and not registration.cancel()
    recorded = registration.pull_events()
    assert [e.name for e in recorded] == ["VisitorRegistered", "VisitorCancelled"]
    assert recorded[0].payload["visitor"] == "m@example.bg"
