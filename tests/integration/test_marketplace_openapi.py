"""The marketplace's OpenAPI document describes what its views really return, not only what they accept."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database

from tests.integration.marketplace_api import published_listing, seed_seller

pytestmark = pytest.mark.integration

REF_PREFIX = "#/components/schemas/"
METHODS = {"get", "post", "put", "patch", "delete"}


def spec_of(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json


def resolved(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its ``$ref`` followed into ``components.schemas``.

    A nested schema with a description is wrapped in ``allOf``, a nullable one in ``anyOf`` with a null object.
    """
    while True:
        if "$ref" in schema:
            ref = schema["$ref"]
            assert ref.startswith(REF_PREFIX), ref
            schema = spec["components"]["schemas"][ref.removeprefix(REF_PREFIX)]
        elif "allOf" in schema or "anyOf" in schema:
            refs = [s for s in schema.get("allOf", []) + schema.get("anyOf", []) if "$ref" in s]
            assert len(refs) == 1, schema
            schema = refs[0]
        else:
            return schema


def response_schema(spec: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    responses = spec["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path} documents {sorted(responses)}"
    return resolved(spec, responses[str(status)]["content"]["application/json"]["schema"])


def properties(spec: dict[str, Any], schema: dict[str, Any], *path: str) -> dict[str, Any]:
    """The properties of ``schema``, or of the object reached through ``path`` (list items are followed)."""
    schema = resolved(spec, schema)
    for name in path:
        schema = resolved(spec, schema["properties"][name])
        if schema.get("type") == "array":
            schema = resolved(spec, schema["items"])
    return schema["properties"]


def test_the_search_response_is_documented(market: FlaskClient) -> None:
    spec = spec_of(market)
    page = response_schema(spec, "/api/v1/listings", "get", 200)
    assert {"total", "items", "facets", "next_cursor"} <= set(page["properties"])
    listing = properties(spec, page, "items")
    assert {"id", "title", "price", "category", "seller", "rating", "status"} <= set(listing)
    assert {"bg", "en"} == set(properties(spec, page, "items", "title"))
    assert {"cents", "on_request", "display", "unit", "minimum_quantity"} <= set(
        properties(spec, page, "items", "price")
    )
    assert {"mark", "enterprise_class", "in_good_standing", "district", "region", "centre"} <= set(
        properties(spec, page, "items", "seller")
    )
    assert {"category", "region"} == set(properties(spec, page, "facets"))
    assert {"code", "name", "count"} <= set(properties(spec, page, "facets", "region"))
    assert resolved(spec, listing["status"])["enum"] == ["draft", "published", "paused", "archived"]


def test_a_quote_request_documents_the_deal_it_creates(market: FlaskClient) -> None:
    spec = spec_of(market)
    deal = response_schema(spec, "/api/v1/quotes", "post", 201)
    assert {"id", "state", "listing", "supplier", "buyer", "quantity", "offer", "timeline", "version"} <= set(
        deal["properties"]
    )
    assert "requested" in deal["properties"]["state"]["enum"]
    assert {"unit_price_cents", "total_cents", "display", "valid_until"} <= set(properties(spec, deal, "offer"))
    mine = response_schema(spec, "/api/v1/quotes", "get", 200)
    assert set(properties(spec, mine, "items")) == set(deal["properties"])


def test_a_need_is_documented_as_each_audience_may_see_it(market: FlaskClient) -> None:
    spec = spec_of(market)
    need = response_schema(spec, "/api/v1/needs/{need_id}", "get", 200)
    assert {"id", "title", "category", "budget", "deadline", "status", "accepts_interest", "buyer"} <= set(
        need["properties"]
    )
    assert {"my_interest", "interests", "matches", "outcome", "version"} <= set(need["properties"])
    assert {"min_cents", "max_cents", "display"} == set(properties(spec, need, "budget"))
    board = response_schema(spec, "/api/v1/needs", "get", 200)
    assert {"total", "page", "per_page", "items"} == set(board["properties"])
    assert response_schema(spec, "/api/v1/needs", "post", 201) == need


def test_every_json_endpoint_documents_its_response(market: FlaskClient) -> None:
    spec = spec_of(market)
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        if path.startswith("/api/v1/") and not path.endswith(".csv")
        for method, operation in operations.items()
        if method in METHODS
        and not any(
            "application/json" in response.get("content", {}) or "image/webp" in response.get("content", {})
            for status, response in operation["responses"].items()
            if status.startswith("2")
        )
    ]
    assert undocumented == []
    csv = spec["paths"]["/api/v1/impact-report.csv"]["get"]["responses"]["200"]
    assert set(csv["content"]) == {"text/csv"}
    photo = spec["paths"]["/api/v1/listings/{listing_id}/photos/{photo_id}/{size}"]["get"]["responses"]["200"]
    assert set(photo["content"]) == {"image/webp"}


def test_a_real_search_response_has_exactly_the_documented_keys(market: FlaskClient, market_db: Database) -> None:
    spec = spec_of(market)
    page = response_schema(spec, "/api/v1/listings", "get", 200)
    published_listing(market, seed_seller(market_db))
    found = market.get("/api/v1/listings", query_string={"q": "мед"})
    assert found.status_code == 200, found.json
    body = found.json
    assert body["total"] == 1
    assert set(body) == set(page["properties"])
    assert set(body["facets"]) == set(properties(spec, page, "facets"))
    documented_listing = set(properties(spec, page, "items"))
    owner_only = {"pause_reason", "version", "created_at", "updated_at"}
    assert set(body["items"][0]) == documented_listing - owner_only
    assert set(body["items"][0]["seller"]) == set(properties(spec, page, "items", "seller")) - {"rating"}
    assert set(body["items"][0]["price"]) == set(properties(spec, page, "items", "price"))
