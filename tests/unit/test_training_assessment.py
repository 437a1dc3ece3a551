"""Digital maturity: the questionnaire as data, scoring, bands, progress since T0, and recommendations."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.training.domain import questionnaire as questionnaires
from services.training.domain.assessment import Assessment, AssessorRole
from services.training.domain.course import Course, Format, Level
from services.training.domain.dimensions import Dimension
from services.training.domain.enterprise import Enterprise
from services.training.domain.questionnaire import Band, Questionnaire, QuestionType, band_of, overall_of, parse
from services.training.domain.recommendation import recommend, usable_sessions, weakest
from services.training.domain.session import Meeting, Session, SessionStatus
from services.training.events import EXAMPLES_DIR
from services.training.events.assessments import ASSESSMENT_EVENT_TYPES
from services.training.events.catalog import TRAINING_EVENTS
from shared.errors import InvalidInput

NOW = datetime(2026, 9, 14, 7, 30, tzinfo=UTC)
MARITSA = Enterprise(
    "e-1", "Шивашка кооперация Марица", "active", "BG-16", "BG42", "plovdiv", "office@maritsa.example.bg"
)
DMA = questionnaires.current()


def answers(questionnaire: Questionnaire = DMA, level: float = 1.0, **overrides: Any) -> dict[str, Any]:
    """An answer to every question at about ``level`` (0 nothing … 1 everything), with some overridden."""
    given: dict[str, Any] = {}
    for question in questionnaire.questions.values():
        if question.type is QuestionType.CHECKLIST:
            given[question.id] = question.option_ids[: round(level * len(question.options))]
        elif question.type is QuestionType.SCALE_0_5:
            given[question.id] = round(level * 5)
        else:
            given[question.id] = "yes" if level >= 0.75 else "partly" if level >= 0.25 else "no"
    return given | overrides


def take(given: dict[str, Any], previous: Assessment | None = None, at: datetime = NOW) -> Assessment:
    return Assessment.take(
        id=f"a-{0 if previous is None else previous.sequence + 1}",
        enterprise=MARITSA,
        questionnaire=DMA,
        answers=given,
        taken_by="rep-1",
        taken_by_name="Мария Иванова",
        taken_by_role=AssessorRole.REPRESENTATIVE,
        previous=previous,
        now=at,
    )


def question(id: str, type: str, weight: float = 1, options: int = 0) -> dict[str, Any]:
    """A question as the questionnaire's JSON has it (a checklist with ``options`` options o1, o2…)."""
    raw: dict[str, Any] = {"id": id, "type": type, "weight": weight, "text_bg": "Въпрос?", "text_en": "Question?"}
    if options:
        raw["options"] = [{"id": f"o{i}", "text_bg": f"В{i}", "text_en": f"O{i}"} for i in range(1, options + 1)]
    return raw


def questionnaire_of(version: str, dimensions: dict[str, list[dict[str, Any]]]) -> Questionnaire:
    return parse({"version": version, "title_bg": "Проба", "title_en": "Test", "dimensions": dimensions})


def small(**weights: float) -> Questionnaire:
    """One question of each type in digital readiness, and one yes/partly/no item in every other dimension."""
    dimensions = {d.value: [question(f"{d.value}_q", "yes_partly_no")] for d in Dimension}
    dimensions["digital_readiness"] = [
        question("tick", "checklist", weights.get("tick", 1), options=8),
        question("scale", "scale_0_5", weights.get("scale", 1)),
        question("item", "yes_partly_no", weights.get("item", 1)),
    ]
    return questionnaire_of("test-1", dimensions)


def small_answers(tick: list[str], scale: int, item: str) -> dict[str, Any]:
    others = {f"{d.value}_q": "no" for d in Dimension if d is not Dimension.DIGITAL_READINESS}
    return {"tick": tick, "scale": scale, "item": item, **others}


