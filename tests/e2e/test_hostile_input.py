"""Hostile requests to every service, as gunicorn serves them: each is a 4xx in the platform's JSON error
format naming the problem, never a 500, an HTML page or a half-written record."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
import requests

from shared.auth import Principal, Role, TokenCodec
from shared.config import Settings
from shared.web.request_input import MAX_JSON_DEPTH, MAX_URL_BYTES
from tests.e2e.web_processes import SERVICES
from tests.integration.events_seed import events_fair
from tests.integration.grants_seed import GRANTS_CALL
from tests.integration.registry_api import application

pytestmark = pytest.mark.e2e

CODEC = TokenCodec.from_settings(Settings.from_env("tests"))
JSON = "application/json"


def bearer(role: Role, **claims: Any) -> dict[str, str]:
    subject = f"hostile-{role.value}-{uuid.uuid4().hex[:8]}"
    principal = Principal(
        subject, frozenset({role}), name="Тест", email=f"{subject}@example.bg", email_verified=True, **claims
    )
    return {"Authorization": f"Bearer {CODEC.encode(principal)}"}


@dataclass(frozen=True)
class Write:
    """An operation of the service that reads a JSON body, a caller it admits and a body it accepts."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    text_field: str
    """A string field of ``body``, by its dotted name."""
    read_only_path: str
    """An address that answers GET only."""


def writes() -> dict[str, Write]:
    figures = {key: application()[key] for key in ("requested_class", "class_a_route", "evidence")}
    need = {
        "title": "Кошници за подаръци",
        "category": "food.honey",
        "districts": ["BG-16"],
        "quantity": 10,
        "unit": "бр.",
        "deadline": (date.today() + timedelta(days=30)).isoformat(),
    }
    course = {
        "title_bg": "Електронна търговия за начинаещи",
        "description_bg": "Как да продавате онлайн.",
        "dimensions": ["digital_readiness"],
        "level": "beginner",
        "hours": 8,
        "format": "online",
    }
    preferences = {"language": "bg", "email": True, "inbox": True, "opted_out": []}
    return {
        "registry": Write("POST", "/api/v1/eligibility", {}, figures, "class_a_route", "/api/v1/register"),
        "marketplace": Write("POST", "/api/v1/needs", bearer(Role.BUYER), need, "title", "/api/v1/listings"),
        "training": Write("POST", "/api/v1/courses", bearer(Role.ADMIN), course, "title_bg", "/api/v1/sessions"),
        "notifications": Write(
            "PUT", "/api/v1/preferences", bearer(Role.LEARNER), preferences, "language", "/api/v1/inbox"
        ),
        "grants": Write("POST", "/api/v1/calls", bearer(Role.ADMIN), GRANTS_CALL, "title", "/api/v1/awards"),
        "events": Write(
            "POST",
            "/api/v1/events",
            bearer(Role.CLERK, centre="plovdiv"),
            events_fair(days_ahead=50),  # a day the fuzzing's fair does not book the hall
            "title_bg",
            "/api/v1/events/past.json",
        ),
    }


WRITES = writes()


def send(base: str, write: Write, data: bytes | str, content_type: str = JSON) -> requests.Response:
    headers = {**write.headers, "Content-Type": content_type}
    return requests.request(write.method, base + write.path, data=data, headers=headers, timeout=30)


