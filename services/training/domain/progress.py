"""An enterprise's progress since its first maturity assessment, next to the other enterprises of its centre.

For the enterprise: the first and the latest scores (overall and per dimension) and the change between
them. For comparison, from the other enterprises served by the same regional centre:

- the average latest score, over those assessed at least once;
- the average change since their first assessment, over those assessed at least twice.

Each average says how many enterprises are behind it, and is not given at all when fewer than
``MIN_ENTERPRISES`` are (an average of one or two enterprises would show their own scores). The enterprise
itself is not in its centre's average: it is compared with the others. Pure: the caller reads the scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from services.training.domain.dimensions import Dimension
from services.training.domain.questionnaire import rounded

MIN_ENTERPRISES = 3
"""No average is shown of fewer enterprises than this."""


@dataclass(frozen=True)
class Scores:
    overall: float
    dimensions: Mapping[str, float]


@dataclass(frozen=True)
class Track:
    """One enterprise's first and latest assessment (the same one when it was assessed once)."""

    enterprise_id: str
    first: Scores
    latest: Scores
    assessments: int

    @property
    def change(self) -> Scores | None:
        """Points gained since the first assessment; None after only one."""
        if self.assessments < 2:
            return None
        return Scores(
            _difference(self.latest.overall, self.first.overall),
            {
                code: _difference(score, self.first.dimensions[code])
                for code, score in self.latest.dimensions.items()
                if code in self.first.dimensions
            },
        )


@dataclass(frozen=True)
class Average:
    """An average over ``enterprises`` enterprises; ``scores`` is None when they are too few to show it."""

    enterprises: int
    scores: Scores | None


@dataclass(frozen=True)
class ProgressReport:
    own: Track | None
    """None before the enterprise's first assessment."""
    centre_latest: Average
    """The average latest score of the centre's other assessed enterprises."""
    centre_change: Average
    """The average change since the first assessment of the centre's other enterprises assessed twice or more."""


def progress_report(enterprise_id: str, tracks: Iterable[Track]) -> ProgressReport:
    """``tracks``: every assessed enterprise served by the enterprise's centre (its own among them, if assessed)."""
    own, others = None, []
    for track in tracks:
        if track.enterprise_id == enterprise_id:
            own = track
        else:
            others.append(track)
    changes = [c for c in (t.change for t in others) if c is not None]
    return ProgressReport(own, average([t.latest for t in others]), average(changes))


def average(scores: list[Scores]) -> Average:
    """The mean of each score, to one decimal; not given of fewer than ``MIN_ENTERPRISES``."""
    count = len(scores)
    if count < MIN_ENTERPRISES:
        return Average(count, None)
    codes = [d.value for d in Dimension if all(d.value in s.dimensions for s in scores)]
    return Average(
        count,
        Scores(
            _mean(s.overall for s in scores),
            {code: _mean(s.dimensions[code] for s in scores) for code in codes},
        ),
    )


def _mean(values: Iterable[float]) -> float:
    exact = [Fraction(str(v)) for v in values]
    return rounded(sum(exact, Fraction(0)) / len(exact))


def _difference(after: float, before: float) -> float:
    return rounded(Fraction(str(after)) - Fraction(str(before)))
