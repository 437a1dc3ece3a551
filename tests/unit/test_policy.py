"""Every API operation declares who may call it; the roles are checked before anything else; the document says so."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from marshmallow import fields

from shared.auth import Principal, Role, TokenCodec
from shared.config import Settings
from shared.web.app_factory import create_service_app
from shared.web.blueprint import Blueprint
from shared.web.policy import Ownership, Policy, UndeclaredPolicy, allow, public, signed_in
from shared.web.schemas import StrictSchema

SETTINGS = Settings.from_env("tests")
CODEC = TokenCodec.from_settings(SETTINGS)


class NoteSchema(StrictSchema):
    text = fields.String(required=True)


def blueprint() -> Blueprint:
    blp = Blueprint("notes", __name__, url_prefix="/api/v1/notes")

    @blp.get("")
    def board() -> dict[str, Any]:
        return {"items": []}

    @blp.post("/<note_id>/approve")
    @blp.arguments(NoteSchema)
    def approve(data: dict[str, Any], note_id: str) -> dict[str, Any]:
        return {"id": note_id, **data}

    @blp.get("/mine")
    def mine() -> dict[str, Any]:
        return {"items": []}

    return blp


POLICIES: dict[str, Policy] = {
    "notes.board": public(),
    "notes.approve": allow(Role.CLERK, Role.ADMIN, ownership=Ownership.CENTRE),
    "notes.mine": signed_in(),
}


def app(policies: dict[str, Policy] | None = POLICIES) -> Flask:
    return create_service_app(
        settings=SETTINGS,
        title="Notes",
        version="1",
        description="",
        blueprints=[blueprint()],
        readiness={},
        policies=policies,
    )


def bearer(subject: str, *roles: Role, centre: str | None = None) -> dict[str, str]:
    principal = Principal(subject, frozenset(roles), centre=centre, email_verified=True)
    return {"Authorization": f"Bearer {CODEC.encode(principal)}"}


def test_a_service_with_an_operation_without_a_policy_does_not_start() -> None:
    with pytest.raises(UndeclaredPolicy, match=r"without a declared policy: notes\.mine"):
        app({k: v for k, v in POLICIES.items() if k != "notes.mine"})
    with pytest.raises(UndeclaredPolicy, match="without a declared policy"):
        app(None)


def test_a_policy_for_an_operation_that_does_not_exist_stops_the_start() -> None:
    with pytest.raises(UndeclaredPolicy, match=r"do not exist: notes\.gone"):
        app({**POLICIES, "notes.gone": public()})


def test_roles_are_checked_before_the_body_is_read() -> None:
    client = app().test_client()
    url = "/api/v1/notes/n-1/approve"
    bad_body = {"unknown": 1}

    anonymous = client.post(url, json=bad_body)
    assert anonymous.status_code == 401
    assert anonymous.json["code"] == "unauthorized" and anonymous.json["message"]["bg"]

    learner = client.post(url, json=bad_body, headers=bearer("l-1", Role.LEARNER))
    assert learner.status_code == 403
    assert "admin, clerk" in learner.json["message"]["en"]

    no_centre = client.post(url, json=bad_body, headers=bearer("c-0", Role.CLERK))
    assert no_centre.status_code == 403
    assert "names no regional centre" in no_centre.json["message"]["en"]

    clerk = bearer("c-1", Role.CLERK, centre="varna")
    assert client.post(url, json=bad_body, headers=clerk).status_code == 422  # the role passes, the body does not
    assert client.post(url, json={"text": "ok"}, headers=clerk).status_code == 200
    assert client.post(url, json={"text": "ok"}, headers=bearer("a-1", Role.ADMIN)).status_code == 200


def test_public_and_signed_in_operations() -> None:
    client = app().test_client()
    assert client.get("/api/v1/notes").status_code == 200
    assert client.get("/api/v1/notes/mine").status_code == 401
    assert client.get("/api/v1/notes/mine", headers=bearer("l-1", Role.LEARNER)).status_code == 200
    assert client.get("/api/v1/notes/mine", headers=bearer("x-1")).status_code == 200  # signed in, whatever the roles
    assert client.get("/healthz").status_code == 200  # outside the API: no policy needed
    assert client.get("/api/v1/no-such-thing").status_code == 404


def test_the_openapi_document_shows_each_operations_policy() -> None:
    document = app().test_client().get("/openapi.json").json
    approve = document["paths"]["/api/v1/notes/{note_id}/approve"]["post"]
    assert approve["x-policy"] == {
        "roles": ["admin", "clerk"],
        "ownership": "centre",
        "rule": "A clerk of its regional centre.",
    }
    assert "**Who may call:** admin, clerk." in approve["description"]
    board = document["paths"]["/api/v1/notes"]["get"]
    assert board["x-policy"]["roles"] == ["public"] and "anyone" in board["description"]
    assert "any signed-in person" in document["paths"]["/api/v1/notes/mine"]["get"]["description"]