def refusal(response: requests.Response, status: int) -> dict[str, Any]:
    """The platform's JSON error with ``status``."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["Content-Type"].startswith(JSON), response.headers["Content-Type"]
    body = response.json()
    assert body["status"] == status and body["message"]["bg"] and body["message"]["en"], body
    return body


def test_each_write_accepts_its_sample_body(service_apis: dict[str, str]) -> None:
    """The samples below are valid: each refusal in this file is about the one thing changed."""
    for service, write in WRITES.items():
        response = send(service_apis[service], write, json.dumps(write.body))
        assert response.status_code in (200, 201), (service, response.text[:500])


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 5_000, 100_000])
def test_json_nested_too_deep_is_a_400_naming_the_problem(
    service_apis: dict[str, str], service: str, levels: int
) -> None:
    deep = "[" * levels + "]" * levels
    body = refusal(send(service_apis[service], WRITES[service], deep), 400)
    assert f"deeper than {MAX_JSON_DEPTH} levels" in body["message"]["en"]
    assert f"повече от {MAX_JSON_DEPTH} нива" in body["message"]["bg"]


@pytest.mark.parametrize("service", SERVICES)
def test_a_lone_surrogate_in_a_value_or_a_key_is_a_422_naming_the_field(
    service_apis: dict[str, str], service: str
) -> None:
    write = WRITES[service]
    in_value = json.dumps({**write.body, write.text_field: "Пекарна \ud800"})  # sent as the escape \ud800
    body = refusal(send(service_apis[service], write, in_value), 422)
    assert list(body["fields"]) == [write.text_field]
    assert "lone surrogate" in body["fields"][write.text_field][0]["en"]
    in_key = json.dumps({**write.body, "\udfff": 1})
    body = refusal(send(service_apis[service], write, in_key), 422)
    assert list(body["fields"]) == ["\\udfff"]


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_is_a_415(service_apis: dict[str, str], service: str, content_type: str) -> None:
    write = WRITES[service]
    body = refusal(send(service_apis[service], write, json.dumps(write.body), content_type), 415)
    assert content_type in body["message"]["en"] and "application/json" in body["message"]["en"]


@pytest.mark.parametrize("service", SERVICES)
def test_a_method_not_allowed_names_the_allowed_ones(service_apis: dict[str, str], service: str) -> None:
    response = requests.delete(service_apis[service] + WRITES[service].read_only_path, timeout=30)
    refusal(response, 405)
    assert {"GET", "HEAD"} <= {method.strip() for method in response.headers["Allow"].split(",")}


@pytest.mark.parametrize("service", SERVICES)
def test_an_address_too_long_is_the_platforms_json_414_not_gunicorns_page(
    service_apis: dict[str, str], service: str
) -> None:
    path = WRITES[service].read_only_path
    long_query = "?q=" + "a" * MAX_URL_BYTES  # past the application's limit, below gunicorn's (limit_request_line)
    response = requests.get(service_apis[service] + path + long_query, timeout=30)
    body = refusal(response, 414)
    assert f"{MAX_URL_BYTES} bytes" in body["message"]["en"]
    assert response.headers["X-Correlation-ID"], "answered by the application"
    past_gunicorns_limit = "?q=" + "a" * 9000  # refused by gunicorn itself, before the application
    body = refusal(requests.get(service_apis[service] + path + past_gunicorns_limit, timeout=30), 414)
    assert body["code"] == "uri_too_long" and "too long" in body["message"]["en"]


NAMES_PEOPLE_CANNOT_READ = ["\u200b\u200b", "\u202eанрекеП", "Пекарна\x00", " \ufeff\u2060 ", "Пекарна\nДобро"]


@pytest.mark.parametrize("name", NAMES_PEOPLE_CANNOT_READ)
def test_names_of_control_or_only_invisible_characters_are_refused_and_nothing_is_saved(
    service_apis: dict[str, str], name: str
) -> None:
    registry, market, training = (service_apis[s] for s in ("registry", "marketplace", "training"))
    representative = bearer(Role.REPRESENTATIVE)
    refused = requests.post(
        f"{registry}/api/v1/applications", json=application(details__name=name), headers=representative, timeout=30
    )
    assert "details.name" in refusal(refused, 422)["fields"]
    accepted = requests.post(f"{registry}/api/v1/applications", json=application(), headers=representative, timeout=30)
    assert accepted.status_code == 201, "the refused draft was not half-saved (one open application per applicant)"

    buyer = bearer(Role.BUYER)
    refused = requests.post(f"{market}/api/v1/needs", json={**WRITES["marketplace"].body, "title": name}, headers=buyer)
    assert "title" in refusal(refused, 422)["fields"]

    admin = bearer(Role.ADMIN)
    title = f"Курс {uuid.uuid4().hex[:6]}"
    course = {**WRITES["training"].body, "title_bg": name, "description_bg": title}
    refused = requests.post(f"{training}/api/v1/courses", json=course, headers=admin, timeout=30)
    assert "title_bg" in refusal(refused, 422)["fields"]
    listed = requests.get(f"{training}/api/v1/courses", timeout=30).json()["items"]
    assert not [c for c in listed if title in json.dumps(c, ensure_ascii=False)], "nothing was saved"


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("marketplace", "/api/v1/impact-report.csv"),
        ("marketplace", "/api/v1/impact-report"),
        ("training", "/api/v1/programme"),
    ],
)
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_period_at_the_ends_of_the_calendar_is_a_422_not_an_overflow(
    service_apis: dict[str, str], service: str, path: str, day: str
) -> None:
    """Found by the fuzzing: a period from year 1 overflowed the date arithmetic (a 500)."""
    response = requests.get(
        service_apis[service] + path, params={"from": day, "to": day}, headers=bearer(Role.ADMIN), timeout=30
    )
    fields = refusal(response, 422)["fields"]
    assert fields["from"][0]["en"] == "The date must be between the years 1900 and 2200."
    assert fields["from"][0]["bg"].startswith("Датата трябва да е между 1900 и 2200")


def test_a_trainer_calendar_for_an_address_with_a_line_break_is_still_a_calendar(service_apis: dict[str, str]) -> None:
    """Found by the fuzzing: the trainer id of the address went into the calendar's name as it was (a 500)."""
    response = requests.get(f"{service_apis['training']}/api/v1/trainers/o%0Af%F3%A2%AE%82/sessions.ics", timeout=30)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"].startswith("text/calendar")
    assert "X-WR-CALNAME:Обучения — o f" in response.text
