"""Webhooks on MongoDB (subscriptions, deliveries) and over HTTP(S) (the poster, the address guard).

Deliveries follow the e-mail deliveries' pattern (``adapters.deliveries``): ``_id`` makes the intent unique,
every later write is one conditional update that appends to ``history``.

The poster resolves the host, refuses it unless every address is public (loopback only when
``WEBHOOKS_ALLOW_LOOPBACK`` is true), then connects to the vetted address itself (TLS still checks the
host name), so a DNS answer that changes between the check and the connection cannot point it inside.
Redirects are never followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.database import Database

from services.notifications.adapters.attempts import AttemptLog
from services.notifications.domain.webhooks import address_problem, url_problem
from services.notifications.service_layer.delivering import DeliveryStatus
from services.notifications.service_layer.webhooks import (
    PermanentWebhookError,
    Subscription,
    TransientWebhookError,
    WebhookDelivery,
)
from shared.config import declare
from shared.documents import from_document, to_document
from shared.mongo import IndexSpec, index

SUBSCRIPTIONS = "webhook_subscriptions"
WEBHOOK_DELIVERIES = "webhook_deliveries"
INDEXES: list[IndexSpec] = [
    index(SUBSCRIPTIONS, "owner", "created_at"),
    index(SUBSCRIPTIONS, "event_types", "active"),
    index(WEBHOOK_DELIVERIES, "status", "next_attempt_at"),
    index(WEBHOOK_DELIVERIES, "status", "claimed_at"),
    index(WEBHOOK_DELIVERIES, "subscription_id", "-created_at"),
    index(f"{WEBHOOK_DELIVERIES}_due", "due_at"),  # the due hints (adapters.attempts)
]


ALLOW_LOOPBACK = declare(
    "WEBHOOKS_ALLOW_LOOPBACK", False, "Let webhooks go to 127.0.0.1 and ::1. For tests only; never in production."
)


def allow_loopback_from_env() -> bool:
    return ALLOW_LOOPBACK.flag()


# ---------------------------------------------------------------------- subscriptions
class MongoSubscriptions:
    def __init__(self, db: Database) -> None:
        self._collection = db[SUBSCRIPTIONS]

    def add(self, subscription: Subscription) -> None:
        self._collection.insert_one(to_document(subscription))

    def get(self, subscription_id: str) -> Subscription | None:
        document = self._collection.find_one({"_id": subscription_id})
        return None if document is None else from_document(Subscription, document)

    def owned_by(self, owner: str | None) -> list[Subscription]:
        query = {} if owner is None else {"owner": owner}
        cursor = self._collection.find(query).sort([("created_at", ASCENDING), ("_id", ASCENDING)])
        return [from_document(Subscription, document) for document in cursor]

    def active_for(self, event_type: str) -> list[Subscription]:
        cursor = self._collection.find({"event_types": event_type, "active": True}).sort("_id", ASCENDING)
        return [from_document(Subscription, document) for document in cursor]

    def delete(self, subscription_id: str) -> bool:
        return self._collection.delete_one({"_id": subscription_id}).deleted_count == 1

    def record_success(self, subscription_id: str, now: datetime) -> None:
        self._collection.update_one(
            {"_id": subscription_id, "consecutive_failures": {"$ne": 0}},
            {"$set": {"consecutive_failures": 0, "updated_at": now}},
        )

    def record_failure(self, subscription_id: str, now: datetime) -> Subscription | None:
        document = self._collection.find_one_and_update(
            {"_id": subscription_id},
            {"$inc": {"consecutive_failures": 1}, "$set": {"updated_at": now}},
            return_document=ReturnDocument.AFTER,
        )
        return None if document is None else from_document(Subscription, document)

    def disable(self, subscription_id: str, now: datetime, reason: str, *, by_admin: bool = False) -> bool:
        changes = {"active": False, "disabled_reason": reason, "disabled_at": now, "updated_at": now}
        result = self._collection.update_one(
            {"_id": subscription_id, "active": True}, {"$set": {**changes, "disabled_by_admin": by_admin}}
        )
        return result.modified_count == 1

    def enable(self, subscription_id: str, now: datetime) -> Subscription | None:
        document = self._collection.find_one_and_update(
            {"_id": subscription_id},
            {
                "$set": {
                    "active": True,
                    "disabled_reason": None,
                    "disabled_at": None,
                    "disabled_by_admin": False,
                    "consecutive_failures": 0,
                    "updated_at": now,
                }
            },
            return_document=ReturnDocument.AFTER,
        )
        return None if document is None else from_document(Subscription, document)


# ---------------------------------------------------------------------- deliveries
class MongoWebhookDeliveries(AttemptLog[WebhookDelivery]):
    def __init__(self, db: Database) -> None:
        super().__init__(db[WEBHOOK_DELIVERIES], WebhookDelivery)

    def mark_sent(self, delivery_id: str, claim_id: str, now: datetime, response_status: int) -> bool:
        return self.finish(
            delivery_id, claim_id, DeliveryStatus.SENT, now, None, sent_at=now, response_status=response_status
        )

    def mark_retrying(
        self,
        delivery_id: str,
        claim_id: str,
        now: datetime,
        next_attempt_at: datetime,
        reason: str,
        response_status: int | None,
    ) -> bool:
        return self.finish(
            delivery_id,
            claim_id,
            DeliveryStatus.RETRYING,
            now,
            reason,
            next_attempt_at=next_attempt_at,
            response_status=response_status,
            last_error=reason,
        )

    def mark_failed(
        self, delivery_id: str, claim_id: str, now: datetime, reason: str, response_status: int | None
    ) -> bool:
        return self.finish(
            delivery_id,
            claim_id,
            DeliveryStatus.FAILED,
            now,
            reason,
            response_status=response_status,
            last_error=reason,
        )

    def due(  # type: ignore[override]  # narrows by subscription instead of by any filter
        self, now: datetime, stale_before: datetime | None, limit: int, exclude_subscriptions: Iterable[str] = ()
    ) -> list[str]:
        excluded = list(exclude_subscriptions)
        return super().due(now, stale_before, limit, {"subscription_id": {"$nin": excluded}} if excluded else None)

    def recent(self, subscription_id: str, limit: int) -> list[WebhookDelivery]:
        cursor = self._collection.find({"subscription_id": subscription_id}).sort(
            [("created_at", DESCENDING), ("_id", DESCENDING)]
        )
        return [from_document(WebhookDelivery, document) for document in cursor.limit(limit)]


# ---------------------------------------------------------------------- addresses and HTTP
Resolve = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address the host name resolves to (TCP)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class UnsafeAddress(Exception):
    pass


class AddressGuard:
    """Resolves a webhook URL's host and accepts it only when every address is public (or allowed loopback)."""

    def __init__(self, *, allow_loopback: bool, resolver: Resolve = resolve) -> None:
        self.allow_loopback = allow_loopback
        self._resolve = resolver

    def addresses(self, url: str) -> list[str]:
        """The vetted addresses to connect to; UnsafeAddress when there is none or one is not allowed."""
        problem = url_problem(url)
        if problem:
            raise UnsafeAddress(problem)
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = [str(ipaddress.ip_address(host))] if _is_ip(host) else self._resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise UnsafeAddress(f"the host {host} does not resolve") from exc
        if not addresses:
            raise UnsafeAddress(f"the host {host} does not resolve")
        for address in addresses:
            problem = address_problem(address, allow_loopback=self.allow_loopback)
            if problem:
                raise UnsafeAddress(f"{host} resolves to {problem}")
        return addresses

    def problem(self, url: str) -> str | None:
        try:
            self.addresses(url)
        except UnsafeAddress as exc:
            return str(exc)
        return None


