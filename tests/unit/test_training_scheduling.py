"""The timetable's rules without servers: Sofia times across daylight-saving changes, overlaps, and a session's
transitions with the events they record (exactly the fields of the golden examples)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.training.domain.course import Course, CourseWithdrawn, Format, Level
from services.training.domain.dimensions import Dimension
from services.training.domain.scheduling import (
    AmbiguousLocalTime,
    Booked,
    NonexistentLocalTime,
    Resource,
    SchedulingConflict,
    Slot,
    first_conflict,
    in_sofia,
    overlaps,
    sofia_to_utc,
    to_utc,
)
from services.training.domain.session import Meeting, Session, SessionStatus, SessionTransitionNotAllowed
from services.training.events.catalog import TRAINING_EVENTS
from shared.errors import InvalidInput

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
LEARNERS = [{"learner_id": "l-1", "name": "Георги Петров", "email": "g.petrov@dobroutro.example.bg"}]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def sofia(text: str) -> datetime:
    return sofia_to_utc(datetime.fromisoformat(text))


def meeting(start: str, end: str) -> Meeting:
    return Meeting(sofia(start), sofia(end))


def course(format: Format = Format.IN_PERSON, **changes: object) -> Course:
    arguments: dict[str, object] = {
        "id": "c-1",
        "title_bg": "  Дигитален маркетинг за социални предприятия ",
        "description_bg": "Социални мрежи, уебсайт и онлайн продажби за малки предприятия.",
        "dimensions": [Dimension.BUSINESS_STRATEGY, Dimension.DIGITAL_READINESS],
        "level": Level.BEGINNER,
        "hours": 12,
        "format": format,
    }
    return Course.create(**{**arguments, **changes})  # type: ignore[arg-type]


def scheduled(**changes: object) -> Session:
    arguments: dict[str, object] = {
        "id": "s-1",
        "course": course(),
        "trainer_id": "t-1",
        "trainer_name": "Мария Иванова",
        "centre": "plovdiv",
        "room": "Зала 2",
        "online_link": None,
        "meetings": [meeting("2027-04-04T10:00", "2027-04-04T13:00"), meeting("2027-03-28T10:00", "2027-03-28T13:00")],
        "capacity": 16,
        "now": NOW,
    }
    return Session.schedule(**{**arguments, **changes})  # type: ignore[arg-type]


OVERLAPPING = meeting("2027-04-04T12:00", "2027-04-04T14:00")


def problems(error: pytest.ExceptionInfo[InvalidInput]) -> set[str]:
    return set(error.value.fields)


# ---------------------------------------------------------------------- Sofia time ⇄ UTC
def test_wall_clock_times_follow_daylight_saving_on_the_days_it_changes() -> None:
    assert sofia("2027-03-28T10:00") == utc(2027, 3, 28, 7)  # summer time started at 03:00 that morning
    assert sofia("2027-03-28T12:00") == utc(2027, 3, 28, 9)
    assert sofia("2027-03-28T02:30") == utc(2027, 3, 28, 0, 30)  # still winter time
    assert sofia("2027-10-31T10:00") == utc(2027, 10, 31, 8)  # winter time again from 04:00
    assert sofia("2027-10-31T12:00") == utc(2027, 10, 31, 10)
    assert sofia("2027-01-15T10:00") == utc(2027, 1, 15, 8)
    assert in_sofia(utc(2027, 3, 28, 7)).isoformat() == "2027-03-28T10:00:00+03:00"
    assert in_sofia(utc(2027, 10, 31, 8)).isoformat() == "2027-10-31T10:00:00+02:00"


def test_a_time_the_clocks_skip_or_pass_twice_is_refused_unless_it_has_an_offset() -> None:
    with pytest.raises(NonexistentLocalTime):
        sofia("2027-03-28T03:30")
    with pytest.raises(AmbiguousLocalTime):
        sofia("2027-10-31T03:30")
    assert to_utc(datetime.fromisoformat("2027-10-31T03:30+03:00")) == utc(2027, 10, 31, 0, 30)
    assert to_utc(datetime.fromisoformat("2027-10-31T03:30+02:00")) == utc(2027, 10, 31, 1, 30)


def test_a_meeting_across_the_autumn_change_lasts_one_hour_longer_on_the_wall_clock() -> None:
    night = meeting("2027-10-30T22:00", "2027-10-31T06:00")
    assert night.ends_at - night.starts_at == timedelta(hours=9)


# ---------------------------------------------------------------------- overlaps
def test_overlaps_are_half_open_so_back_to_back_meetings_do_not_clash() -> None:
    nine, ten, eleven, noon = (utc(2027, 4, 1, h) for h in (9, 10, 11, 12))
    assert overlaps(nine, eleven, ten, noon)
    assert overlaps(nine, noon, ten, eleven)  # one inside the other
    assert not overlaps(nine, ten, ten, eleven)
    assert not overlaps(ten, eleven, nine, ten)


def test_the_first_conflict_names_the_other_session_and_ignores_the_sessions_own_bookings() -> None:
    booked = [
        Booked("own", "Свой курс", utc(2027, 4, 1, 9), utc(2027, 4, 1, 12)),
        Booked("s-9", "Excel за счетоводители", utc(2027, 4, 2, 9), utc(2027, 4, 2, 12)),
    ]
    wanted = [Slot(utc(2027, 4, 1, 10), utc(2027, 4, 1, 11)), Slot(utc(2027, 4, 2, 11), utc(2027, 4, 2, 13))]
    assert first_conflict(wanted, booked, ignore_session="own") == (1, booked[1])
    assert first_conflict(wanted[:1], booked, ignore_session="own") is None
    assert first_conflict([Slot(utc(2027, 4, 2, 12), utc(2027, 4, 2, 13))], booked) is None  # back to back


def test_the_conflict_error_is_a_409_naming_the_session_in_both_languages() -> None:
    error = SchedulingConflict(Resource.ROOM, Booked("s-9", "Excel за счетоводители", sofia("2027-03-28T10:00"),
                                                     sofia("2027-03-28T12:00")), 0)  # fmt: skip
    assert error.status == 409
    assert "s-9" in error.message.bg and "Excel за счетоводители" in error.message.bg
    assert "s-9" in error.message.en and "28.03.2027 10:00–12:00" in error.message.en
    assert set(error.fields) == {"room", "meetings.0"}


# ---------------------------------------------------------------------- courses
def test_a_course_is_validated_and_trimmed() -> None:
    created = course()
    assert created.title_bg == "Дигитален маркетинг за социални предприятия"
    with pytest.raises(InvalidInput) as error:
        course(title_bg=" ", dimensions=[], hours=0)
    assert problems(error) == {"title_bg", "dimensions", "hours"}
    assert created.revise(level="advanced", active=False)
    assert (created.level, created.active) == (Level.ADVANCED, False)
    assert not created.revise(level="advanced")
    with pytest.raises(InvalidInput):
        created.revise(hours=1000)
    assert created.hours == 12


# ---------------------------------------------------------------------- sessions
def test_scheduling_sorts_meetings_closes_enrolment_at_the_first_and_records_the_event() -> None:
    session = scheduled()
    assert [m.starts_at for m in session.meetings] == [utc(2027, 3, 28, 7), utc(2027, 4, 4, 7)]
    assert (session.starts_at, session.ends_at) == (utc(2027, 3, 28, 7), utc(2027, 4, 4, 10))
    assert (session.enrolment_opens_at, session.enrolment_closes_at) == (NOW, utc(2027, 3, 28, 7))
    assert session.course_title == "Дигитален маркетинг за социални предприятия"
    [event] = session.pull_events()
    assert event.name == "SessionScheduled"
    assert event.payload["meetings"][0] == {"starts_at": "2027-03-28T07:00:00Z", "ends_at": "2027-03-28T10:00:00Z"}


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"meetings": [meeting("2027-04-04T13:00", "2027-04-04T10:00")]}, {"meetings.0.ends_at"}),
        ({"meetings": [meeting("2027-02-01T10:00", "2027-02-01T12:00")]}, {"meetings.0.starts_at"}),
        ({"meetings": []}, {"meetings"}),
        ({"meetings": [meeting("2027-04-04T10:00", "2027-04-04T13:00"), OVERLAPPING]}, {"meetings.1.starts_at"}),
        ({"capacity": 0}, {"capacity"}),
        ({"centre": "sofia"}, {"centre"}),
        ({"room": None}, {"room"}),
        ({"online_link": "https://meet.example.bg/x"}, {"online_link"}),
        ({"enrolment_closes_at": sofia("2027-03-28T11:00")}, {"enrolment_closes_at"}),
        ({"enrolment_opens_at": sofia("2027-03-20T10:00"), "enrolment_closes_at": sofia("2027-03-19T10:00")},
         {"enrolment_closes_at"}),
    ],
)  # fmt: skip
def test_bad_sessions_name_the_field(changes: dict[str, object], fields: set[str]) -> None:
    with pytest.raises(InvalidInput) as error:
        scheduled(**changes)
    assert problems(error) == fields


def test_an_online_course_needs_a_link_and_no_room_and_a_withdrawn_one_takes_no_sessions() -> None:
    online = course(Format.ONLINE)
    with pytest.raises(InvalidInput) as error:
        scheduled(course=online)
    assert problems(error) == {"room", "online_link"}
    session = scheduled(course=online, room=None, online_link="https://meet.example.bg/abc")
    assert session.online
    hybrid = scheduled(course=course(Format.HYBRID), online_link="https://meet.example.bg/abc")
    assert not hybrid.online and hybrid.online_link
    withdrawn = course()
    withdrawn.revise(active=False)
    with pytest.raises(CourseWithdrawn):
        scheduled(course=withdrawn)


def test_rescheduling_records_the_previous_meetings_and_the_learners() -> None:
    session = scheduled()
    session.pull_events()
    previous = list(session.meetings)
    new = [previous[0], meeting("2027-04-11T10:00", "2027-04-11T13:00")]
    assert session.reschedule(new, NOW, LEARNERS)
    [event] = session.pull_events()
    assert event.name == "SessionRescheduled"
    assert event.payload["previous_meetings"][1] == {
        "starts_at": "2027-04-04T07:00:00Z",
        "ends_at": "2027-04-04T10:00:00Z",
    }
    assert event.payload["meetings"][1]["starts_at"] == "2027-04-11T07:00:00Z"
    assert event.payload["learners"] == LEARNERS
    assert not session.reschedule(new, NOW, LEARNERS)  # the same meetings again: nothing to tell
    assert session.pull_events() == []


def test_moving_the_first_meeting_moves_an_enrolment_window_that_closed_at_it() -> None:
    session = scheduled()
    session.reschedule([meeting("2027-05-02T10:00", "2027-05-02T13:00")], NOW)
    assert session.enrolment_closes_at == sofia("2027-05-02T10:00")
    early = scheduled(enrolment_closes_at=sofia("2027-03-20T18:00"))
    early.reschedule([meeting("2027-03-25T10:00", "2027-03-25T13:00")], NOW)
    assert early.enrolment_closes_at == sofia("2027-03-20T18:00")
    early.reschedule([meeting("2027-03-15T10:00", "2027-03-15T13:00")], NOW)
    assert early.enrolment_closes_at == sofia("2027-03-15T10:00")


def test_a_started_session_keeps_the_meetings_it_has_held_when_rescheduled() -> None:
    session = scheduled()
    later = utc(2027, 3, 30, 9)
    held = session.meetings[0]
    with pytest.raises(InvalidInput) as error:
        session.reschedule([meeting("2027-03-27T10:00", "2027-03-27T12:00"), session.meetings[1]], later)
    assert problems(error) == {"meetings.0.starts_at"}
    assert session.reschedule([held, meeting("2027-04-05T10:00", "2027-04-05T13:00")], later)


def test_cancelling_needs_a_reason_and_ends_the_session_for_good() -> None:
    session = scheduled()
    session.pull_events()
    with pytest.raises(InvalidInput) as error:
        session.cancel("   ", NOW)
    assert problems(error) == {"reason"}
    session.cancel("Треньорът е болен.", NOW, LEARNERS)
    assert session.status is SessionStatus.CANCELLED
    [event] = session.pull_events()
    assert (event.name, event.payload["reason"], event.payload["status"]) == (
        "SessionCancelled",
        "Треньорът е болен.",
        "cancelled",
    )
    with pytest.raises(SessionTransitionNotAllowed):
        session.cancel("пак", NOW)
    with pytest.raises(SessionTransitionNotAllowed):
        session.reschedule([meeting("2027-05-02T10:00", "2027-05-02T13:00")], NOW)


def test_an_ended_session_can_be_neither_rescheduled_nor_cancelled() -> None:
    session = scheduled()
    after = utc(2027, 4, 5)
    with pytest.raises(SessionTransitionNotAllowed) as error:
        session.cancel("късно", after)
    assert error.value.status == 409 and "приключила" in error.value.message.bg


def test_every_session_event_carries_exactly_the_fields_of_its_golden_example() -> None:
    session = scheduled()
    session.reschedule([meeting("2027-04-11T10:00", "2027-04-11T13:00")], NOW, LEARNERS)
    session.cancel("Треньорът е болен.", NOW, LEARNERS)
    produced = session.pull_events()
    assert [e.name for e in produced] == ["SessionScheduled", "SessionRescheduled", "SessionCancelled"]
    for event in produced:
        event_type = TRAINING_EVENTS.get(f"training.{event.name}", 1)
        TRAINING_EVENTS.validate_payload(event_type.name, 1, event.payload)
        assert set(event.payload) == set(TRAINING_EVENTS.example(event_type).payload)
