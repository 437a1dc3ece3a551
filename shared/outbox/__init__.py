"""Transactional outbox without multi-document transactions.

Pending events live in the aggregate's own document, so the state change and the events it
caused are written by ONE single-document update. The relay publishes them and then marks them
sent; a crash in between only republishes (at-least-once), which idempotent consumers absorb.
"""

from shared.outbox.fields import OUTBOX_INDEXES, PENDING_QUERY, OutboxEntry, outbox_for_insert, outbox_for_update
from shared.outbox.relay import OutboxRelay

__all__ = ["OUTBOX_INDEXES", "PENDING_QUERY", "OutboxEntry", "OutboxRelay", "outbox_for_insert", "outbox_for_update"]
