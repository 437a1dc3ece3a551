"""``outbox-parked``: list, retry or drop the events a service's relay parked.

The relay parks an event Kafka refuses for good (see `shared.outbox.relay`); the aggregate's later
events wait behind it. ``retry`` lets the relay try it again (after the cause was fixed: a topic
created, an ACL granted, a limit raised); ``drop`` gives it up, copying it into the ``outbox_dropped``
collection first, and lets the aggregate's later events go out.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pymongo.collection import Collection
from pymongo.database import Database

from shared.config import Settings
from shared.mongo import connect
from shared.outbox.hints import HINTS_COLLECTION, write_hint
from shared.outbox.relay import PARKED_FIELD

DROPPED_COLLECTION = "outbox_dropped"
_PARKED = {PARKED_FIELD: {"$exists": True}}


def parked_events(db: Database) -> Iterator[tuple[Collection, dict[str, Any]]]:
    """Every document holding a parked event, with its collection."""
    for name in sorted(db.list_collection_names()):
        if name in (DROPPED_COLLECTION, HINTS_COLLECTION):
            continue
        collection = db[name]
        for doc in collection.find(_PARKED, {PARKED_FIELD: 1, "outbox": 1}):
            yield collection, doc


def _describe(collection: Collection, doc: dict[str, Any]) -> dict[str, Any]:
    parked = doc[PARKED_FIELD]
    return {
        "event_id": parked["event_id"],
        "event_type": parked["event_type"],
        "collection": collection.name,
        "aggregate_id": str(doc["_id"]),
        "topic": parked["topic"],
        "parked_at": parked["parked_at"].isoformat(),
        "attempts": parked["attempts"],
        "waiting_behind_it": sum(1 for e in doc.get("outbox", []) if e["seq"] > parked["seq"]),
        "error": parked["error"],
    }


def _find(db: Database, event_id: str) -> tuple[Collection, dict[str, Any]] | None:
    for collection, doc in parked_events(db):
        if doc[PARKED_FIELD]["event_id"] == event_id:
            return collection, doc
    return None


def retry(db: Database, event_id: str) -> bool:
    """Let the relay try the parked event again; False if no such parked event."""
    found = _find(db, event_id)
    if found is None:
        return False
    collection, doc = found
    write_hint(collection, doc["_id"])  # the relay finds it again through its hint
    result = collection.update_one(
        {"_id": doc["_id"], f"{PARKED_FIELD}.event_id": event_id}, {"$unset": {PARKED_FIELD: ""}}
    )
    return result.modified_count == 1


def drop(db: Database, event_id: str) -> bool:
    """Give the parked event up (kept in ``outbox_dropped``); the aggregate's later events go out."""
    found = _find(db, event_id)
    if found is None:
        return False
    collection, doc = found
    seq = doc[PARKED_FIELD]["seq"]
    entries = [e for e in doc.get("outbox", []) if e["seq"] == seq]
    db[DROPPED_COLLECTION].replace_one(
        {"_id": event_id},
        {
            "collection": collection.name,
            "aggregate_id": doc["_id"],
            "entry": entries[0] if entries else None,
            "parked": doc[PARKED_FIELD],
            "dropped_at": datetime.now(UTC),
        },
        upsert=True,
    )
    write_hint(collection, doc["_id"])  # its later events go out through its hint
    result = collection.update_one(
        {"_id": doc["_id"], f"{PARKED_FIELD}.event_id": event_id},
        {"$pull": {"outbox": {"seq": seq}}, "$max": {"outbox_sent_seq": seq}, "$unset": {PARKED_FIELD: ""}},
    )
    return result.modified_count == 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="outbox-parked", description="List, retry or drop the events a service's outbox relay parked."
    )
    parser.add_argument("--service", required=True, help="the service whose database to look in, e.g. registry")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="print each parked event as a JSON line")
    for name, meaning in (("retry", "let the relay try it again"), ("drop", "give it up; later events go out")):
        command = commands.add_parser(name, help=meaning)
        command.add_argument("event_id", help="the parked event's id, as `list` prints it")
    args = parser.parse_args(argv)
    settings = Settings.from_env(args.service)
    client = connect(settings.mongodb_uri, app_name=f"{args.service}-outbox-parked")
    db = client[settings.mongodb_database]
    try:
        if args.command == "list":
            count = 0
            for collection, doc in parked_events(db):
                print(json.dumps(_describe(collection, doc), ensure_ascii=False))
                count += 1
            print(f"{count} parked event(s)", file=sys.stderr)
            return 0
        done = (retry if args.command == "retry" else drop)(db, args.event_id)
        if not done:
            print(f"no parked event {args.event_id} in {settings.mongodb_database}", file=sys.stderr)
            return 1
        print(f"{args.command}: {args.event_id}", file=sys.stderr)
        return 0
    finally:
        client.close()


def entrypoint() -> None:
    sys.exit(main())
