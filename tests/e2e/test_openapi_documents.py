"""Each service's OpenAPI document says what the service really answers: the statuses, the formats, the bodies.

The fuzzing (test_fuzz.py) holds the services to their documents; these tests hold the documents to the
facts the fuzzing cannot reach on its own (answers that need data, or a client over its limit).
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from shared.auth import Principal, Role, TokenCodec
from shared.config import Settings
from tests.e2e.web_processes import SERVICES

pytestmark = pytest.mark.e2e

CODEC = TokenCodec.from_settings(Settings.from_env("tests"))
METHODS = ("get", "post", "put", "patch", "delete")
ERROR_REF = {"$ref": "#/components/schemas/Error"}


def document(service_apis: dict[str, str], service: str) -> dict[str, Any]:
    response = requests.get(f"{service_apis[service]}/openapi.json", timeout=30)
    assert response.status_code == 200
    return response.json()


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS and path.startswith("/api/")
    ]


def error_schema(spec: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rpartition("/")[2]]
    return response["content"]["application/json"]["schema"]


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_lists_its_error_answers_with_the_error_schema(
    service_apis: dict[str, str], service: str
) -> None:
    spec = document(service_apis, service)
    for method, path, operation in operations(spec):
        responses = operation["responses"]
        where = f"{service} {method.upper()} {path}"
        assert "default" not in responses, f"{where}: a catch-all hides what the operation answers"
        expected = {"401", "414"}
        if operation["x-policy"]["roles"] != ["public"]:
            expected.add("403")
        if "{" in path:
            expected.add("404")
        if "requestBody" in operation:
            expected |= {"400", "413", "415", "422"}
        assert expected <= set(responses), f"{where} documents {sorted(responses)}"
        for status in expected:
            assert error_schema(spec, responses[status]) == ERROR_REF, f"{where} {status}"


def test_rate_limited_operations_document_429_with_retry_after(service_apis: dict[str, str]) -> None:
    spec = document(service_apis, "registry")
    search = spec["paths"]["/api/v1/register"]["get"]["responses"]["429"]
    assert "Retry-After" in search["headers"] and error_schema(spec, search) == ERROR_REF
    limited = {(method, path) for method, path, operation in operations(spec) if "429" in operation["responses"]}
    assert ("post", "/api/v1/eligibility") in limited and ("post", "/api/v1/applications") not in limited


def test_the_open_data_exports_are_documented_as_they_are_served(service_apis: dict[str, str]) -> None:
    spec = document(service_apis, "registry")
    csv_doc = spec["paths"]["/api/v1/register/export.csv"]["get"]["responses"]["200"]["content"]
    assert list(csv_doc) == ["text/csv"]
    served = requests.get(f"{service_apis['registry']}/api/v1/register/export.csv", timeout=30)
    assert served.headers["Content-Type"].startswith("text/csv")
    json_doc = spec["paths"]["/api/v1/register/export.json"]["get"]["responses"]["200"]["content"]
    export = spec["components"]["schemas"][json_doc["application/json"]["schema"]["$ref"].rpartition("/")[2]]
    assert {"columns", "count", "items"} <= set(export["properties"])
    served = requests.get(f"{service_apis['registry']}/api/v1/register/export.json", timeout=30).json()
    row = spec["components"]["schemas"]["RegisterExportRow"]["properties"]
    assert served["columns"] == list(row), "the documented row has the export's columns, in order"


def test_notification_preferences_document_the_categories_they_answer(service_apis: dict[str, str]) -> None:
    spec = document(service_apis, "notifications")
    for method in ("get", "put"):
        ref = spec["paths"]["/api/v1/preferences"][method]["responses"]["200"]["content"]["application/json"]
        schema = spec["components"]["schemas"][ref["schema"]["$ref"].rpartition("/")[2]]
        assert "categories" in schema["properties"] and "categories" in schema["required"]


def test_a_body_is_documented_as_required_only_where_a_missing_one_is_refused(service_apis: dict[str, str]) -> None:
    spec = document(service_apis, "marketplace")
    need = spec["paths"]["/api/v1/needs"]["post"]["requestBody"]
    edit = spec["paths"]["/api/v1/listings/{listing_id}"]["patch"]["requestBody"]
    assert need["required"] is True and edit["required"] is False
    buyer = Principal("openapi-buyer", frozenset({Role.BUYER}), email="buyer@example.bg", email_verified=True)
    headers = {"Authorization": f"Bearer {CODEC.encode(buyer)}"}
    missing = requests.post(f"{service_apis['marketplace']}/api/v1/needs", headers=headers, timeout=30)
    assert missing.status_code == 422 and "title" in missing.json()["fields"]
