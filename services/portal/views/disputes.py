"""Administrators settle disputed orders: the order counts as received, or it is cancelled."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from services.portal import auth
from services.portal.forms import FormState
from services.portal.market_api import api_path, market, send, told
from services.portal.market_labels import context

blp = Blueprint("disputes", __name__, url_prefix="/admin/disputes")
blp.context_processor(context)
RESOLUTIONS = ("received", "cancelled")


def _page(state: FormState | None = None, failed: str = "", status: int = 200) -> ResponseReturnValue:
    found = market().get("/api/v1/orders", auth.token(), params={"state": "disputed", "limit": 100})
    return render_template("admin/disputes.html", orders=found["items"], state=state, failed=failed), status


@blp.get("")
@auth.signed_in("admin")
def queue() -> ResponseReturnValue:
    return _page()


@blp.post("/<deal_id>")
@auth.signed_in("admin")
def resolve(deal_id: str) -> ResponseReturnValue:
    state = FormState.of(request.form)
    resolution = request.form.get("resolution", "")
    if resolution not in RESOLUTIONS:
        state.add("resolution", _("Choose how the dispute ends."))
    return send(
        api_path("/api/v1/orders/{}/resolve", deal_id),
        {"resolution": resolution, "note": request.form.get("note", "").strip()},
        state,
        again=lambda refused: _page(refused, deal_id, 422),
        done=lambda order: told(
            _("Order %(number)s: the dispute is settled.", number=order.get("order_number", "")),
            url_for("disputes.queue"),
        ),
        back=url_for("disputes.queue"),
    )
