"""Calls for support over HTTP: anyone reads them; the ministry publishes; staff rank a region."""

from __future__ import annotations

from typing import Any

from services.grants.entrypoints.api.context import grants
from services.grants.entrypoints.api.schemas import OBJECT, NewCallSchema, RankSchema, call_view
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented
from shared.web.ratelimit import public_limit

blp = Blueprint("calls", __name__, url_prefix="/api/v1", description="Calls for modernisation support")


@blp.get("/calls")
@blp.response(200)
@documented(OBJECT)
@public_limit
def list_calls() -> dict[str, Any]:
    """Every call, the latest first."""
    return {"items": [call_view(c) for c in grants().calls.all()]}


@blp.post("/calls")
@blp.arguments(NewCallSchema)
@blp.response(201)
@documented(OBJECT, 201)
def publish(data: dict[str, Any]) -> dict[str, Any]:
    """Publish a call: budget, an envelope per planning region, limits (euro cents), categories, the window
    (Sofia dates, both included), the rubric (weights adding up to 100) and the documents required."""
    return call_view(grants().publish_call(current_principal(), data))


@blp.get("/calls/<call_id>")
@blp.response(200)
@documented(OBJECT)
@public_limit
def show(call_id: str) -> dict[str, Any]:
    """A call with its envelopes: what each region has, has committed and has left."""
    service = grants()
    return {**call_view(service.calls.get(call_id)), "envelope_figures": service.envelopes(call_id)}


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
