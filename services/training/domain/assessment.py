"""An enterprise's digital maturity assessment: answers to one questionnaire version and the scores they give.

The first assessment of an enterprise is T0 (``sequence`` 0), taken before any support; each later one
(T1, T2…) keeps T0's scores as its ``baseline``, so it shows the progress since then by itself.
An assessment is never changed once taken: a new one is taken instead.

Who may take one (the enterprise's representative, or staff of its centre on its behalf) is the
service layer's concern; this module keeps the scoring and the sequence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from typing import Any

from services.training.domain.dimensions import Dimension
from services.training.domain.enterprise import Enterprise
from services.training.domain.questionnaire import Band, Questionnaire, band_of, overall_of, rounded
from shared.events.recorded import DomainEvent


class AssessorRole(StrEnum):
    """Who took the assessment: the enterprise itself, or staff on its behalf."""

    REPRESENTATIVE = "representative"
    CLERK = "clerk"
    ADMIN = "admin"


@dataclass(frozen=True)
class Baseline:
    """The enterprise's first assessment (T0), as later ones compare with it."""

    assessment_id: str
    taken_at: datetime
    scores: dict[str, float]
    overall: float


@dataclass(frozen=True)
class Progress:
    """The change since T0, in points: per dimension and overall."""

    since: Baseline
    scores: dict[str, float]
    overall: float

    @property
    def improved(self) -> bool:
        return self.overall > 0


def label(sequence: int) -> str:
    """``T0`` for the first assessment, ``T1``… for the later ones."""
    return f"T{sequence}"


@dataclass
class Assessment:
    id: str
    enterprise_id: str
    enterprise_name: str
    centre: str
    """The regional centre serving the enterprise when it was taken."""
    questionnaire_version: str
    answers: dict[str, Any]
    """Question id → answer: ticked option ids, a 0–5 value, or ``yes`` / ``partly`` / ``no``."""
    scores: dict[str, float]
    """Dimension code → score 0–100, in the order of ``Dimension``."""
    overall: float
    band: Band
    taken_at: datetime
    taken_by: str
    taken_by_name: str
    taken_by_role: AssessorRole
    sequence: int
    """0 for T0, 1 for T1…"""
    baseline: Baseline | None = None
    """T0's scores, for every assessment after it (None for T0 itself)."""
    version: int = 0
    _events: list[DomainEvent] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def take(
        cls,
        id: str,
        enterprise: Enterprise,
        questionnaire: Questionnaire,
        answers: Any,
        taken_by: str,
        taken_by_name: str,
        taken_by_role: AssessorRole,
        previous: Assessment | None,
        now: datetime,
    ) -> Assessment:
        """Score ``answers`` (InvalidInput naming ``answers.<question id>`` when they do not fit the version).

        ``previous`` is the enterprise's latest assessment, None when this is its first (T0).
        """
        checked = questionnaire.check(answers)
        scores = questionnaire.score(checked)
        overall = overall_of(scores)
        baseline = None
        if previous is not None:
            baseline = previous.baseline or Baseline(previous.id, previous.taken_at, previous.scores, previous.overall)
        assessment = cls(
            id=id,
            enterprise_id=enterprise.enterprise_id,
            enterprise_name=enterprise.name,
            centre=enterprise.centre,
            questionnaire_version=questionnaire.version,
            answers=checked,
            scores=scores,
            overall=overall,
            band=band_of(overall),
            taken_at=now,
            taken_by=taken_by,
            taken_by_name=taken_by_name,
            taken_by_role=taken_by_role,
            sequence=0 if previous is None else previous.sequence + 1,
            baseline=baseline,
        )
        assessment._events.append(DomainEvent("AssessmentCompleted", assessment._payload()))
        return assessment

    @property
    def label(self) -> str:
        return label(self.sequence)

    @property
    def is_baseline(self) -> bool:
        return self.sequence == 0

    def score_of(self, dimension: Dimension) -> float:
        return self.scores[dimension.value]

    def band_of(self, dimension: Dimension) -> Band:
        return band_of(self.score_of(dimension))

    @property
    def progress(self) -> Progress | None:
        """The change since T0 (None for T0 itself)."""
        if self.baseline is None:
            return None
        before = self.baseline.scores
        changes = {code: _change(score, before[code]) for code, score in self.scores.items() if code in before}
        return Progress(self.baseline, changes, _change(self.overall, self.baseline.overall))

    def pull_events(self) -> list[DomainEvent]:
        events, self._events = self._events, []
        return events

    def _payload(self) -> dict[str, Any]:
        progress = self.progress
        return {
            "assessment_id": self.id,
            "enterprise_id": self.enterprise_id,
            "enterprise_name": self.enterprise_name,
            "centre": self.centre,
            "questionnaire_version": self.questionnaire_version,
            "sequence": self.sequence,
            "scores": dict(self.scores),
            "overall": self.overall,
            "band": self.band.value,
            "improved_since_t0": None if progress is None else progress.improved,
            "taken_by_role": self.taken_by_role.value,
        }


def _change(after: float, before: float) -> float:
    """The difference of two one-decimal scores, itself to one decimal (no 0.30000000000000004)."""
    return rounded(Fraction(str(after)) - Fraction(str(before)))
