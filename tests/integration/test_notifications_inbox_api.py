"""The in-app inbox over HTTP, against real FerretDB: a person reads their own messages and nobody else's."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database

from services.notifications.domain.notice import Notice
from services.notifications.entrypoints.wiring import build
from shared.auth import Role
from shared.clock import FixedClock
from tests.integration.notifications_api import fake_render, notice, person
from tests.integration.registry_api import token

pytestmark = pytest.mark.integration

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
ENTERPRISE = "ent-dobroutro"
IVAN = person("user-ivan", Role.REPRESENTATIVE, enterprise_id=ENTERPRISE, email="Ivan.Petrov@Example.bg")
MARIA = person("user-maria", Role.BUYER, email="maria@example.bg")
CLERK_VARNA = token("clerk-varna", Role.CLERK, centre="varna")


def deliver(db: Database, *keys: str) -> list[Notice]:
    """Inbox messages for these recipient keys, a minute apart (the last one the newest)."""
    clock = FixedClock(NOW)
    service = build(db, clock=clock, renderer=fake_render).deliveries
    notices = []
    for i, key in enumerate(keys):
        sent = notice(key, None, name=f"Съобщение {i}")
        service.deliver([sent])
        notices.append(sent)
        clock.advance(minutes=1)
    return notices


def inbox_id(sent: Notice) -> str:
    return f"{sent.delivery_key}:inbox"


def read(client: FlaskClient, sent: Notice, headers: dict[str, str]) -> tuple[int, dict]:
    response = client.post(f"/api/v1/inbox/{quote(inbox_id(sent), safe='')}/read", headers=headers)
    return response.status_code, response.json


def ids(response_json: dict) -> list[str]:
    return [item["id"] for item in response_json["items"]]


def test_a_person_lists_their_own_enterprise_and_address_messages_newest_first(
    notifications: FlaskClient, notifications_db: Database
) -> None:
    own, by_address, enterprise, other_enterprise, other_person, centre = deliver(
        notifications_db,
        "user:user-ivan",
        "email:ivan.petrov@example.bg",
        f"enterprise:{ENTERPRISE}",
        "enterprise:ent-other",
        "user:user-maria",
        "centre:varna",
    )

    first = notifications.get("/api/v1/inbox?limit=2", headers=IVAN)

    assert first.status_code == 200, first.json
    assert ids(first.json) == [inbox_id(enterprise), inbox_id(by_address)]
    item = first.json["items"][0]
    assert item["owner"] == f"enterprise:{ENTERPRISE}"
    assert item["subject"] == "Заявлението на „Добро утро“ е одобрено"
    assert item["message"] == "application_approved"
    assert item["event_type"] == "registry.ApplicationApproved"
    assert "<strong>" in item["html"] and "Добро утро" in item["text"]
    assert item["read"] is False and item["read_at"] is None
    assert item["created_at"] == "2026-05-04T09:32:00Z"
    assert first.json["next_cursor"]

    second = notifications.get(f"/api/v1/inbox?limit=2&cursor={first.json['next_cursor']}", headers=IVAN)

    assert ids(second.json) == [inbox_id(own)]
    assert second.json["next_cursor"] is None
    everything = ids(notifications.get("/api/v1/inbox", headers=IVAN).json)
    assert not {inbox_id(n) for n in (other_enterprise, other_person, centre)} & set(everything)


def test_unread_count_mark_read_and_mark_all_read(notifications: FlaskClient, notifications_db: Database) -> None:
    first, second, third, marias = deliver(
        notifications_db,
        "user:user-ivan",
        "email:ivan.petrov@example.bg",
        f"enterprise:{ENTERPRISE}",
        "user:user-maria",
    )
    assert notifications.get("/api/v1/inbox/unread-count", headers=IVAN).json == {"unread": 3}

    status, body = read(notifications, second, IVAN)

    assert status == 200, body
    assert body["id"] == inbox_id(second) and body["read"] is True and body["read_at"]
    assert notifications.get("/api/v1/inbox/unread-count", headers=IVAN).json == {"unread": 2}
    unread = notifications.get("/api/v1/inbox?unread=true", headers=IVAN).json
    assert ids(unread) == [inbox_id(third), inbox_id(first)]
    assert read(notifications, second, IVAN)[1]["read_at"] == body["read_at"]  # the first reading time stays

    marked = notifications.post("/api/v1/inbox/read-all", headers=IVAN)

    assert marked.status_code == 200 and marked.json == {"marked_read": 2}
    assert notifications.get("/api/v1/inbox/unread-count", headers=IVAN).json == {"unread": 0}
    assert notifications.get("/api/v1/inbox?unread=true", headers=IVAN).json["items"] == []
    assert notifications.get("/api/v1/inbox/unread-count", headers=MARIA).json == {"unread": 1}  # hers untouched
    assert ids(notifications.get("/api/v1/inbox?unread=true", headers=MARIA).json) == [inbox_id(marias)]


def test_clerks_read_their_centre_and_the_national_messages(
    notifications: FlaskClient, notifications_db: Database
) -> None:
    varna, national, _plovdiv = deliver(notifications_db, "centre:varna", "centre:national", "centre:plovdiv")

    listed = notifications.get("/api/v1/inbox", headers=CLERK_VARNA)

    assert ids(listed.json) == [inbox_id(national), inbox_id(varna)]


def test_another_persons_message_is_not_found_and_stays_unread(
    notifications: FlaskClient, notifications_db: Database
) -> None:
    [marias] = deliver(notifications_db, "user:user-maria")

    status, body = read(notifications, marias, IVAN)

    assert status == 404 and body["code"] == "not_found"
    assert notifications.post("/api/v1/inbox/read-all", headers=IVAN).json == {"marked_read": 0}
    assert notifications.get("/api/v1/inbox/unread-count", headers=MARIA).json == {"unread": 1}
    assert notifications.post("/api/v1/inbox/no-such-message/read", headers=MARIA).status_code == 404


def test_signing_in_is_required(notifications: FlaskClient, notifications_db: Database) -> None:
    [marias] = deliver(notifications_db, "user:user-maria")
    requests = [
        notifications.get("/api/v1/inbox?limit=oops"),
        notifications.get("/api/v1/inbox/unread-count"),
        notifications.post("/api/v1/inbox/read-all"),
        notifications.post(f"/api/v1/inbox/{quote(inbox_id(marias), safe='')}/read"),
    ]

    assert [r.status_code for r in requests] == [401, 401, 401, 401]
    assert requests[0].json["code"] == "unauthorized"
    assert notifications.get("/api/v1/inbox/unread-count", headers=MARIA).json == {"unread": 1}


def _cursor(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("cursor=not-a-cursor", "cursor"),
        (f"cursor={_cursor(['yesterday', 'x'])}", "cursor"),
        (f"cursor={_cursor(['2026-05-04T09:30:00', 'x'])}", "cursor"),  # no time zone
        (f"cursor={_cursor({'at': 1})}", "cursor"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=many", "limit"),
        ("unread=perhaps", "unread"),
        ("page=2", "page"),
    ],
)
def test_a_bad_query_is_refused_naming_the_field(
    notifications: FlaskClient, notifications_db: Database, query: str, field: str
) -> None:
    response = notifications.get(f"/api/v1/inbox?{query}", headers=IVAN)

    assert response.status_code == 422, response.json
    assert list(response.json["fields"]) == [field]
    assert {"bg", "en"} <= set(response.json["fields"][field][0])


def test_the_inbox_is_in_the_openapi_document(notifications: FlaskClient, notifications_db: Database) -> None:
    document = notifications.get("/openapi.json").json

    paths = document["paths"]
    assert {"/api/v1/inbox", "/api/v1/inbox/unread-count", "/api/v1/inbox/read-all"} <= set(paths)
    listed = paths["/api/v1/inbox"]["get"]
    assert {p["name"] for p in listed["parameters"]} >= {"unread", "limit", "cursor"}
    assert listed["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/InboxPage"
    }
    assert "next_cursor" in document["components"]["schemas"]["InboxPage"]["properties"]
    assert notifications.get("/docs").status_code == 200


def test_an_unverified_address_reads_nobodys_inbox(notifications: FlaskClient, notifications_db: Database) -> None:
    """A token may claim any address; only a verified one opens that address's messages."""
    (victims,) = deliver(notifications_db, "email:ivan.petrov@example.bg")
    claimant = person("user-mallory", Role.LEARNER, email="ivan.petrov@example.bg", verified=False)

    for response in (
        notifications.get("/api/v1/inbox", headers=claimant),
        notifications.get("/api/v1/inbox/unread-count", headers=claimant),
        notifications.post("/api/v1/inbox/read-all", headers=claimant),
        notifications.post(f"/api/v1/inbox/{quote(inbox_id(victims), safe='')}/read", headers=claimant),
    ):
        assert response.status_code == 403, response.json
        assert "потвърден" in response.json["message"]["bg"]
        assert "not verified" in response.json["message"]["en"]
    assert notifications.get("/api/v1/inbox/unread-count", headers=IVAN).json == {"unread": 1}, "still unread"

    verified = person("user-ivan-2", Role.LEARNER, email="ivan.petrov@example.bg")
    assert ids(notifications.get("/api/v1/inbox", headers=verified).json) == [inbox_id(victims)]
    without_address = person("trainer-1", Role.TRAINER)
    assert notifications.get("/api/v1/inbox", headers=without_address).status_code == 200
