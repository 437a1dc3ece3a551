"""Webhooks for integrators: subscriptions per event type, signed deliveries, retries, disabling.

**Exactly one delivery per (event, subscription).** As for e-mail (``delivering``): the consumer inserts the
intent with ``_id`` = ``<event id>:webhook:<subscription id>``; a duplicate key (a replayed topic, a second
replica) means it exists already and nothing more happens. The consumer stops there: the sender process
(``service_layer.sending``) makes the calls, each destination host with its own timeout and circuit
breaker, so a receiver that hangs delays nobody else. For each attempt one conditional update claims it,
the POST is made, and the outcome is written under the claim: ``sent``; ``retrying`` with an exponential
``next_attempt_at`` (no connection, timeout, 5xx, 408, 429); ``failed`` (another 4xx, a redirect, an address
that is not public, or ``max_attempts`` reached). Like SMTP, HTTP has no idempotent POST: a crash after the
receiver answered and before ``sent`` is written makes a retry pass send it again, with the same
``X-Solidarity-Delivery`` header, which receivers use to de-duplicate.

**Disabling.** Each failed attempt counts against the subscription, each success resets the count; after
``disable_after`` failures in a row (or a ``410 Gone``) it is disabled with the reason, its waiting
deliveries fail when their turn comes, and its owner sees why and may enable it again.

**Who and what.** ``domain.webhook_rules`` decides: representatives of an enterprise, buyers and
integrators subscribe (anyone else: 403), each only to the event types they may hear of (403 naming the
others), at most ``max_per_owner`` subscriptions each (409). Whom a subscription speaks for (subject, roles,
enterprise) is kept with it, and each event goes only to the subscriptions entitled to that very event (its
enterprise or buyer is theirs, or it is public), with the smallest body that serves. A subscriber manages
their own subscriptions; an admin everyone's. Someone else's subscription does not exist for them (404).
"""

from __future__ import annotations

import json
import logging
import secrets
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit

from services.notifications.domain.webhook_rules import (
    WEBHOOK_RULES,
    Subscriber,
    entitled,
    may_subscribe_to,
    webhook_body,
)
from services.notifications.domain.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    GONE,
    SIGNATURE_HEADER,
    WebhookPolicy,
    gone_reason,
    sign,
    url_problem,
)
from services.notifications.service_layer.delivering import SIGN_IN, AbandonedClaims, DeliveryStatus, StatusChange
from shared.auth import Principal
from shared.clock import Clock
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, Text, Unauthorized
from shared.events import Envelope

log = logging.getLogger(__name__)

NO_SUCH_SUBSCRIPTION = Text("Няма такъв абонамент.", "No such webhook subscription.")
NOT_A_SUBSCRIBER = Text(
    "Абонамент за уеб известия (webhooks) могат да правят само представители на предприятие, купувачи и интегратори.",
    "Only representatives of an enterprise, buyers and integrators may subscribe to webhooks.",
)
DEFAULT_MAX_PER_OWNER = 10
USER_AGENT = "SolidarityHub-Webhooks/1"


# ---------------------------------------------------------------------- data
@dataclass
class Subscription:
    id: str
    owner: str
    url: str
    secret: str
    event_types: list[str]
    active: bool
    created_at: datetime
    updated_at: datetime
    consecutive_failures: int = 0
    disabled_reason: str | None = None
    disabled_at: datetime | None = None
    disabled_by_admin: bool = False
    """An administrator disabled it: only an administrator enables it again."""
    roles: list[str] = field(default_factory=list)
    """The owner's roles that may subscribe, when it was made: with ``enterprise_id``, what it is entitled to."""
    enterprise_id: str | None = None
    """The enterprise its owner represented when it was made (representatives only)."""

    @property
    def subscriber(self) -> Subscriber:
        return Subscriber(self.owner, frozenset(self.roles), self.enterprise_id)


