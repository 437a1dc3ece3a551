"""``mongodb-backup`` and ``mongodb-restore``: the services' databases to one archive file, and back.

The nightly CronJob (deploy/k8s/base/mongodb/backup.yaml) runs ``mongodb-backup`` from a service's image, as
the MongoDB user ``backup`` (role ``backup``: it reads everything and can change nothing), never as the
administrator. The runbook's restore drill runs ``mongodb-restore`` with the administrator's user.

The archive is a gzip stream of BSON documents: a header, then for each collection one record with its
indexes followed by one record per document, then a trailer with the counts. It is written to
``<name>.partial``, flushed to disk and only then renamed, so a file without ``.partial`` is always complete;
a failed run deletes its partial file, and every run first deletes partial files left by a run that was
killed. Archives older than ``--keep-days`` are deleted after a successful run.

Consistency: on MongoDB every collection is read in one snapshot session (one moment for all databases;
MongoDB keeps a snapshot for ``minSnapshotHistoryWindowInSeconds``, 300 s by default, far longer than these
databases take to read). A server without snapshot reads (FerretDB, used by the tests) is read collection by
collection, which the archive's header records. Each aggregate is one document holding its own outbox, so a
document is never half of an event.

A restore reads the whole archive first and refuses one that is truncated (no trailer), then replaces each
collection it holds: drop, insert, indexes. Databases and collections the archive does not hold are left
alone. Users are not in the archive: the setup Job sets them from their Secrets.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import bson
from pymongo import MongoClient
from pymongo.client_session import ClientSession
from pymongo.errors import ConfigurationError, OperationFailure, PyMongoError

from shared.config import MONGODB_URI
from shared.logs import configure_logging

log = logging.getLogger(__name__)

FORMAT = "solidarity-hub-mongodb-backup"
PREFIX = "mongodb-"
SUFFIX = ".archive.gz"
PARTIAL = ".partial"
BATCH = 500


class BackupError(Exception):
    """The archive could not be written or read; the message says why."""


def archive_name(now: datetime) -> str:
    return f"{PREFIX}{now.strftime('%Y-%m-%dT%H%M%SZ')}{SUFFIX}"


def delete_partials(directory: Path) -> list[Path]:
    """Delete the partial archives a killed run left behind; return them."""
    found = sorted(directory.glob(f"{PREFIX}*{SUFFIX}{PARTIAL}"))
    for path in found:
        path.unlink(missing_ok=True)
        log.warning("deleted the partial archive %s of a run that did not finish", path.name)
    return found


def delete_old(directory: Path, keep_days: float, now: float | None = None) -> list[Path]:
    """Delete complete archives older than ``keep_days``; return them."""
    limit = (now or time.time()) - keep_days * 86400
    old = [p for p in sorted(directory.glob(f"{PREFIX}*{SUFFIX}")) if p.stat().st_mtime < limit]
    for path in old:
        path.unlink(missing_ok=True)
        log.info("deleted the archive %s, older than %s days", path.name, keep_days)
    return old


@contextmanager
def _snapshot(client: MongoClient[dict[str, Any]], probe: tuple[str, str] | None) -> Iterator[ClientSession | None]:
    """A snapshot session where the server has them, else None (reads then go collection by collection)."""
    try:
        session = client.start_session(snapshot=True)
    except (ConfigurationError, OperationFailure) as exc:
        log.warning("no snapshot reads (%s): the archive is consistent per collection", exc)
        yield None
        return
    try:
        if probe:
            client[probe[0]][probe[1]].find_one({}, session=session)
    except (ConfigurationError, OperationFailure) as exc:
        session.end_session()
        log.warning("no snapshot reads (%s): the archive is consistent per collection", exc)
        yield None
        return
    try:
        yield session
    finally:
        session.end_session()


def _write(out: BinaryIO, record: dict[str, Any]) -> None:
    out.write(bson.encode(record))


def dump(client: MongoClient[dict[str, Any]], databases: list[str], out: BinaryIO) -> dict[str, int]:
    """Write the archive of ``databases`` to ``out``; return the documents written per ``db.collection``."""
    names = {db: sorted(client[db].list_collection_names(filter={"type": "collection"})) for db in databases}
    names = {db: [c for c in collections if not c.startswith("system.")] for db, collections in names.items()}
    first = next(((db, c) for db, cs in names.items() for c in cs), None)
    counts: dict[str, int] = {}
    with _snapshot(client, first) as session:
        _write(out, {"format": FORMAT, "version": 1, "taken_at": datetime.now(UTC), "snapshot": session is not None})
        for db, collections in names.items():
            for name in collections:
                collection = client[db][name]
                indexes = [i for i in collection.list_indexes() if i["name"] != "_id_"]  # listIndexes takes no snapshot
                _write(out, {"collection": {"db": db, "name": name, "indexes": [dict(i) for i in indexes]}})
                written = 0
                for document in collection.find({}, session=session, batch_size=BATCH).sort("_id", 1):
                    _write(out, {"d": document})
                    written += 1
                counts[f"{db}.{name}"] = written
        _write(out, {"end": True, "counts": counts})
    return counts


def backup(uri: str, databases: list[str], directory: Path, keep_days: float) -> Path:
    """One archive of ``databases`` in ``directory``; partial files are never left behind."""
    directory.mkdir(parents=True, exist_ok=True)
    delete_partials(directory)
    final = directory / archive_name(datetime.now(UTC))
    partial = final.with_name(final.name + PARTIAL)
    client: MongoClient[dict[str, Any]] = MongoClient(
        uri, readPreference="secondaryPreferred", appname="mongodb-backup"
    )
    try:
        with partial.open("wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb") as out:
                counts = dump(client, databases, out)
            raw.flush()
            os.fsync(raw.fileno())
        partial.rename(final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        client.close()
    delete_old(directory, keep_days)
    log.info("backup written: %s (%d documents in %d collections)", final, sum(counts.values()), len(counts))
    return final


def read_archive(path: Path) -> tuple[dict[str, Any], list[tuple[dict[str, Any], list[dict[str, Any]]]]]:
    """The header and each collection with its documents; BackupError for a truncated or foreign file."""
    try:
        with gzip.open(path, "rb") as stream:
            records = list(bson.decode_file_iter(stream))  # type: ignore[arg-type]
    except (OSError, EOFError, bson.errors.InvalidBSON) as exc:
        raise BackupError(f"{path.name} cannot be read: {exc}") from exc
    if not records or records[0].get("format") != FORMAT:
        raise BackupError(f"{path.name} is not a backup archive")
    if not records[-1].get("end"):
        raise BackupError(f"{path.name} is truncated (no trailer): take another archive")
    collections: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    for record in records[1:-1]:
        if "collection" in record:
            collections.append((record["collection"], []))
        else:
            collections[-1][1].append(record["d"])
    counts = {f"{c['db']}.{c['name']}": len(docs) for c, docs in collections}
    if counts != records[-1]["counts"]:
        raise BackupError(f"{path.name}: the documents do not match the trailer's counts")
    return records[0], collections


def restore(uri: str, path: Path, databases: list[str] | None = None) -> dict[str, int]:
    """Replace each collection the archive holds (of ``databases``, or all) with the archive's contents."""
    header, collections = read_archive(path)
    client: MongoClient[dict[str, Any]] = MongoClient(uri, appname="mongodb-restore")
    restored: dict[str, int] = {}
    try:
        for spec, documents in collections:
            if databases and spec["db"] not in databases:
                continue
            collection = client[spec["db"]][spec["name"]]
            collection.drop()
            for start in range(0, len(documents), BATCH):
                collection.insert_many(documents[start : start + BATCH], ordered=True)
            for index in spec["indexes"]:
                options = {k: v for k, v in index.items() if k not in ("v", "key", "ns")}
                collection.create_index(list(index["key"].items()), **options)
            restored[f"{spec['db']}.{spec['name']}"] = len(documents)
    finally:
        client.close()
    log.info("restored %s taken at %s: %d documents", path.name, header["taken_at"], sum(restored.values()))
    return restored


def backup_main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="mongodb-backup", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, required=True, help="where archives are kept")
    parser.add_argument("--databases", required=True, help="the databases, separated by spaces or commas")
    parser.add_argument("--keep-days", type=float, default=14, help="archives older than this are deleted")
    args = parser.parse_args(argv)
    configure_logging("mongodb-backup", "INFO")
    try:
        backup(MONGODB_URI.text(), args.databases.replace(",", " ").split(), args.dir, args.keep_days)
    except (PyMongoError, OSError) as exc:
        log.error("backup failed, no archive written: %s", exc)
        sys.exit(1)


def restore_main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="mongodb-restore", description="Replace the databases' contents.")
    parser.add_argument("archive", type=Path)
    parser.add_argument("--databases", default="", help="only these databases (default: all in the archive)")
    args = parser.parse_args(argv)
    configure_logging("mongodb-restore", "INFO")
    try:
        restore(MONGODB_URI.text(), args.archive, args.databases.replace(",", " ").split() or None)
    except (BackupError, PyMongoError, OSError) as exc:
        log.error("restore failed: %s", exc)
        sys.exit(1)
