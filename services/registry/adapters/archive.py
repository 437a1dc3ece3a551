"""The older part of an enterprise's long lists (history, past applications), kept beside its document.

An enterprise document keeps the newest ``KEPT[field]`` items of each list, and ``<field>_archived``:
how many older items moved to ``enterprise_archive``, one document per item,
``{_id: "<enterprise id>:<field>:<n>", enterprise_id, field, seq: n, item}`` (n counts from the
list's first item). The lists only ever grow at their end, so item n is the same whoever writes it:
the archive is written before the conditional save of the enterprise, by ``_id``, and a save that
loses its race (or a crash before it) leaves only copies of what the document still holds, which
nobody reads (readers take the first ``<field>_archived`` items from the archive, the rest from the
document). Loading an enterprise puts its lists together again, so the domain and every view see them
whole. A document written before this holds its whole lists and no counts: its next save moves the
older items out.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, ReplaceOne
from pymongo.database import Database

from shared.mongo import WRITES_PER_COMMAND, IndexSpec, index

ARCHIVE = "enterprise_archive"
KEPT = {"history": 50, "past_applications": 5}
"""How many of each list's newest items the enterprise document itself holds."""
ARCHIVE_INDEXES: list[IndexSpec] = [index(ARCHIVE, "enterprise_id", "field", "seq")]


def archived_field(field: str) -> str:
    return f"{field}_archived"


class EnterpriseArchive:
    def __init__(self, db: Database) -> None:
        self._collection = db[ARCHIVE]

    def restore(self, document: dict[str, Any]) -> dict[str, Any]:
        """The document with its lists whole again (it reads the archive only for lists that moved items out)."""
        whole = dict(document)
        for field in KEPT:
            moved = int(document.get(archived_field(field)) or 0)
            if moved and field in document:
                older = self._collection.find(
                    {"enterprise_id": document["_id"], "field": field, "seq": {"$lt": moved}}, {"item": 1}
                ).sort("seq", ASCENDING)
                whole[field] = [entry["item"] for entry in older] + list(document.get(field) or [])
        return whole

    def trim(self, enterprise_id: str, document: dict[str, Any]) -> dict[str, Any]:
        """The document to save: each long list's older items written to the archive, the newest kept."""
        trimmed = dict(document)
        for field, kept in KEPT.items():
            items = list(document.get(field) or [])
            moved = len(items) - kept
            if moved <= 0:
                continue
            done = self._collection.count_documents({"enterprise_id": enterprise_id, "field": field})
            writes = [
                ReplaceOne(
                    {"_id": f"{enterprise_id}:{field}:{seq}"},
                    {"enterprise_id": enterprise_id, "field": field, "seq": seq, "item": items[seq]},
                    upsert=True,
                )
                for seq in range(min(done, moved), moved)
            ]
            for start in range(0, len(writes), WRITES_PER_COMMAND):
                self._collection.bulk_write(writes[start : start + WRITES_PER_COMMAND], ordered=True)
            trimmed[field] = items[moved:]
            trimmed[archived_field(field)] = moved
        return trimmed