@dataclass
class WebhookDelivery:
    id: str
    subscription_id: str
    owner: str
    event_id: str
    event_type: str
    body: str
    status: DeliveryStatus
    created_at: datetime
    updated_at: datetime
    next_attempt_at: datetime | None
    attempts: int = 0
    claim_id: str | None = None
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    response_status: int | None = None
    last_error: str | None = None
    history: list[StatusChange] = field(default_factory=list)


@dataclass(frozen=True)
class Created:
    subscription: Subscription
    secret: str
    """Shown this once: later reads leave it out."""


@dataclass(frozen=True)
class SubscriptionDetail:
    subscription: Subscription
    recent: list[WebhookDelivery]


# ---------------------------------------------------------------------- errors
class WebhookError(Exception):
    """The receiver did not take the delivery; the message says why."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TransientWebhookError(WebhookError):
    """Worth trying again: no connection, a timeout, 5xx, 408, 429."""


class PermanentWebhookError(WebhookError):
    """Trying again will not help: another 4xx, a redirect, an address that is not public."""


# ---------------------------------------------------------------------- ports
class Poster(Protocol):
    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """POST and return the 2xx status, or raise TransientWebhookError / PermanentWebhookError."""


class UrlGuard(Protocol):
    def problem(self, url: str) -> str | None:
        """Why a webhook must not go to this URL (its host resolves to an address that is not public)."""


class Subscriptions(Protocol):
    def add(self, subscription: Subscription) -> None: ...

    def get(self, subscription_id: str) -> Subscription | None: ...

    def owned_by(self, owner: str | None) -> list[Subscription]:
        """The owner's subscriptions (everyone's for None), oldest first."""

    def active_for(self, event_type: str) -> list[Subscription]: ...

    def delete(self, subscription_id: str) -> bool: ...

    def record_success(self, subscription_id: str, now: datetime) -> None: ...

    def record_failure(self, subscription_id: str, now: datetime) -> Subscription | None:
        """One more failure in a row; the subscription after it."""

    def disable(self, subscription_id: str, now: datetime, reason: str, *, by_admin: bool = False) -> bool:
        """Disable an active subscription; False when it was not active (any more)."""

    def enable(self, subscription_id: str, now: datetime) -> Subscription | None: ...


class WebhookDeliveries(Protocol):
    def add_intent(self, delivery: WebhookDelivery) -> bool:
        """Insert a new delivery; False when one with its id exists already."""

    def claim(self, delivery_id: str, claim_id: str, now: datetime, stale_before: datetime) -> WebhookDelivery | None:
        """Take the delivery for one attempt (``sending``, attempts + 1), or None when it is not claimable."""

    def mark_sent(self, delivery_id: str, claim_id: str, now: datetime, response_status: int) -> bool: ...

    def mark_retrying(
        self,
        delivery_id: str,
        claim_id: str,
        now: datetime,
        next_attempt_at: datetime,
        reason: str,
        response_status: int | None,
    ) -> bool: ...

    def mark_failed(
        self, delivery_id: str, claim_id: str, now: datetime, reason: str, response_status: int | None
    ) -> bool: ...

    def due(
        self, now: datetime, stale_before: datetime | None, limit: int, exclude_subscriptions: Iterable[str] = ()
    ) -> list[str]:
        """Ids to attempt (as for e-mail), leaving out those of the ``exclude_subscriptions``."""

    def recent(self, subscription_id: str, limit: int) -> list[WebhookDelivery]: ...

    def get(self, delivery_id: str) -> WebhookDelivery | None: ...


def webhook_delivery_id(event_id: str, subscription_id: str) -> str:
    return f"{event_id}:webhook:{subscription_id}"


def subscription_of(delivery_id: str) -> str:
    """The subscription id a delivery id ends with."""
    return delivery_id.rpartition(":")[2]


def destination_of(url: str) -> str:
    """The host (and port) a subscription's calls go to: what a circuit breaker watches."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = 0
    return f"webhook:{(parts.hostname or '').lower()}:{port}"


