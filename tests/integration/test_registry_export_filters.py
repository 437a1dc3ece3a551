"""The register's open data export follows the search's filters and, for people, speaks Bulgarian."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.integration.registry_api import application
from tests.integration.test_registry_api import registered

pytestmark = pytest.mark.integration


@pytest.fixture
def client(registry_app: Flask) -> FlaskClient:
    return registry_app.test_client()


def exported(client: FlaskClient, **query: str) -> tuple[list[str], list[dict[str, str]]]:
    response = client.get("/api/v1/register/export.csv", query_string=query)
    assert response.status_code == 200, response.json
    text = response.data.decode("utf-8-sig")
    delimiter = ";" if query.get("labels") == "bg" else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    return list(reader.fieldnames or []), list(reader)


def test_the_export_holds_what_the_search_finds(client: FlaskClient) -> None:
    registered(client)
    registered(client, application(details__eik="131071587", details__name="Kooperatsia Rodopa Textile"))
    assert len(exported(client)[1]) == 2
    assert [r["name"] for r in exported(client, q="пекар")[1]] == ["Социална пекарна „Добро утро“"]
    assert [r["eik"] for r in exported(client, eik="131071587")[1]] == ["131071587"]
    assert exported(client, region="BG33")[1] == []
    json_items = client.get("/api/v1/register/export.json", query_string={"q": "rodopa"}).json["items"]
    assert [i["name"] for i in json_items] == ["Kooperatsia Rodopa Textile"]
    refused = client.get("/api/v1/register/export.csv", query_string={"district": "BG-99"})
    assert refused.status_code == 422 and "district" in refused.json["fields"]


def test_the_export_for_people_has_bulgarian_column_names_and_values(client: FlaskClient) -> None:
    registered(client)
    columns, rows = exported(client, labels="bg")
    assert columns[:6] == ["Регистров номер", "Наименование", "Правна форма", "ЕИК", "Клас", "Статус"]
    row = rows[0]
    assert row["Статус"] == "Вписано" and row["Област"] == "Пловдив" and row["Район за планиране"] == "Южен централен"
    assert row["Регионален център"] == "Регионален център Пловдив"
    assert row["Дата на заповедта"] == "20.11.2026"
    assert "BG-16" not in ";".join(row.values())
