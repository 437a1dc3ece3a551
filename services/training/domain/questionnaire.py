"""The digital maturity questionnaire (EDIH DMA model), kept as versioned data in ``questionnaires/<version>.json``.

Each version lists, for each of the six dimensions, its questions: a tick-box list (``checklist``, with
its ``options``), a 0–5 adoption scale (``scale_0_5``: 0 not used … 5 operational) or a No/Partially/Yes
item (``yes_partly_no``: ``"no"``, ``"partly"``, ``"yes"``), each with a ``weight``. A new version is a
new file; answers are always read against the version they were given for, so old assessments keep
their meaning.

Scoring rule:

- a checklist question scores the share of its options ticked (3 of 5 → 0.6);
- a 0–5 scale question scores its value / 5 (4 → 0.8);
- a yes / partly / no question scores 1 / 0.5 / 0;
- a dimension's score is the weighted mean of its questions' scores × 100, rounded to one decimal
  (half up);
- the overall score is the mean of the six dimension scores, rounded to one decimal (half up);
- the band follows the overall score: Basic up to 25, Average above 25 up to 50, Moderately advanced
  above 50 up to 70, Advanced above 70 (DOMAIN.md's whole-number bands 0–25, 26–50, 51–70, 71–100,
  with a score between two of them, like 25.4, counted in the higher one).

The arithmetic is exact (fractions), so the same answers always give the same score.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from services.training.domain.dimensions import Dimension
from shared.errors import InvalidInput, Text

QUESTIONNAIRES_DIR = Path(__file__).with_name("questionnaires")
_VERSION = re.compile(r"^[a-z0-9][a-z0-9.-]{0,63}$")
SCALE_MAX = 5


class QuestionType(StrEnum):
    CHECKLIST = "checklist"
    SCALE_0_5 = "scale_0_5"
    YES_PARTLY_NO = "yes_partly_no"


class YesPartlyNo(StrEnum):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"


YES_PARTLY_NO_SCORE = {YesPartlyNo.YES: Fraction(1), YesPartlyNo.PARTLY: Fraction(1, 2), YesPartlyNo.NO: Fraction(0)}
YES_PARTLY_NO_NAMES: dict[YesPartlyNo, tuple[str, str]] = {
    YesPartlyNo.YES: ("Да", "Yes"),
    YesPartlyNo.PARTLY: ("Частично", "Partially"),
    YesPartlyNo.NO: ("Не", "No"),
}


class Band(StrEnum):
    BASIC = "basic"
    AVERAGE = "average"
    MODERATELY_ADVANCED = "moderately_advanced"
    ADVANCED = "advanced"


BAND_NAMES: dict[Band, tuple[str, str]] = {
    Band.BASIC: ("Базово ниво", "Basic"),
    Band.AVERAGE: ("Средно ниво", "Average"),
    Band.MODERATELY_ADVANCED: ("Умерено напреднало ниво", "Moderately advanced"),
    Band.ADVANCED: ("Напреднало ниво", "Advanced"),
}
BAND_UPPER_LIMITS: list[tuple[Band, int]] = [
    (Band.BASIC, 25),
    (Band.AVERAGE, 50),
    (Band.MODERATELY_ADVANCED, 70),
    (Band.ADVANCED, 100),
]
"""Each band with the highest score in it; a score above a band's limit is in the next band."""
BASIC_LIMIT = BAND_UPPER_LIMITS[0][1]


def band_of(score: float) -> Band:
    for band, upper in BAND_UPPER_LIMITS:
        if score <= upper:
            return band
    return Band.ADVANCED


