"""The training programme's figures: the period, each figure from plain records, the national view with its
targets and centres, and who may see which centre."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest

from services.training.domain.course import Course, Format, Level
from services.training.domain.dimensions import Dimension
from services.training.domain.enrolment import EnrolmentState
from services.training.domain.programme import (
    DIGITALISED_TARGET,
    SURVEY_TARGET,
    AssessmentRecord,
    EnrolmentRecord,
    Figures,
    Period,
    Records,
    SessionRecord,
    figures_of,
    percent,
    period_of,
    programme,
)
from services.training.service_layer.programme import ProgrammeService
from services.training.service_layer.sessions import is_staff
from shared.auth import Principal, Role
from shared.auth.principal import NATIONAL
from shared.clock import FixedClock
from shared.errors import Forbidden, InvalidInput, Unauthorized

PERIOD = Period(date(2026, 1, 1), date(2026, 3, 31))
IN = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)
BEFORE = datetime(2025, 12, 20, 9, 0, tzinfo=UTC)
AFTER = datetime(2026, 4, 10, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
"""When the reports below are made (after the period, unless a test says otherwise)."""
CENTRES = ["lovech", "gabrovo", "varna", "burgas", "blagoevgrad", "plovdiv"]


def scores(low: tuple[Dimension, ...] = (), level: float = 60.0) -> dict[str, float]:
    """Every dimension at ``level``, those in ``low`` at 10."""
    return {d.value: 10.0 if d in low else level for d in Dimension}


def assessment(
    enterprise: str,
    at: datetime = IN,
    sequence: int = 0,
    overall: float = 40.0,
    baseline: float | None = None,
    centre: str = "plovdiv",
    low: tuple[Dimension, ...] = (Dimension.GREEN,),
) -> AssessmentRecord:
    return AssessmentRecord(enterprise, centre, at, sequence, scores(low), overall, baseline)


def course(*dimensions: Dimension, active: bool = True, id: str = "c-1") -> Course:
    return Course(id, f"Курс {id}", "Описание", dimensions, Level.BEGINNER, 8, Format.ONLINE, active=active)


def session(
    id: str,
    starts: datetime = IN,
    ends: datetime | None = None,
    centre: str = "plovdiv",
    capacity: int = 10,
    meetings: int = 3,
    cancelled: bool = False,
) -> SessionRecord:
    return SessionRecord(id, centre, cancelled, starts, ends or starts + timedelta(days=4), capacity, meetings)


def enrolment(
    session_id: str,
    learner: str,
    state: EnrolmentState = EnrolmentState.CONFIRMED,
    present: tuple[int, ...] = (),
    completed_at: datetime | None = None,
    centre: str = "plovdiv",
) -> EnrolmentRecord:
    return EnrolmentRecord(session_id, centre, learner, state, present, completed_at)


# ---------------------------------------------------------------------- the period
def test_the_period_defaults_to_the_year_so_far_and_includes_both_sofia_dates() -> None:
    today = date(2026, 5, 17)
    assert period_of(None, None, today) == Period(date(2026, 1, 1), today)
    assert period_of(None, date(2025, 6, 30), today) == Period(date(2025, 1, 1), date(2025, 6, 30))
    assert period_of(date(2026, 2, 1), None, today) == Period(date(2026, 2, 1), today)
    one_day = Period(date(2026, 3, 1), date(2026, 3, 1))
    assert one_day.start == datetime(2026, 2, 28, 22, 0, tzinfo=UTC)  # midnight in Sofia (UTC+2)
    assert one_day.end == datetime(2026, 3, 1, 22, 0, tzinfo=UTC)
    assert one_day.contains(one_day.start) and not one_day.contains(one_day.end) and not one_day.contains(None)

    with pytest.raises(InvalidInput) as refused:
        period_of(date(2026, 3, 2), date(2026, 3, 1), today)
    assert set(refused.value.fields) == {"to"}


# ---------------------------------------------------------------------- enterprises
def test_enterprises_assessed_count_once_whatever_their_number_of_assessments_in_the_period() -> None:
    records = Records(
        assessments=[
            assessment("e-1"),
            assessment("e-1", IN + timedelta(days=3), sequence=1, baseline=40.0),
            assessment("e-2"),
            assessment("e-3", BEFORE),
            assessment("e-4", AFTER),
        ]
    )
    assert figures_of(records, PERIOD, NOW).enterprises_assessed == 2


def test_recommendations_follow_the_weakest_dimensions_of_the_latest_assessment_and_active_courses() -> None:
    green = course(Dimension.GREEN, id="green")
    withdrawn_ai = course(Dimension.AUTOMATION_AI, active=False, id="ai")
    records = Records(
        assessments=[
            assessment("e-1", low=(Dimension.GREEN,)),
            # T0 was weak in green, the later one (the latest in the period) only in automation: no active course
            assessment("e-2", low=(Dimension.GREEN,)),
            assessment("e-2", IN + timedelta(days=1), sequence=1, baseline=40.0, low=(Dimension.AUTOMATION_AI,)),
            assessment("e-3", low=(Dimension.AUTOMATION_AI,)),
            assessment("e-4", BEFORE, low=(Dimension.GREEN,)),  # outside the period: not counted at all
        ],
        courses=[green, withdrawn_ai],
    )
    figures = figures_of(records, PERIOD, NOW)
    assert (figures.enterprises_assessed, figures.enterprises_with_recommendations) == (3, 1)
    # with every score equal, the weakest two are the first two dimensions (the recommendation rule's order)
    even = Records(assessments=[AssessmentRecord("e-5", "plovdiv", IN, 0, scores(), 60.0)])
    assert figures_of(Records(even.assessments, courses=[course(Dimension.DIGITAL_READINESS)]), PERIOD, NOW) == Figures(
        enterprises_assessed=1, enterprises_with_recommendations=1
    )
    assert figures_of(Records(even.assessments, courses=[course(Dimension.GREEN)]), PERIOD, NOW) == Figures(
        enterprises_assessed=1
    )


def test_an_enterprise_is_digitalised_by_a_later_assessment_in_the_period_above_its_t0() -> None:
    records = Records(
        assessments=[
            assessment("up", BEFORE),  # T0 before the period still serves as the baseline
            assessment("up", IN, sequence=1, overall=52.5, baseline=40.0),
            assessment("same", IN, sequence=1, overall=40.0, baseline=40.0),
            assessment("down", IN, sequence=2, overall=30.1, baseline=40.0),
            assessment("late", AFTER, sequence=1, overall=90.0, baseline=40.0),
            assessment("t0-only", IN, overall=99.0),
            # one T1 up, T2 back down: up in the period once is enough
            assessment("twice", IN, sequence=1, overall=45.0, baseline=40.0),
            assessment("twice", IN + timedelta(days=5), sequence=2, overall=39.0, baseline=40.0),
        ]
    )
    figures = figures_of(records, PERIOD, NOW)
    assert figures.enterprises_digitalised == 2
    assert figures.enterprises_assessed == 5


# ---------------------------------------------------------------------- workers, sessions and seats
def test_workers_enrolled_trained_certified_and_the_seats_of_sessions_held() -> None:
    records = Records(
        sessions=[
            session("held", capacity=4),
            session("running", starts=IN, ends=AFTER, capacity=20),  # started in the period, ends after it
            session("started-before", starts=BEFORE, ends=IN, capacity=6),  # ended in the period
            session("cancelled", cancelled=True),
            session("later", starts=AFTER),
        ],
        enrolments=[
            enrolment("held", "ana@example.bg", EnrolmentState.COMPLETED, (1, 2, 3), IN + timedelta(days=5)),
            enrolment("held", "boris@example.bg", EnrolmentState.CONFIRMED, (1,)),
            enrolment("held", "vera@example.bg", EnrolmentState.CONFIRMED),
            enrolment("held", "gergana@example.bg", EnrolmentState.WAITLISTED),
            enrolment("held", "dimo@example.bg", EnrolmentState.CANCELLED, (1,)),  # attended once, then left
            enrolment("held", "pending@example.bg", EnrolmentState.PENDING),
            enrolment("running", "ana@example.bg", EnrolmentState.CONFIRMED, (1,)),
            enrolment("started-before", "emil@example.bg", EnrolmentState.CONFIRMED, (7,)),  # no such meeting
            enrolment("started-before", "zhana@example.bg", EnrolmentState.COMPLETED, (1, 2), IN),
            enrolment("cancelled", "ivo@example.bg", EnrolmentState.CONFIRMED, (1,)),
            enrolment("later", "kalin@example.bg", EnrolmentState.CONFIRMED),
            # a certificate issued in the period for a session not read (it ended long ago)
            enrolment("old", "lili@example.bg", EnrolmentState.COMPLETED, (1,), IN),
            enrolment("old2", "mila@example.bg", EnrolmentState.COMPLETED, (1,), BEFORE),
        ],
    )
    figures = figures_of(records, PERIOD, NOW)
    assert figures.workers_enrolled == 4  # ana, boris, vera, gergana (held + running)
    assert figures.workers_trained == 4  # ana, boris, dimo (held), zhana (started-before)
    assert figures.workers_certified == 3  # ana, zhana, lili
    assert figures.sessions_held == 2  # held, started-before
    assert (figures.seats_filled, figures.seats_capacity) == (5, 10)  # ana, boris, vera; emil, zhana
    assert figures.seats_share == Fraction(1, 2)
    assert Figures().seats_share is None

    # made on 12 February, while "held" still runs: it has not ended, so it is not held and nobody trained in it yet
    early = figures_of(records, PERIOD, IN + timedelta(days=2))
    assert (early.sessions_held, early.seats_capacity, early.workers_trained) == (1, 6, 1)
    assert early.workers_enrolled == 4


# ---------------------------------------------------------------------- the national view and a centre's
def records_at_two_centres() -> Records:
    return Records(
        assessments=[
            assessment("e-1", centre="plovdiv"),
            assessment("e-1", IN + timedelta(days=1), sequence=1, overall=50.0, baseline=40.0, centre="varna"),
            assessment("e-2", centre="varna"),
        ],
        sessions=[session("p", centre="plovdiv"), session("v", centre="varna", capacity=5)],
        enrolments=[
            enrolment("p", "ana@example.bg", present=(1,)),
            enrolment("v", "ana@example.bg", present=(2,), centre="varna"),
            enrolment("v", "boris@example.bg", centre="varna"),
        ],
        courses=[course(Dimension.GREEN)],
    )


def test_the_national_view_counts_each_once_with_targets_and_a_row_per_centre() -> None:
    report = programme(records_at_two_centres(), PERIOD, None, CENTRES, NOW)
    assert report.national and report.centre is None
    assert report.figures == Figures(
        enterprises_assessed=2,
        enterprises_with_recommendations=2,
        enterprises_digitalised=1,
        workers_enrolled=2,
        workers_trained=1,
        sessions_held=2,
        seats_filled=3,
        seats_capacity=15,
    )
    assert [c.centre for c in report.centres] == CENTRES
    rows = {c.centre: c.figures for c in report.centres}
    assert (rows["plovdiv"].enterprises_assessed, rows["varna"].enterprises_assessed) == (1, 2)
    assert (rows["plovdiv"].workers_trained, rows["varna"].workers_trained) == (1, 1)  # ana at both
    assert (rows["varna"].enterprises_digitalised, rows["varna"].seats_filled, rows["varna"].seats_capacity) == (
        1,
        2,
        5,
    )
    assert rows["burgas"] == Figures()

    surveyed, digitalised = report.targets
    assert (surveyed.code, surveyed.target, surveyed.achieved) == ("surveyed", SURVEY_TARGET, 2)
    assert (digitalised.code, digitalised.target, digitalised.achieved) == ("digitalised", DIGITALISED_TARGET, 1)
    assert surveyed.share == Fraction(1, 100) and not surveyed.reached


def test_a_centres_view_has_only_its_own_figures_and_no_targets() -> None:
    report = programme(records_at_two_centres(), PERIOD, "varna", CENTRES, NOW)
    assert (report.centre, report.targets, report.centres) == ("varna", (), ())
    assert report.figures.enterprises_assessed == 2 and report.figures.enterprises_digitalised == 1
    assert report.figures.workers_enrolled == 2 and report.figures.sessions_held == 1


def test_progress_past_the_target_is_uncapped_but_shown_at_most_full() -> None:
    many = Records(assessments=[assessment(f"e-{i}") for i in range(250)])
    surveyed = programme(many, PERIOD, None, CENTRES, NOW).targets[0]
    assert (surveyed.share, surveyed.shown_share, surveyed.reached) == (Fraction(5, 4), Fraction(1), True)
    assert (percent(surveyed.share), percent(surveyed.shown_share)) == (125.0, 100.0)
    assert (percent(Fraction(2, 3)), percent(Fraction(1, 8)), percent(Fraction(0))) == (66.7, 12.5, 0.0)


# ---------------------------------------------------------------------- who sees what
class FakeRecords:
    def __init__(self) -> None:
        self.asked: list[tuple[Period, str | None]] = []

    def read(self, period: Period, centre: str | None) -> Records:
        self.asked.append((period, centre))
        return records_at_two_centres()


def clerk(centre: str | None) -> Principal:
    return Principal("clerk-1", frozenset({Role.CLERK}), centre=centre)


def service() -> tuple[ProgrammeService, FakeRecords]:
    records = FakeRecords()
    return ProgrammeService(records, FixedClock(datetime(2026, 3, 31, 23, 30, tzinfo=UTC)), lambda: CENTRES), records


@pytest.mark.parametrize(
    ("principal", "asked", "scope"),
    [
        (clerk("varna"), None, "varna"),
        (clerk("varna"), "varna", "varna"),
        (clerk(NATIONAL), None, None),
        (clerk(NATIONAL), NATIONAL, None),
        (clerk(NATIONAL), "plovdiv", "plovdiv"),
        (Principal("admin-1", frozenset({Role.ADMIN})), None, None),
        (Principal("admin-1", frozenset({Role.ADMIN})), "burgas", "burgas"),
    ],
)
def test_clerks_see_their_centre_national_clerks_and_admins_any_or_all(
    principal: Principal, asked: str | None, scope: str | None
) -> None:
    programme_service, records = service()
    report = programme_service.figures(principal, asked, None, None)
    assert report.centre == scope
    # the Sofia date is already 1 April at 23:30 UTC on 31 March
    assert records.asked == [(Period(date(2026, 1, 1), date(2026, 4, 1)), scope)]


@pytest.mark.parametrize(
    ("principal", "asked", "error"),
    [
        (clerk("varna"), "plovdiv", Forbidden),
        (clerk("varna"), NATIONAL, Forbidden),
        (clerk(None), None, Forbidden),
        (Principal("trainer-1", frozenset({Role.TRAINER})), None, Forbidden),
        (Principal("rep-1", frozenset({Role.REPRESENTATIVE}), centre="varna"), "varna", Forbidden),
        (Principal(""), None, Unauthorized),
    ],
)
def test_anyone_else_is_refused(principal: Principal, asked: str | None, error: type[Exception]) -> None:
    programme_service, records = service()
    with pytest.raises(error):
        programme_service.figures(principal, asked, None, None)
    assert records.asked == []


def test_an_unknown_centre_or_a_period_ending_before_it_starts_is_invalid() -> None:
    programme_service, _ = service()
    admin = Principal("admin-1", frozenset({Role.ADMIN}))
    with pytest.raises(InvalidInput) as unknown:
        programme_service.figures(admin, "sofia", None, None)
    assert set(unknown.value.fields) == {"centre"}
    with pytest.raises(InvalidInput) as backwards:
        programme_service.figures(admin, None, date(2026, 3, 2), date(2026, 3, 1))
    assert set(backwards.value.fields) == {"to"}


def test_a_clerk_whose_token_names_no_centre_is_staff_nowhere_and_is_told_why() -> None:
    assert not is_staff(clerk(None))  # manages no catalogue, sees no trainer's sessions
    assert is_staff(clerk("varna")) and is_staff(clerk(NATIONAL))
    programme_service, records = service()
    for asked in (None, NATIONAL, "varna"):
        with pytest.raises(Forbidden) as refused:
            programme_service.figures(clerk(None), asked, None, None)
        assert "no regional centre" in refused.value.message.en
    assert records.asked == []
