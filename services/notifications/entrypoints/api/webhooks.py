"""Webhooks for integrators: subscribe a URL to event types and see how its deliveries went.

Representatives of an enterprise, buyers and integrators subscribe, each to what they may hear of
(``domain.webhook_rules``); they manage their own subscriptions, an admin everyone's. Someone else's
subscription does not exist for you (404). The secret that signs the deliveries is shown once, on creation.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import Schema, fields, validate

from services.notifications.domain.webhook_rules import WEBHOOK_RULES, Audience
from services.notifications.domain.webhooks import MAX_URL_LENGTH
from services.notifications.entrypoints.wiring import EXTENSION, Notifications
from services.notifications.service_layer.webhooks import Subscription, WebhookDelivery, WebhookService
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented
from shared.web.schemas import StrictSchema, one_of

blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/api/v1/webhooks",
    description="""Webhooks for integrators. Each delivery is a POST of the event's JSON envelope with
`X-Solidarity-Event` (the event type), `X-Solidarity-Delivery` (the same on every retry: de-duplicate by it) and
`X-Solidarity-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. Answer 2xx to accept;
no connection, a timeout, 5xx, 408 or 429 are retried with exponential backoff; another 4xx or a redirect fails
the delivery; 410 disables the subscription, as do repeated failures in a row (the reason is shown).

Who may subscribe to what: integrators to public events only ({public}); a representative also to events
about their own enterprise; a buyer also to their own deals and needs. Each event goes only to subscriptions
entitled to it, and the body carries the envelope's ids and type, `aggregate_id` and the public fields of the
payload only (no names, e-mails or prices of others): fetch the details with your own token. At most a
configured number of subscriptions per owner (`WEBHOOK_MAX_SUBSCRIPTIONS`, 409 past it).""".format(
        public=", ".join(f"`{t}`" for t, rule in sorted(WEBHOOK_RULES.items()) if Audience.PUBLIC in rule.audiences)
    ),
)

EVENT_TYPES = sorted(WEBHOOK_RULES)


def webhooks() -> WebhookService:
    notifications: Notifications = current_app.extensions[EXTENSION]
    return notifications.webhooks


# ---------------------------------------------------------------------- schemas
class NewSubscriptionSchema(StrictSchema):
    url = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_URL_LENGTH),
        metadata={"description": "http(s) URL on a public address", "example": "https://erp.example.bg/hooks/sh"},
    )
    event_types = fields.List(
        fields.String(validate=one_of(EVENT_TYPES, "вид събитие", "event type")),
        required=True,
        validate=validate.Length(min=1, max=len(EVENT_TYPES)),
        metadata={"example": ["marketplace.OrderPlaced"]},
    )


class SubscriptionSchema(Schema):
    id = fields.String()
    owner = fields.String(metadata={"description": "The subject of whoever created it"})
    enterprise_id = fields.String(
        allow_none=True, metadata={"description": "The enterprise its owner represented when it was created"}
    )
    url = fields.String()
    event_types = fields.List(fields.String())
    active = fields.Boolean()
    disabled_reason = fields.String(allow_none=True, metadata={"description": "Why it was disabled"})
    disabled_at = fields.DateTime(allow_none=True)
    disabled_by_admin = fields.Boolean(metadata={"description": "Only an administrator may enable it again"})
    consecutive_failures = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CreatedSubscriptionSchema(SubscriptionSchema):
    secret = fields.String(metadata={"description": "Signs the deliveries; shown only this once"})


class StatusChangeSchema(Schema):
    status = fields.String()
    at = fields.DateTime()
    reason = fields.String(allow_none=True)


class WebhookDeliverySchema(Schema):
    id = fields.String(metadata={"description": "Sent as X-Solidarity-Delivery"})
    event_id = fields.String()
    event_type = fields.String()
    status = fields.String(metadata={"description": "pending, sending, sent, retrying or failed"})
    attempts = fields.Integer()
    response_status = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    history = fields.List(fields.Nested(StatusChangeSchema))


class SubscriptionDetailSchema(SubscriptionSchema):
    recent_deliveries = fields.List(fields.Nested(WebhookDeliverySchema), metadata={"description": "Newest first"})


class SubscriptionListSchema(Schema):
    items = fields.List(fields.Nested(SubscriptionSchema))


def subscription_view(subscription: Subscription) -> dict[str, Any]:
    return {
        "id": subscription.id,
        "owner": subscription.owner,
        "enterprise_id": subscription.enterprise_id,
        "url": subscription.url,
        "event_types": subscription.event_types,
        "active": subscription.active,
        "disabled_reason": subscription.disabled_reason,
        "disabled_at": subscription.disabled_at,
        "disabled_by_admin": subscription.disabled_by_admin,
        "consecutive_failures": subscription.consecutive_failures,
        "created_at": subscription.created_at,
        "updated_at": subscription.updated_at,
    }


def delivery_view(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "response_status": delivery.response_status,
        "last_error": delivery.last_error,
        "next_attempt_at": delivery.next_attempt_at,
        "sent_at": delivery.sent_at,
        "created_at": delivery.created_at,
        "history": [{"status": c.status.value, "at": c.at, "reason": c.reason} for c in delivery.history],
    }


# ---------------------------------------------------------------------- endpoints
@blp.post("")
@blp.arguments(NewSubscriptionSchema)
@blp.response(201, CreatedSubscriptionSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(409, response="CONFLICT")
def create(body: dict[str, Any]) -> dict[str, Any]:
    """Subscribe a URL to event types; the answer carries the signing secret, shown only this once."""
    created = webhooks().create(current_principal(), body["url"], body["event_types"])
    return {**subscription_view(created.subscription), "secret": created.secret}


@blp.get("")
@blp.response(200, SubscriptionListSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
def mine() -> dict[str, Any]:
    """My subscriptions (an admin: everyone's), oldest first."""
    return {"items": [subscription_view(s) for s in webhooks().visible(current_principal())]}


@blp.get("/<subscription_id>")
@blp.response(200)
@documented(SubscriptionDetailSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
def one(subscription_id: str) -> Any:
    """One of my subscriptions, with why it is disabled (if it is) and its recent deliveries."""
    detail = webhooks().get(current_principal(), subscription_id)
    return SubscriptionDetailSchema().dump(
        {
            **subscription_view(detail.subscription),
            "recent_deliveries": [delivery_view(d) for d in detail.recent],
        }
    )


@blp.delete("/<subscription_id>")
@blp.response(204)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
def remove(subscription_id: str) -> None:
    """Delete one of my subscriptions; its waiting deliveries fail."""
    webhooks().delete(current_principal(), subscription_id)


@blp.post("/<subscription_id>/disable")
@blp.response(200, SubscriptionSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
def disable(subscription_id: str) -> dict[str, Any]:
    """Stop a subscription's deliveries (an admin: anyone's; then only an admin may enable it again)."""
    return subscription_view(webhooks().disable(current_principal(), subscription_id))


@blp.post("/<subscription_id>/enable")
@blp.response(200, SubscriptionSchema)
@blp.alt_response(401, response="UNAUTHORIZED")
@blp.alt_response(404, response="NOT_FOUND")
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
def enable(subscription_id: str) -> dict[str, Any]:
    """Enable a disabled subscription again (its failure count starts from zero)."""
    return subscription_view(webhooks().enable(current_principal(), subscription_id))