# ---------------------------------------------------------------------- the questionnaire as data
def test_the_current_questionnaire_covers_the_six_dimensions_with_three_to_five_questions_each() -> None:
    assert DMA.version == "dma-2026-1" and "dma-2026-1" in questionnaires.versions()
    assert list(DMA.dimensions) == list(Dimension)
    for dimension, questions in DMA.dimensions.items():
        assert 3 <= len(questions) <= 5, dimension
        assert all(q.text_bg and q.text_en and q.weight > 0 for q in questions)
    assert {q.type for q in DMA.questions.values()} == set(QuestionType)
    assert [label.value for label in DMA.scale_labels] == [0, 1, 2, 3, 4, 5]
    assert questionnaires.find("dma-2026-1") is DMA
    assert questionnaires.find("dma-1999-1") is None and questionnaires.find("../dma-2026-1") is None


def test_a_questionnaire_file_that_breaks_the_rules_is_refused() -> None:
    raw = json.loads((questionnaires.QUESTIONNAIRES_DIR / "dma-2026-1.json").read_text(encoding="utf-8"))
    missing_dimension = copy.deepcopy(raw)
    del missing_dimension["dimensions"]["green"]
    twice = copy.deepcopy(raw)
    twice["dimensions"]["green"].append(raw["dimensions"]["business_strategy"][0])
    no_options = copy.deepcopy(raw)
    no_options["dimensions"]["business_strategy"][1]["options"] = []
    zero_weight = copy.deepcopy(raw)
    zero_weight["dimensions"]["green"][0]["weight"] = 0
    for broken in (missing_dimension, twice, no_options, zero_weight):
        with pytest.raises(ValueError):
            parse(broken)
    raw["dimensions"]["green"][0]["type"] = "free_text"
    with pytest.raises(ValueError):
        parse(raw)


# ---------------------------------------------------------------------- scoring
def test_a_checklist_scores_the_share_of_options_ticked() -> None:
    q = small()
    scores = q.score(q.check(small_answers(["o1", "o2", "o3", "o4", "o5", "o6"], 0, "no")))
    assert scores["digital_readiness"] == 25.0  # (6/8 + 0 + 0) / 3
    assert q.score(q.check(small_answers([], 0, "no")))["digital_readiness"] == 0.0


def test_a_scale_scores_its_value_over_five_and_yes_partly_no_one_half_zero() -> None:
    q = small()
    assert q.score(q.check(small_answers([], 4, "no")))["digital_readiness"] == round(80 / 3, 1)
    assert q.score(q.check(small_answers([], 0, "partly")))["digital_readiness"] == round(50 / 3, 1)
    assert q.score(q.check(small_answers([], 0, "yes")))["digital_readiness"] == round(100 / 3, 1)
    full = q.score(q.check(small_answers([f"o{i}" for i in range(1, 9)], 5, "yes")))
    assert full["digital_readiness"] == 100.0 and full["green"] == 0.0


def test_weights_make_a_weighted_mean() -> None:
    q = small(tick=1, scale=3, item=6)
    # (1 × 0 + 3 × 1 + 6 × 0.5) / 10 = 0.6
    assert q.score(q.check(small_answers([], 5, "partly")))["digital_readiness"] == 60.0
    assert q.questions["item"].weight == 6


def test_scores_are_rounded_half_up_to_one_decimal() -> None:
    q = small(item=2)
    # (1/8 + 1/5 + 2 × 0) / 4 = 0.08125 → 8.125 → 8.1; and (1/8 + 1/5) / 2 = 0.1625 → 16.3 (half up, not 16.2)
    assert q.score(q.check(small_answers(["o1"], 1, "no")))["digital_readiness"] == 8.1
    q = questionnaire_of(
        "test-2",
        {d.value: [question(f"{d.value}_t", "checklist", options=8), question(f"{d.value}_s", "scale_0_5")]
         for d in Dimension},
    )  # fmt: skip
    given = {f"{d.value}_t": ["o1"] for d in Dimension} | {f"{d.value}_s": 1 for d in Dimension}
    assert set(q.score(q.check(given)).values()) == {16.3}
    assert overall_of({"a": 16.3, "b": 16.2}) == 16.3  # 16.25 → 16.3
    assert overall_of(dict.fromkeys("abcdef", 33.3) | {"f": 33.4}) == 33.3


