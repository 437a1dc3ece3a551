"""The notifications service's use cases wired to MongoDB, SMTP and HTTP: one place for every process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pymongo.database import Database

from services.notifications.adapters.deliveries import INDEXES as DELIVERY_INDEXES
from services.notifications.adapters.deliveries import MongoDeliveries
from services.notifications.adapters.inbox import INDEXES as INBOX_INDEXES
from services.notifications.adapters.inbox import MongoInbox, prepare_inbox
from services.notifications.adapters.preferences import MongoPreferences
from services.notifications.adapters.reminders import INDEXES as REMINDER_INDEXES
from services.notifications.adapters.reminders import MongoReminders
from services.notifications.adapters.representatives import MongoRepresentatives
from services.notifications.adapters.smtp import SmtpSender
from services.notifications.adapters.webhooks import INDEXES as WEBHOOK_INDEXES
from services.notifications.adapters.webhooks import (
    AddressGuard,
    HttpPoster,
    MongoSubscriptions,
    MongoWebhookDeliveries,
    allow_loopback_from_env,
)
from services.notifications.config import SmtpSettings
from services.notifications.domain.rendering import render
from services.notifications.domain.webhooks import WebhookPolicy
from services.notifications.service_layer.delivering import (
    DeliveryService,
    InboxService,
    Renderer,
    RetryPolicy,
    Sender,
)
from services.notifications.service_layer.reminders import ReminderService
from services.notifications.service_layer.sending import DeliverySender, Observer, SenderSettings
from services.notifications.service_layer.webhooks import DEFAULT_MAX_PER_OWNER, WebhookService
from shared.clock import Clock, SystemClock
from shared.config import declare
from shared.mongo import ensure_indexes

EXTENSION = "notifications"
"""Where the web app keeps its :class:`Notifications` (``app.extensions``)."""
INDEXES = [*DELIVERY_INDEXES, *INBOX_INDEXES, *WEBHOOK_INDEXES, *REMINDER_INDEXES]
DEFAULT_MESSAGE_ID_DOMAIN = "solidarityhub.example.bg"


@dataclass(frozen=True)
class Notifications:
    deliveries: DeliveryService
    inbox: InboxService
    clock: Clock
    webhooks: WebhookService
    representatives: MongoRepresentatives
    """Who represents each enterprise, from the registry's events: a seller's messages go to them."""
    preferences: MongoPreferences | None = None
    """People's preferences (``PUT /preferences``); the deliveries look them up by recipient key."""
    reminders: ReminderService | None = None
    """Messages that go out at a time: planned from the events, recorded when due by the scheduler."""


_MAIL, _HOOK = RetryPolicy(), WebhookPolicy()
SMTP_MAX_ATTEMPTS = declare("SMTP_MAX_ATTEMPTS", _MAIL.max_attempts, "Tries to send an e-mail before giving up.")
SMTP_RETRY_BASE_SECONDS = declare(
    "SMTP_RETRY_BASE_SECONDS", int(_MAIL.base_delay.total_seconds()), "First wait before an e-mail is tried again."
)
SMTP_RETRY_MAX_SECONDS = declare(
    "SMTP_RETRY_MAX_SECONDS", int(_MAIL.max_delay.total_seconds()), "Longest wait between tries (waits double)."
)
WEBHOOK_MAX_ATTEMPTS = declare("WEBHOOK_MAX_ATTEMPTS", _HOOK.max_attempts, "Tries to deliver a webhook call.")
WEBHOOK_RETRY_BASE_SECONDS = declare(
    "WEBHOOK_RETRY_BASE_SECONDS", int(_HOOK.base_delay.total_seconds()), "First wait before a call is tried again."
)
WEBHOOK_RETRY_MAX_SECONDS = declare(
    "WEBHOOK_RETRY_MAX_SECONDS", int(_HOOK.max_delay.total_seconds()), "Longest wait between tries (waits double)."
)
WEBHOOK_DISABLE_AFTER = declare(
    "WEBHOOK_DISABLE_AFTER", _HOOK.disable_after, "Failed calls in a row after which a subscription is disabled."
)
WEBHOOK_TIMEOUT_SECONDS = declare("WEBHOOK_TIMEOUT_SECONDS", 10, "How long a webhook call may take.")
SMTP_TIMEOUT_SECONDS = declare(
    "SMTP_TIMEOUT_SECONDS", 20, "How long the sender waits for the mail server at each step."
)
_SENDING = SenderSettings()
SENDER_CONCURRENCY = declare(
    "NOTIFICATIONS_SENDER_CONCURRENCY", _SENDING.concurrency, "E-mails and webhook calls one sender makes at once."
)
SENDER_PER_DESTINATION = declare(
    "NOTIFICATIONS_SENDER_PER_DESTINATION",
    _SENDING.per_destination,
    "Calls one sender makes at once to one destination (the mail server, a webhook host); 0: half the pool.",
)
SENDER_BREAKER_FAILURES = declare(
    "NOTIFICATIONS_SENDER_BREAKER_FAILURES",
    _SENDING.breaker_failures,
    "Failures in a row after which the sender skips a destination for the cool-down.",
)
SENDER_BREAKER_COOLDOWN_SECONDS = declare(
    "NOTIFICATIONS_SENDER_BREAKER_COOLDOWN_SECONDS",
    int(_SENDING.breaker_cooldown),
    "Seconds a failing destination is skipped before one call probes it again.",
)
SENDER_POLL_SECONDS = declare(
    "NOTIFICATIONS_SENDER_POLL_SECONDS",
    int(_SENDING.poll_seconds),
    "Seconds the idle sender waits between looks for webhook calls, and at most between looks for e-mails "
    "(every quarter second while a look takes under a sixteenth).",
)
WEBHOOK_MAX_SUBSCRIPTIONS = declare(
    "WEBHOOK_MAX_SUBSCRIPTIONS", DEFAULT_MAX_PER_OWNER, "Webhook subscriptions one owner may have (409 past it)."
)


