"""The outbox relay as a process: one per service, publishing the outboxes of its collections."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from typing import Any

from kafka import KafkaProducer

from shared.config import Settings, declare
from shared.kafka import ensure_own_topics, make_producer
from shared.logs import configure_logging
from shared.mongo import connect
from shared.outbox.lease import Lease
from shared.outbox.relay import OutboxRelay
from shared.runtime import LivenessFile, StopSignal
from shared.worker_metrics import serve_worker_metrics

LIVENESS_FILE = declare(
    "RELAY_LIVENESS_FILE",
    "/tmp/<service>-relay-alive",  # noqa: S108 - a probe's file, not a secret
    "File the outbox relay touches from its loop; the liveness probe checks it is fresh.",
)
LEASE_SECONDS = declare(
    "RELAY_LEASE_SECONDS",
    10,
    "How long the relay's lease lasts without renewal: a standby replica takes over this long after the "
    "holder dies. The holder renews it every few seconds; Kafka's timeouts of a publish round are derived "
    "from it so that a round always ends before the lease could lapse.",
)
PARK_AFTER_ATTEMPTS = declare(
    "RELAY_PARK_AFTER_ATTEMPTS",
    10,
    "Failed attempts (while Kafka takes other events) after which the relay parks an event; an event "
    "Kafka refuses for good (too large, not authorized) is parked at once. See `outbox-parked`.",
)
READ_CONCERN = declare(
    "RELAY_READ_CONCERN",
    "majority",
    "Read concern of the relay's reads of pending events. `majority` (MongoDB in production): never "
    "publish a write a failover could roll back.",
)
LEASE_NAME = "outbox-relay"
MIN_LEASE_SECONDS = 3


def producer_timeouts(lease_seconds: float) -> dict[str, Any]:
    """Kafka timeouts that keep a publish round well inside the lease.

    ``max_block_ms`` bounds a send waiting for a topic's metadata, ``request_timeout_ms`` one request,
    and ``delivery_timeout_ms`` everything a record may take, retries included.
    """
    ms = lease_seconds * 1000
    return {
        "max_block_ms": int(ms * 0.1),
        "request_timeout_ms": int(ms * 0.25),
        "delivery_timeout_ms": int(ms * 0.35),
    }


def relay_for(
    collections: list[Any], bootstrap_servers: str, client_id: str, lease_seconds: float, **options: Any
) -> OutboxRelay:
    """A relay whose rounds (sends within 10–20 % of the lease, acknowledgements 40 % after) fit its lease."""
    timeouts = producer_timeouts(lease_seconds)

    def producer() -> KafkaProducer:
        return make_producer(bootstrap_servers, client_id, **timeouts)

    return OutboxRelay(
        collections,
        producer,
        send_window_seconds=lease_seconds * 0.1,
        send_timeout_seconds=lease_seconds * 0.4,
        **options,
    )


def run_relay(service: str, settings: Settings, collections: Iterable[str], topics: Iterable[str]) -> None:
    """Create the service's topics (unless ``CREATE_TOPICS=false``) and relay until SIGTERM."""
    configure_logging(f"{service}-relay", settings.log_level)
    serve_worker_metrics()
    stop = StopSignal()
    ensure_own_topics(settings.kafka_bootstrap_servers, topics)
    db = connect(settings.mongodb_uri, app_name=f"{service}-relay")[settings.mongodb_database]
    lease_seconds = float(LEASE_SECONDS.integer())
    if lease_seconds < MIN_LEASE_SECONDS:
        raise ValueError(f"{LEASE_SECONDS.name} must be at least {MIN_LEASE_SECONDS} (Kafka needs time to answer)")
    relay = relay_for(
        [db[name] for name in collections],
        settings.kafka_bootstrap_servers,
        f"{service}-relay",
        lease_seconds,
        park_after_attempts=PARK_AFTER_ATTEMPTS.integer(),
        read_concern=READ_CONCERN.text(),
    )
    holder = f"{socket.gethostname()}-{os.getpid()}"
    relay.run(
        stop,
        lease=Lease(db["leases"], LEASE_NAME, holder, ttl_seconds=lease_seconds),
        liveness=LivenessFile(LIVENESS_FILE.text(service)),
    )
    relay.close()