def test_the_overall_score_is_the_mean_of_the_six_and_gives_the_band() -> None:
    everything = take(answers(level=1.0))
    assert set(everything.scores.values()) == {100.0} and everything.overall == 100.0
    assert everything.band is Band.ADVANCED
    nothing = take(answers(level=0.0))
    assert (nothing.overall, nothing.band) == (0.0, Band.BASIC)
    mixed = take(answers(level=0.0, bs_plan="yes", bs_budget="yes", bs_channels=["website"]))
    assert list(mixed.scores) == [d.value for d in Dimension]
    assert mixed.score_of(Dimension.BUSINESS_STRATEGY) == 55.6  # (2 × 1 + 2 × 1/6 + 1 × 1 + 1 × 0) / 6
    assert mixed.overall == round(55.6 / 6, 1) and mixed.band is Band.BASIC


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, Band.BASIC),
        (25, Band.BASIC),
        (25.1, Band.AVERAGE),
        (26, Band.AVERAGE),
        (50, Band.AVERAGE),
        (50.1, Band.MODERATELY_ADVANCED),
        (51, Band.MODERATELY_ADVANCED),
        (70, Band.MODERATELY_ADVANCED),
        (70.1, Band.ADVANCED),
        (71, Band.ADVANCED),
        (100, Band.ADVANCED),
    ],
)
def test_bands_at_their_boundaries(score: float, band: Band) -> None:
    assert band_of(score) is band


def test_an_assessment_takes_the_band_of_its_overall_score() -> None:
    # Digital readiness only (weights 2, 2, 1, 1, 1 of 7): all scales at 5 and the rest nothing → 4/7 = 57.1.
    given = answers(level=0.0, dr_einvoicing=5, dr_online_sales=5)
    assessment = take(given)
    assert assessment.scores["digital_readiness"] == 57.1
    assert assessment.band_of(Dimension.DIGITAL_READINESS) is Band.MODERATELY_ADVANCED
    assert (assessment.overall, assessment.band) == (9.5, Band.BASIC)


# ---------------------------------------------------------------------- progress
def test_t0_then_later_assessments_show_progress_since_t0() -> None:
    t0 = take(answers(level=0.2))
    assert (t0.sequence, t0.label, t0.baseline, t0.progress) == (0, "T0", None, None)
    assert t0.pull_events()[0].payload["improved_since_t0"] is None

    t1 = take(answers(level=0.6), previous=t0, at=NOW + timedelta(days=180))
    assert (t1.sequence, t1.label) == (1, "T1")
    progress = t1.progress
    assert progress is not None and progress.since.assessment_id == t0.id
    assert progress.overall == round(t1.overall - t0.overall, 1) and progress.improved
    assert progress.scores == {code: round(t1.scores[code] - t0.scores[code], 1) for code in t0.scores}
    event = t1.pull_events()[0]
    assert (event.name, event.payload["improved_since_t0"], event.payload["sequence"]) == (
        "AssessmentCompleted",
        True,
        1,
    )

    t2 = take(answers(level=0.0), previous=t1, at=NOW + timedelta(days=360))
    assert t2.sequence == 2 and t2.baseline == t1.baseline  # always compared with T0, not with T1
    assert t2.progress is not None and t2.progress.overall == -t0.overall and not t2.progress.improved
    assert t2.pull_events()[0].payload["improved_since_t0"] is False


def test_the_same_score_again_is_no_improvement() -> None:
    t0 = take(answers(level=0.4))
    t1 = take(answers(level=0.4), previous=t0)
    assert t1.progress is not None and t1.progress.overall == 0.0 and not t1.progress.improved
    assert set(t1.progress.scores.values()) == {0.0}


def test_answers_are_kept_normalised() -> None:
    assessment = take(answers(bs_channels=["social_media", "website"]))
    assert assessment.answers["bs_channels"] == ["website", "social_media"]  # the questionnaire's order
    assert set(assessment.answers) == set(DMA.questions)


