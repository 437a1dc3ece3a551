"""The signed-in person's inbox: their messages, unread first marked, opened (and so read) one by one, or all
marked read at once. An opened message shows its short text and links to what it is about."""

from __future__ import annotations

from urllib.parse import quote

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


@blp.get("/<path:message_id>")
@auth.signed_in()
def open_message(message_id: str) -> ResponseReturnValue:
    """Opening a message marks it read and shows it: its short text and the link to what it is about."""
    _notifications().post(f"/api/v1/inbox/{quote(message_id, safe='')}/read", auth.token())
    return redirect(url_for("inbox.index", open=message_id, _anchor=f"m-{message_id}"))


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
