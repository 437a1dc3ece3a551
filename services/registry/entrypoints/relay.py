"""The registry's outbox relay process (``registry-relay``)."""

from __future__ import annotations

import os
import socket

from services.registry.adapters.repository import ENTERPRISES
from services.registry.config import SERVICE, TOPICS, RegistryConfig
from shared.kafka import ensure_topics, make_producer
from shared.logs import configure_logging
from shared.mongo import connect
from shared.outbox import OutboxRelay
from shared.outbox.lease import Lease
from shared.runtime import LivenessFile, StopSignal


def main() -> None:
    settings = RegistryConfig.from_env().settings
    configure_logging(f"{SERVICE}-relay", settings.log_level)
    if os.environ.get("CREATE_TOPICS", "true").lower() == "true":
        ensure_topics(settings.kafka_bootstrap_servers, TOPICS)
    db = connect(settings.mongodb_uri, app_name=f"{SERVICE}-relay")[settings.mongodb_database]
    producer = make_producer(settings.kafka_bootstrap_servers, f"{SERVICE}-relay")
    relay = OutboxRelay([db[ENTERPRISES]], producer)
    holder = f"{socket.gethostname()}-{os.getpid()}"
    relay.run(
        StopSignal(),
        # Longer than one round can take (send timeout 30 s), so a standby never takes over mid-round.
        lease=Lease(db["leases"], "outbox-relay", holder, ttl_seconds=90),
        liveness=LivenessFile(os.environ.get("RELAY_LIVENESS_FILE", f"/tmp/{SERVICE}-relay-alive")),  # noqa: S108
    )
    producer.close()


if __name__ == "__main__":
    main()