def rounded(value: Fraction) -> float:
    """``value`` rounded to one decimal, half up (12.25 → 12.3), as people round."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def overall_of(scores: Mapping[str, float]) -> float:
    """The mean of the dimension scores, rounded to one decimal."""
    return rounded(sum((Fraction(str(s)) for s in scores.values()), Fraction(0)) / len(scores))


@dataclass(frozen=True)
class Option:
    id: str
    text_bg: str
    text_en: str


@dataclass(frozen=True)
class Question:
    id: str
    dimension: Dimension
    type: QuestionType
    text_bg: str
    text_en: str
    weight: Fraction
    options: tuple[Option, ...] = ()
    """The tick-box options of a checklist question (none for the other types)."""

    @property
    def option_ids(self) -> list[str]:
        return [option.id for option in self.options]

    def score(self, answer: Any) -> Fraction:
        """The answer's score from 0 to 1 (the answer is one ``Questionnaire.check`` accepted)."""
        if self.type is QuestionType.CHECKLIST:
            return Fraction(len(answer), len(self.options))
        if self.type is QuestionType.SCALE_0_5:
            return Fraction(answer, SCALE_MAX)
        return YES_PARTLY_NO_SCORE[YesPartlyNo(answer)]

    def problem_with(self, answer: Any) -> Text | None:
        """Why ``answer`` does not fit this question, or None when it does."""
        if self.type is QuestionType.CHECKLIST:
            return self._checklist_problem(answer)
        if self.type is QuestionType.SCALE_0_5:
            if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer <= SCALE_MAX:
                return Text("Очаква се цяло число от 0 до 5.", "Expected a whole number from 0 to 5.")
            return None
        if not isinstance(answer, str) or answer not in set(YesPartlyNo):
            return Text("Очаква се „yes“, „partly“ или „no“.", 'Expected "yes", "partly" or "no".')
        return None

    def _checklist_problem(self, answer: Any) -> Text | None:
        allowed = ", ".join(self.option_ids)
        if not isinstance(answer, list) or not all(isinstance(item, str) for item in answer):
            return Text(
                f"Очаква се списък с отметнатите възможности (от {allowed}).",
                f"Expected a list of the options ticked (of {allowed}).",
            )
        if unknown := [item for item in answer if item not in self.option_ids]:
            return Text(
                f"Няма такава възможност: {', '.join(unknown)}. Възможностите са: {allowed}.",
                f"No such option: {', '.join(unknown)}. The options are: {allowed}.",
            )
        if twice := sorted({item for item in answer if answer.count(item) > 1}):
            return Text(
                f"Възможността е отметната повече от веднъж: {', '.join(twice)}.",
                f"An option is ticked more than once: {', '.join(twice)}.",
            )
        return None

    def normalised(self, answer: Any) -> Any:
        """A checklist's ticked options in the questionnaire's order; other answers as they are."""
        if self.type is QuestionType.CHECKLIST:
            return [option for option in self.option_ids if option in answer]
        return answer


@dataclass(frozen=True)
class ScaleLabel:
    value: int
    text_bg: str
    text_en: str


@dataclass(frozen=True)
class Questionnaire:
    version: str
    title_bg: str
    title_en: str
    scoring: str
    scale_labels: tuple[ScaleLabel, ...]
    dimensions: dict[Dimension, tuple[Question, ...]]
    """Every dimension, in the order of ``Dimension``, with its questions."""

    @property
    def questions(self) -> dict[str, Question]:
        return {q.id: q for questions in self.dimensions.values() for q in questions}

    def check(self, answers: Any) -> dict[str, Any]:
        """The answers, normalised, when they fit this version; InvalidInput naming ``answers.<question id>``.

        Every question must be answered (a checklist with nothing ticked is an empty list); an answer
        to a question this version does not have is refused too.
        """
        if not isinstance(answers, dict):
            raise _invalid({"answers": Text("Очаква се обект {въпрос: отговор}.", "Expected {question: answer}.")})
        questions = self.questions
        problems: dict[str, Text] = {}
        for question_id in answers:
            if question_id not in questions:
                problems[f"answers.{question_id}"] = Text(
                    f"Във версия {self.version} на въпросника няма такъв въпрос.",
                    f"Version {self.version} of the questionnaire has no such question.",
                )
        for question_id, question in questions.items():
            if question_id not in answers:
                problems[f"answers.{question_id}"] = Text("Отговорете на въпроса.", "Answer this question.")
            elif problem := question.problem_with(answers[question_id]):
                problems[f"answers.{question_id}"] = problem
        if problems:
            raise _invalid(problems)
        return {question_id: questions[question_id].normalised(answers[question_id]) for question_id in questions}

    def score(self, answers: Mapping[str, Any]) -> dict[str, float]:
        """Each dimension's score 0–100 (by its code, in the order of ``Dimension``) for checked answers."""
        scores: dict[str, float] = {}
        for dimension, questions in self.dimensions.items():
            weighted = sum((q.weight * q.score(answers[q.id]) for q in questions), Fraction(0))
            scores[dimension.value] = rounded(weighted / sum(q.weight for q in questions) * 100)
        return scores


