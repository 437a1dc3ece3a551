"""A person's notification preferences, and the administrators' view of every message's templates.

Where preferences are kept: under each of the person's OWN keys — ``user:<subject>`` and, when the token
carries a VERIFIED address, ``email:<lower-cased address>`` (an address the token claims without
``email_verified`` is refused with a 403: whoever types someone else's address must not read or switch off
that person's messages) — never under their enterprise's or centre's key,
whose inbox colleagues share (one clerk must not switch off the centre's messages for the others). The
notices address people by ``email:`` whenever the event gives an address and by ``user:`` otherwise, so
writing both keys makes the preferences apply whichever way an event names the person. Reading prefers
the ``email:`` key, then ``user:``, then the defaults.

A preview renders a message with the sample event of ``domain/samples.json`` (one per event type of the
mapping, copied from the producers' golden examples and checked against them by the tests).
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from marshmallow import Schema, fields, validate

from services.notifications.adapters.preferences import MongoPreferences
from services.notifications.config import portal_url
from services.notifications.domain.mapping import RULES, notices_for, with_representatives
from services.notifications.domain.notice import Notice
from services.notifications.domain.preferences import CATEGORIES, Preferences
from services.notifications.domain.rendering import LANGUAGES, render
from services.notifications.entrypoints.api.inbox import notifications
from services.notifications.entrypoints.wiring import Notifications
from services.notifications.service_layer.delivering import verified_email_key
from shared.auth import Principal
from shared.errors import NotFound, Text
from shared.events import Envelope
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented
from shared.web.schemas import StrictSchema, one_of

blp = Blueprint("preferences", __name__, url_prefix="/api/v1", description="Notification preferences")

SAMPLES_FILE = Path(__file__).resolve().parents[2] / "domain" / "samples.json"
NO_SUCH_TEMPLATE = Text("Няма такова съобщение.", "No such message.")


# ---------------------------------------------------------------------- keys
def own_keys(principal: Principal) -> list[str]:
    """The person's own keys, the ``email:`` one first (see the module's docstring); 403 for an unverified one."""
    email_key = verified_email_key(principal)
    return [*([email_key] if email_key else []), f"user:{principal.subject}"]


def store(service: Notifications) -> MongoPreferences:
    assert service.preferences is not None, "the preferences are wired by build()"
    return service.preferences


# ---------------------------------------------------------------------- schemas
class PreferencesSchema(StrictSchema):
    language = fields.String(required=True, validate=one_of(list(LANGUAGES), "език", "language"))
    email = fields.Boolean(required=True, metadata={"description": "E-mails (legal notices are e-mailed anyway)"})
    inbox = fields.Boolean(required=True, metadata={"description": "In-app messages (legal notices arrive anyway)"})
    opted_out = fields.List(
        fields.String(validate=one_of(list(CATEGORIES), "категория", "category")),
        required=True,
        validate=validate.Length(max=len(CATEGORIES)),
        metadata={"description": f"Categories not to hear of: any of {', '.join(CATEGORIES)}"},
    )


class PreferencesViewSchema(PreferencesSchema):
    categories = fields.List(
        fields.String(metadata={"enum": list(CATEGORIES)}),
        required=True,
        metadata={"description": "Every category one may opt out of"},
    )


class TemplateSchema(Schema):
    message = fields.String(metadata={"example": "application_approved"})
    event_type = fields.String(metadata={"example": "registry.ApplicationApproved"})
    category = fields.String(metadata={"example": "registry"})
    legal = fields.Boolean()


class TemplatesSchema(Schema):
    items = fields.List(fields.Nested(TemplateSchema))


class PreviewQuerySchema(StrictSchema):
    language = fields.String(load_default="bg", validate=one_of(list(LANGUAGES), "език", "language"))


class PreviewSchema(TemplateSchema):
    language = fields.String()
    subject = fields.String()
    text = fields.String()
    html = fields.String()


def preferences_view(preferences: Preferences) -> dict[str, Any]:
    return {
        "language": preferences.language,
        "email": preferences.email,
        "inbox": preferences.inbox,
        "opted_out": sorted(preferences.opted_out),
        "categories": list(CATEGORIES),
    }


# ---------------------------------------------------------------------- samples
@cache
def samples() -> dict[str, dict[str, Any]]:
    """``{event type: {occurred_at, payload}}``."""
    return json.loads(SAMPLES_FILE.read_text(encoding="utf-8"))


def templates() -> list[dict[str, Any]]:
    """Every message with the event type that causes it (the first, when several do)."""
    seen: dict[str, dict[str, Any]] = {}
    for event_type, rules in RULES.items():
        for rule in rules:
            seen.setdefault(
                rule.message,
                {"message": rule.message, "event_type": event_type, "category": rule.category, "legal": rule.legal},
            )
    return sorted(seen.values(), key=lambda t: t["message"])


def _sample_representatives(enterprise_id: str) -> list[dict[str, Any]]:
    """Whom a sample seller's or employer's messages reach in a preview."""
    return [{"subject": "sample-representative", "name": "Мария Иванова", "email": "maria.ivanova@example.bg"}]


def sample_notice(message: str) -> Notice:
    """The notice ``message`` for the first recipient the sample of its event reaches; NotFound if unknown."""
    for event_type, rules in RULES.items():
        if any(rule.message == message for rule in rules):
            sample = samples()[event_type]
            envelope = Envelope(
                event_id=str(uuid.UUID(int=0)),
                event_type=event_type,
                schema_version=1,
                occurred_at=sample["occurred_at"],
                producer=event_type.partition(".")[0],
                aggregate_type="sample",
                aggregate_id="sample",
                correlation_id="sample",
                payload=sample["payload"],
            )
            for notice in notices_for(with_representatives(envelope, _sample_representatives), portal_url()):
                if notice.message == message:
                    return notice
    raise NotFound(NO_SUCH_TEMPLATE)


# ---------------------------------------------------------------------- endpoints
@blp.get("/preferences")
@blp.response(200)
@documented(PreferencesViewSchema)
def mine() -> dict[str, Any]:
    """My notification preferences (the defaults until I change them) and the categories I may opt out of."""
    preferences = store(notifications())
    for key in own_keys(current_principal()):
        found = preferences.find(key)
        if found is not None:
            return preferences_view(found)
    return preferences_view(Preferences())


@blp.put("/preferences")
@blp.arguments(PreferencesSchema)
@blp.response(200)
@documented(PreferencesViewSchema)
def change(body: dict[str, Any]) -> dict[str, Any]:
    """Set my language, channels and opt-outs. Register decisions and deletions are sent whatever I choose."""
    service = notifications()
    chosen = Preferences(
        language=body["language"], email=body["email"], inbox=body["inbox"], opted_out=frozenset(body["opted_out"])
    )
    store(service).save(own_keys(current_principal()), chosen, service.clock.now())
    return preferences_view(chosen)


@blp.get("/admin/templates")
@blp.response(200)
@documented(TemplatesSchema)
def all_templates() -> dict[str, Any]:
    """Every message the platform sends, with the event that causes it (administrators)."""
    return {"items": templates()}


@blp.get("/admin/templates/<message>/preview")
@blp.arguments(PreviewQuerySchema, location="query")
@blp.response(200)
@documented(PreviewSchema)
def preview(query: dict[str, Any], message: str) -> dict[str, Any]:
    """A message rendered in a language with a sample event (administrators)."""
    notice = sample_notice(message)
    language = query["language"]
    rendered = render(notice.message, language, notice.values)
    return {
        "message": notice.message,
        "event_type": notice.event_type,
        "category": notice.category,
        "legal": notice.legal,
        "language": language,
        "subject": rendered.subject,
        "text": rendered.text,
        "html": rendered.html,
    }
