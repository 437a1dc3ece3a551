"""The training programme's figures for the ministry and each regional centre, against the programme's targets.

A report is for a **period** (``from`` and ``to``, Sofia calendar dates, both included; by default from
1 January of the year of ``to`` up to today) and a **scope**: one of the six regional centres, or all of them
(the national view). Every figure counts distinct enterprises or distinct learners (a learner is known by
their e-mail address); within a centre's view only what happened at that centre counts.

Enterprises (from their digital maturity assessments; an assessment belongs to the centre that served the
enterprise when it was taken):

- **enterprises assessed** ("surveyed", target 200 nationally): enterprises with at least one assessment
  taken in the period;
- **enterprises with recommendations**: of those, the ones whose weakest dimensions (as of their latest
  assessment in the period) are improved by at least one active course of the catalogue as it stands
  today, by the rule the enterprise's own recommendations follow (``recommendation.recommend``);
- **enterprises digitalised** (target 100 nationally): enterprises with a later assessment (T1, T2…) taken
  in the period whose overall score is above their T0 score.

Workers and sessions (a session belongs to its centre, online ones too; a cancelled session counts nowhere):

- **workers enrolled**: learners with an enrolment confirmed, waitlisted or completed in a session whose
  first meeting is in the period;
- **workers trained**: learners present at one meeting or more of a session that ended (its last meeting)
  in the period, by now (a period may reach into the future: a session still running has not ended);
- **workers certified**: learners with a certificate issued in the period;
- **sessions held**: sessions whose last meeting ended in the period, by now;
- **seats filled**: the confirmed and completed enrolments of those sessions, against the sum of their
  capacities (and the share filled).

The national view also shows progress against the targets (the share of the target reached, uncapped:
120% means the target was passed; ``shown_share`` caps it at 100% for a progress bar) and the same figures
for each centre. A learner or an enterprise active at two centres counts in each of them but once
nationally, so the centres' rows need not add up to the national one.

Pure: the caller reads the records (which may hold more than the period: what is outside is left out here).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from fractions import Fraction

from services.training.domain.course import Course
from services.training.domain.enrolment import EnrolmentState
from services.training.domain.recommendation import recommend
from shared.clock import SOFIA, end_of_sofia_day
from shared.errors import InvalidInput, Text

SURVEY_TARGET = 200
"""Enterprises whose digital maturity the programme assesses, nationally."""
DIGITALISED_TARGET = 100
"""Enterprises whose digital maturity improves after the programme's support, nationally."""

ENROLLED_STATES = frozenset({EnrolmentState.CONFIRMED, EnrolmentState.WAITLISTED, EnrolmentState.COMPLETED})
SEATED_STATES = frozenset({EnrolmentState.CONFIRMED, EnrolmentState.COMPLETED})
INVALID = Text("Някои полета не са попълнени правилно.", "Some fields are not valid.")
TO_BEFORE_FROM = Text("Крайната дата е преди началната.", "The end date is before the start date.")


# ---------------------------------------------------------------------- the period
@dataclass(frozen=True)
class Period:
    """Sofia dates ``date_from`` to ``date_to``, both included."""

    date_from: date
    date_to: date

    @property
    def start(self) -> datetime:
        """The UTC instant the first day begins in Sofia."""
        return datetime.combine(self.date_from, time(), tzinfo=SOFIA).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The UTC instant the day after the last one begins in Sofia (not included)."""
        return end_of_sofia_day(self.date_to)

    def contains(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


def period_of(date_from: date | None, date_to: date | None, today: date) -> Period:
    """The period asked for: ``to`` defaults to today, ``from`` to 1 January of the year of ``to``.

    ``InvalidInput`` naming ``to`` when it is before ``from``.
    """
    date_to = date_to or today
    date_from = date_from or date(date_to.year, 1, 1)
    if date_from > date_to:
        raise InvalidInput(INVALID, {"to": TO_BEFORE_FROM})
    return Period(date_from, date_to)


# ---------------------------------------------------------------------- the records read
@dataclass(frozen=True)
class AssessmentRecord:
    enterprise_id: str
    centre: str
    """The centre serving the enterprise when the assessment was taken."""
    taken_at: datetime
    sequence: int
    """0 for T0."""
    scores: Mapping[str, float]
    overall: float
    baseline_overall: float | None = None
    """T0's overall score, for a later assessment (None for T0)."""

    @property
    def improved_since_t0(self) -> bool:
        return self.sequence >= 1 and self.baseline_overall is not None and self.overall > self.baseline_overall


@dataclass(frozen=True)
class SessionRecord:
    id: str
    centre: str
    cancelled: bool
    starts_at: datetime
    """Its first meeting's start."""
    ends_at: datetime
    """Its last meeting's end."""
    capacity: int
    meetings: int
    """How many meetings it has."""


@dataclass(frozen=True)
class EnrolmentRecord:
    session_id: str
    centre: str
    learner: str
    state: EnrolmentState
    present: tuple[int, ...] = ()
    """The meetings (1 for the first) the learner attended."""
    completed_at: datetime | None = None
    """When the certificate was issued."""


@dataclass(frozen=True)
class Records:
    """What the figures are made of: assessments, sessions and enrolments (at least those of the period) and the
    catalogue's courses."""

    assessments: Sequence[AssessmentRecord] = ()
    sessions: Sequence[SessionRecord] = ()
    enrolments: Sequence[EnrolmentRecord] = ()
    courses: Sequence[Course] = ()

    def at(self, centre: str) -> Records:
        """Only what happened at ``centre``."""
        return Records(
            [a for a in self.assessments if a.centre == centre],
            [s for s in self.sessions if s.centre == centre],
            [e for e in self.enrolments if e.centre == centre],
            self.courses,
        )


