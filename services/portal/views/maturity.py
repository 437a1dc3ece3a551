"""An enterprise's digital maturity: the latest result as a radar chart against T0, the history, the courses
recommended for its weakest dimensions, and the questionnaire to assess it again.

Representatives see their own enterprise; clerks and admins name one (``?enterprise=<id>``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from services.portal import auth
from services.portal.clients import ServiceError
from services.portal.forms import FormState
from services.portal.i18n import localised
from services.portal.radar import radar
from services.portal.reference import centre_name
from services.portal.training_common import MAX_ID_LENGTH, api, points, segment, training_context
from services.portal.training_views import send

blp = Blueprint("maturity", __name__, url_prefix="/my/maturity")
blp.context_processor(training_context)


def _own_enterprise() -> str | None:
    person = auth.current_person()
    return person.enterprise_id if person and person.has("representative") and person.enterprise_id else None


def _enterprise() -> tuple[str | None, bool]:
    """The enterprise the page is about, and whether it was named in the request (staff acting for it)."""
    own = _own_enterprise()
    if own:
        return own, False
    person = auth.current_person()
    if person is None or not person.has("clerk", "admin"):
        return None, False
    named = (request.values.get("enterprise") or "").strip()
    if len(named) > MAX_ID_LENGTH:
        abort(404)
    return named or None, True


def _overview_url(enterprise_id: str, named: bool) -> str:
    return url_for("maturity.overview", enterprise=enterprise_id if named else None)


@blp.get("")
@auth.signed_in("representative", "clerk")
def overview() -> ResponseReturnValue:
    enterprise_id, named = _enterprise()
    if enterprise_id is None:
        return render_template("maturity/choose.html", staff=named)
    try:
        history = api().get(f"/api/v1/enterprises/{segment(enterprise_id)}/assessments", auth.token())
    except ServiceError as refused:
        if refused.status != 404:
            raise
        return render_template("maturity/overview.html", missing=localised(refused.message), named=named), 404
    items = [_named(item) for item in history["items"]]
    latest = items[-1] if items else None
    baseline = items[0] if len(items) > 1 else None  # T0, when a later assessment is the latest
    return render_template(
        "maturity/overview.html",
        enterprise=history["enterprise"],
        enterprise_id=enterprise_id,
        named=named,
        centre=centre_name(history["enterprise"].get("centre")),
        history=list(reversed(items)),
        latest=latest,
        baseline=baseline,
        chart=_chart(latest, baseline) if latest else None,
        description=_description(latest, baseline) if latest else "",
        recommendations=_recommendations(enterprise_id) if latest else None,
        represents=_own_enterprise() == enterprise_id,
    )


def assessment_name(label: str) -> str:
    """The service's ``T0``, ``T1``… in words: "оценка № 1", "оценка № 2"… (numbered from one)."""
    number = label[1:]
    return _("assessment No. %(number)d", number=int(number) + 1) if label[:1] == "T" and number.isdigit() else label


def _named(assessment: dict[str, Any]) -> dict[str, Any]:
    """An assessment, and the one its progress is counted from, with their names in words."""
    named = {**assessment, "label": assessment_name(assessment.get("label", ""))}
    since = (assessment.get("progress") or {}).get("since")
    if since:
        named["progress"] = {**assessment["progress"], "since": {**since, "label": assessment_name(since["label"])}}
    return named


def _recommendations(enterprise_id: str) -> dict[str, Any] | None:
    try:
        return api().get(f"/api/v1/enterprises/{segment(enterprise_id)}/recommendations", auth.token())
    except ServiceError:
        return None


def _scores_of(assessment: dict[str, Any], dimensions: list[dict[str, Any]]) -> list[float]:
    """An assessment's scores in the order of the latest assessment's ``dimensions``."""
    return [assessment["scores"].get(d["code"], 0) for d in dimensions]


def _chart(latest: dict[str, Any], baseline: dict[str, Any] | None) -> Any:
    dimensions = latest["dimensions"]
    series = []
    if baseline is not None:
        series.append((baseline["label"], _scores_of(baseline, dimensions)))
    series.append((latest["label"], [d["score"] for d in dimensions]))
    return radar([localised(d["name"]) for d in dimensions], series)


def _description(latest: dict[str, Any], baseline: dict[str, Any] | None) -> str:
    """The chart in words, for those who cannot see it (the table below has the same figures)."""
    dimensions = latest["dimensions"]

    def listed(scores: list[float]) -> str:
        return "; ".join(f"{localised(d['name'])} {points(score)}" for d, score in zip(dimensions, scores, strict=True))

    text = _(
        "Scores from 0 to 100 by dimension, %(label)s: %(scores)s.",
        label=latest["label"],
        scores=listed([d["score"] for d in dimensions]),
    )
    if baseline is not None:
        text += " " + _(
            "The first, %(label)s: %(scores)s.",
            label=baseline["label"],
            scores=listed(_scores_of(baseline, dimensions)),
        )
    return text