def _owner(principal: Principal) -> str:
    if not principal.is_authenticated:
        raise Unauthorized(SIGN_IN)
    return principal.subject


# ---------------------------------------------------------------------- use cases
class WebhookService:
    def __init__(
        self,
        subscriptions: Subscriptions,
        deliveries: WebhookDeliveries,
        poster: Poster,
        guard: UrlGuard,
        clock: Clock,
        *,
        event_types: Iterable[str] = WEBHOOK_RULES,
        policy: WebhookPolicy | None = None,
        max_per_owner: int = DEFAULT_MAX_PER_OWNER,
        claim_timeout: timedelta = timedelta(minutes=5),
        batch_size: int = 200,
        recent_limit: int = 20,
    ) -> None:
        self.subscriptions = subscriptions
        self.deliveries = deliveries
        self._poster = poster
        self._guard = guard
        self._clock = clock
        self.event_types = frozenset(event_types)
        self.max_per_owner = max_per_owner
        self.policy = policy or WebhookPolicy()
        self._claim_timeout = claim_timeout
        self._abandoned = AbandonedClaims(claim_timeout)
        self._batch_size = batch_size
        self._recent_limit = recent_limit

    # ------------------------------------------------------------------ subscriptions
    def create(self, principal: Principal, url: str, event_types: list[str]) -> Created:
        owner = _owner(principal)
        subscriber = Subscriber.of(principal)
        if not subscriber.may_subscribe:
            raise Forbidden(NOT_A_SUBSCRIBER)
        problem = url_problem(url) or self._guard.problem(url)
        if problem:
            raise InvalidInput(
                Text("Адресът не може да получава известия.", "The URL cannot receive webhooks."),
                {"url": Text(f"Неподходящ адрес: {problem}.", f"Unsuitable URL: {problem}.")},
            )
        unknown = sorted(set(event_types) - self.event_types)
        if unknown or not event_types:
            listed = ", ".join(unknown) or "—"
            raise InvalidInput(
                Text("Непознат вид събитие.", "Unknown event type."),
                {"event_types": Text(f"Непознати видове събития: {listed}.", f"Unknown event types: {listed}.")},
            )
        refused = sorted({t for t in event_types if not may_subscribe_to(subscriber, t)})
        if refused:
            listed = ", ".join(refused)
            raise Forbidden(
                Text(
                    f"Не може да се абонирате за тези събития: {listed}. Интеграторите получават само публични "
                    "събития; предприятията – събития за себе си; купувачите – за своите сделки и потребности.",
                    f"You may not subscribe to these events: {listed}. Integrators receive public events only; "
                    "enterprises, events about themselves; buyers, about their own deals and needs.",
                ),
                {
                    "event_types": Text(
                        f"Недостъпни видове събития: {listed}.", f"Event types not open to you: {listed}."
                    )
                },
            )
        if len(self.subscriptions.owned_by(owner)) >= self.max_per_owner:
            raise Conflict(
                Text(
                    f"Имате вече {self.max_per_owner} абонамента – толкова са позволени. Изтрийте някой, "
                    "за да добавите нов.",
                    f"You have {self.max_per_owner} subscriptions already, the most allowed. Delete one to add "
                    "another.",
                )
            )
        now = self._clock.now()
        secret = "whsec_" + secrets.token_urlsafe(32)
        subscription = Subscription(
            id=uuid.uuid4().hex,
            owner=owner,
            url=url,
            secret=secret,
            event_types=list(dict.fromkeys(event_types)),
            active=True,
            created_at=now,
            updated_at=now,
            roles=sorted(subscriber.roles),
            enterprise_id=subscriber.enterprise_id,
        )
        self.subscriptions.add(subscription)
        return Created(subscription, secret)

    def visible(self, principal: Principal) -> list[Subscription]:
        owner = _owner(principal)
        return self.subscriptions.owned_by(None if principal.is_admin else owner)

    def get(self, principal: Principal, subscription_id: str) -> SubscriptionDetail:
        subscription = self._visible(principal, subscription_id)
        return SubscriptionDetail(subscription, self.deliveries.recent(subscription.id, self._recent_limit))

    def delete(self, principal: Principal, subscription_id: str) -> None:
        subscription = self._visible(principal, subscription_id)
        if not self.subscriptions.delete(subscription.id):
            raise NotFound(NO_SUCH_SUBSCRIPTION)

    def disable(self, principal: Principal, subscription_id: str) -> Subscription:
        """Stop deliveries (its waiting ones fail); an administrator's disabling only an administrator undoes."""
        subscription = self._visible(principal, subscription_id)
        by_admin = principal.is_admin and subscription.owner != principal.subject
        reason = "disabled by an administrator" if by_admin else "disabled by its owner"
        self.subscriptions.disable(subscription.id, self._clock.now(), reason, by_admin=by_admin)
        disabled = self.subscriptions.get(subscription.id)
        if disabled is None:
            raise NotFound(NO_SUCH_SUBSCRIPTION)
        return disabled

    def enable(self, principal: Principal, subscription_id: str) -> Subscription:
        subscription = self._visible(principal, subscription_id)
        if subscription.disabled_by_admin and not principal.is_admin:
            raise Forbidden(
                Text(
                    "Абонаментът е спрян от администратор; само администратор може да го пусне отново.",
                    "An administrator disabled this subscription; only an administrator may enable it again.",
                )
            )
        problem = url_problem(subscription.url) or self._guard.problem(subscription.url)
        if problem:
            raise InvalidInput(
                Text("Адресът не може да получава известия.", "The URL cannot receive webhooks."),
                {"url": Text(f"Неподходящ адрес: {problem}.", f"Unsuitable URL: {problem}.")},
            )
        enabled = self.subscriptions.enable(subscription.id, self._clock.now())
        if enabled is None:
            raise NotFound(NO_SUCH_SUBSCRIPTION)
        return enabled

    def _visible(self, principal: Principal, subscription_id: str) -> Subscription:
        owner = _owner(principal)
        subscription = self.subscriptions.get(subscription_id)
        if subscription is None or not (principal.is_admin or subscription.owner == owner):
            raise NotFound(NO_SUCH_SUBSCRIPTION)
        return subscription

    # ------------------------------------------------------------------ deliveries
    def dispatch(
        self, envelope: Envelope, active_for: Callable[[str], list[Subscription]] | None = None
    ) -> dict[str, int]:
        """Record one delivery per active subscription entitled to this very event (once each); the sender
        makes the calls. ``active_for`` (the active subscriptions to a type) lets a batch of events read them
        once per type.

        Counts ``pending`` (recorded now), ``duplicates`` (recorded before) and ``not_entitled`` (a
        subscription to the type that may not hear of this event: another enterprise's order, for example).
        """
        counts: Counter[str] = Counter()
        if envelope.event_type not in WEBHOOK_RULES:
            return {}
        body = json.dumps(
            webhook_body(envelope.event_type, envelope.to_dict()), ensure_ascii=False, separators=(",", ":")
        )
        for subscription in (active_for or self.subscriptions.active_for)(envelope.event_type):
            if not entitled(subscription.subscriber, envelope.event_type, envelope.payload):
                counts["not_entitled"] += 1
                continue
            now = self._clock.now()
            delivery = WebhookDelivery(
                id=webhook_delivery_id(envelope.event_id, subscription.id),
                subscription_id=subscription.id,
                owner=subscription.owner,
                event_id=envelope.event_id,
                event_type=envelope.event_type,
                body=body,
                status=DeliveryStatus.PENDING,
                created_at=now,
                updated_at=now,
                next_attempt_at=now,
                history=[StatusChange(DeliveryStatus.PENDING, now)],
            )
            if not self.deliveries.add_intent(delivery):
                counts["duplicates"] += 1
                continue
            counts["pending"] += 1
        return dict(counts)

    def due(
        self, now: datetime | None = None, limit: int | None = None, skip_destinations: Iterable[str] = ()
    ) -> list[tuple[str, str]]:
        """The deliveries to attempt now with their destinations, leaving out the ``skip_destinations``
        (hosts whose circuit is open or whose calls are all in flight)."""
        now = now or self._clock.now()
        skip = set(skip_destinations)
        where = {s.id: destination_of(s.url) for s in self.subscriptions.owned_by(None)}
        excluded = [subscription_id for subscription_id, destination in where.items() if destination in skip]
        ids = self.deliveries.due(now, self._abandoned.stale_before(now), limit or self._batch_size, excluded)
        return [(i, where.get(subscription_of(i), "webhook:deleted")) for i in ids]

    def send_due(self, now: datetime | None = None) -> int:
        """Attempt every due and abandoned delivery, one after the other; how many were sent."""
        now = now or self._clock.now()
        return sum(self.attempt(delivery_id, now) == "sent" for delivery_id, _ in self.due(now))

    def attempt(self, delivery_id: str, now: datetime | None = None) -> str:
        """Claim, post and record one attempt: ``sent``, ``retrying``, ``failed`` or ``not_claimed``."""
        now = now or self._clock.now()
        claim_id = uuid.uuid4().hex
        delivery = self.deliveries.claim(delivery_id, claim_id, now, now - self._claim_timeout)
        if delivery is None:
            return "not_claimed"
        subscription = self.subscriptions.get(delivery.subscription_id)
        if subscription is None or not subscription.active:
            why = "deleted" if subscription is None else f"disabled ({subscription.disabled_reason})"
            self.deliveries.mark_failed(delivery_id, claim_id, now, f"the subscription was {why}", None)
            return "failed"
        if delivery.attempts > self.policy.max_attempts:  # only an abandoned last attempt gets here
            reason = f"attempt {delivery.attempts - 1} never finished; it may or may not have been delivered"
            self.deliveries.mark_failed(delivery_id, claim_id, now, reason, None)
            return "failed"
        body = delivery.body.encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: sign(subscription.secret, int(self._clock.now().timestamp()), body),
            EVENT_HEADER: delivery.event_type,
            DELIVERY_HEADER: delivery.id,
        }
        try:
            status = self._poster.post(subscription.url, body, headers)
        except WebhookError as exc:
            return self._failed(delivery, claim_id, subscription, exc, now)
        if not self.deliveries.mark_sent(delivery_id, claim_id, self._clock.now(), status):
            log.warning("webhook delivery %s was sent but its claim had been taken over", delivery_id)
        self.subscriptions.record_success(subscription.id, now)
        return "sent"

    def _failed(
        self, delivery: WebhookDelivery, claim_id: str, subscription: Subscription, exc: WebhookError, now: datetime
    ) -> str:
        reason = str(exc)
        after = self.subscriptions.record_failure(subscription.id, now)
        disabled = False
        if exc.status == GONE:
            disabled = self.subscriptions.disable(subscription.id, now, gone_reason(subscription.url))
        elif after is not None and self.policy.disables(after.consecutive_failures):
            disabled = self.subscriptions.disable(
                subscription.id, now, self.policy.disabled_reason(after.consecutive_failures, reason)
            )
        if disabled:
            log.warning("webhook subscription %s disabled: %s", subscription.id, reason)
        retry = isinstance(exc, TransientWebhookError) and not disabled
        if retry and delivery.attempts < self.policy.max_attempts:
            next_at = now + self.policy.delay(delivery.attempts)
            self.deliveries.mark_retrying(delivery.id, claim_id, now, next_at, reason, exc.status)
            return "retrying"
        if retry:
            reason = f"{reason} (gave up after {delivery.attempts} attempts)"
        elif disabled:
            reason = f"{reason} (the subscription is disabled)"
        self.deliveries.mark_failed(delivery.id, claim_id, now, reason, exc.status)
        return "failed"
