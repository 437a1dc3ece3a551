"""Applicants' documents in MongoDB's GridFS (bucket ``attachments``): the bytes in chunks, the facts the
register needs (application, enterprise, answer, who sent it, its checked type) in the file's metadata.

GridFS is plain collections and ordinary queries, so FerretDB stores it as MongoDB does (the integration
tests run against FerretDB). A failed upload leaves no chunks behind: GridFS deletes them when the stream
is aborted.
"""

from __future__ import annotations

import uuid
from typing import Any

from gridfs import GridFSBucket
from gridfs.errors import NoFile
from pymongo.database import Database

from services.registry.domain.attachment import Attachment
from shared.mongo import IndexSpec, index

BUCKET = "attachments"
FILES = f"{BUCKET}.files"
CHUNKS = f"{BUCKET}.chunks"
CHUNK_BYTES = 255 * 1024

ATTACHMENT_INDEXES: list[IndexSpec] = [
    index(FILES, "metadata.application_id"),
    index(CHUNKS, "files_id", "n", unique=True),
]


def _attachment(document: dict[str, Any]) -> Attachment:
    meta = document["metadata"]
    return Attachment(
        id=document["_id"],
        application_id=meta["application_id"],
        enterprise_id=meta["enterprise_id"],
        filename=document["filename"],
        content_type=meta["content_type"],
        size=document["length"],
        uploaded_at=document["uploadDate"],
        uploaded_by=meta["uploaded_by"],
        answer_to=meta.get("answer_to"),
    )


class GridFSAttachments:
    def __init__(self, db: Database) -> None:
        self._bucket = GridFSBucket(db, bucket_name=BUCKET, chunk_size_bytes=CHUNK_BYTES)
        self._files = db[FILES]

    def count(self, application_id: str) -> int:
        return self._files.count_documents({"metadata.application_id": application_id})

    def add(self, attachment: Attachment, data: bytes) -> Attachment:
        metadata = {
            "application_id": attachment.application_id,
            "enterprise_id": attachment.enterprise_id,
            "content_type": attachment.content_type,
            "uploaded_by": attachment.uploaded_by,
            "answer_to": attachment.answer_to,
        }
        self._bucket.upload_from_stream_with_id(attachment.id, attachment.filename, data, metadata=metadata)
        stored = self._files.find_one({"_id": attachment.id})
        assert stored is not None
        return _attachment(stored)

    def of_application(self, application_id: str) -> list[Attachment]:
        found = self._files.find({"metadata.application_id": application_id}).sort("uploadDate", 1)
        return [_attachment(document) for document in found]

    def get(self, application_id: str, attachment_id: str) -> Attachment | None:
        found = self._files.find_one({"_id": attachment_id, "metadata.application_id": application_id})
        return _attachment(found) if found else None

    def content(self, attachment_id: str) -> bytes | None:
        """The document's bytes (at most ``MAX_BYTES``, so read whole); None if they are gone."""
        try:
            return self._bucket.open_download_stream(attachment_id).read()
        except NoFile:
            return None


def new_id() -> str:
    return f"doc-{uuid.uuid4().hex}"
