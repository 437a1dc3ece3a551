"""The outbox relay as a process: one per service, publishing the outboxes of its collections."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable

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


def run_relay(service: str, settings: Settings, collections: Iterable[str], topics: Iterable[str]) -> None:
    """Create the service's topics (unless ``CREATE_TOPICS=false``) and relay until SIGTERM."""
    configure_logging(f"{service}-relay", settings.log_level)
    serve_worker_metrics()
    ensure_own_topics(settings.kafka_bootstrap_servers, topics)
    db = connect(settings.mongodb_uri, app_name=f"{service}-relay")[settings.mongodb_database]
    producer = make_producer(settings.kafka_bootstrap_servers, f"{service}-relay")
    relay = OutboxRelay([db[name] for name in collections], producer)
    holder = f"{socket.gethostname()}-{os.getpid()}"
    relay.run(
        StopSignal(),
        # Longer than one round can take (send timeout 30 s), so a standby never takes over mid-round.
        lease=Lease(db["leases"], "outbox-relay", holder, ttl_seconds=90),
        liveness=LivenessFile(LIVENESS_FILE.text(service)),
    )
    producer.close()
