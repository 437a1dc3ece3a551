"""Clerks check the needs buyers post before sellers see them: publish one, or refuse it with a reason."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from services.portal import auth
from services.portal.forms import FormState
from services.portal.market_api import api_path, market, press, send, told
from services.portal.market_labels import context

blp = Blueprint("needs_review", __name__, url_prefix="/clerk/needs")
blp.context_processor(context)


@blp.get("")
@auth.signed_in("clerk")
def queue() -> ResponseReturnValue:
    """The needs waiting for a check, oldest first."""
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    found = market().get("/api/v1/needs", auth.token(), params={"status": "submitted", "page": page, "per_page": 20})
    return render_template("clerk/needs.html", found=found, page=page)


@blp.get("/<need_id>")
@auth.signed_in("clerk")
def need(need_id: str) -> ResponseReturnValue:
    return _need_page(need_id)


def _need_page(need_id: str, state: FormState | None = None, status: int = 200) -> ResponseReturnValue:
    found = market().get(api_path("/api/v1/needs/{}", need_id), auth.token())
    return render_template("clerk/need.html", need=found, state=state or FormState()), status


@blp.post("/<need_id>/validate")
@auth.signed_in("clerk")
def validate(need_id: str) -> ResponseReturnValue:
    queue_page = url_for("needs_review.queue")
    return press(
        api_path("/api/v1/needs/{}/validate", need_id),
        back=url_for("needs_review.need", need_id=need_id),
        done=lambda _need: told(_("The need is published: the sellers who offer its category are told."), queue_page),
    )


@blp.post("/<need_id>/reject")
@auth.signed_in("clerk")
def reject(need_id: str) -> ResponseReturnValue:
    state = FormState.of(request.form)
    reason = request.form.get("reason", "").strip()
    if not reason:
        state.add("reason", _("Say why the need cannot be published; the buyer reads it."))
    return send(
        api_path("/api/v1/needs/{}/reject", need_id),
        {"reason": reason},
        state,
        again=lambda refused: _need_page(need_id, refused, 422),
        done=lambda _need: told(_("The need is refused and the buyer is told why."), url_for("needs_review.queue")),
        back=url_for("needs_review.need", need_id=need_id),
    )