def _questionnaire() -> dict[str, Any]:
    return api().get("/api/v1/questionnaires/current")


DRAFTS = "maturity_drafts"
"""Questionnaires saved half-way, by enterprise, in the signed session cookie (kept until signing out)."""
MAX_ANSWER = 400


def _question_count(questionnaire: dict[str, Any]) -> int:
    return sum(len(dimension["questions"]) for dimension in questionnaire["dimensions"])


def _chosen(state: FormState) -> dict[str, set[str]]:
    """The answers ticked so far, by question input name, to show the form again as it was sent."""
    chosen = {}
    for name, value in state.values.items():
        chosen[name] = {str(v) for v in value} if isinstance(value, list) else {str(value)}
    return chosen


def _questionnaire_form(
    questionnaire: dict[str, Any], state: FormState, enterprise_id: str, named: bool, status: int = 200
) -> Any:
    placed = tuple(f"answers.{q['id']}" for d in questionnaire["dimensions"] for q in d["questions"])
    return (
        render_template(
            "maturity/questionnaire.html",
            questionnaire=questionnaire,
            state=state,
            chosen=_chosen(state),
            placed=placed,
            total=len(placed),
            answered=sum(1 for name in placed if state.values.get(name) not in (None, "", [])),
            enterprise_id=enterprise_id,
            named=named,
        ),
        status,
    )


@blp.route("/questionnaire", methods=["GET", "POST"])
@auth.signed_in("representative", "clerk")
def questionnaire() -> ResponseReturnValue:
    enterprise_id, named = _enterprise()
    if enterprise_id is None:
        return redirect(url_for("maturity.overview"))
    current = _questionnaire()
    drafts: dict[str, Any] = session.get(DRAFTS, {})
    if request.method == "GET":
        return _questionnaire_form(current, FormState(values=drafts.get(enterprise_id, {})), enterprise_id, named)
    state = FormState.of(request.form)
    if request.form.get("then") == "save":
        typed = {k: v for k, v in state.values.items() if k.startswith("answers.") and len(str(v)) <= MAX_ANSWER}
        session[DRAFTS] = {**drafts, enterprise_id: typed}
        flash(
            _(
                "Your answers so far are kept until you sign out: %(answered)d of %(total)d questions. "
                "Open the questionnaire again to finish it.",
                answered=len(typed),
                total=_question_count(current),
            ),
            "success",
        )
        return redirect(_overview_url(enterprise_id, named))
    answers = _answers(current, state)
    if not state.ok:
        return _questionnaire_form(current, state, enterprise_id, named, 422)
    assessment, refused = send(
        f"/api/v1/enterprises/{segment(enterprise_id)}/assessments",
        {"version": current["version"], "answers": answers},
        (403, 409, 422),
    )
    if refused is not None:
        state.fail(refused)
        return _questionnaire_form(current, state, enterprise_id, named, refused.status)
    session[DRAFTS] = {key: value for key, value in drafts.items() if key != enterprise_id}
    flash(
        _(
            "Saved: %(label)s, %(overall)s points overall, %(band)s.",
            label=assessment_name(assessment["label"]),
            overall=points(assessment["overall"]),
            band=localised(assessment["band"]["name"]),
        ),
        "success",
    )
    return redirect(_overview_url(enterprise_id, named))


def _answers(questionnaire: dict[str, Any], state: FormState) -> dict[str, Any]:
    """Each answer as the API takes it (the value of the choice picked); a question left unanswered (every one
    must be answered) or answered with something not among its choices is reported on it. A checklist with
    nothing ticked is answered: none."""
    answers: dict[str, Any] = {}
    questions = [q for dimension in questionnaire["dimensions"] for q in dimension["questions"]]
    for number, question in enumerate(questions, start=1):
        name = f"answers.{question['id']}"
        raw = state.value(name, None)
        if question["type"] == "checklist":
            ticked = raw if isinstance(raw, list) else ([raw] if raw else [])
            allowed = {option["id"] for option in question.get("options", [])}
            answers[question["id"]] = [v for v in ticked if v in allowed]
            continue
        if raw is None or raw == "":
            state.add(name, _("Answer question %(number)d.", number=number))
            continue
        choices = {str(choice["value"]): choice["value"] for choice in question.get("choices", [])}
        if not isinstance(raw, str) or raw not in choices:
            state.add(name, _("Choose one of the answers to question %(number)d.", number=number))
        else:
            answers[question["id"]] = choices[raw]
    return answers
