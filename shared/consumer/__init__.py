"""Running event handlers: manual commits, at-most-once effects, retries and dead letters."""

from shared.consumer.idempotency import apply_once
from shared.consumer.runner import ConsumerRunner, PoisonFlood, TransientError

__all__ = ["ConsumerRunner", "PoisonFlood", "TransientError", "apply_once"]
