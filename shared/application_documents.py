"""An application's documents in a GridFS bucket of the service's own database (``shared.files``): the bytes in
chunks, the document's facts (``shared.uploads.StoredDocument`` and what the service's own kind adds) in the
file's metadata — the store behind ``shared.uploads.DocumentStore`` for the register and grants alike."""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any, Generic

from pymongo.database import Database

from shared.files import FileBucket
from shared.uploads import D

FILE_FACTS = frozenset({"id", "filename", "size", "uploaded_at"})
"""What GridFS itself keeps of a file (its id, name, length and upload date); the rest goes to its metadata."""


class ApplicationDocuments(Generic[D]):
    def __init__(self, db: Database, bucket: str, kind: type[D]) -> None:
        self._bucket = FileBucket(db, bucket)
        self._kind = kind
        self._metadata = [field for field in fields(kind) if field.name not in FILE_FACTS]

    def _document(self, found: dict[str, Any]) -> D:
        meta = found["metadata"]
        facts = {}
        for field in self._metadata:
            value = meta.get(field.name)
            facts[field.name] = field.default if value is None and field.default is not MISSING else value
        return self._kind(
            id=found["_id"], filename=found["filename"], size=found["length"], uploaded_at=found["uploadDate"], **facts
        )

    def count(self, application_id: str) -> int:
        return self._bucket.count({"metadata.application_id": application_id})

    def add(self, document: D, data: bytes) -> D:
        metadata = {field.name: getattr(document, field.name) for field in self._metadata}
        return self._document(self._bucket.put(document.id, document.filename, data, metadata))

    def of_application(self, application_id: str) -> list[D]:
        return [self._document(found) for found in self._bucket.find({"metadata.application_id": application_id})]

    def get(self, application_id: str, document_id: str) -> D | None:
        found = self._bucket.info({"_id": document_id, "metadata.application_id": application_id})
        return self._document(found) if found else None

    def content(self, document_id: str) -> bytes | None:
        """The document's bytes (at most ``shared.uploads.MAX_BYTES``, so read whole); None if they are gone."""
        return self._bucket.read(document_id)
