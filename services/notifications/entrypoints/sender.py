"""The notifications service's sender process (``notifications-sender``): sends the e-mails and makes the
webhook calls the consumer and the scheduler recorded, on a bounded pool with a circuit breaker per
destination (see ``service_layer.sending``). Any number of replicas may run: each attempt is claimed once."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from services.notifications.config import SERVICE
from services.notifications.entrypoints.wiring import build, build_sender
from shared.config import Settings, declare
from shared.logs import configure_logging
from shared.mongo import connect
from shared.runtime import LivenessFile, StopSignal
from shared.worker_metrics import serve_worker_metrics

LIVENESS_FILE = declare(
    "NOTIFICATIONS_SENDER_LIVENESS_FILE",
    "/tmp/notifications-sender-alive",  # noqa: S108 - a probe's file, not a secret
    "File the notifications sender touches from its loop (at least every second); its liveness probe checks it.",
)
ATTEMPTS = Counter(
    "notifications_sender_attempts_total",
    "Attempts to deliver an e-mail or a webhook call, by channel and outcome.",
    ["channel", "outcome"],
)
OPEN_CIRCUITS = Gauge("notifications_sender_open_circuits", "Destinations the sender skips for now (circuit open).")


def main() -> None:
    settings = Settings.from_env(SERVICE)
    configure_logging(f"{SERVICE}-sender", settings.log_level)
    serve_worker_metrics()
    notifications = build(connect(settings.mongodb_uri, app_name=f"{SERVICE}-sender")[settings.mongodb_database])
    sender = build_sender(
        notifications, observe=lambda channel, destination, outcome: ATTEMPTS.labels(channel, outcome).inc()
    )
    OPEN_CIRCUITS.set_function(lambda: len(sender.open_circuits()))
    stop = StopSignal()
    liveness = LivenessFile(LIVENESS_FILE.text())
    sender.run(stop.is_set, heartbeat=liveness.touch)


if __name__ == "__main__":
    main()
