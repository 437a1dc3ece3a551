"""Transactional outbox without multi-document transactions.

Pending events live in the aggregate's own document, so the state change and the events it
caused are written by ONE single-document update. The relay publishes them and then marks them
sent; a crash in between only republishes (at-least-once), which idempotent consumers absorb.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.outbox.fields import OUTBOX_INDEXES, PENDING_QUERY, OutboxEntry, outbox_for_insert, outbox_for_update

if TYPE_CHECKING:
    from shared.outbox.relay import OutboxRelay


def __getattr__(name: str) -> Any:
    """The relay (and Kafka's client with it) is imported only by the processes that relay: a web worker that
    writes outbox entries never loads kafka-python."""
    if name == "OutboxRelay":
        from shared.outbox.relay import OutboxRelay

        return OutboxRelay
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["OUTBOX_INDEXES", "PENDING_QUERY", "OutboxEntry", "OutboxRelay", "outbox_for_insert", "outbox_for_update"]
