"""Digital maturity (EDIH DMA model): the questionnaire, assessments with progress since T0, and recommendations.

The questionnaire is public. An enterprise's assessments and recommendations are for its representative
and for staff of the centre serving it (national clerks and admins everywhere), who may also take an
assessment on its behalf.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from services.training.domain.assessment import Assessment, AssessorRole, label
from services.training.domain.course import Course, Format, Level
from services.training.domain.dimensions import DIMENSION_NAMES, Dimension
from services.training.domain.enterprise import Enterprise
from services.training.domain.progress import MIN_ENTERPRISES, Average, ProgressReport, Scores
from services.training.domain.questionnaire import (
    BAND_NAMES,
    BAND_UPPER_LIMITS,
    YES_PARTLY_NO_NAMES,
    Band,
    Question,
    Questionnaire,
    QuestionType,
    YesPartlyNo,
    band_of,
)
from services.training.domain.recommendation import Recommendation
from services.training.domain.session import Session
from services.training.entrypoints.api.context import training
from services.training.service_layer.assessments import EnterpriseRecommendations
from shared.auth import Role
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented
from shared.web.schemas import LocalisedMessageSchema, StrictSchema, text

blp = Blueprint(
    "assessments", __name__, url_prefix="/api/v1", description="Digital maturity assessments and recommendations"
)

MAX_ANSWERS = 200
STAFF_OR_REPRESENTATIVE = (Role.REPRESENTATIVE, Role.CLERK)


# ---------------------------------------------------------------------- requests
class SubmitAssessmentSchema(StrictSchema):
    version = text(
        64, required=True, metadata={"example": "dma-2026-1", "description": "The questionnaire version answered"}
    )
    answers = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=64)),
        values=fields.Raw(allow_none=True),
        required=True,
        validate=validate.Length(max=MAX_ANSWERS),
        metadata={
            "description": "Question id → answer: a list of the option ids ticked (checklist), a whole number "
            '0–5 (scale_0_5), or "yes" / "partly" / "no" (yes_partly_no). Every question must be answered.',
            "example": {"bs_plan": "partly", "bs_channels": ["website", "social_media"], "dr_einvoicing": 4},
        },
    )


# ---------------------------------------------------------------------- response shapes (for the OpenAPI document)
def _localised(**kwargs: Any) -> fields.Nested:
    return fields.Nested(LocalisedMessageSchema, **kwargs)


class MaturityCodeNameSchema(Schema):
    """A dimension or a band: its code and its name in both languages."""

    code = fields.String(metadata={"example": "data_management"})
    name = _localised()


class BandRangeSchema(MaturityCodeNameSchema):
    min = fields.Integer(metadata={"example": 26})
    max = fields.Integer(metadata={"example": 50})


class QuestionChoiceSchema(Schema):
    value = fields.Raw(metadata={"description": "0–5 on a scale; yes, partly or no on a yes/partly/no item"})
    text = _localised()


class QuestionOptionSchema(Schema):
    id = fields.String(metadata={"example": "online_shop"})
    text = _localised()


class QuestionSchema(Schema):
    id = fields.String(metadata={"example": "bs_channels"})
    type = fields.String(metadata={"enum": [t.value for t in QuestionType]})
    text = _localised()
    weight = fields.Float(metadata={"example": 2})
    options = fields.List(fields.Nested(QuestionOptionSchema), metadata={"description": "Only for a checklist"})
    choices = fields.List(
        fields.Nested(QuestionChoiceSchema), metadata={"description": "The answers a scale or item takes"}
    )


class QuestionnaireDimensionSchema(MaturityCodeNameSchema):
    questions = fields.List(fields.Nested(QuestionSchema))


class QuestionnaireSchema(Schema):
    version = fields.String(metadata={"example": "dma-2026-1"})
    current = fields.Boolean(metadata={"description": "The version new assessments are offered"})
    title = _localised()
    scoring = fields.String(metadata={"description": "How the answers are scored"})
    bands = fields.List(fields.Nested(BandRangeSchema))
    dimensions = fields.List(fields.Nested(QuestionnaireDimensionSchema))


class DimensionScoreSchema(MaturityCodeNameSchema):
    score = fields.Float(metadata={"example": 42.5})
    band = fields.Nested(MaturityCodeNameSchema)
    change_since_t0 = fields.Float(allow_none=True, metadata={"description": "Points since T0; None for T0"})


class AssessedEnterpriseSchema(Schema):
    id = fields.String()
    name = fields.String()
    centre = fields.String(metadata={"example": "plovdiv"})


class AssessorSchema(Schema):
    id = fields.String()
    name = fields.String()
    role = fields.String(metadata={"enum": [r.value for r in AssessorRole]})


class BaselineRefSchema(Schema):
    assessment_id = fields.String()
    label = fields.String(metadata={"example": "T0"})
    taken_at = fields.DateTime()
    overall = fields.Float()


class AssessmentProgressSchema(Schema):
    since = fields.Nested(BaselineRefSchema)
    overall = fields.Float(metadata={"description": "Points gained (negative: lost) since T0", "example": 12.5})
    improved = fields.Boolean()
    dimensions = fields.Dict(keys=fields.String(metadata={"enum": [d.value for d in Dimension]}), values=fields.Float())


class AssessmentSchema(Schema):
    id = fields.String()
    label = fields.String(metadata={"example": "T1", "description": "T0 for the first assessment"})
    sequence = fields.Integer(metadata={"example": 1})
    enterprise = fields.Nested(AssessedEnterpriseSchema)
    questionnaire_version = fields.String(metadata={"example": "dma-2026-1"})
    taken_at = fields.DateTime()
    taken_by = fields.Nested(AssessorSchema)
    overall = fields.Float(metadata={"example": 46.4, "description": "The mean of the six dimension scores"})
    band = fields.Nested(MaturityCodeNameSchema)
    scores = fields.Dict(
        keys=fields.String(metadata={"enum": [d.value for d in Dimension]}),
        values=fields.Float(),
        metadata={"description": "Dimension code → score 0–100"},
    )
    dimensions = fields.List(fields.Nested(DimensionScoreSchema))
    progress = fields.Nested(AssessmentProgressSchema, allow_none=True, metadata={"description": "None for T0"})
    answers = fields.Dict(keys=fields.String(), values=fields.Raw())


class AssessmentListSchema(Schema):
    enterprise = fields.Nested(AssessedEnterpriseSchema)
    items = fields.List(fields.Nested(AssessmentSchema), metadata={"description": "T0 first"})


class WeakDimensionSchema(MaturityCodeNameSchema):
    score = fields.Float()
    band = fields.Nested(MaturityCodeNameSchema)


class RecommendedSessionSchema(Schema):
    id = fields.String()
    centre = fields.String(metadata={"example": "plovdiv"})
    online = fields.Boolean()
    room = fields.String(allow_none=True)
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    meetings = fields.Integer(metadata={"description": "How many times it meets"})
    enrolment_closes_at = fields.DateTime()
    capacity = fields.Integer()
    funded = fields.Boolean()
    trainer_name = fields.String()


class RecommendedCourseSchema(Schema):
    id = fields.String()
    title = _localised()
    description = _localised()
    level = fields.String(metadata={"enum": [v.value for v in Level]})
    format = fields.String(metadata={"enum": [f.value for f in Format]})
    hours = fields.Integer()
    dimensions = fields.List(
        fields.Nested(MaturityCodeNameSchema), metadata={"description": "Every dimension it improves"}
    )
    improves = fields.List(
        fields.Nested(MaturityCodeNameSchema), metadata={"description": "The weak ones, weakest first"}
    )
    sessions = fields.List(
        fields.Nested(RecommendedSessionSchema),
        metadata={"description": "Upcoming, at the enterprise's centre or online, still accepting enrolments"},
    )


class AssessmentRefSchema(Schema):
    id = fields.String()
    label = fields.String(metadata={"example": "T1"})
    taken_at = fields.DateTime()
    overall = fields.Float()
    band = fields.Nested(MaturityCodeNameSchema)


class RecommendationsSchema(Schema):
    enterprise = fields.Nested(AssessedEnterpriseSchema)
    based_on = fields.Nested(
        AssessmentRefSchema, allow_none=True, metadata={"description": "The latest assessment; None before the first"}
    )
    weakest = fields.List(fields.Nested(WeakDimensionSchema), metadata={"description": "Weakest first"})
    courses = fields.List(fields.Nested(RecommendedCourseSchema), metadata={"description": "Best match first"})


class ScoresSchema(Schema):
    overall = fields.Float(metadata={"example": 46.4})
    dimensions = fields.Dict(keys=fields.String(metadata={"enum": [d.value for d in Dimension]}), values=fields.Float())


class OwnProgressSchema(Schema):
    assessments = fields.Integer(metadata={"description": "How many assessments the enterprise has taken"})
    first = fields.Nested(ScoresSchema)
    latest = fields.Nested(ScoresSchema)
    change = fields.Nested(ScoresSchema, allow_none=True, metadata={"description": "None after one assessment"})


class CentreAverageSchema(Schema):
    enterprises = fields.Integer(metadata={"description": "How many enterprises the average is of"})
    scores = fields.Nested(
        ScoresSchema, allow_none=True, metadata={"description": "None when fewer than 3 enterprises are behind it"}
    )


class ProgressSchema(Schema):
    enterprise = fields.Nested(AssessedEnterpriseSchema)
    own = fields.Nested(OwnProgressSchema, allow_none=True, metadata={"description": "None before any assessment"})
    centre_latest = fields.Nested(
        CentreAverageSchema, metadata={"description": "The other enterprises of the centre: their latest scores"}
    )
    centre_change = fields.Nested(
        CentreAverageSchema,
        metadata={"description": "The other enterprises of the centre assessed twice or more: their change"},
    )
    minimum = fields.Integer(metadata={"description": "No average is given of fewer enterprises", "example": 3})


# ---------------------------------------------------------------------- views
def _pair(names: tuple[str, str]) -> dict[str, str]:
    return {"bg": names[0], "en": names[1]}


def dimension_view(dimension: Dimension | str) -> dict[str, Any]:
    dimension = Dimension(dimension)
    return {"code": dimension.value, "name": _pair(DIMENSION_NAMES[dimension])}


def band_view(band: Band) -> dict[str, Any]:
    return {"code": band.value, "name": _pair(BAND_NAMES[band])}


def question_view(question: Question, questionnaire: Questionnaire) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": question.id,
        "type": question.type.value,
        "text": {"bg": question.text_bg, "en": question.text_en},
        "weight": float(question.weight),
    }
    if question.type is QuestionType.CHECKLIST:
        view["options"] = [{"id": o.id, "text": {"bg": o.text_bg, "en": o.text_en}} for o in question.options]
    elif question.type is QuestionType.SCALE_0_5:
        view["choices"] = [
            {"value": s.value, "text": {"bg": s.text_bg, "en": s.text_en}} for s in questionnaire.scale_labels
        ]
    else:
        view["choices"] = [{"value": a.value, "text": _pair(YES_PARTLY_NO_NAMES[a])} for a in YesPartlyNo]
    return view


def questionnaire_view(questionnaire: Questionnaire, current: Questionnaire) -> dict[str, Any]:
    bands, low = [], 0
    for band, upper in BAND_UPPER_LIMITS:
        bands.append({**band_view(band), "min": low, "max": upper})
        low = upper + 1
    return {
        "version": questionnaire.version,
        "current": questionnaire.version == current.version,
        "title": {"bg": questionnaire.title_bg, "en": questionnaire.title_en},
        "scoring": questionnaire.scoring,
        "bands": bands,
        "dimensions": [
            {**dimension_view(dimension), "questions": [question_view(q, questionnaire) for q in questions]}
            for dimension, questions in questionnaire.dimensions.items()
        ],
    }


def enterprise_view(enterprise: Enterprise) -> dict[str, Any]:
    return {"id": enterprise.enterprise_id, "name": enterprise.name, "centre": enterprise.centre}


def assessment_view(assessment: Assessment) -> dict[str, Any]:
    progress = assessment.progress
    changes = progress.scores if progress else {}
    return {
        "id": assessment.id,
        "label": assessment.label,
        "sequence": assessment.sequence,
        "enterprise": {
            "id": assessment.enterprise_id,
            "name": assessment.enterprise_name,
            "centre": assessment.centre,
        },
        "questionnaire_version": assessment.questionnaire_version,
        "taken_at": assessment.taken_at,
        "taken_by": {
            "id": assessment.taken_by,
            "name": assessment.taken_by_name,
            "role": assessment.taken_by_role.value,
        },
        "overall": assessment.overall,
        "band": band_view(assessment.band),
        "scores": dict(assessment.scores),
        "dimensions": [
            {
                **dimension_view(code),
                "score": score,
                "band": band_view(band_of(score)),
                "change_since_t0": changes.get(code),
            }
            for code, score in assessment.scores.items()
        ],
        "progress": None
        if progress is None
        else {
            "since": {
                "assessment_id": progress.since.assessment_id,
                "label": label(0),
                "taken_at": progress.since.taken_at,
                "overall": progress.since.overall,
            },
            "overall": progress.overall,
            "improved": progress.improved,
            "dimensions": dict(progress.scores),
        },
        "answers": dict(assessment.answers),
    }


def session_view(session: Session) -> dict[str, Any]:
    return {
        "id": session.id,
        "centre": session.centre,
        "online": session.online,
        "room": session.room,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "meetings": len(session.meetings),
        "enrolment_closes_at": session.enrolment_closes_at,
        "capacity": session.capacity,
        "funded": session.funded,
        "trainer_name": session.trainer_name,
    }


def course_view(course: Course) -> dict[str, Any]:
    return {
        "id": course.id,
        "title": {"bg": course.title_bg, "en": course.title_en or None},
        "description": {"bg": course.description_bg, "en": course.description_en or None},
        "level": Level(course.level).value,
        "format": Format(course.format).value,
        "hours": course.hours,
        "dimensions": [dimension_view(d) for d in course.dimensions],
    }


def recommendation_view(recommendation: Recommendation) -> dict[str, Any]:
    return {
        **course_view(recommendation.course),
        "improves": [dimension_view(d) for d in recommendation.targets],
        "sessions": [session_view(s) for s in recommendation.sessions],
    }


def recommendations_view(found: EnterpriseRecommendations) -> dict[str, Any]:
    latest = found.based_on
    return {
        "enterprise": enterprise_view(found.enterprise),
        "based_on": None
        if latest is None
        else {
            "id": latest.id,
            "label": latest.label,
            "taken_at": latest.taken_at,
            "overall": latest.overall,
            "band": band_view(latest.band),
        },
        "weakest": [
            {**dimension_view(w.dimension), "score": w.score, "band": band_view(band_of(w.score))}
            for w in found.recommendations.weakest
        ],
        "courses": [recommendation_view(r) for r in found.recommendations.courses],
    }


def _scores_view(scores: Scores | None) -> dict[str, Any] | None:
    if scores is None:
        return None
    return {"overall": scores.overall, "dimensions": dict(scores.dimensions)}


def _average_view(average: Average) -> dict[str, Any]:
    return {"enterprises": average.enterprises, "scores": _scores_view(average.scores)}


def progress_view(enterprise: Enterprise, report: ProgressReport) -> dict[str, Any]:
    own = report.own
    return {
        "enterprise": enterprise_view(enterprise),
        "own": None
        if own is None
        else {
            "assessments": own.assessments,
            "first": _scores_view(own.first),
            "latest": _scores_view(own.latest),
            "change": _scores_view(own.change),
        },
        "centre_latest": _average_view(report.centre_latest),
        "centre_change": _average_view(report.centre_change),
        "minimum": MIN_ENTERPRISES,
    }


# ---------------------------------------------------------------------- endpoints
@blp.get("/questionnaires/current")
@blp.response(200)
@documented(QuestionnaireSchema)
def current_questionnaire() -> dict[str, Any]:
    """The questionnaire new assessments are offered: six dimensions, their questions, weights and answers."""
    service = training().assessments
    current = service.questionnaire()
    return questionnaire_view(current, current)


@blp.get("/questionnaires/<version>")
@blp.response(200)
@documented(QuestionnaireSchema)
def questionnaire(version: str) -> dict[str, Any]:
    """A version of the questionnaire (older assessments were answered against older versions)."""
    service = training().assessments
    return questionnaire_view(service.questionnaire(version), service.questionnaire())


@blp.post("/enterprises/<enterprise_id>/assessments")
@blp.arguments(SubmitAssessmentSchema)
@blp.response(201)
@documented(AssessmentSchema, 201)
def submit(data: dict[str, Any], enterprise_id: str) -> dict[str, Any]:
    """Assess the enterprise's digital maturity: each dimension's score, the overall score and its band.

    The first assessment is T0; later ones show the progress since it. By the enterprise's representative,
    or by staff of its centre on its behalf."""
    service = training().assessments
    return assessment_view(service.submit(current_principal(), enterprise_id, data["version"], data["answers"]))


@blp.get("/enterprises/<enterprise_id>/assessments")
@blp.response(200)
@documented(AssessmentListSchema)
def history(enterprise_id: str) -> dict[str, Any]:
    """The enterprise's assessments, T0 first, each later one with its progress since T0."""
    enterprise, assessments = training().assessments.history(current_principal(), enterprise_id)
    return {"enterprise": enterprise_view(enterprise), "items": [assessment_view(a) for a in assessments]}


@blp.get("/assessments/<assessment_id>")
@blp.response(200)
@documented(AssessmentSchema)
def show(assessment_id: str) -> dict[str, Any]:
    """One assessment with its answers, scores and progress since T0."""
    return assessment_view(training().assessments.view(current_principal(), assessment_id))


@blp.get("/enterprises/<enterprise_id>/recommendations")
@blp.response(200)
@documented(RecommendationsSchema)
def recommendations(enterprise_id: str) -> dict[str, Any]:
    """Courses for the weakest dimensions of the latest assessment, with upcoming sessions the enterprise can
    still enrol in at its regional centre or online."""
    return recommendations_view(training().assessments.recommendations(current_principal(), enterprise_id))


@blp.get("/enterprises/<enterprise_id>/progress")
@blp.response(200)
@documented(ProgressSchema)
def progress(enterprise_id: str) -> dict[str, Any]:
    """The enterprise's first and latest scores and the change, next to the average latest score and the average
    change of the other enterprises its regional centre serves (not given of fewer than 3 enterprises)."""
    return progress_view(*training().assessments.progress(current_principal(), enterprise_id))