# ---------------------------------------------------------------------- the figures
@dataclass(frozen=True)
class Figures:
    enterprises_assessed: int = 0
    enterprises_with_recommendations: int = 0
    enterprises_digitalised: int = 0
    workers_enrolled: int = 0
    workers_trained: int = 0
    workers_certified: int = 0
    sessions_held: int = 0
    seats_filled: int = 0
    seats_capacity: int = 0

    @property
    def seats_share(self) -> Fraction | None:
        """The share of the seats filled; None when no session was held."""
        return Fraction(self.seats_filled, self.seats_capacity) if self.seats_capacity else None


@dataclass(frozen=True)
class Target:
    code: str
    """``surveyed`` or ``digitalised``."""
    target: int
    achieved: int

    @property
    def share(self) -> Fraction:
        """The share of the target reached, uncapped (above 1 when passed)."""
        return Fraction(self.achieved, self.target)

    @property
    def shown_share(self) -> Fraction:
        """The share for a progress bar: at most 1."""
        return min(self.share, Fraction(1))

    @property
    def reached(self) -> bool:
        return self.achieved >= self.target


@dataclass(frozen=True)
class CentreFigures:
    centre: str
    figures: Figures


@dataclass(frozen=True)
class Programme:
    period: Period
    centre: str | None
    """The centre reported on; None for the national view."""
    figures: Figures
    targets: tuple[Target, ...] = ()
    """Progress against the targets: only in the national view."""
    centres: tuple[CentreFigures, ...] = ()
    """The same figures for each centre: only in the national view."""

    @property
    def national(self) -> bool:
        return self.centre is None


def percent(share: Fraction) -> float:
    """A share in percent to one decimal, halves rounded up (2/3 → 66.7)."""
    return math.floor(share * 1000 + Fraction(1, 2)) / 10


def figures_of(records: Records, period: Period, now: datetime) -> Figures:
    """The figures of the records (all of them in the scope reported on) for the period, as they stand at ``now``."""
    assessed = _assessed(records.assessments, period)
    recommended = sum(1 for latest in assessed.values() if _has_recommendations(latest, records.courses, period))
    digitalised = {a.enterprise_id for a in records.assessments if period.contains(a.taken_at) and a.improved_since_t0}

    sessions = {s.id: s for s in records.sessions if not s.cancelled}
    started = {i for i, s in sessions.items() if period.contains(s.starts_at)}
    held = {i: s for i, s in sessions.items() if period.contains(s.ends_at) and s.ends_at <= now}
    enrolled = {e.learner for e in records.enrolments if e.session_id in started and e.state in ENROLLED_STATES}
    trained = {
        e.learner
        for e in records.enrolments
        if e.session_id in held and any(1 <= m <= held[e.session_id].meetings for m in e.present)
    }
    certified = {e.learner for e in records.enrolments if period.contains(e.completed_at)}
    seated = sum(1 for e in records.enrolments if e.session_id in held and e.state in SEATED_STATES)
    return Figures(
        enterprises_assessed=len(assessed),
        enterprises_with_recommendations=recommended,
        enterprises_digitalised=len(digitalised),
        workers_enrolled=len(enrolled),
        workers_trained=len(trained),
        workers_certified=len(certified),
        sessions_held=len(held),
        seats_filled=seated,
        seats_capacity=sum(s.capacity for s in held.values()),
    )


def targets_of(figures: Figures) -> tuple[Target, ...]:
    return (
        Target("surveyed", SURVEY_TARGET, figures.enterprises_assessed),
        Target("digitalised", DIGITALISED_TARGET, figures.enterprises_digitalised),
    )


def programme(records: Records, period: Period, centre: str | None, centres: Iterable[str], now: datetime) -> Programme:
    """The report for ``centre``, or the national one (None) with the targets and a row for each of ``centres``
    (and for any other centre the records name)."""
    if centre is not None:
        return Programme(period, centre, figures_of(records.at(centre), period, now))
    named = list(dict.fromkeys(centres))
    others = {a.centre for a in records.assessments} | {s.centre for s in records.sessions}
    others |= {e.centre for e in records.enrolments}
    named += sorted(others - set(named))
    national = figures_of(records, period, now)
    rows = tuple(CentreFigures(c, figures_of(records.at(c), period, now)) for c in named)
    return Programme(period, None, national, targets_of(national), rows)


def _assessed(assessments: Iterable[AssessmentRecord], period: Period) -> dict[str, AssessmentRecord]:
    """Enterprise id → its latest assessment taken in the period."""
    latest: dict[str, AssessmentRecord] = {}
    for assessment in assessments:
        if not period.contains(assessment.taken_at):
            continue
        known = latest.get(assessment.enterprise_id)
        if known is None or (assessment.sequence, assessment.taken_at) > (known.sequence, known.taken_at):
            latest[assessment.enterprise_id] = assessment
    return latest


def _has_recommendations(assessment: AssessmentRecord, courses: Sequence[Course], period: Period) -> bool:
    """Whether some active course improves the assessment's weakest dimensions (the recommendations' own rule)."""
    return bool(recommend(assessment.scores, courses, (), assessment.centre, period.end).courses)
