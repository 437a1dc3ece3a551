"""Applicants' documents in MongoDB's GridFS (bucket ``attachments``, see ``shared.files``): the bytes in
chunks, the facts the register needs (application, enterprise, answer, who sent it, its checked type) in the
file's metadata."""

from __future__ import annotations

import uuid
from typing import Any

from pymongo.database import Database

from services.registry.domain.attachment import Attachment
from shared.files import FileBucket, bucket_indexes
from shared.mongo import IndexSpec

BUCKET = "attachments"
ATTACHMENT_INDEXES: list[IndexSpec] = bucket_indexes(BUCKET, "application_id")


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
        self._bucket = FileBucket(db, BUCKET)

    def count(self, application_id: str) -> int:
        return self._bucket.count({"metadata.application_id": application_id})

    def add(self, attachment: Attachment, data: bytes) -> Attachment:
        metadata = {
            "application_id": attachment.application_id,
            "enterprise_id": attachment.enterprise_id,
            "content_type": attachment.content_type,
            "uploaded_by": attachment.uploaded_by,
            "answer_to": attachment.answer_to,
        }
        return _attachment(self._bucket.put(attachment.id, attachment.filename, data, metadata))

    def of_application(self, application_id: str) -> list[Attachment]:
        return [_attachment(document) for document in self._bucket.find({"metadata.application_id": application_id})]

    def get(self, application_id: str, attachment_id: str) -> Attachment | None:
        found = self._bucket.info({"_id": attachment_id, "metadata.application_id": application_id})
        return _attachment(found) if found else None

    def content(self, attachment_id: str) -> bytes | None:
        """The document's bytes (at most ``MAX_BYTES``, so read whole); None if they are gone."""
        return self._bucket.read(attachment_id)


def new_id() -> str:
    return f"doc-{uuid.uuid4().hex}"
