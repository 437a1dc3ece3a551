"""MongoDB access helpers: one client per process and index creation at start-up.

Everything here stays inside what both MongoDB 7 and FerretDB 1.24 support
(no transactions, no partial/TTL indexes, no $text).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pymongo import ASCENDING, MongoClient, ReturnDocument
from pymongo.database import Database

from shared.config import declare

WEB_TIMEOUT_MS = declare(
    "MONGODB_WEB_TIMEOUT_MS",
    2000,
    "How long a web request waits to reach MongoDB (server selection, connecting) before it answers 503 "
    "with `Retry-After`; consumers, relays and schedulers wait 5 s and retry.",
)

WRITES_PER_COMMAND = 40
"""Operations per write command (updates, upserts, deletes in one bulk write): a stock FerretDB 1.24 never answers
an update command that carries about a hundred (the local stack's build is patched, see shared.localinfra.ferretdb)."""


@dataclass(frozen=True)
class IndexSpec:
    collection: str
    keys: Sequence[tuple[str, int]]
    unique: bool = False

    @property
    def name(self) -> str:
        return "_".join(f"{field}_{direction}" for field, direction in self.keys)


def index(collection: str, *fields: str, unique: bool = False) -> IndexSpec:
    """An ascending index on the given fields (a leading '-' makes a field descending)."""
    keys = [(f[1:], -1) if f.startswith("-") else (f, ASCENDING) for f in fields]
    return IndexSpec(collection, keys, unique)


def connect(uri: str, *, app_name: str, timeout_ms: int = 5000) -> MongoClient:
    return MongoClient(
        uri,
        appname=app_name,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        tz_aware=True,
        uuidRepresentation="standard",
    )


def connect_web(uri: str, *, app_name: str) -> MongoClient:
    """The client of a web process: a database that does not answer fails the request fast (a 503)."""
    return connect(uri, app_name=app_name, timeout_ms=WEB_TIMEOUT_MS.integer())


def ensure_indexes(db: Database, specs: Iterable[IndexSpec]) -> None:
    """Create missing indexes; existing ones with the same name are left as they are."""
    for spec in specs:
        db[spec.collection].create_index(list(spec.keys), name=spec.name, unique=spec.unique)


def missing_indexes(db: Database, specs: Iterable[IndexSpec]) -> list[IndexSpec]:
    """The specs with no index of their name, keys and uniqueness in their collection.

    A non-unique index where a unique one is wanted counts as missing: the service relies on it to refuse
    duplicates (a second registry number, a second enrolment), and would otherwise start without it."""
    present: dict[str, dict[str, tuple[list[tuple[str, int]], bool]]] = {}
    missing = []
    for spec in specs:
        if spec.collection not in present:
            present[spec.collection] = _indexes(db, spec.collection)
        if present[spec.collection].get(spec.name) != ([(f, int(d)) for f, d in spec.keys], spec.unique):
            missing.append(spec)
    return missing


def conflicting_indexes(db: Database, specs: Iterable[IndexSpec]) -> list[tuple[IndexSpec, str]]:
    """The specs whose name is taken by a different index (other keys or uniqueness), with what differs.

    Creating such an index fails; it has to be dropped first (a unique one then fails while duplicates exist)."""
    found = []
    for spec in specs:
        existing = _indexes(db, spec.collection).get(spec.name)
        if existing is None:
            continue
        keys, unique = existing
        if keys != [(f, int(d)) for f, d in spec.keys]:
            found.append((spec, f"its keys are {keys}"))
        elif unique != spec.unique:
            found.append((spec, "it is unique" if unique else "it is not unique"))
    return found


def _indexes(db: Database, collection: str) -> dict[str, tuple[list[tuple[str, int]], bool]]:
    return {
        info["name"]: ([(field, int(direction)) for field, direction in info["key"].items()], bool(info.get("unique")))
        for info in db[collection].list_indexes()
    }


class MongoNumberSeries:
    """Numbers people read (certificates, orders): never repeated, gaps allowed, one counter document each."""

    def __init__(self, db: Database, collection: str = "counters") -> None:
        self._collection = db[collection]

    def next(self, series: str) -> int:
        document = self._collection.find_one_and_update(
            {"_id": series}, {"$inc": {"value": 1}}, upsert=True, return_document=ReturnDocument.AFTER
        )
        return int(document["value"])
