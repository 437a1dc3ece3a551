"""The signed-in person's inbox: their messages, unread first marked, read one by one or all at once."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from services.portal import auth
from services.portal.clients import ServiceClient, current_services

blp = Blueprint("inbox", __name__, url_prefix="/inbox")


def _notifications() -> ServiceClient:
    return current_services().notifications


@blp.get("")
@auth.signed_in()
def index() -> ResponseReturnValue:
    unread_only = request.args.get("unread") == "1"
    page = _notifications().get(
        "/api/v1/inbox",
        auth.token(),
        params={"unread": "true" if unread_only else None, "cursor": request.args.get("cursor"), "limit": 20},
    )
    return render_template("inbox.html", page=page, unread_only=unread_only, opened=request.args.get("open"))


@blp.post("/<message_id>/read")
@auth.signed_in()
def read(message_id: str) -> ResponseReturnValue:
    _notifications().post(f"/api/v1/inbox/{message_id}/read", auth.token())
    return redirect(url_for("inbox.index", open=message_id, _anchor=f"m-{message_id}"))


@blp.post("/read-all")
@auth.signed_in()
def read_all() -> ResponseReturnValue:
    _notifications().post("/api/v1/inbox/read-all", auth.token())
    return redirect(url_for("inbox.index"))
