"""Applicants' documents in MongoDB's GridFS (bucket ``attachments``, see ``shared.files``): the bytes in
chunks, the facts the register needs (application, enterprise, answer, who sent it, its checked type) in the
file's metadata."""

from __future__ import annotations

import uuid

from pymongo.database import Database

from services.registry.domain.attachment import Attachment
from shared.application_documents import ApplicationDocuments
from shared.files import bucket_indexes
from shared.mongo import IndexSpec

BUCKET = "attachments"
ATTACHMENT_INDEXES: list[IndexSpec] = bucket_indexes(BUCKET, "application_id")


class GridFSAttachments(ApplicationDocuments[Attachment]):
    def __init__(self, db: Database) -> None:
        super().__init__(db, BUCKET, Attachment)


def new_id() -> str:
    return f"doc-{uuid.uuid4().hex}"
