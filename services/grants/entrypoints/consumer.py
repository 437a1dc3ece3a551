"""The grants service's consumer (``grants-consumer``): enterprises from the register (who is active, where)
and maturity assessments from training (who is surveyed; the baseline and follow-up scores).

Beside the consumer loop, the same process sweeps the envelopes every ``GRANTS_HOLD_SWEEP_SECONDS`` and gives
back the holds of award decisions that crashed halfway (``GrantsService.give_back_stale_holds``); with two
consumer pods both sweep, and each hold is given back once."""

from __future__ import annotations

import logging
import threading

from services.grants.config import CONSUMER_GROUP, SERVICE
from services.grants.entrypoints.wiring import build
from services.grants.events.consumed import ASSESSMENT_TYPE, CONSUMED, ENTERPRISE_TYPES
from services.grants.service_layer.grants import GrantsService
from shared.config import Settings, declare
from shared.consumer import ConsumerRunner
from shared.consumer.process import service_runner
from shared.logs import configure_logging
from shared.mongo import connect
from shared.runtime import StopSignal
from shared.worker_metrics import serve_worker_metrics

log = logging.getLogger(__name__)

HOLD_SWEEP_SECONDS = declare(
    "GRANTS_HOLD_SWEEP_SECONDS",
    60,
    "Seconds between the consumer's sweeps that give back envelope holds of award decisions that crashed halfway.",
)


def sweep_holds(grants: GrantsService, stop: StopSignal, interval: float) -> None:
    """Give back stale envelope holds every ``interval`` seconds until ``stop``; a failed sweep waits for the next."""
    while not stop.wait(interval):
        try:
            released = grants.give_back_stale_holds()
        except Exception:  # the database away for a while: the next sweep tries again
            log.exception("the sweep of envelope holds failed")
            continue
        if released:
            log.warning("gave back %d envelope holds of award decisions that crashed halfway", released)


def build_runner(settings: Settings, stop: StopSignal) -> ConsumerRunner:
    grants = build(connect(settings.mongodb_uri, app_name=f"{SERVICE}-consumer")[settings.mongodb_database])
    sweeper = threading.Thread(
        target=sweep_holds, args=(grants, stop, float(HOLD_SWEEP_SECONDS.integer())), name="hold-sweep", daemon=True
    )
    sweeper.start()
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
