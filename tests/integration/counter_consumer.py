"""A counter consumer as a process of its own, for tests that kill it with SIGKILL.

``python -m tests.integration.counter_consumer BOOTSTRAP MONGODB_URI DATABASE TOPIC GROUP`` runs a
ConsumerRunner with the settings a service's consumer gets from the environment.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from pymongo import MongoClient

from shared.consumer import ConsumerRunner, apply_once
from shared.events.envelope import Envelope
from shared.kafka import make_producer
from shared.runtime import StopSignal
from tests.integration.counters import EVENT_TYPE, counter_catalog


def main() -> None:
    bootstrap, uri, database, topic, group = sys.argv[1:6]
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(asctime)s %(name)s %(message)s")
    counters = MongoClient(uri, serverSelectionTimeoutMS=10_000)[database]["counters"]

    def count(envelope: Envelope, payload: dict[str, Any]) -> None:
        apply_once(counters, payload["counter_id"], envelope.event_id, {"$inc": {"total": payload["amount"]}})

    ConsumerRunner(
        bootstrap_servers=bootstrap,
        group_id=group,
        catalog=counter_catalog(topic),
        handlers={EVENT_TYPE: count},
        dlq_producer=make_producer(bootstrap, "test-dlq"),
        stop=StopSignal(),
    ).run()


if __name__ == "__main__":
    main()
