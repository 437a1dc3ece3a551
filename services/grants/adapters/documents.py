"""Applications' documents in the grants database's GridFS bucket ``documents`` (see ``shared.files``): the
bytes in chunks, the facts the service needs (application, enterprise, which required document, who sent it,
the request it answers, its checked type) in the file's metadata."""

from __future__ import annotations

import uuid
from typing import Any

from pymongo.database import Database

from services.grants.domain.document import Document
from shared.files import FileBucket, bucket_indexes
from shared.mongo import IndexSpec

BUCKET = "documents"
DOCUMENT_INDEXES: list[IndexSpec] = bucket_indexes(BUCKET, "application_id")


def _document(found: dict[str, Any]) -> Document:
    meta = found["metadata"]
    return Document(
        id=found["_id"],
        application_id=meta["application_id"],
        enterprise_id=meta["enterprise_id"],
        code=meta.get("code") or "",
        filename=found["filename"],
        content_type=meta["content_type"],
        size=found["length"],
        uploaded_at=found["uploadDate"],
        uploaded_by=meta["uploaded_by"],
        answer_to=meta.get("answer_to"),
    )


class GridFSDocuments:
    def __init__(self, db: Database) -> None:
        self._bucket = FileBucket(db, BUCKET)

    def count(self, application_id: str) -> int:
        return self._bucket.count({"metadata.application_id": application_id})

    def add(self, document: Document, data: bytes) -> Document:
        metadata = {
            "application_id": document.application_id,
            "enterprise_id": document.enterprise_id,
            "code": document.code,
            "content_type": document.content_type,
            "uploaded_by": document.uploaded_by,
            "answer_to": document.answer_to,
        }
        return _document(self._bucket.put(document.id, document.filename, data, metadata))

    def of_application(self, application_id: str) -> list[Document]:
        return [_document(found) for found in self._bucket.find({"metadata.application_id": application_id})]

    def get(self, application_id: str, document_id: str) -> Document | None:
        found = self._bucket.info({"_id": document_id, "metadata.application_id": application_id})
        return _document(found) if found else None

    def content(self, document_id: str) -> bytes | None:
        return self._bucket.read(document_id)


def new_document_id() -> str:
    return f"gdoc-{uuid.uuid4().hex}"
