"""The register by place: a count of entries per district for the map, and a search by the seat's municipality."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pymongo.database import Database

from services.registry.adapters.register_index import RegisterIndex
from services.registry.adapters.repository import REGISTER
from services.registry.entrypoints.scheduler import checks
from shared.auth import Role
from tests.integration.registry_api import REP, application, token
from tests.integration.test_registry_api import ORDER, create

pytestmark = pytest.mark.integration

CLERK_GABROVO = token("clerk-gabrovo", Role.CLERK, centre="gabrovo")


@pytest.fixture
def client(registry_app: Flask) -> FlaskClient:
    return registry_app.test_client()


def entered(client: FlaskClient, eik: str, district: str, municipality: str, clerk: dict[str, str]) -> str:
    seat = {"district": district, "municipality": municipality, "settlement": municipality.removeprefix("община ")}
    body = application(details__eik=eik, details__name=f"Предприятие {eik}", details__seat=seat | {"address": "ул. 1"})
    app_id = create(client, body)["id"]
    assert client.post(f"/api/v1/applications/{app_id}/submit", headers=REP).status_code == 200
    response = client.post(f"/api/v1/applications/{app_id}/approve", json=ORDER, headers=clerk)
    assert response.status_code == 200, response.json
    return str(response.json["id"])


def counts(client: FlaskClient, **query: str) -> dict[str, Any]:
    response = client.get("/api/v1/register/districts", query_string=query)
    assert response.status_code == 200, response.json
    return response.json


def test_each_district_counts_its_entries_and_the_search_narrows_to_a_municipality(client: FlaskClient) -> None:
    entered(client, "200000002", "BG-07", "Трявна", CLERK_GABROVO)
    entered(client, "200000015", "BG-07", "община Габрово", CLERK_GABROVO)
    entered(client, "200000027", "BG-07", "Tryavna", CLERK_GABROVO)  # typed in Latin
    found = counts(client)
    assert found["total"] == 3 and len(found["districts"]) == 28
    by_code = {d["code"]: d["count"] for d in found["districts"]}
    assert by_code["BG-07"] == 3 and by_code["BG-16"] == 0
    assert counts(client, q="200000002")["total"] == 1
    assert counts(client, **{"class": "A+"})["total"] == 0

    tryavna = client.get("/api/v1/register", query_string={"municipality": "GAB35"}).json
    assert sorted(i["eik"] for i in tryavna["items"]) == ["200000002", "200000027"]
    assert {i["municipality"] for i in tryavna["items"]} == {"GAB35"}
    gabrovo = client.get("/api/v1/register", query_string={"district": "BG-07", "municipality": "GAB05"}).json
    assert [i["eik"] for i in gabrovo["items"]] == ["200000015"]
    exported = client.get("/api/v1/register/export.json", query_string={"municipality": "GAB35"}).json
    assert exported["count"] == 2


def test_an_unknown_municipality_or_count_filter_is_refused_naming_the_field(client: FlaskClient) -> None:
    refused = client.get("/api/v1/register", query_string={"municipality": "Трявна"})
    assert refused.status_code == 422 and "municipality" in refused.json["fields"]
    refused = client.get("/api/v1/register/districts", query_string={"status": "someday"})
    assert refused.status_code == 422 and "status" in refused.json["fields"]
    refused = client.get("/api/v1/register/districts", query_string={"district": "BG-07"})
    assert refused.status_code == 422 and "district" in refused.json["fields"]


def test_register_lines_written_before_municipalities_were_kept_get_them_from_the_scheduler(
    client: FlaskClient, registry_db: Database
) -> None:
    entered(client, "200000002", "BG-07", "Трявна", CLERK_GABROVO)
    # As an earlier release wrote it: no municipality, no view version.
    registry_db[REGISTER].update_many({}, {"$unset": {"municipality": "", "view_version": ""}})
    RegisterIndex(registry_db).build(registry_db[REGISTER])  # the search's postings, as the index job built them
    assert client.get("/api/v1/register", query_string={"municipality": "GAB35"}).json["total"] == 0
    assert checks(registry_db)()["register_lines_resynced"] == 1
    assert client.get("/api/v1/register", query_string={"municipality": "GAB35"}).json["total"] == 1
