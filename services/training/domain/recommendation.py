"""Courses recommended from an assessment: those that improve the enterprise's weakest dimensions.

The weakest dimensions are the two lowest scores (ties in the order of ``Dimension``) plus any other
dimension scoring below 26 (the Basic band), weakest first. A course is recommended when it is active
and improves at least one of them. Courses are ranked:

1. by the weakest dimension they improve (a course for the weakest dimension comes first);
2. then by how many of the weak dimensions they improve (more first);
3. then those with an upcoming session the enterprise can enrol in before those without;
4. then by their soonest such session, then by title.

With each course come its upcoming sessions the enterprise can use: at the enterprise's regional centre
or online (from any centre), not started yet, and still accepting enrolments, the soonest first.
Pure: the caller reads the catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from services.training.domain.course import Course
from services.training.domain.dimensions import Dimension
from services.training.domain.session import Session

WEAKEST_COUNT = 2
"""How many of the lowest dimensions are always taken as weak."""
WEAK_BELOW = 26
"""Any dimension scoring below this (the Basic band) is weak too."""


@dataclass(frozen=True)
class WeakDimension:
    dimension: Dimension
    score: float


@dataclass(frozen=True)
class Recommendation:
    course: Course
    targets: tuple[Dimension, ...]
    """The weak dimensions the course improves, weakest first."""
    sessions: tuple[Session, ...]
    """Its upcoming sessions at the enterprise's centre or online still accepting enrolments, soonest first."""


@dataclass(frozen=True)
class Recommendations:
    weakest: tuple[WeakDimension, ...]
    courses: tuple[Recommendation, ...]


def weakest(scores: Mapping[str, float]) -> tuple[WeakDimension, ...]:
    """The dimensions to work on, weakest first: the lowest two, and any other below 26."""
    order = list(Dimension)
    ranked = sorted((d for d in Dimension if d.value in scores), key=lambda d: (scores[d.value], order.index(d)))
    chosen = ranked[:WEAKEST_COUNT] + [d for d in ranked[WEAKEST_COUNT:] if scores[d.value] < WEAK_BELOW]
    return tuple(WeakDimension(d, scores[d.value]) for d in chosen)


def usable_sessions(sessions: Iterable[Session], centre: str, now: datetime) -> list[Session]:
    """Sessions the enterprise can still enrol in: at its centre or online, not started, accepting enrolments."""
    usable = [
        s
        for s in sessions
        if (s.online or s.centre == centre) and s.meetings and s.starts_at > now and s.accepts_enrolments(now)
    ]
    return sorted(usable, key=lambda s: (s.starts_at, s.id))


def recommend(
    scores: Mapping[str, float], courses: Iterable[Course], sessions: Iterable[Session], centre: str, now: datetime
) -> Recommendations:
    """The courses for the weakest dimensions of ``scores``, ranked, each with the sessions the enterprise can use.

    ``sessions`` may hold any sessions of the catalogue: those of other courses, other centres, past or
    closed ones are left out here.
    """
    weak = weakest(scores)
    position = {w.dimension: i for i, w in enumerate(weak)}
    by_course: dict[str, list[Session]] = {}
    for session in usable_sessions(sessions, centre, now):
        by_course.setdefault(session.course_id, []).append(session)

    found: list[Recommendation] = []
    for course in courses:
        targets = tuple(sorted((d for d in set(course.dimensions) if d in position), key=position.__getitem__))
        if course.active and targets:
            found.append(Recommendation(course, targets, tuple(by_course.get(course.id, []))))

    def rank(recommendation: Recommendation) -> tuple[object, ...]:
        sessions = recommendation.sessions
        return (
            position[recommendation.targets[0]],
            -len(recommendation.targets),
            not sessions,
            sessions[0].starts_at if sessions else now,
            recommendation.course.title_bg,
            recommendation.course.id,
        )

    return Recommendations(weak, tuple(sorted(found, key=rank)))
