"""The events service's consumer (``events-consumer``): enterprises from the register (who may exhibit; a
deleted or expired one is withdrawn from upcoming events) and listings from the marketplace (what they show)."""

from __future__ import annotations

from services.events.config import CONSUMER_GROUP, SERVICE
from services.events.entrypoints.wiring import build
from services.events.events.consumed import CONSUMED, ENTERPRISE_TYPES, LISTING_TYPES
from shared.config import Settings
from shared.consumer import ConsumerRunner
from shared.consumer.process import service_runner
from shared.logs import configure_logging
from shared.mongo import connect
from shared.runtime import StopSignal
from shared.worker_metrics import serve_worker_metrics


def build_runner(settings: Settings, stop: StopSignal) -> ConsumerRunner:
    service = build(connect(settings.mongodb_uri, app_name=f"{SERVICE}-consumer")[settings.mongodb_database])
    handlers = {t.name: service.apply_registry_event for t in ENTERPRISE_TYPES}
    handlers.update({t.name: service.apply_listing_event for t in LISTING_TYPES})
    return service_runner(SERVICE, settings, stop, group_id=CONSUMER_GROUP, catalog=CONSUMED, handlers=handlers)


def main() -> None:
    settings = Settings.from_env(SERVICE)
    configure_logging(f"{SERVICE}-consumer", settings.log_level)
    serve_worker_metrics()
    build_runner(settings, StopSignal()).run()


if __name__ == "__main__":
    main()
