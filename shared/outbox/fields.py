"""The outbox fields kept inside an aggregate's document.

- ``outbox``: entries ``{seq, topic, key, envelope}`` not yet known to be published;
- ``outbox_seq``: the sequence number of the last entry ever added;
- ``outbox_sent_seq``: every entry up to this number has been acknowledged by Kafka;
- ``outbox_pending``: true while some entry may be unsent (indexed: the relay's work list).

Writers only ever ``$push`` entries and raise ``outbox_seq``; the relay only raises
``outbox_sent_seq`` and empties the list when nothing was added meanwhile. The two kinds of
update therefore never overwrite each other's work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shared.events.envelope import Envelope


@dataclass(frozen=True)
class OutboxEntry:
    topic: str
    envelope: Envelope

    def as_document(self, seq: int) -> dict[str, Any]:
        return {
            "seq": seq,
            "topic": self.topic,
            "key": self.envelope.aggregate_id,
            "envelope": self.envelope.to_dict(),
        }


def outbox_for_insert(entries: Sequence[OutboxEntry]) -> dict[str, Any]:
    """Fields to include in a new aggregate document."""
    return {
        "outbox": [entry.as_document(seq) for seq, entry in enumerate(entries, start=1)],
        "outbox_seq": len(entries),
        "outbox_sent_seq": 0,
        "outbox_pending": bool(entries),
    }


def outbox_for_update(current_seq: int, entries: Sequence[OutboxEntry]) -> dict[str, Any]:
    """Update operators that append entries to an existing document's outbox.

    ``current_seq`` is the ``outbox_seq`` read with the document; the caller's optimistic
    version check guarantees nobody else appended in between.
    """
    if not entries:
        return {}
    documents = [entry.as_document(current_seq + i) for i, entry in enumerate(entries, start=1)]
    return {
        "$set": {"outbox_seq": current_seq + len(entries), "outbox_pending": True},
        "$push": {"outbox": {"$each": documents}},
    }


OUTBOX_INDEXES = ("outbox_pending",)
