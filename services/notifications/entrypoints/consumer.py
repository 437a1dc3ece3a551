"""The notifications service's consumer process (``notifications-consumer``): every event that concerns someone
becomes their inbox message and the intent of their e-mail and webhook calls, each at most once (see
``service_layer.delivering``). It only writes to its database: the sender (``notifications-sender``) sends, so
a slow mail server or webhook receiver never holds a partition.

It also keeps who represents each enterprise, from the registry's enterprise events
(``adapters.representatives``): a seller's messages and those about an enterprise's workers reach them.

A partition's records come as one batch (``Notifier.apply_batch``): every event is mapped and rendered first,
then the inbox messages and e-mail intents of them all are written with bulk inserts keyed by event and
recipient (``DeliveryService.deliver``), the recipients' preferences read with one query, each enterprise's
representatives and each type's webhook subscriptions read once, the reminders the events drop dropped with bulk
upserts (``ReminderService.plan_many``), the representatives kept with bulk updates.
A batch that fails (a poison event, the database gone) is handled again record by record by the runner."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from services.notifications.config import CONSUMER_GROUP, SERVICE
from services.notifications.config import portal_url as notifications_portal_url
from services.notifications.domain.mapping import RULES, notices_for, with_representatives
from services.notifications.domain.reminders import REMINDER_RULES
from services.notifications.domain.webhook_rules import WEBHOOK_RULES
from services.notifications.entrypoints.wiring import Notifications, build
from services.notifications.events.consumed import consumed
from services.notifications.service_layer.webhooks import Subscription
from shared.config import Settings
from shared.consumer import ConsumerRunner
from shared.consumer.process import service_runner
from shared.events import Envelope, EventCatalog, InvalidEvent
from shared.logs import configure_logging
from shared.mongo import connect
from shared.runtime import StopSignal
from shared.worker_metrics import serve_worker_metrics

ENTERPRISE_EVENTS = frozenset(
    f"registry.{name}"
    for name in (
        "EnterpriseRegistered",
        "EnterpriseUpdated",
        "EnterpriseClassChanged",
        "CertificateExpiring",
        "CertificateExpired",
        "EnterpriseRenewed",
        "EnterpriseDeleted",
        "AnnualReportSubmitted",
        "AnnualReportOverdue",
    )
)
"""The registry's events on ``registry.enterprise.v1``: each carries the enterprise's representatives."""

K = TypeVar("K")
V = TypeVar("V")


def _once_each(lookup: Callable[[K], V]) -> Callable[[K], V]:
    """``lookup`` asked once per key (for one batch: what it reads does not change within it)."""
    found: dict[K, V] = {}

    def cached(key: K) -> V:
        if key not in found:
            found[key] = lookup(key)
        return found[key]

    return cached


class Notifier:
    def __init__(self, notifications: Notifications, portal_url: str | None = None) -> None:
        self._notifications = notifications
        self._portal_url = portal_url or notifications_portal_url()

    def __call__(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        """A payload that lacks what a message needs raises InvalidEvent: the runner dead-letters it."""
        representatives = self._notifications.representatives
        addressed = with_representatives(envelope, representatives.of, representatives.contact)
        self._notifications.deliveries.deliver(notices_for(addressed, self._portal_url))
        self._notifications.webhooks.dispatch(envelope)
        if self._notifications.reminders is not None:
            self._notifications.reminders.plan(addressed)
        if envelope.event_type in ENTERPRISE_EVENTS:
            try:
                representatives.apply_registry_event(envelope, envelope.payload)
            except (KeyError, TypeError, AttributeError) as exc:
                raise InvalidEvent(f"{envelope.event_type} {envelope.event_id} names no enterprise: {exc!r}") from exc

    def apply_batch(self, events: Sequence[tuple[Envelope, dict[str, Any]]]) -> None:
        """What ``__call__`` does for each event, in order, with bulk writes.

        Nothing is written before every event is mapped: a poison one raises first (the runner then handles
        the records one by one and dead-letters it alone). The representatives the events are addressed with
        are read before those of this batch are kept: they come from another topic than the events needing them.
        """
        representatives = self._notifications.representatives
        of, contact = _once_each(representatives.of), _once_each(representatives.contact)
        addressed = [with_representatives(envelope, of, contact) for envelope, _ in events]
        notices = [notice for event in addressed for notice in notices_for(event, self._portal_url)]
        self._notifications.deliveries.deliver(notices)
        active_for: Callable[[str], list[Subscription]] = _once_each(
            self._notifications.webhooks.subscriptions.active_for
        )
        for envelope, _ in events:
            self._notifications.webhooks.dispatch(envelope, active_for)
        if self._notifications.reminders is not None:
            self._notifications.reminders.plan_many(addressed)
        enterprise_events = [(e, e.payload) for e, _ in events if e.event_type in ENTERPRISE_EVENTS]
        if enterprise_events:
            representatives.apply_registry_events(enterprise_events)


def subscribed_event_types() -> list[str]:
    """Every event type a rule, a reminder or a webhook reacts to; the consumer subscribes to their topics."""
    return sorted({*RULES, *REMINDER_RULES, *WEBHOOK_RULES, *ENTERPRISE_EVENTS})


def build_runner(settings: Settings, stop: StopSignal, *, catalog: EventCatalog | None = None) -> ConsumerRunner:
    """The consumer as it runs in production; ``catalog`` (its topics) differs only in benchmarks."""
    notifications = build(connect(settings.mongodb_uri, app_name=f"{SERVICE}-consumer")[settings.mongodb_database])
    notifier = Notifier(notifications)
    event_types = subscribed_event_types()
    return service_runner(
        SERVICE,
        settings,
        stop,
        group_id=CONSUMER_GROUP,
        catalog=catalog or consumed(event_types),
        handlers=dict.fromkeys(event_types, notifier),
    )


def main() -> None:
    settings = Settings.from_env(SERVICE)
    configure_logging(f"{SERVICE}-consumer", settings.log_level)
    serve_worker_metrics()
    build_runner(settings, StopSignal()).run()


if __name__ == "__main__":
    main()
