"""Posting lists of a search index on MongoDB (or FerretDB), chunked so no document grows without bound.

A term's postings are strings (``"<id>|<weight>"`` for example) in documents read and written only by
``_id``: the term's own document ``{_id: term, m: [...], c: <extra chunks>}`` holds the first chunk, and
``{_id: "term#<n>", m: [...]}`` for n = 1..c the others. No chunk holds more than ``per_document``
members: a member goes into any chunk with room (``$addToSet`` on a filter that the chunk's last place
is free), and a new chunk is opened only when all are full (raising ``c`` with a conditional update, so
two writers never open two at once). Members are taken out of every chunk of the term, so a member
written twice (a retried write) goes away entirely. Terms must not contain ``#``.

A term document written before chunking (``m`` longer than ``per_document``, no ``c``) is read as it is,
and counts as full: new members go to its further chunks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pymongo import UpdateOne
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from shared.mongo import WRITES_PER_COMMAND

MEMBERS = "m"
CHUNKS = "c"
SEPARATOR = "#"
PER_DOCUMENT = 5000
"""Members of one chunk: a posting of 5000 listings is about 200 kB, far below MongoDB's 16 MB."""
_GROWTH_ATTEMPTS = 20


def chunk_ids(term: str, extra: int) -> list[str]:
    return [term, *(f"{term}{SEPARATOR}{n}" for n in range(1, extra + 1))]


def _one_of(ids: list[str]) -> str | dict[str, list[str]]:
    """An _id filter FerretDB answers from its _id index when there is a single chunk."""
    return ids[0] if len(ids) == 1 else {"$in": ids}


class ChunkedPostings:
    def __init__(self, collection: Collection, per_document: int = PER_DOCUMENT) -> None:
        self._collection = collection
        self._per_document = per_document
        self._room = {f"{MEMBERS}.{per_document - 1}": {"$exists": False}}

    # ------------------------------------------------------------------ writing
    def add(self, members: Mapping[str, str]) -> None:
        """Put each term's member (term → member) into the term's postings."""
        items = list(members.items())
        for start in range(0, len(items), WRITES_PER_COMMAND):
            batch = items[start : start + WRITES_PER_COMMAND]
            # Most often the term's first chunk has room: one round trip for the batch.
            writes = [
                UpdateOne({"_id": term, **self._room, MEMBERS: {"$ne": member}}, {"$addToSet": {MEMBERS: member}})
                for term, member in batch
            ]
            if self._collection.bulk_write(writes, ordered=False).modified_count == len(batch):
                continue
            # One look-up by _id per term: FerretDB answers an $or of them with a scan of every posting.
            for term, member in batch:
                if self._collection.find_one({"_id": term, MEMBERS: member}, {"_id": 1}) is None:
                    self._add_one(term, member)

    def _add_one(self, term: str, member: str) -> None:
        for _ in range(_GROWTH_ATTEMPTS):
            head = self._collection.find_one({"_id": term}, {CHUNKS: 1})
            extra = 0 if head is None else int(head.get(CHUNKS, 0))
            ids = chunk_ids(term, extra)
            if self._collection.find_one({"_id": _one_of(ids), MEMBERS: member}, {"_id": 1}) is not None:
                return
            if self._collection.update_one(
                {"_id": _one_of(ids), **self._room}, {"$addToSet": {MEMBERS: member}}
            ).modified_count:
                return
            if head is None:
                try:
                    self._collection.insert_one({"_id": term, MEMBERS: [member]})
                    return
                except DuplicateKeyError:
                    continue  # another writer created the term meanwhile
            if extra and self._collection.find_one({"_id": ids[-1]}, {"_id": 1}) is None:
                # A writer died between opening the last chunk and writing to it: use it.
                self._collection.update_one({"_id": ids[-1]}, {"$addToSet": {MEMBERS: member}}, upsert=True)
                return
            grown = self._collection.update_one(
                {"_id": term, CHUNKS: extra if extra else {"$exists": False}}, {"$set": {CHUNKS: extra + 1}}
            )
            if not grown.modified_count:
                continue  # another writer opened a chunk: look again
            self._collection.update_one(
                {"_id": chunk_ids(term, extra + 1)[-1]}, {"$addToSet": {MEMBERS: member}}, upsert=True
            )
            return
        raise RuntimeError(f"could not find room for a posting of {term!r}")

    def remove(self, members: Mapping[str, str]) -> None:
        """Take each term's member (term → member) out of every chunk of the term's postings."""
        if not members:
            return
        extra = self._extra_chunks(members)
        writes = [
            UpdateOne({"_id": chunk}, {"$pullAll": {MEMBERS: [member]}})
            for term, member in members.items()
            for chunk in chunk_ids(term, extra.get(term, 0))
        ]
        for start in range(0, len(writes), WRITES_PER_COMMAND):
            self._collection.bulk_write(writes[start : start + WRITES_PER_COMMAND], ordered=False)

    def _extra_chunks(self, terms: Iterable[str]) -> dict[str, int]:
        """Each term's further chunks, read by ``_id`` one term at a time: FerretDB 1.24 answers any ``$in``
        (even of one ``_id``) by reading the whole collection."""
        found = {}
        for term in terms:
            head = self._collection.find_one({"_id": term}, {CHUNKS: 1})
            if head is not None and int(head.get(CHUNKS, 0)) > 0:
                found[term] = int(head[CHUNKS])
        return found

    def load(self, postings: Mapping[str, list[str]]) -> None:
        """Insert whole postings into an empty collection (a new index, a rebuild)."""
        documents = []
        size = self._per_document
        for term, members in postings.items():
            chunks = [members[start : start + size] for start in range(0, len(members), size)] or [[]]
            documents.append(
                {"_id": term, MEMBERS: chunks[0], **({CHUNKS: len(chunks) - 1} if len(chunks) > 1 else {})}
            )
            documents += [
                {"_id": i, MEMBERS: chunk}
                for i, chunk in zip(chunk_ids(term, len(chunks) - 1)[1:], chunks[1:], strict=True)
            ]
        for start in range(0, len(documents), 200):
            self._collection.insert_many(documents[start : start + 200], ordered=False)

    # ------------------------------------------------------------------ reading
    def members(self, terms: Iterable[str]) -> dict[str, list[str]]:
        """Each term's members (a term without postings has none), read by ``_id``.

        Each chunk is read by its own ``_id``: FerretDB 1.24 answers an ``$in`` on ``_id`` (even of one
        value) by reading the whole collection, an equality from its primary key."""
        found: dict[str, list[str]] = {}
        for term in dict.fromkeys(terms):
            found[term] = self.of(term)
        return found

    def of(self, term: str) -> list[str]:
        """One term's members (none when it has no postings)."""
        head = self._collection.find_one({"_id": term})
        if head is None:
            return []
        found = list(head.get(MEMBERS, []))
        for chunk in chunk_ids(term, int(head.get(CHUNKS, 0)))[1:]:
            document = self._collection.find_one({"_id": chunk})
            if document is not None:
                found.extend(document.get(MEMBERS, []))
        return found
