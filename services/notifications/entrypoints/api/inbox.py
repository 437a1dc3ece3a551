"""The in-app inbox: a signed-in person's messages, their unread count, and marking them read.

A person reads the messages addressed to them (by account or e-mail address), to the enterprise they
represent and to the centre they work in; any other message does not exist for them (404).
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from flask import current_app
from marshmallow import Schema, ValidationError, fields, validate

from services.notifications.entrypoints.wiring import EXTENSION, Notifications
from services.notifications.service_layer.delivering import InboxMessage
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented
from shared.web.schemas import StrictSchema
from shared.web.translations import bilingual

blp = Blueprint("inbox", __name__, url_prefix="/api/v1", description="The in-app inbox")

BAD_CURSOR = bilingual(
    "Невалиден курсор: изпратете next_cursor от предишната страница.",
    "Invalid cursor: send the next_cursor of the previous page.",
)


def notifications() -> Notifications:
    return current_app.extensions[EXTENSION]


# ---------------------------------------------------------------------- cursor
def encode_cursor(message: InboxMessage) -> str:
    """Where the next page starts: after this message (its time and id), opaque to clients."""
    key = [message.created_at.isoformat(), message.id]
    return base64.urlsafe_b64encode(json.dumps(key, ensure_ascii=False).encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        created_at, message_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        moment = datetime.fromisoformat(created_at)
    except (ValueError, TypeError, binascii.Error, UnicodeError) as exc:
        raise ValidationError(BAD_CURSOR) from exc
    if moment.tzinfo is None or not isinstance(message_id, str):
        raise ValidationError(BAD_CURSOR)
    return moment, message_id


class CursorField(fields.String):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> tuple[datetime, str]:
        return decode_cursor(super()._deserialize(value, attr, data, **kwargs))


# ---------------------------------------------------------------------- schemas
class InboxQuerySchema(StrictSchema):
    unread = fields.Boolean(load_default=False, metadata={"description": "Only the messages not read yet"})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    cursor = CursorField(validate=validate.Length(max=1000), metadata={"description": "next_cursor of the last page"})


class InboxMessageSchema(Schema):
    id = fields.String()
    owner = fields.String(
        metadata={"description": "Whose inbox: user:…, email:…, enterprise:… or centre:…", "example": "centre:varna"}
    )
    subject = fields.String(metadata={"example": "Заявлението Ви е одобрено"})
    text = fields.String(metadata={"description": "The whole e-mail text (greeting, signature, footer)"})
    html = fields.String()
    summary = fields.String(metadata={"description": "The message itself, short: what the inbox shows"})
    link = fields.String(
        allow_none=True,
        metadata={"description": "The portal's page of what it is about", "example": "/my/applications/e8d1…"},
    )
    event_type = fields.String(metadata={"example": "registry.ApplicationApproved"})
    message = fields.String(metadata={"example": "application_approved"})
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    read = fields.Boolean()


class InboxPageSchema(Schema):
    items = fields.List(fields.Nested(InboxMessageSchema))
    next_cursor = fields.String(allow_none=True, metadata={"description": "Send as cursor for the next page"})


class UnreadCountSchema(Schema):
    unread = fields.Integer()


class MarkedReadSchema(Schema):
    marked_read = fields.Integer(metadata={"description": "How many messages were unread until now"})


def message_view(message: InboxMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "owner": message.owner,
        "subject": message.subject,
        "text": message.text,
        "html": message.html,
        "summary": message.summary or message.text,
        "link": message.link,
        "event_type": message.event_type,
        "message": message.message,
        "created_at": message.created_at,
        "read_at": message.read_at,
        "read": message.read_at is not None,
    }


# ---------------------------------------------------------------------- endpoints
@blp.get("/inbox")
@blp.arguments(InboxQuerySchema, location="query")
@blp.response(200)
@documented(InboxPageSchema)
def mine(query: dict[str, Any]) -> dict[str, Any]:
    """My messages, newest first (`unread=true` for the unread ones only), a page at a time."""
    page = notifications().inbox.page(
        current_principal(), unread_only=query["unread"], limit=query["limit"], after=query.get("cursor")
    )
    return {
        "items": [message_view(message) for message in page.items],
        "next_cursor": encode_cursor(page.items[-1]) if page.more else None,
    }


@blp.get("/inbox/unread-count")
@blp.response(200)
@documented(UnreadCountSchema)
def unread_count() -> dict[str, Any]:
    """How many of my messages are unread (for the bell in the header)."""
    return {"unread": notifications().inbox.unread_count(current_principal())}


@blp.post("/inbox/read-all")
@blp.response(200)
@documented(MarkedReadSchema)
def read_all() -> dict[str, Any]:
    """Mark all my messages read."""
    return {"marked_read": notifications().inbox.mark_all_read(current_principal())}


@blp.post("/inbox/<path:message_id>/read")
@blp.response(200)
@documented(InboxMessageSchema)
def read(message_id: str) -> dict[str, Any]:
    """Mark one of my messages read (reading it again keeps the first time)."""
    return message_view(notifications().inbox.mark_read(current_principal(), message_id))
