"""Files people upload, kept in the service's own database with GridFS: the bytes in chunks, the facts the
service needs about each file in its metadata.

GridFS is plain collections and ordinary queries, so FerretDB stores it as MongoDB does. A failed upload
leaves no chunks behind: GridFS deletes them when the stream is aborted. The service decides what a file
is, who may read it and how many there may be; this module only keeps them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gridfs import GridFSBucket
from gridfs.errors import NoFile
from pymongo.database import Database

from shared.mongo import IndexSpec, index

CHUNK_BYTES = 255 * 1024


def bucket_indexes(bucket: str, *metadata_keys: str) -> list[IndexSpec]:
    """The chunks' index GridFS reads by, and one on each metadata key the service looks files up by."""
    return [
        *(index(f"{bucket}.files", f"metadata.{key}") for key in metadata_keys),
        index(f"{bucket}.chunks", "files_id", "n", unique=True),
    ]


class FileBucket:
    """One GridFS bucket: files by their ``_id`` (chosen by the service), with metadata to find them by."""

    def __init__(self, db: Database, bucket: str, chunk_bytes: int = CHUNK_BYTES) -> None:
        self._bucket = GridFSBucket(db, bucket_name=bucket, chunk_size_bytes=chunk_bytes)
        self._files = db[f"{bucket}.files"]

    def put(self, file_id: str, filename: str, data: bytes, metadata: Mapping[str, Any]) -> dict[str, Any]:
        """Store the file; its ``files`` document (``length``, ``uploadDate``, ``metadata``...)."""
        self._bucket.upload_from_stream_with_id(file_id, filename, data, metadata=dict(metadata))
        stored = self._files.find_one({"_id": file_id})
        assert stored is not None
        return stored

    def info(self, query: Mapping[str, Any]) -> dict[str, Any] | None:
        """The ``files`` document of the first file matching ``query`` (by ``_id`` and metadata)."""
        return self._files.find_one(dict(query))

    def find(self, query: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The ``files`` documents matching ``query``, oldest first."""
        return list(self._files.find(dict(query)).sort("uploadDate", 1))

    def set_metadata(self, query: Mapping[str, Any], values: Mapping[str, Any]) -> int:
        """Change metadata fields of the files matching ``query``; how many matched."""
        update = {"$set": {f"metadata.{key}": value for key, value in values.items()}}
        return self._files.update_many(dict(query), update).matched_count

    def count(self, query: Mapping[str, Any]) -> int:
        return self._files.count_documents(dict(query))

    def read(self, file_id: str) -> bytes | None:
        """The file's bytes, read whole (services keep files small); None if they are gone."""
        try:
            return self._bucket.open_download_stream(file_id).read()
        except NoFile:
            return None

    def delete(self, file_id: str) -> bool:
        """Remove the file and its chunks; False if there was none."""
        try:
            self._bucket.delete(file_id)
        except NoFile:
            return False
        return True
