"""The notifications service's use cases wired to MongoDB and SMTP: one place for every process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pymongo.database import Database

from services.notifications.adapters.deliveries import INDEXES as DELIVERY_INDEXES
from services.notifications.adapters.deliveries import MongoDeliveries
from services.notifications.adapters.inbox import INDEXES as INBOX_INDEXES
from services.notifications.adapters.inbox import MongoInbox
from services.notifications.adapters.preferences import MongoPreferences
from services.notifications.adapters.smtp import SmtpSender
from services.notifications.config import SmtpSettings
from services.notifications.domain.rendering import render
from services.notifications.service_layer.delivering import (
    DeliveryService,
    InboxService,
    Renderer,
    RetryPolicy,
    Sender,
)
from shared.clock import Clock, SystemClock
from shared.config import env_int
from shared.mongo import ensure_indexes

EXTENSION = "notifications"
"""Where the web app keeps its :class:`Notifications` (``app.extensions``)."""
INDEXES = [*DELIVERY_INDEXES, *INBOX_INDEXES]
DEFAULT_MESSAGE_ID_DOMAIN = "solidarityhub.example.bg"


@dataclass(frozen=True)
class Notifications:
    deliveries: DeliveryService
    inbox: InboxService
    clock: Clock
    preferences: MongoPreferences | None = None
    """People's preferences (``PUT /preferences``); the deliveries look them up by recipient key."""


def retry_policy_from_env() -> RetryPolicy:
    """``SMTP_MAX_ATTEMPTS`` (8), ``SMTP_RETRY_BASE_SECONDS`` (60), ``SMTP_RETRY_MAX_SECONDS`` (3600)."""
    defaults = RetryPolicy()
    return RetryPolicy(
        max_attempts=max(1, env_int("SMTP_MAX_ATTEMPTS", defaults.max_attempts)),
        base_delay=timedelta(seconds=env_int("SMTP_RETRY_BASE_SECONDS", int(defaults.base_delay.total_seconds()))),
        max_delay=timedelta(seconds=env_int("SMTP_RETRY_MAX_SECONDS", int(defaults.max_delay.total_seconds()))),
    )


def build(
    db: Database, clock: Clock | None = None, sender: Sender | None = None, renderer: Renderer | None = None
) -> Notifications:
    ensure_indexes(db, INDEXES)
    clock = clock or SystemClock()
    smtp = SmtpSender(SmtpSettings.from_env())
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
    )
    return Notifications(
        deliveries=deliveries, inbox=InboxService(inbox, clock), clock=clock, preferences=preferences
    )
