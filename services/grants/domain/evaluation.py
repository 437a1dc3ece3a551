"""Scoring against a call's rubric by two evaluators, a third when their totals differ too much.

An evaluator scores each criterion from 0 to its maximum points. The weighted total of one scoring is
``Σ points / max_points × weight`` over the criteria, out of 100, kept in hundredths of a point so that
sums and comparisons are exact. With two scorings whose totals differ by no more than the configured
margin, the result is their average; otherwise a third evaluator scores, and the result is the average
of the two closest totals of the three (the furthest is set aside). A criterion's points are averaged over
the same scorings; an application below a criterion's minimum or below the call's pass score fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.grants.domain.call import Call
from shared.errors import InvalidInput, Text

EVALUATORS = 2
MAX_EVALUATORS = 3


@dataclass(frozen=True)
class Scoring:
    evaluator: str
    points: dict[str, int]
    """Criterion code → points given."""
    total_hundredths: int
    scored_at: datetime
    comment: str = ""


def weighted_total(call: Call, points: dict[str, int]) -> int:
    """The weighted total in hundredths of a point (0…10 000), rounded half up per criterion."""
    total = 0
    for criterion in call.criteria:
        numerator = points[criterion.code] * criterion.weight * 100
        total += (2 * numerator + criterion.max_points) // (2 * criterion.max_points)
    return total


def check_points(call: Call, points: dict[str, int]) -> None:
    """Every criterion of the call scored once, within 0…max; InvalidInput naming each bad one."""
    fields: dict[str, Text] = {}
    for criterion in call.criteria:
        given = points.get(criterion.code)
        if given is None:
            fields[f"points.{criterion.code}"] = Text("Липсва оценка.", "The criterion is not scored.")
        elif not 0 <= given <= criterion.max_points:
            fields[f"points.{criterion.code}"] = Text(
                f"Точките са от 0 до {criterion.max_points}.", f"Points are from 0 to {criterion.max_points}."
            )
    for code in points:
        if call.criterion(code) is None:
            fields[f"points.{code}"] = Text("Поканата няма такъв критерий.", "The call has no such criterion.")
    if fields:
        raise InvalidInput(Text("Оценката не е попълнена правилно.", "The scoring is not filled in correctly."), fields)


@dataclass(frozen=True)
class Result:
    """Where the scorings leave an application."""

    needs_third: bool
    total_hundredths: int | None
    """The final total once known."""
    counted: tuple[str, ...]
    """The evaluators whose scorings make the result."""
    below_minimum: tuple[str, ...]
    """Criteria whose averaged points are below their minimum."""
    passed: bool


def result(call: Call, scorings: list[Scoring], margin_hundredths: int) -> Result | None:
    """None until enough scorings are in."""
    if len(scorings) < EVALUATORS:
        return None
    first, second = scorings[0], scorings[1]
    if abs(first.total_hundredths - second.total_hundredths) <= margin_hundredths:
        counted = [first, second]
    elif len(scorings) < MAX_EVALUATORS:
        return Result(True, None, (), (), False)
    else:
        pairs = [(scorings[i], scorings[j]) for i, j in ((0, 1), (0, 2), (1, 2))]
        counted = list(min(pairs, key=lambda pair: abs(pair[0].total_hundredths - pair[1].total_hundredths)))
    total = (sum(s.total_hundredths for s in counted) + len(counted) // 2) // len(counted)
    below = tuple(c.code for c in call.criteria if sum(s.points[c.code] for s in counted) < c.min_points * len(counted))
    passed = not below and total >= call.pass_score * 100
    return Result(False, total, tuple(s.evaluator for s in counted), below, passed)
