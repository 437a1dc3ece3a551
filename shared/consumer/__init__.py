"""Running event handlers: manual commits, at-most-once effects, retries and dead letters."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from shared.consumer.idempotency import apply_once

if TYPE_CHECKING:
    from shared.consumer.runner import ConsumerRunner, PoisonFlood, TransientError

_RUNNER = ("ConsumerRunner", "PoisonFlood", "TransientError")


def __getattr__(name: str) -> Any:
    """The runner (and Kafka's client with it) is imported only by consumer processes: a web worker whose
    read models use ``apply_once`` never loads kafka-python."""
    if name in _RUNNER:
        return getattr(importlib.import_module("shared.consumer.runner"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ConsumerRunner", "PoisonFlood", "TransientError", "apply_once"]
