"""Calls for support over HTTP: anyone reads them; the ministry publishes; staff rank a region."""

from __future__ import annotations

import io
from typing import Any

from flask import Response

from services.grants.domain.call import Call
from services.grants.entrypoints.api.context import grants
from services.grants.entrypoints.api.schemas import (
    OBJECT,
    AwardsQuerySchema,
    CloseCallSchema,
    NewCallSchema,
    RankSchema,
    call_view,
)
from shared.text import spreadsheet
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented
from shared.web.ratelimit import public_limit

blp = Blueprint("calls", __name__, url_prefix="/api/v1", description="Calls for modernisation support")


def _shown(call: Call) -> dict[str, Any]:
    service = grants()
    return call_view(call, service.clock.now(), service.rules.tolerance_percent)


@blp.get("/calls")
@blp.response(200)
@documented(OBJECT)
@public_limit
def list_calls() -> dict[str, Any]:
    """Every call, the latest first."""
    return {"items": [_shown(c) for c in grants().calls.all()]}


@blp.post("/calls")
@blp.arguments(NewCallSchema)
@blp.response(201)
@documented(OBJECT, 201)
def publish(data: dict[str, Any]) -> dict[str, Any]:
    """Publish a call: budget, an envelope per planning region, limits (euro cents), categories, the window
    (Sofia dates, both included), the rubric (weights adding up to 100) and the documents required."""
    return _shown(grants().publish_call(current_principal(), data))


@blp.get("/calls/<call_id>")
@blp.response(200)
@documented(OBJECT)
@public_limit
def show(call_id: str) -> dict[str, Any]:
    """A call with its envelopes: what each region has, has committed and has left."""
    service = grants()
    return {**_shown(service.calls.get(call_id)), "envelope_figures": service.envelopes(call_id)}


@blp.post("/calls/<call_id>/close")
@blp.arguments(CloseCallSchema)
@blp.response(200)
@documented(OBJECT)
def close(data: dict[str, Any], call_id: str) -> dict[str, Any]:
    """Close a call before its window ends, with the reason (shown with the call): from then on it takes no new
    application nor submission; those submitted go on to their decision. A call closed already, or whose window
    has ended, answers 409."""
    return _shown(grants().close_call(current_principal(), call_id, data["reason"]))


@blp.post("/calls/<call_id>/ranking")
@blp.arguments(RankSchema)
@blp.response(200)
@documented(OBJECT)
def rank(data: dict[str, Any], call_id: str) -> dict[str, Any]:
    """Rank a region's evaluated applications within what its envelope has left: the proposal for each
    (award, reserve); failing ones are rejected with the reason."""
    places = grants().rank_region(current_principal(), call_id, data["region"])
    return {
        "items": [{"application_id": p.application_id, "rank": p.rank, "proposal": p.proposal.value} for p in places]
    }


@blp.get("/calls/<call_id>/figures")
@blp.response(200)
@documented(OBJECT)
@public_limit
def figures(call_id: str) -> dict[str, Any]:
    """The call's monitoring figures per planning region: envelope, committed, contracted, paid and left (euro
    cents); enterprises supported, completed and digitalised."""
    return {"call_id": call_id, "regions": grants().figures(call_id)}


@blp.get("/awards")
@blp.arguments(AwardsQuerySchema, location="query")
@blp.response(200)
@documented(OBJECT)
@public_limit
def awards(query: dict[str, Any]) -> dict[str, Any]:
    """The public list of awards: beneficiary, amount, date, call (optionally one call), oldest first."""
    return {"items": grants().public_awards(query.get("call_id"))}


AWARD_COLUMNS = [
    ("beneficiary", "Бенефициент"),
    ("enterprise_id", "Идентификатор"),
    ("amount", "Сума (€)"),
    ("awarded_on", "Дата на решението"),
    ("contract_number", "Договор"),
    ("call_title", "Покана"),
    ("region", "Район"),
    ("status", "Състояние"),
]


@blp.get("/awards.csv")
@blp.arguments(AwardsQuerySchema, location="query")
@blp.doc(responses={"200": {"description": "OK", "content": {"text/csv": {"schema": {"type": "string"}}}}})
@public_limit
def awards_csv(query: dict[str, Any]) -> Response:
    """The same list as CSV for Bulgarian spreadsheets (UTF-8 with BOM, ``;`` between fields, amounts with a
    decimal comma); a cell that could start a formula begins with ``'``."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = spreadsheet.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([title for _, title in AWARD_COLUMNS])
    for award in grants().public_awards(query.get("call_id")):
        euros, cents = divmod(award["amount_cents"], 100)
        row = {**award, "amount": f"{euros},{cents:02d}"}
        writer.writerow([row[key] for key, _ in AWARD_COLUMNS])
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="grants-awards.csv"'},
    )
