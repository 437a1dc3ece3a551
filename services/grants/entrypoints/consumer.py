"""The grants service's consumer (``grants-consumer``): enterprises from the register (who is active, where)
and maturity assessments from training (who is surveyed; the baseline and follow-up scores)."""

from __future__ import annotations

from services.grants.config import CONSUMER_GROUP, SERVICE
from services.grants.entrypoints.wiring import build
from services.grants.events.consumed import ASSESSMENT_TYPE, CONSUMED, ENTERPRISE_TYPES
from shared.config import Settings
from shared.consumer import ConsumerRunner
from shared.consumer.process import service_runner
from shared.logs import configure_logging
from shared.mongo import connect
from shared.runtime import StopSignal
from shared.worker_metrics import serve_worker_metrics


def build_runner(settings: Settings, stop: StopSignal) -> ConsumerRunner:
    grants = build(connect(settings.mongodb_uri, app_name=f"{SERVICE}-consumer")[settings.mongodb_database])
    handlers = {t.name: grants.enterprises.apply_registry_event for t in ENTERPRISE_TYPES}
    handlers[ASSESSMENT_TYPE.name] = grants.assessments.apply_assessment_event
    return service_runner(SERVICE, settings, stop, group_id=CONSUMER_GROUP, catalog=CONSUMED, handlers=handlers)


def main() -> None:
    settings = Settings.from_env(SERVICE)
    configure_logging(f"{SERVICE}-consumer", settings.log_level)
    serve_worker_metrics()
    build_runner(settings, StopSignal()).run()


if __name__ == "__main__":
    main()
