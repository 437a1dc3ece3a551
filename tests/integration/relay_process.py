"""A relay process over a test's own collection and topic: ``python -m tests.integration.relay_process COLL TOPIC``.

It runs the real process code (`shared.outbox.process.run_relay`: lease, liveness file, signals), reading
MONGODB_URI, KAFKA_BOOTSTRAP_SERVERS, RELAYTEST_MONGODB_DATABASE and RELAY_LEASE_SECONDS from the
environment, so tests can start, kill -9 and replace relays as Kubernetes would.
"""

from __future__ import annotations

import sys

from shared.config import Settings
from shared.outbox.process import run_relay

SERVICE = "relaytest"


def main() -> None:
    collection, topic = sys.argv[1:3]
    run_relay(SERVICE, Settings.from_env(SERVICE), [collection], [topic])


if __name__ == "__main__":
    main()
