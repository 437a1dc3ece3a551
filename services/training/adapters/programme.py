"""The records the programme's figures are made of, read from the training service's collections.

A report: plain ``find`` queries for a period (and a centre), reading only the fields the figures need.

- ``assessments`` taken in the period: ``enterprise_id``, ``centre``, ``taken_at``, ``sequence``,
  ``scores``, ``overall`` and T0's ``baseline.overall``;
- ``sessions`` not cancelled whose first meeting starts or last meeting ends in the period (by the
  ``starts_at`` and ``ends_at`` query fields; the times reported come from the meetings themselves);
- ``enrolments`` of those sessions, and those whose certificate was issued (``completed_at``) in the
  period: ``session_id``, ``centre``, ``learner``, ``state``, ``present``, ``completed_at``;
- the active ``courses`` of the catalogue.
"""

from __future__ import annotations

from typing import Any

from pymongo.database import Database

from services.training.adapters.assessments import ASSESSMENTS
from services.training.adapters.catalogue import COURSES, SESSIONS
from services.training.adapters.enrolments import ENROLMENTS
from services.training.domain.course import Course
from services.training.domain.enrolment import EnrolmentState
from services.training.domain.programme import AssessmentRecord, EnrolmentRecord, Period, Records, SessionRecord
from services.training.domain.session import SessionStatus
from shared.documents import from_document

_ASSESSMENT_FIELDS = dict.fromkeys(("enterprise_id", "centre", "taken_at", "sequence", "scores", "overall"), 1)
_SESSION_FIELDS = dict.fromkeys(("centre", "status", "capacity", "meetings"), 1)
_ENROLMENT_FIELDS = dict.fromkeys(("session_id", "centre", "learner", "state", "present", "completed_at"), 1)
_STATE = {"outbox": 0, "outbox_seq": 0, "outbox_sent_seq": 0}


class MongoProgrammeRecords:
    def __init__(self, db: Database) -> None:
        self._assessments = db[ASSESSMENTS]
        self._sessions = db[SESSIONS]
        self._enrolments = db[ENROLMENTS]
        self._courses = db[COURSES]

    def read(self, period: Period, centre: str | None) -> Records:
        """The records of the period, at ``centre`` (None: at every centre)."""
        at = {} if centre is None else {"centre": centre}
        within = {"$gte": period.start, "$lt": period.end}
        assessments = [
            _assessment(d)
            for d in self._assessments.find({"taken_at": within, **at}, {**_ASSESSMENT_FIELDS, "baseline": 1})
        ]
        query: dict[str, Any] = {
            **at,
            "status": {"$ne": SessionStatus.CANCELLED.value},
            "$or": [{"starts_at": within}, {"ends_at": within}],
        }
        sessions = [s for s in (_session(d) for d in self._sessions.find(query, _SESSION_FIELDS)) if s is not None]
        wanted: list[dict[str, Any]] = [{"completed_at": within, **at}]
        if sessions:
            wanted.append({"session_id": {"$in": [s.id for s in sessions]}})
        enrolments = [_enrolment(d) for d in self._enrolments.find({"$or": wanted}, _ENROLMENT_FIELDS)]
        courses = [from_document(Course, d) for d in self._courses.find({"active": True}, _STATE)]
        return Records(assessments, sessions, enrolments, courses)


def _assessment(document: dict[str, Any]) -> AssessmentRecord:
    baseline = document.get("baseline") or {}
    return AssessmentRecord(
        enterprise_id=document["enterprise_id"],
        centre=document["centre"],
        taken_at=document["taken_at"],
        sequence=int(document["sequence"]),
        scores={code: float(score) for code, score in document.get("scores", {}).items()},
        overall=float(document["overall"]),
        baseline_overall=None if baseline.get("overall") is None else float(baseline["overall"]),
    )


def _session(document: dict[str, Any]) -> SessionRecord | None:
    meetings = document.get("meetings") or []
    if not meetings:
        return None
    return SessionRecord(
        id=document["_id"],
        centre=document["centre"],
        cancelled=document.get("status") == SessionStatus.CANCELLED.value,
        starts_at=min(m["starts_at"] for m in meetings),
        ends_at=max(m["ends_at"] for m in meetings),
        capacity=int(document.get("capacity", 0)),
        meetings=len(meetings),
    )


def _enrolment(document: dict[str, Any]) -> EnrolmentRecord:
    return EnrolmentRecord(
        session_id=document["session_id"],
        centre=document["centre"],
        learner=document["learner"],
        state=EnrolmentState(document["state"]),
        present=tuple(int(m) for m in document.get("present") or ()),
        completed_at=document.get("completed_at"),
    )
