"""Seats under concurrency, without transactions, against real FerretDB: many people enrolling at the same
moment get exactly the seats there are and wait in one order; cancellations promote the first waiting; the
same person enrolling many times at once gets one enrolment; and ``reconcile`` repairs what a crash between
the steps of an enrolment or a cancellation leaves behind."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from pymongo.database import Database

from services.training.adapters.enrolments import ENROLMENTS, LEDGER_BOUND, SEATS, MongoEnrolments, SeatLedger
from services.training.domain.enrolment import AlreadyEnrolled, CancelledBy, Enrolment, EnrolmentState
from services.training.entrypoints.wiring import build
from services.training.service_layer.enrolments import EnrolmentService, Placed
from shared.auth import Principal, Role
from shared.events import Envelope
from shared.seat_ledger import WaitingListFull
from tests.integration.test_training_enrolments_api import add_session
from tests.integration.training_api import seed_enterprise

pytestmark = pytest.mark.integration

LEARNERS = 200
SEATS_IN_SESSION = 20
CANCELLATIONS = 5


def person(n: int, enterprise_id: str | None) -> Principal:
    return Principal(
        f"learner-{n}",
        frozenset({Role.LEARNER}),
        name=f"Обучаем {n}",
        email=f"learner{n:03d}@example.bg",
        enterprise_id=enterprise_id,
        email_verified=True,
    )


def all_at_once(count: int, work: Callable[[int], Any]) -> tuple[list[Any], float]:
    """Run ``work(i)`` for i in range(count) in ``count`` threads released together; results (or the exception
    each raised) and the seconds from the release until the last one finished."""
    results: list[Any] = [None] * count
    released: list[float] = []
    barrier = threading.Barrier(count, action=lambda: released.append(time.perf_counter()))

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    assert not any(thread.is_alive() for thread in threads)
    return results, time.perf_counter() - released[0]


def events(db: Database, enrolment_id: str) -> list[Envelope]:
    document = db[ENROLMENTS].find_one({"_id": enrolment_id})
    return [Envelope.from_dict(entry["envelope"]) for entry in document.get("outbox", [])]


def names(db: Database, enrolment_id: str) -> list[str]:
    return [e.event_type.removeprefix("training.") for e in events(db, enrolment_id)]


def ledger(db: Database, session_id: str) -> tuple[list[str], list[str]]:
    document = db[SEATS].find_one({"_id": session_id})
    return document["holders"], document["waiting"]


@pytest.fixture
def service(db: Database) -> EnrolmentService:
    return build(db).enrolments


def test_200_learners_at_once_get_exactly_20_seats_and_wait_in_one_order(
    db: Database, service: EnrolmentService, capsys: pytest.CaptureFixture[str]
) -> None:
    enterprise = seed_enterprise(db)
    session_id = add_session(db, capacity=SEATS_IN_SESSION)
    people = [person(n, enterprise) for n in range(LEARNERS)]

    results, seconds = all_at_once(LEARNERS, lambda i: service.enrol_self(people[i], session_id))
    with capsys.disabled():
        print(f"\n{LEARNERS} simultaneous enrolments into {SEATS_IN_SESSION} seats: {seconds:.2f} s")

    assert [r for r in results if not isinstance(r, Placed)] == []
    states = Counter(r.enrolment.state for r in results)
    assert states == {
        EnrolmentState.CONFIRMED: SEATS_IN_SESSION,
        EnrolmentState.WAITLISTED: LEARNERS - SEATS_IN_SESSION,
    }

    holders, waiting = ledger(db, session_id)
    assert len(holders) == SEATS_IN_SESSION and len(set(holders)) == SEATS_IN_SESSION
    assert len(waiting) == LEARNERS - SEATS_IN_SESSION and len(set(waiting)) == len(waiting)
    assert set(holders).isdisjoint(waiting)
    assert set(holders) == {r.enrolment.id for r in results if r.enrolment.state is EnrolmentState.CONFIRMED}
    positions = {r.enrolment.id: r.waitlist_position for r in results if r.enrolment.state is EnrolmentState.WAITLISTED}
    assert [positions[i] for i in waiting] == list(range(1, len(waiting) + 1))  # what each was told is the order

    stored = Counter(d["state"] for d in db[ENROLMENTS].find({"session_id": session_id}, {"state": 1}))
    assert stored == {"confirmed": SEATS_IN_SESSION, "waitlisted": LEARNERS - SEATS_IN_SESSION}
    told = {i: events(db, i)[0].payload.get("waitlist_position") for i in waiting}
    assert [told[i] for i in waiting] == list(range(1, len(waiting) + 1))

    # Five seat holders cancel at once: the first five waiting are promoted, in order, and told.
    leaving = holders[:CANCELLATIONS]
    by_id = {r.enrolment.id: people[n] for n, r in enumerate(results)}
    cancelled, _ = all_at_once(CANCELLATIONS, lambda i: service.cancel(by_id[leaving[i]], leaving[i]))
    assert all(isinstance(c, Enrolment) and c.state is EnrolmentState.CANCELLED for c in cancelled)

    after_holders, after_waiting = ledger(db, session_id)
    assert after_holders == holders[CANCELLATIONS:] + waiting[:CANCELLATIONS]
    assert after_waiting == waiting[CANCELLATIONS:]
    for promoted_id in waiting[:CANCELLATIONS]:
        assert names(db, promoted_id) == ["Waitlisted", "PromotedFromWaitlist"]
        assert service.enrolments.get(promoted_id).state is EnrolmentState.CONFIRMED
    next_in_line = service.view(by_id[waiting[CANCELLATIONS]], waiting[CANCELLATIONS])
    assert (next_in_line.enrolment.state, next_in_line.waitlist_position) == (EnrolmentState.WAITLISTED, 1)
    assert all(names(db, i)[-1] == "EnrolmentCancelled" for i in leaving)


def test_the_same_learner_enrolling_ten_times_at_once_gets_one_enrolment(
    db: Database, service: EnrolmentService
) -> None:
    session_id = add_session(db, capacity=3, open_to_all=True)
    ana = person(1, None)

    results, _ = all_at_once(10, lambda _: service.enrol_self(ana, session_id))

    placed = [r for r in results if isinstance(r, Placed)]
    assert len(placed) == 1 and placed[0].enrolment.state is EnrolmentState.CONFIRMED
    assert all(isinstance(r, AlreadyEnrolled) for r in results if r is not placed[0])
    assert db[ENROLMENTS].count_documents({"session_id": session_id}) == 1
    assert ledger(db, session_id) == ([placed[0].enrolment.id], [])
    assert names(db, placed[0].enrolment.id) == ["EnrolmentConfirmed"]


def test_reconcile_repairs_what_crashes_between_the_steps_leave(db: Database, service: EnrolmentService) -> None:
    session_id = add_session(db, capacity=2, open_to_all=True)
    session = service.sessions.get(session_id)
    enrolments, seats = MongoEnrolments(db), SeatLedger(db)

    def crashed(n: int, *, claimed: bool) -> str:
        """Inserted as pending; the process died before (or right after) the ledger claim."""
        enrolment = Enrolment.request(
            session_id=session_id,
            course_title=session.course_title,
            centre=session.centre,
            trainer_id=session.trainer_id,
            starts_at=session.starts_at,
            email=f"learner{n:03d}@example.bg",
            name=f"Обучаем {n}",
            enterprise_id=None,
            enrolled_by=f"learner-{n}",
            by_representative=False,
            now=service.clock.now(),
        )
        assert enrolments.add(enrolment, [])
        if claimed:
            seats.claim(session_id, enrolment.id, session.capacity)
        return enrolment.id

    ana = service.enrol_self(person(1, None), session_id).enrolment.id  # seat 1
    boris = crashed(2, claimed=True)  # seat 2 in the ledger, still pending
    vera = service.enrol_self(person(3, None), session_id).enrolment.id  # waiting 1
    georgi = crashed(4, claimed=False)  # pending, not in the ledger at all
    # Ana cancels; the process dies after saving the cancellation, before releasing her seat.
    cancelling = enrolments.get(ana)
    cancelling.cancel(by=CancelledBy.LEARNER, reason="", now=service.clock.now())
    enrolments.save(cancelling, service._outbox(cancelling, service.clock.now()))
    assert ledger(db, session_id) == ([ana, boris], [vera])

    assert service.reconcile(session_id) == {"released": 1, "claimed": 1, "promoted": 1, "followed": 3}

    assert ledger(db, session_id) == ([boris, vera], [georgi])
    states = {i: enrolments.get(i).state for i in (ana, boris, vera, georgi)}
    assert states == {
        ana: EnrolmentState.CANCELLED,
        boris: EnrolmentState.CONFIRMED,
        vera: EnrolmentState.CONFIRMED,
        georgi: EnrolmentState.WAITLISTED,
    }
    assert names(db, boris) == ["EnrolmentConfirmed"]
    assert names(db, vera) == ["Waitlisted", "PromotedFromWaitlist"]
    assert names(db, georgi) == ["Waitlisted"] and events(db, georgi)[0].payload["waitlist_position"] == 1
    outboxes = {i: names(db, i) for i in (ana, boris, vera, georgi)}

    assert service.reconcile(session_id) == {"released": 0, "claimed": 0, "promoted": 0, "followed": 0}
    assert {i: names(db, i) for i in outboxes} == outboxes  # nothing told twice
    assert ledger(db, session_id) == ([boris, vera], [georgi])


def test_reconcile_finishes_a_promotion_whose_enrolment_was_not_saved(db: Database, service: EnrolmentService) -> None:
    session_id = add_session(db, capacity=1, open_to_all=True)
    ana = service.enrol_self(person(1, None), session_id).enrolment.id
    boris = service.enrol_self(person(2, None), session_id).enrolment.id
    # Ana's cancellation was saved, her seat released and Boris moved up in the ledger; then the process died.
    enrolments, seats = MongoEnrolments(db), SeatLedger(db)
    cancelling = enrolments.get(ana)
    cancelling.cancel(by=CancelledBy.LEARNER, reason="", now=service.clock.now())
    enrolments.save(cancelling, service._outbox(cancelling, service.clock.now()))
    seats.release(session_id, [ana])
    assert seats.promote_first(session_id, boris, 1)
    assert enrolments.get(boris).state is EnrolmentState.WAITLISTED

    assert service.reconcile(session_id) == {"released": 0, "claimed": 0, "promoted": 0, "followed": 1}

    assert enrolments.get(boris).state is EnrolmentState.CONFIRMED
    assert names(db, boris) == ["Waitlisted", "PromotedFromWaitlist"]
    assert ledger(db, session_id) == ([boris], [])
    assert enrolments.get(ana).state is EnrolmentState.CANCELLED


def test_a_sessions_seat_ledger_stays_bounded_when_requests_overrun_the_waitlist_check(db: Database) -> None:
    """The waitlist's bound is checked before anything is written; requests passing that check together
    reach the shared seat ledger, which takes none beyond its own bound and leaves the document as it was."""
    seats = SeatLedger(db)
    waiting = [f"w{n:04d}" for n in range(LEDGER_BOUND)]
    db[SEATS].insert_one({"_id": "full-session", "capacity": 1, "holders": ["h"], "waiting": waiting})

    with pytest.raises(WaitingListFull):
        seats.claim("full-session", "one-too-many", 1)

    assert ledger(db, "full-session") == (["h"], waiting)
    assert seats.claim("full-session", "w0007", 1).waiting.index("w0007") == 7  # one already there keeps its place
