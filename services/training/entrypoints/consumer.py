"""The training service's consumer process (``training-consumer``): enterprises from the register, whose
workers are eligible for funded sessions and whose centre serves them. When an enterprise is deleted from
the register, its staff list is deleted with it."""

from __future__ import annotations

from typing import Any

from services.training.config import CONSUMER_GROUP, SERVICE
from services.training.entrypoints.wiring import Training, build
from services.training.events.registry import CONSUMED
from shared.config import Settings
from shared.consumer import ConsumerRunner
from shared.consumer.process import service_runner
from shared.consumer.runner import Handler
from shared.events import Envelope
from shared.logs import configure_logging
from shared.mongo import connect
from shared.runtime import StopSignal
from shared.worker_metrics import serve_worker_metrics


def build_runner(settings: Settings, stop: StopSignal) -> ConsumerRunner:
    training = build(connect(settings.mongodb_uri, app_name=f"{SERVICE}-consumer")[settings.mongodb_database])
    return service_runner(
        SERVICE,
        settings,
        stop,
        group_id=CONSUMER_GROUP,
        catalog=CONSUMED,
        handlers={event_type.name: registry_handler(training) for event_type in CONSUMED},
    )


def registry_handler(training: Training) -> Handler:
    """Take the enterprise's picture; once it is deleted from the register, delete its staff list (again, on a
    redelivery: deleting is idempotent)."""

    def handle(envelope: Envelope, payload: dict[str, Any]) -> None:
        training.enterprises.apply_registry_event(envelope, payload)
        if payload["status"] == "deleted":
            training.staff.forget(payload["enterprise_id"])

    return handle


def main() -> None:
    settings = Settings.from_env(SERVICE)
    configure_logging(f"{SERVICE}-consumer", settings.log_level)
    serve_worker_metrics()
    build_runner(settings, StopSignal()).run()


if __name__ == "__main__":
    main()