# ---------------------------------------------------------------------- answers that do not fit
@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"bs_nonsense": "yes"}, "answers.bs_nonsense", "no such question"),
        ({"dr_einvoicing": "4"}, "answers.dr_einvoicing", "whole number from 0 to 5"),
        ({"dr_einvoicing": 6}, "answers.dr_einvoicing", "whole number from 0 to 5"),
        ({"dr_einvoicing": -1}, "answers.dr_einvoicing", "whole number from 0 to 5"),
        ({"dr_einvoicing": 2.5}, "answers.dr_einvoicing", "whole number from 0 to 5"),
        ({"dr_einvoicing": True}, "answers.dr_einvoicing", "whole number from 0 to 5"),
        ({"bs_plan": "maybe"}, "answers.bs_plan", '"yes", "partly" or "no"'),
        ({"bs_plan": True}, "answers.bs_plan", '"yes", "partly" or "no"'),
        ({"bs_plan": None}, "answers.bs_plan", '"yes", "partly" or "no"'),
        ({"bs_channels": "website"}, "answers.bs_channels", "a list of the options ticked"),
        ({"bs_channels": [1]}, "answers.bs_channels", "a list of the options ticked"),
        ({"bs_channels": ["website", "telegraph"]}, "answers.bs_channels", "No such option: telegraph"),
        ({"bs_channels": ["website", "website"]}, "answers.bs_channels", "ticked more than once: website"),
    ],
)
def test_answers_that_do_not_fit_the_version_name_the_field(change: dict[str, Any], field: str, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        take(answers() | change)
    assert list(refused.value.fields) == [field]
    assert says.lower() in refused.value.fields[field].en.lower()
    assert refused.value.fields[field].bg


def test_a_missing_answer_is_named_and_every_problem_is_listed_at_once() -> None:
    given = answers()
    del given["gr_energy"], given["ai_uses"]
    given["hc_support"] = 9
    with pytest.raises(InvalidInput) as refused:
        take(given)
    assert set(refused.value.fields) == {"answers.gr_energy", "answers.ai_uses", "answers.hc_support"}
    assert refused.value.fields["answers.gr_energy"].en == "Answer this question."
    with pytest.raises(InvalidInput) as not_a_mapping:
        take(["yes"])  # type: ignore[arg-type]
    assert list(not_a_mapping.value.fields) == ["answers"]


def test_an_empty_checklist_is_an_answer() -> None:
    assert take(answers(ai_uses=[])).answers["ai_uses"] == []


# ---------------------------------------------------------------------- recommendations
def course(id: str, *dimensions: Dimension, title: str = "", active: bool = True) -> Course:
    return Course(
        id=id,
        title_bg=title or f"Курс {id}",
        description_bg="Описание",
        dimensions=dimensions,
        level=Level.BEGINNER,
        hours=16,
        format=Format.HYBRID,
        active=active,
    )


def session(
    id: str,
    course_id: str,
    centre: str = "plovdiv",
    room: str | None = "зала 2",
    in_days: float = 20,
    closes_in_days: float | None = None,
    status: SessionStatus = SessionStatus.SCHEDULED,
) -> Session:
    starts = NOW + timedelta(days=in_days)
    return Session(
        id=id,
        course_id=course_id,
        course_title=f"Курс {course_id}",
        trainer_id="t-1",
        trainer_name="Петър Петров",
        centre=centre,
        room=room,
        online_link=None if room else "https://meet.example.bg/abc",
        meetings=[Meeting(starts, starts + timedelta(hours=3))],
        capacity=12,
        enrolment_opens_at=NOW - timedelta(days=30),
        enrolment_closes_at=starts if closes_in_days is None else NOW + timedelta(days=closes_in_days),
        status=status,
    )


SCORES = {
    "business_strategy": 55.0,
    "digital_readiness": 62.5,
    "human_centric": 40.0,
    "data_management": 12.0,
    "automation_ai": 30.0,
    "green": 20.0,
}


def test_the_weakest_dimensions_are_the_lowest_two_and_any_below_26() -> None:
    assert [(w.dimension, w.score) for w in weakest(SCORES)] == [
        (Dimension.DATA_MANAGEMENT, 12.0),
        (Dimension.GREEN, 20.0),
    ]
    lots = SCORES | {"human_centric": 25.9, "automation_ai": 26.0}
    assert [w.dimension for w in weakest(lots)] == [Dimension.DATA_MANAGEMENT, Dimension.GREEN, Dimension.HUMAN_CENTRIC]
    level = dict.fromkeys(SCORES, 60.0)
    assert [w.dimension for w in weakest(level)] == [Dimension.BUSINESS_STRATEGY, Dimension.DIGITAL_READINESS]
    assert len(weakest(dict.fromkeys(SCORES, 10.0))) == 6


def test_courses_for_the_weakest_dimensions_are_ranked() -> None:
    courses = [
        course("green-only", Dimension.GREEN, title="Зелени практики"),
        course("data-only", Dimension.DATA_MANAGEMENT, title="Архивиране и резервни копия"),
        course("data-and-green", Dimension.GREEN, Dimension.DATA_MANAGEMENT, title="Облак и енергия"),
        course("data-no-session", Dimension.DATA_MANAGEMENT, title="А-курс без сесия"),
        course("strategy", Dimension.BUSINESS_STRATEGY),  # not a weak dimension
        course("withdrawn", Dimension.DATA_MANAGEMENT, active=False),
        course("data-later", Dimension.DATA_MANAGEMENT, title="Бази данни"),
    ]
    sessions = [
        session("s-green", "green-only"),
        session("s-data", "data-only", in_days=30),
        session("s-both", "data-and-green", in_days=40),
        session("s-later", "data-later", in_days=35),
        session("s-strategy", "strategy"),
        session("s-withdrawn", "withdrawn"),
    ]
    found = recommend(SCORES, courses, sessions, "plovdiv", NOW)
    assert [r.course.id for r in found.courses] == [
        "data-and-green",  # improves the weakest and another weak dimension
        "data-only",  # the weakest, the soonest session
        "data-later",
        "data-no-session",  # the weakest, but nothing to enrol in yet
        "green-only",
    ]
    assert found.courses[0].targets == (Dimension.DATA_MANAGEMENT, Dimension.GREEN)
    assert [s.id for s in found.courses[1].sessions] == ["s-data"] and found.courses[3].sessions == ()


def test_only_sessions_the_enterprise_can_still_enrol_in_come_with_a_course() -> None:
    sessions = [
        session("here-later", "c", in_days=40),
        session("here", "c", in_days=10),
        session("online-elsewhere", "c", centre="varna", room=None, in_days=15),
        session("varna", "c", centre="varna"),
        session("started", "c", in_days=-1),
        session("closed", "c", closes_in_days=-1),
        session("cancelled", "c", status=SessionStatus.CANCELLED),
    ]
    assert [s.id for s in usable_sessions(sessions, "plovdiv", NOW)] == ["here", "online-elsewhere", "here-later"]
    found = recommend(SCORES, [course("c", Dimension.GREEN)], sessions, "plovdiv", NOW)
    assert [s.id for s in found.courses[0].sessions] == ["here", "online-elsewhere", "here-later"]
    assert recommend(SCORES, [course("c", Dimension.GREEN)], sessions, "burgas", NOW).courses[0].sessions[0].id == (
        "online-elsewhere"
    )


# ---------------------------------------------------------------------- the event and its golden example
def test_the_event_payload_has_the_fields_of_the_golden_example() -> None:
    (event_type,) = ASSESSMENT_EVENT_TYPES
    assert (event_type.name, event_type.version, event_type.topic) == (
        "training.AssessmentCompleted",
        1,
        "training.assessment.v1",
    )
    example = json.loads((EXAMPLES_DIR / event_type.example_file).read_text(encoding="utf-8"))
    assert (example["aggregate_type"], example["producer"]) == ("assessment", "training")
    TRAINING_EVENTS.validate(TRAINING_EVENTS.example(event_type))
    t0 = take(answers(level=0.2))
    t1 = take(answers(level=0.6), previous=t0)
    for assessment in (t0, t1):
        (event,) = assessment.pull_events()
        assert set(event.payload) == set(example["payload"])
        TRAINING_EVENTS.validate_payload(event_type.name, 1, json.loads(json.dumps(event.payload)))
