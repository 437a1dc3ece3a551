"""Applications' documents in the grants database's GridFS bucket ``documents`` (see ``shared.files``): the
bytes in chunks, the facts the service needs (application, enterprise, which required document, who sent it,
the request it answers, its checked type) in the file's metadata."""

from __future__ import annotations

import uuid

from pymongo.database import Database

from services.grants.domain.document import Document
from shared.application_documents import ApplicationDocuments
from shared.files import bucket_indexes
from shared.mongo import IndexSpec

BUCKET = "documents"
DOCUMENT_INDEXES: list[IndexSpec] = bucket_indexes(BUCKET, "application_id")


class GridFSDocuments(ApplicationDocuments[Document]):
    def __init__(self, db: Database) -> None:
        super().__init__(db, BUCKET, Document)


def new_document_id() -> str:
    return f"gdoc-{uuid.uuid4().hex}"