def _invalid(problems: dict[str, Text]) -> InvalidInput:
    return InvalidInput(
        Text(
            "Отговорите не съответстват на версията на въпросника.",
            "The answers do not fit the questionnaire version.",
        ),
        problems,
    )


# ---------------------------------------------------------------------- loading the versions
def parse(data: dict[str, Any]) -> Questionnaire:
    """A questionnaire from its JSON; ValueError when the data breaks a rule (so a bad file fails loudly)."""
    version = data["version"]
    if not isinstance(version, str) or not _VERSION.match(version):
        raise ValueError(f"bad questionnaire version {version!r}")
    raw_dimensions = data["dimensions"]
    if set(raw_dimensions) != {d.value for d in Dimension}:
        raise ValueError(f"{version}: the dimensions must be exactly {[d.value for d in Dimension]}")
    seen: set[str] = set()
    dimensions: dict[Dimension, tuple[Question, ...]] = {}
    for dimension in Dimension:
        questions = tuple(_question(version, dimension, raw) for raw in raw_dimensions[dimension.value])
        if not questions:
            raise ValueError(f"{version}: {dimension.value} has no questions")
        for question in questions:
            if question.id in seen:
                raise ValueError(f"{version}: question {question.id} appears twice")
            seen.add(question.id)
        dimensions[dimension] = questions
    labels = tuple(ScaleLabel(**label) for label in data.get("scale_labels", []))
    return Questionnaire(
        version=version,
        title_bg=data["title_bg"],
        title_en=data["title_en"],
        scoring=data.get("scoring", ""),
        scale_labels=labels,
        dimensions=dimensions,
    )


def _question(version: str, dimension: Dimension, raw: dict[str, Any]) -> Question:
    question_id = raw["id"]
    if not isinstance(question_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", question_id):
        raise ValueError(f"{version}: bad question id {question_id!r}")
    kind = QuestionType(raw["type"])
    weight = Fraction(str(raw["weight"]))
    if weight <= 0:
        raise ValueError(f"{version}: question {question_id} needs a positive weight")
    options = tuple(Option(o["id"], o["text_bg"], o["text_en"]) for o in raw.get("options", []))
    if kind is QuestionType.CHECKLIST:
        if not options or len({o.id for o in options}) != len(options):
            raise ValueError(f"{version}: checklist {question_id} needs options with distinct ids")
    elif options:
        raise ValueError(f"{version}: only a checklist has options ({question_id})")
    return Question(question_id, dimension, kind, raw["text_bg"], raw["text_en"], weight, options)


def _version_key(version: str) -> tuple[Any, ...]:
    """Orders ``dma-2026-2`` before ``dma-2026-10``: numbers compare as numbers."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", version))


@cache
def versions() -> tuple[str, ...]:
    """The versions in the questionnaires folder, oldest first."""
    return tuple(sorted((path.stem for path in QUESTIONNAIRES_DIR.glob("*.json")), key=_version_key))


@cache
def _load(version: str) -> Questionnaire:
    path = QUESTIONNAIRES_DIR / f"{version}.json"
    questionnaire = parse(json.loads(path.read_text(encoding="utf-8")))
    if questionnaire.version != version:
        raise ValueError(f"{path.name} holds version {questionnaire.version}")
    return questionnaire


def find(version: str) -> Questionnaire | None:
    """A version of the questionnaire, or None when there is no such version."""
    if version not in versions():
        return None
    return _load(version)


def current() -> Questionnaire:
    """The newest version: the one new assessments are offered."""
    return _load(versions()[-1])