def retry_policy_from_env() -> RetryPolicy:
    return RetryPolicy(
        max_attempts=max(1, SMTP_MAX_ATTEMPTS.integer()),
        base_delay=timedelta(seconds=SMTP_RETRY_BASE_SECONDS.integer()),
        max_delay=timedelta(seconds=SMTP_RETRY_MAX_SECONDS.integer()),
    )


def webhook_policy_from_env() -> WebhookPolicy:
    return WebhookPolicy(
        max_attempts=max(1, WEBHOOK_MAX_ATTEMPTS.integer()),
        base_delay=timedelta(seconds=WEBHOOK_RETRY_BASE_SECONDS.integer()),
        max_delay=timedelta(seconds=WEBHOOK_RETRY_MAX_SECONDS.integer()),
        disable_after=max(1, WEBHOOK_DISABLE_AFTER.integer()),
    )


def build_webhooks(db: Database, clock: Clock) -> WebhookService:
    guard = AddressGuard(allow_loopback=allow_loopback_from_env())
    return WebhookService(
        MongoSubscriptions(db),
        MongoWebhookDeliveries(db),
        HttpPoster(guard, timeout=WEBHOOK_TIMEOUT_SECONDS.integer()),
        guard,
        clock,
        policy=webhook_policy_from_env(),
        max_per_owner=max(1, WEBHOOK_MAX_SUBSCRIPTIONS.integer()),
    )


def build(
    db: Database, clock: Clock | None = None, sender: Sender | None = None, renderer: Renderer | None = None
) -> Notifications:
    ensure_indexes(db, INDEXES)
    prepare_inbox(db)  # once for a database older than the inbox's postings
    clock = clock or SystemClock()
    smtp = SmtpSender(SmtpSettings.from_env(), timeout=SMTP_TIMEOUT_SECONDS.integer())
    inbox = MongoInbox(db)
    preferences = MongoPreferences(db)
    deliveries = DeliveryService(
        deliveries=MongoDeliveries(db),
        inbox=inbox,
        sender=sender or smtp,
        render=renderer or render,
        clock=clock,
        policy=retry_policy_from_env(),
        message_id_domain=smtp.domain or DEFAULT_MESSAGE_ID_DOMAIN,
        preferences=preferences.find,
        preferences_many=preferences.find_many,
    )
    return Notifications(
        deliveries=deliveries,
        inbox=InboxService(inbox, clock),
        clock=clock,
        preferences=preferences,
        webhooks=build_webhooks(db, clock),
        representatives=MongoRepresentatives(db),
        reminders=ReminderService(MongoReminders(db), deliveries, clock),
    )


def sender_settings_from_env() -> SenderSettings:
    return SenderSettings(
        concurrency=max(1, SENDER_CONCURRENCY.integer()),
        per_destination=max(0, SENDER_PER_DESTINATION.integer()),
        breaker_failures=max(1, SENDER_BREAKER_FAILURES.integer()),
        breaker_cooldown=float(max(0, SENDER_BREAKER_COOLDOWN_SECONDS.integer())),
        poll_seconds=float(max(1, SENDER_POLL_SECONDS.integer())),
    )


def build_sender(
    notifications: Notifications, settings: SenderSettings | None = None, observe: Observer | None = None
) -> DeliverySender:
    """The sender process's loop over the service's deliveries (``notifications-sender``)."""
    smtp = SmtpSettings.from_env()
    return DeliverySender(
        notifications.deliveries,
        notifications.webhooks,
        settings or sender_settings_from_env(),
        email_destination=f"smtp:{smtp.host}:{smtp.port}",
        observe=observe,
    )
