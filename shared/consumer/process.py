"""A service's consumer as a process: its runner with a dead-letter producer and a liveness file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.config import Settings, declare
from shared.consumer.runner import ConsumerRunner, Handler
from shared.events import EventCatalog
from shared.kafka import make_producer
from shared.runtime import LivenessFile, StopSignal

CONSUMER_GROUP = declare(
    "<SERVICE>_CONSUMER_GROUP",
    "<service>",
    "The consumer's group. A new name reads every topic again from the start, but each event is still applied "
    "once, so it rebuilds nothing: for that, use the service's rebuild command (runbook: rebuilding a read model). "
    "In Kubernetes it must start with the service's name (`<service>-2`): the KafkaUser's group ACL is a prefix.",
)


def service_runner(
    service: str,
    settings: Settings,
    stop: StopSignal,
    *,
    group_id: str,
    catalog: EventCatalog,
    handlers: Mapping[str, Handler],
    consumer_overrides: Mapping[str, Any] | None = None,
) -> ConsumerRunner:
    """A service's consumer, in ``group_id`` unless ``<SERVICE>_CONSUMER_GROUP`` names another group;
    ``consumer_overrides`` changes its Kafka consumer's settings (a larger poll for a handler that folds a batch)."""
    return ConsumerRunner(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=CONSUMER_GROUP.text(service, default=group_id),
        catalog=catalog,
        handlers=handlers,
        dlq_producer=make_producer(settings.kafka_bootstrap_servers, f"{service}-dlq"),
        stop=stop,
        liveness=LivenessFile(settings.liveness_file),
        consumer_overrides=consumer_overrides,
    )