def _transient_status(status: int) -> bool:
    return status >= 500 or status in (408, 425, 429)


class HttpPoster:
    """POSTs a delivery with a timeout, to a vetted address only, without following redirects."""

    def __init__(self, guard: AddressGuard, *, timeout: float = 10.0) -> None:
        self._guard = guard
        self._timeout = timeout

    def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        try:
            addresses = self._guard.addresses(url)
        except UnsafeAddress as exc:
            raise PermanentWebhookError(f"refused: {exc}") from exc
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        target = parts.path or "/"
        if parts.query:
            target += f"?{parts.query}"
        connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = connection_class(parts.hostname or "", port, timeout=self._timeout)
        address = addresses[0]

        def connect_vetted(_: Any, timeout: Any = None, source_address: Any = None) -> socket.socket:
            return socket.create_connection((address, port), timeout, source_address)

        connection._create_connection = connect_vetted  # type: ignore[attr-defined]  # pin the vetted address
        try:
            connection.request("POST", target, body=body, headers=dict(headers))
            response = connection.getresponse()
            status = response.status
            detail = response.read(500).decode("utf-8", "replace").strip()
        except (OSError, http.client.HTTPException) as exc:
            raise TransientWebhookError(f"{type(exc).__name__}: {exc}") from exc
        finally:
            connection.close()
        if 200 <= status < 300:
            return status
        message = f"HTTP {status}" + (f": {detail[:200]}" if detail else "")
        if _transient_status(status):
            raise TransientWebhookError(message, status)
        if 300 <= status < 400:
            raise PermanentWebhookError(f"{message} (redirects are not followed)", status)
        raise PermanentWebhookError(message, status)
