"""An enterprise's digital maturity: the latest result as a radar chart against T0, the progress since the first
assessment next to the centre's average, the history, the courses recommended for its weakest dimensions (with
the representative's workers to tick against their sessions and enrol in one step), and the questionnaire to
assess it again.

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
    return _overview_page(enterprise_id, named, history)


def _overview_page(
    enterprise_id: str,
    named: bool,
    history: dict[str, Any],
    state: FormState | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    items = [_named(item) for item in history["items"]]
    latest = items[-1] if items else None
    baseline = items[0] if len(items) > 1 else None  # T0, when a later assessment is the latest
    represents = _own_enterprise() == enterprise_id
    recommendations = _recommendations(enterprise_id) if latest else None
    return (
        render_template(
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
            recommendations=recommendations,
            represents=represents,
            progress=_progress(enterprise_id, latest) if latest else None,
            workers=_enrollable(enterprise_id) if represents and recommendations else [],
            state=state or FormState(),
            ticked=_ticked(state) if state else {},
        ),
        status,
    )


def _progress(enterprise_id: str, latest: dict[str, Any]) -> dict[str, Any] | None:
    """The progress since the first assessment, by dimension in the latest's order, next to the centre's averages."""
    try:
        found = api().get(f"/api/v1/enterprises/{segment(enterprise_id)}/progress", auth.token())
    except ServiceError:
        return None
    own = found.get("own")
    if not own:
        return None
    averages = {key: (found[key]["scores"] or {}) for key in ("centre_latest", "centre_change")}
    change = own.get("change") or {}
    rows = [
        {
            "name": localised(d["name"]),
            "first": own["first"]["dimensions"].get(d["code"]),
            "latest": own["latest"]["dimensions"].get(d["code"]),
            "change": (change.get("dimensions") or {}).get(d["code"]),
            "centre_latest": (averages["centre_latest"].get("dimensions") or {}).get(d["code"]),
            "centre_change": (averages["centre_change"].get("dimensions") or {}).get(d["code"]),
        }
        for d in latest["dimensions"]
    ]
    overall = {
        "name": _("Overall"),
        "first": own["first"]["overall"],
        "latest": own["latest"]["overall"],
        "change": change.get("overall"),
        "centre_latest": averages["centre_latest"].get("overall"),
        "centre_change": averages["centre_change"].get("overall"),
    }
    return {
        "rows": [overall, *rows],
        "assessments": own["assessments"],
        "centre_latest": found["centre_latest"],
        "centre_change": found["centre_change"],
        "minimum": found["minimum"],
    }


def _enrollable(enterprise_id: str) -> list[dict[str, Any]]:
    """The workers on the staff list who can be invited: still there, with a work e-mail."""
    try:
        staff = api().get(f"/api/v1/enterprises/{segment(enterprise_id)}/staff", auth.token())
    except ServiceError:
        return []
    return [w for w in staff["items"] if w["active"] and w["email"]]


PICK = "pick."
"""Checkboxes ``pick.<session id>`` whose values are the ids of the workers ticked against that session."""
MAX_PICKED_SESSIONS = 20


def _ticked(state: FormState) -> dict[str, set[str]]:
    ticked: dict[str, set[str]] = {}
    for name, value in state.values.items():
        if name.startswith(PICK):
            ticked[name[len(PICK) :]] = set(value if isinstance(value, list) else [value])
    return ticked


@blp.post("/enrol")
@auth.signed_in("representative")
def enrol() -> ResponseReturnValue:
    """Enrol the workers ticked against the recommended sessions in one step; each worker's result is shown."""
    enterprise_id = _own_enterprise()
    if enterprise_id is None:
        return redirect(url_for("maturity.overview"))
    state = FormState.of(request.form)
    ticked = _ticked(state)
    picks = [
        {"session_id": session_id, "worker_ids": sorted(workers)}
        for session_id, workers in ticked.items()
        if workers and len(session_id) <= MAX_ID_LENGTH
    ][:MAX_PICKED_SESSIONS]
    history = api().get(f"/api/v1/enterprises/{segment(enterprise_id)}/assessments", auth.token())
    if not picks:
        state.add("picks", _("Tick at least one worker against a session."))
        return _overview_page(enterprise_id, False, history, state, 422)
    answer, refused = send(
        f"/api/v1/enterprises/{segment(enterprise_id)}/staff/enrolments", {"picks": picks}, (403, 404, 409, 422)
    )
    if refused is not None:
        state.fail(refused, {f"picks.{i}.worker_ids": "picks" for i in range(len(picks))})
        return _overview_page(enterprise_id, False, history, state, refused.status)
    sessions = _recommended_sessions(enterprise_id)
    results = [{**item, "session": sessions.get(item["session_id"])} for item in answer["items"]]
    return render_template("maturity/enrolled.html", results=results)


def _recommended_sessions(enterprise_id: str) -> dict[str, dict[str, Any]]:
    found = _recommendations(enterprise_id) or {}
    return {
        s["id"]: {**s, "course_title": localised(c["title"])} for c in found.get("courses", []) for s in c["sessions"]
    }


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
