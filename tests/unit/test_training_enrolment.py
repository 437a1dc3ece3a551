"""Enrolments: states, the seat ledger's rules, attendance against the threshold, certificate numbers, events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.training.config import completion_threshold_percent
from services.training.domain.certificate import (
    Certificate,
    certificate_number,
    is_certificate_number,
    issue_year,
    series,
)
from services.training.domain.enrolment import (
    AlreadyEnrolled,
    CancelledBy,
    Enrolment,
    EnrolmentNotAllowed,
    EnrolmentState,
    Seat,
    Seats,
    attendance_percent,
    meets_threshold,
)
from services.training.events.catalog import TRAINING_EVENTS
from services.training.events.enrolments import ENROLMENT_EVENT_TYPES
from shared.errors import InvalidInput

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
STARTS = datetime(2026, 12, 7, 7, 30, tzinfo=UTC)
ENDS = datetime(2026, 12, 18, 11, 0, tzinfo=UTC)


def enrolment(email: str = "  Radostina.Dimitrova@DobroUtro.example.bg ", **changes: object) -> Enrolment:
    fields: dict[str, object] = {
        "session_id": "s-1",
        "course_title": "Онлайн продажби и социални мрежи",
        "centre": "plovdiv",
        "trainer_id": "trainer-1",
        "starts_at": STARTS,
        "email": email,
        "name": "Радостина Димитрова",
        "enterprise_id": "e-1",
        "enrolled_by": "learner-1",
        "by_representative": False,
        "now": NOW,
    }
    fields.update(changes)
    return Enrolment.request(**fields)  # type: ignore[arg-type]


def confirmed(**changes: object) -> Enrolment:
    e = enrolment(**changes)
    e.follow_seat(Seat.HOLDER, None, NOW)
    e.pull_events()
    return e


# ---------------------------------------------------------------------- starting and following the ledger
def test_a_new_enrolment_is_pending_under_the_lower_cased_email_and_records_nothing_yet() -> None:
    e = enrolment()
    assert e.learner == "radostina.dimitrova@dobroutro.example.bg"
    assert e.id == "s-1:radostina.dimitrova@dobroutro.example.bg"
    assert e.state is EnrolmentState.PENDING
    assert e.pull_events() == []


@pytest.mark.parametrize(("email", "name", "bad"), [("no-at-sign", "Иван", "email"), ("a@b.bg", "  ", "name")])
def test_a_bad_email_or_a_missing_name_is_named(email: str, name: str, bad: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        enrolment(email=email, name=name)
    assert set(refused.value.fields) == {bad}


def test_a_seat_confirms_and_a_place_in_the_queue_waitlists_with_the_position() -> None:
    seated = enrolment()
    assert seated.follow_seat(Seat.HOLDER, None, NOW) is True
    assert seated.state is EnrolmentState.CONFIRMED and seated.confirmed_at == NOW
    assert [e.name for e in seated.pull_events()] == ["EnrolmentConfirmed"]

    waiting = enrolment(email="georgi@example.bg")
    assert waiting.follow_seat(Seat.WAITING, 3, NOW) is True
    assert waiting.state is EnrolmentState.WAITLISTED
    (event,) = waiting.pull_events()
    assert (event.name, event.payload["waitlist_position"], event.payload["state"]) == ("Waitlisted", 3, "waitlisted")


def test_a_waiting_learner_who_gets_a_seat_is_promoted_and_following_again_changes_nothing() -> None:
    e = enrolment()
    e.follow_seat(Seat.WAITING, 1, NOW)
    e.pull_events()
    assert e.follow_seat(Seat.HOLDER, None, NOW + timedelta(days=1)) is True
    assert [ev.name for ev in e.pull_events()] == ["PromotedFromWaitlist"]
    assert e.follow_seat(Seat.HOLDER, None, NOW) is False
    assert e.follow_seat(Seat.WAITING, 1, NOW) is False  # the ledger never moves a seat holder back
    assert e.state is EnrolmentState.CONFIRMED and e.pull_events() == []


def test_cancelled_and_completed_enrolments_do_not_follow_the_ledger() -> None:
    e = confirmed()
    e.cancel(by=CancelledBy.LEARNER, reason="", now=NOW)
    e.pull_events()
    assert e.follow_seat(Seat.HOLDER, None, NOW) is False
    assert e.state is EnrolmentState.CANCELLED


# ---------------------------------------------------------------------- cancelling and enrolling again
def test_cancelling_records_who_and_why_and_cannot_happen_twice() -> None:
    e = confirmed()
    e.cancel(by=CancelledBy.REPRESENTATIVE, reason="  Смяна на работното време. ", now=NOW)
    assert (e.state, e.cancelled_by, e.reason) == (
        EnrolmentState.CANCELLED,
        CancelledBy.REPRESENTATIVE,
        "Смяна на работното време.",
    )
    (event,) = e.pull_events()
    assert event.payload["cancelled_by"] == "representative" and event.payload["reason"] == "Смяна на работното време."
    with pytest.raises(EnrolmentNotAllowed) as refused:
        e.cancel(by=CancelledBy.LEARNER, reason="", now=NOW)
    assert refused.value.status == 409 and "cancelled" in refused.value.message.en


def test_a_cancelled_enrolment_may_be_reopened_but_an_active_one_is_already_enrolled() -> None:
    e = confirmed()
    with pytest.raises(AlreadyEnrolled):
        e.reopen(name="Р. Д.", enterprise_id="e-1", enrolled_by="x", by_representative=False, now=NOW)
    e.cancel(by=CancelledBy.LEARNER, reason="", now=NOW)
    e.reopen(name="Радостина Д.", enterprise_id=None, enrolled_by="rep-9", by_representative=True, now=NOW)
    assert (e.state, e.learner_name, e.enterprise_id, e.cancelled_by) == (
        EnrolmentState.PENDING,
        "Радостина Д.",
        None,
        None,
    )


# ---------------------------------------------------------------------- attendance and completion
@pytest.mark.parametrize(
    ("present", "meetings", "passes"),
    [(4, 5, True), (8, 10, True), (5, 5, True), (3, 4, False), (7, 9, False), (79, 100, False), (80, 100, True)],
)
def test_the_threshold_is_at_or_above_80_percent_by_default(present: int, meetings: int, passes: bool) -> None:
    assert completion_threshold_percent() == 80
    assert meets_threshold(present, meetings, 80) is passes


def test_the_threshold_comes_from_the_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAINING_COMPLETION_THRESHOLD_PERCENT", "75")
    assert completion_threshold_percent() == 75
    monkeypatch.setenv("TRAINING_COMPLETION_THRESHOLD_PERCENT", "0")
    with pytest.raises(ValueError, match="from 1 to 100"):
        completion_threshold_percent()


def test_attendance_percent_is_rounded_down_so_it_never_shows_a_pass_that_is_not_one() -> None:
    assert attendance_percent(7, 9) == 77
    assert attendance_percent(4, 5) == 80
    assert attendance_percent(0, 0) == 0
    assert meets_threshold(0, 0, 80) is False


def test_attendance_is_per_meeting_can_be_corrected_and_is_idempotent() -> None:
    e = confirmed()
    assert e.record_attendance(2, True) is True
    assert e.record_attendance(2, True) is False  # the same again: no second event
    assert e.record_attendance(1, False) is True
    assert e.record_attendance(1, True) is True  # corrected
    assert (e.present, e.absent) == ([1, 2], [])
    events = e.pull_events()
    assert [(ev.payload["meeting"], ev.payload["present"]) for ev in events] == [(2, True), (1, False), (1, True)]


def test_only_a_seat_holder_has_attendance_recorded() -> None:
    e = enrolment()
    e.follow_seat(Seat.WAITING, 1, NOW)
    with pytest.raises(EnrolmentNotAllowed):
        e.record_attendance(1, True)


def test_completion_needs_the_end_of_the_session_and_enough_attendance() -> None:
    e = confirmed()
    for meeting in (1, 2, 3, 4):
        e.record_attendance(meeting, True)
    e.record_attendance(5, False)
    e.pull_events()
    args = {"certificate_number": "ДУ-2026-000147", "meetings": 5, "session_ends_at": ENDS}
    with pytest.raises(EnrolmentNotAllowed, match="has not ended"):
        e.complete(**args, threshold_percent=80, now=ENDS - timedelta(minutes=1))
    with pytest.raises(EnrolmentNotAllowed, match="attendance is 80%, 85% is required"):
        e.complete(**args, threshold_percent=85, now=ENDS)
    e.complete(**args, threshold_percent=80, now=ENDS)
    assert (e.state, e.certificate_number, e.completed_at) == (EnrolmentState.COMPLETED, "ДУ-2026-000147", ENDS)
    (event,) = e.pull_events()
    assert (event.name, event.payload["certificate_number"]) == ("CertificateIssued", "ДУ-2026-000147")
    with pytest.raises(EnrolmentNotAllowed):
        e.cancel(by=CancelledBy.LEARNER, reason="", now=ENDS)


def test_marks_for_meetings_no_longer_held_do_not_count() -> None:
    e = confirmed()
    for meeting in (1, 2, 5):
        e.record_attendance(meeting, True)
    assert e.attended(4) == 2 and not e.passes(4, 80)


# ---------------------------------------------------------------------- the seat ledger's rules
def test_seats_go_first_come_first_served_then_the_waitlist_is_fifo() -> None:
    seats = Seats("s-1", 2)
    for who in ("a", "b", "c", "d", "b", "c"):
        seats = seats.claim(who)
    assert (seats.holders, seats.waiting) == (("a", "b"), ("c", "d"))
    assert seats.seat_of("a") == (Seat.HOLDER, None)
    assert seats.seat_of("d") == (Seat.WAITING, 2)
    assert seats.seat_of("z") == (Seat.NONE, None)


def test_a_release_frees_a_seat_for_the_head_of_the_queue_only() -> None:
    seats = Seats("s-1", 2, ("a", "b"), ("c", "d")).release("a")
    assert seats.free_seats == 1
    assert seats.promote_first("d") is None  # not the head: someone else moved first
    promoted = seats.promote_first("c")
    assert promoted is not None and (promoted.holders, promoted.waiting) == (("b", "c"), ("d",))
    assert promoted.promote_first("d") is None  # no free seat


def test_a_newcomer_never_takes_a_seat_someone_is_waiting_for() -> None:
    seats = Seats("s-1", 2, ("a", "b"), ("c",)).release("a").claim("e")
    assert (seats.holders, seats.waiting) == (("b",), ("c", "e"))


# ---------------------------------------------------------------------- certificates
def test_certificate_numbers_read_du_year_and_six_digits() -> None:
    assert certificate_number(2026, 147) == "ДУ-2026-000147"
    assert is_certificate_number("ДУ-2026-000147")
    assert not is_certificate_number("ДУ-2026-147")
    assert not is_certificate_number("DU-2026-000147")
    assert series(2026) == "certificates-2026"
    with pytest.raises(ValueError, match="out of range"):
        certificate_number(2026, 1_000_000)


def test_the_year_is_the_sofia_year() -> None:
    assert issue_year(datetime(2026, 12, 31, 22, 30, tzinfo=UTC)) == 2027  # 00:30 on 1 January in Sofia


def test_a_certificate_keeps_the_sofia_dates_of_the_session() -> None:
    cert = Certificate.issue(
        number="ДУ-2026-000001",
        enrolment_id="s-1:a@b.bg",
        session_id="s-1",
        learner_name="Радостина Димитрова",
        course_title="Онлайн продажби",
        centre="plovdiv",
        centre_name="Регионален център Пловдив",
        starts_at=datetime(2026, 12, 6, 22, 30, tzinfo=UTC),
        ends_at=ENDS,
        trainer_name="Иван Петров",
        issued_at=ENDS,
    )
    assert (cert.number, cert.starts_on.isoformat(), cert.ends_on.isoformat()) == (
        "ДУ-2026-000001",
        "2026-12-07",
        "2026-12-18",
    )


# ---------------------------------------------------------------------- events against the golden examples
def test_every_enrolment_event_carries_exactly_the_fields_of_its_example() -> None:
    seated = enrolment()
    seated.follow_seat(Seat.HOLDER, None, NOW)
    seated.record_attendance(1, True)
    seated.complete(
        certificate_number="ДУ-2026-000147", meetings=1, threshold_percent=80, session_ends_at=ENDS, now=ENDS
    )
    waiting = enrolment(email="georgi@example.bg", enterprise_id=None)
    waiting.follow_seat(Seat.WAITING, 2, NOW)
    waiting.follow_seat(Seat.HOLDER, None, NOW)
    waiting.cancel(by=CancelledBy.ADMIN, reason="Дублиран запис.", now=NOW)
    invited = enrolment(email="petya@example.bg", by_representative=True)
    invited.invite(enterprise_name="Социална пекарна „Добро утро“")
    produced = seated.pull_events() + waiting.pull_events() + invited.pull_events()
    names = {f"training.{e.name}" for e in produced}
    assert names == {t.name for t in ENROLMENT_EVENT_TYPES}
    for event in produced:
        event_type = TRAINING_EVENTS.get(f"training.{event.name}", 1)
        TRAINING_EVENTS.validate_payload(event_type.name, 1, event.payload)
        example = TRAINING_EVENTS.example(event_type)
        assert set(event.payload) == set(example.payload), event.name
        TRAINING_EVENTS.validate(example)
        assert (example.aggregate_type, example.aggregate_id) == ("enrolment", example.payload["enrolment_id"])
        assert event_type.topic == "training.enrolment.v1"


# ---------------------------------------------------------------------- invitations
def invitation(**changes: object) -> Enrolment:
    e = enrolment(by_representative=True, enrolled_by="rep-1", **changes)
    e.invite(enterprise_name="Социална пекарна „Добро утро“")
    return e


def test_an_invitation_holds_no_seat_and_records_only_worker_invited_with_exactly_its_fields() -> None:
    e = invitation()
    assert e.state is EnrolmentState.INVITED and not e.wants_a_place
    (event,) = e.pull_events()
    assert event.name == "WorkerInvited"
    assert set(event.payload) == {
        "enrolment_id", "session_id", "course_title", "centre", "learner", "learner_name",
        "enterprise_id", "enterprise_name", "starts_at",
    }  # fmt: skip
    assert event.payload["enterprise_name"] == "Социална пекарна „Добро утро“"
    assert e.follow_seat(Seat.HOLDER, None, NOW) is False  # the ledger never seats an invitation
    assert e.pull_events() == []


def test_accepting_makes_a_request_at_the_end_of_the_queue_and_declining_or_withdrawing_is_silent() -> None:
    accepted = invitation()
    accepted.pull_events()
    later = NOW + timedelta(hours=1)
    accepted.accept(later)
    assert (accepted.state, accepted.enrolled_at, accepted.pull_events()) == (EnrolmentState.PENDING, later, [])
    assert accepted.follow_seat(Seat.HOLDER, None, later) is True
    assert [e.name for e in accepted.pull_events()] == ["EnrolmentConfirmed"]

    declined = invitation()
    declined.pull_events()
    declined.decline(NOW)
    assert declined.state is EnrolmentState.DECLINED and declined.pull_events() == []
    with pytest.raises(EnrolmentNotAllowed):
        declined.accept(NOW)

    withdrawn = invitation()
    withdrawn.pull_events()
    withdrawn.cancel(by=CancelledBy.REPRESENTATIVE, reason="", now=NOW)
    assert withdrawn.state is EnrolmentState.CANCELLED and withdrawn.pull_events() == []


def test_an_invitation_expires_when_the_session_starts() -> None:
    e = invitation()
    assert not e.invitation_expired(STARTS - timedelta(seconds=1)) and e.invitation_expired(STARTS)
    with pytest.raises(EnrolmentNotAllowed) as refused:
        e.accept(STARTS)
    assert "expired" in refused.value.message.en


def test_a_certificate_check_code_is_random_unambiguous_and_compared_as_typed() -> None:
    codes = {Certificate.issue(
        number="ДУ-2026-000001", enrolment_id="s:a@b.bg", session_id="s", learner_name="А", course_title="К",
        centre="plovdiv", centre_name="Пловдив", starts_at=STARTS, ends_at=ENDS, trainer_name="", issued_at=ENDS,
    ).check_code for _ in range(50)}  # fmt: skip
    assert len(codes) == 50
    assert all(len(c) == 12 and not set(c) & set("IO01") for c in codes)
    cert = Certificate.issue(
        number="ДУ-2026-000001", enrolment_id="s:a@b.bg", session_id="s", learner_name="А", course_title="К",
        centre="plovdiv", centre_name="Пловдив", starts_at=STARTS, ends_at=ENDS, trainer_name="", issued_at=ENDS,
        check_code="K7QM2XHD94RT",
    )  # fmt: skip
    assert cert.checks("k7qm-2xhd-94rt") and cert.checks(" K7QM 2XHD 94RT ")
    assert not cert.checks("") and not cert.checks("K7QM2XHD94RU") and not cert.checks("ДУ")
