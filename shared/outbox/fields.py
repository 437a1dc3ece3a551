"""The outbox fields kept inside an aggregate's document.

- ``outbox``: entries ``{seq, topic, key, envelope}`` not yet known to be published;
- ``outbox_seq``: the sequence number of the last entry ever added. An entry's ``seq`` is also its
  envelope's ``aggregate_version``: it grows with every event of the aggregate, so read models can
  refuse an event older than the one they hold (a replay, a redelivery);
- ``outbox_sent_seq``: every entry up to this number has been acknowledged by Kafka.

A document has work for the relay while its ``outbox`` holds an entry (``outbox.seq`` is indexed).
Writers only ever ``$push`` entries and raise ``outbox_seq``; the relay only raises
``outbox_sent_seq`` and ``$pullAll``s exactly the entries it published. The two kinds of update
therefore never overwrite each other's work, and every update of the relay names the document by
``_id`` alone (which FerretDB serves without scanning the collection).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from shared.events.envelope import Envelope


@dataclass(frozen=True)
class OutboxEntry:
    topic: str
    envelope: Envelope

    def as_document(self, seq: int) -> dict[str, Any]:
        """The entry as stored: its envelope carries ``seq`` as the aggregate's version."""
        return {
            "seq": seq,
            "topic": self.topic,
            "key": self.envelope.aggregate_id,
            "envelope": replace(self.envelope, aggregate_version=seq).to_dict(),
        }


def outbox_for_insert(entries: Sequence[OutboxEntry]) -> dict[str, Any]:
    """Fields to include in a new aggregate document."""
    return {
        "outbox": [entry.as_document(seq) for seq, entry in enumerate(entries, start=1)],
        "outbox_seq": len(entries),
        "outbox_sent_seq": 0,
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
        "$set": {"outbox_seq": current_seq + len(entries)},
        "$push": {"outbox": {"$each": documents}},
    }


PENDING_QUERY = {"outbox.seq": {"$gte": 1}}
OUTBOX_INDEXES = ("outbox.seq",)
