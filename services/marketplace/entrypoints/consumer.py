"""The marketplace's consumer process (``marketplace-consumer``): keeps its sellers in step with the register."""

from __future__ import annotations

from services.marketplace.adapters.sellers import MongoSellers
from services.marketplace.config import CONSUMER_GROUP, SERVICE
from services.marketplace.events.registry import CONSUMED
from shared.config import Settings
from shared.consumer import ConsumerRunner
from shared.kafka import make_producer
from shared.logs import configure_logging
from shared.mongo import connect
from shared.runtime import LivenessFile, StopSignal


def build_runner(settings: Settings, stop: StopSignal) -> ConsumerRunner:
    db = connect(settings.mongodb_uri, app_name=f"{SERVICE}-consumer")[settings.mongodb_database]
    sellers = MongoSellers(db)
    return ConsumerRunner(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=CONSUMER_GROUP,
        catalog=CONSUMED,
        handlers={event_type.name: sellers.apply_registry_event for event_type in CONSUMED},
        dlq_producer=make_producer(settings.kafka_bootstrap_servers, f"{SERVICE}-dlq"),
        stop=stop,
        liveness=LivenessFile(settings.liveness_file),
    )


def main() -> None:
    settings = Settings.from_env(SERVICE)
    configure_logging(f"{SERVICE}-consumer", settings.log_level)
    build_runner(settings, StopSignal()).run()


if __name__ == "__main__":
    main()
