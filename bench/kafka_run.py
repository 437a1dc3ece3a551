"""One side of the outbox benchmark, run in its own process: ``python -m bench.kafka_run relay|bare``.

``relay`` drives the real `OutboxRelay.relay_once()` until every pending event is acknowledged and
marked sent; ``bare`` sends the same messages with a plain `KafkaProducer` and flushes. Both create
their client and fetch topic metadata before the clock starts, and print one JSON line: events,
seconds, events/s and the process's resident memory.
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench.procs import memory_kib
from shared.outbox import PENDING_QUERY
from shared.outbox.relay import PARKED_FIELD, RELAY_QUERY


def _warm(producer: Any, topics: list[str]) -> None:
    for topic in topics:
        producer.partitions_for(topic)


def _time_phases(target: Any, names: list[str]) -> dict[str, float]:
    """Wrap methods of ``target`` (on the instance) so that the time spent in each is added up."""
    spent = dict.fromkeys(names, 0.0)

    def timed(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return wrapper

    for name in names:
        setattr(target, name, timed(name, getattr(target, name)))
    return spent


class MemoryCollection:
    """What `OutboxRelay` uses of a pymongo collection (find…sort…limit…batch_size, a cursor, bulk_write), over
    documents in memory.

    With it the relay runs its real code against a database that costs nothing: what remains is
    the relay's own work in Python and Kafka's.
    """

    full_name = "memory.enterprises"
    name = "enterprises"

    def __init__(self, documents: list[dict[str, Any]]) -> None:
        self._documents = {d["_id"]: d for d in documents}
        self.database = MemoryCollection._Database()

    class _Database:
        """A database where no pending hint was ever written: the relay finds its work by its query, each pass."""

        name = "memory"

        @property
        def database(self) -> Any:
            return self

        def __getitem__(self, name: str) -> Any:
            return self

        def with_options(self, **options: Any) -> Any:
            return self

        def list_collection_names(self, **options: Any) -> list[str]:
            return []

    def with_options(self, **options: Any) -> MemoryCollection:
        return self  # read and write concerns mean nothing in memory

    def find(self, query: dict[str, Any], projection: dict[str, Any]) -> MemoryCollection._Cursor:
        if query == {PARKED_FIELD: {"$exists": True}}:
            return MemoryCollection._Cursor(self, [], parked=True)
        assert query in (PENDING_QUERY, RELAY_QUERY), query
        return MemoryCollection._Cursor(self, [*projection, "_id"])

    class _Cursor:
        """Pending documents in the order they were written (oldest first here), read as the server would."""

        def __init__(self, collection: MemoryCollection, fields: list[str], parked: bool = False) -> None:
            self._collection, self._fields, self._parked = collection, fields, parked
            self._limit = 0
            self._found: Iterator[dict[str, Any]] | None = None

        def sort(self, keys: Any) -> MemoryCollection._Cursor:
            return self

        def limit(self, count: int) -> MemoryCollection._Cursor:
            self._limit = count
            return self

        def batch_size(self, count: int) -> MemoryCollection._Cursor:
            return self

        def _all(self) -> list[dict[str, Any]]:
            if self._parked:
                return []  # the benchmark's events are all publishable
            found = [
                {f: document[f] for f in self._fields}
                for document in self._collection._documents.values()
                if document["outbox"]
            ]
            return found[: self._limit] if self._limit else found

        def __iter__(self) -> Iterator[dict[str, Any]]:
            return self

        def __next__(self) -> dict[str, Any]:
            if self._found is None:
                self._found = iter(self._all())  # read when first asked, as a server's first batch
            return next(self._found)

        def close(self) -> None:
            self._found = iter(())

    def bulk_write(self, operations: list[Any], ordered: bool = True) -> None:
        for operation in operations:
            query, update = operation._filter, operation._doc  # pymongo's UpdateOne keeps them there
            document = self._documents[query["_id"]]
            for field, value in update.get("$max", {}).items():
                document[field] = max(document[field], value)
            for field, removed in update.get("$pullAll", {}).items():
                document[field] = [item for item in document[field] if item not in removed]

    def count_documents(self, query: dict[str, Any]) -> int:
        return len(self.find(query, {})._all())


def run_relay(args: argparse.Namespace) -> dict[str, Any]:
    from services.registry.adapters.repository import ENTERPRISES
    from shared.kafka import make_producer
    from shared.mongo import connect
    from shared.outbox import OutboxRelay

    client = None
    if args.documents:
        with Path(args.documents).open("rb") as source:
            collection: Any = MemoryCollection(pickle.load(source))  # our own file, written by the parent
    else:
        client = connect(args.mongodb_uri, app_name="bench-relay")
        collection = client[args.database][ENTERPRISES]
    producer = make_producer(args.bootstrap, "bench-relay")
    _warm(producer, args.topics)
    relay = OutboxRelay([collection], producer, batch_size=args.batch_size)
    phases = _time_phases(
        relay, ["fetch_pending", "_read_hinted", "_next_from_scan", "publish", "mark_sent", "settle_hints"]
    )
    deadline = time.monotonic() + args.timeout
    sent, rounds = 0, 0
    started = time.perf_counter()
    while sent < args.events:
        sent += relay.relay_once()
        rounds += 1
        if time.monotonic() > deadline:
            raise TimeoutError(f"relay: only {sent} of {args.events} events after {args.timeout:.0f} s")
    seconds = time.perf_counter() - started
    left = collection.count_documents(PENDING_QUERY)
    producer.close()
    if client is not None:
        client.close()
    if left:
        raise RuntimeError(f"relay: {left} documents still pending after {sent} events")
    return {"events": sent, "seconds": seconds, "rounds": rounds, "phase_seconds": phases}


def run_bare(args: argparse.Namespace) -> dict[str, Any]:
    from kafka import KafkaProducer

    messages = []
    with Path(args.messages).open(encoding="utf-8") as lines:
        for line in itertools.islice(lines, args.count or None):
            topic, key, value, headers = json.loads(line)
            messages.append((topic, key.encode(), value.encode(), [(name, raw.encode()) for name, raw in headers]))
    producer = KafkaProducer(
        bootstrap_servers=args.bootstrap, client_id="bench-bare", acks="all", enable_idempotence=True, linger_ms=5
    )
    _warm(producer, args.topics)
    started = time.perf_counter()
    futures = [producer.send(topic, key=key, value=value, headers=headers) for topic, key, value, headers in messages]
    producer.flush(timeout=args.timeout)
    seconds = time.perf_counter() - started
    failed = sum(1 for f in futures if not (f.is_done and f.succeeded()))
    producer.close()
    if failed:
        raise RuntimeError(f"bare producer: {failed} of {len(futures)} messages not acknowledged")
    return {"events": len(futures), "seconds": seconds}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.kafka_run")
    parser.add_argument("mode", choices=["relay", "bare"])
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topics", nargs="+", required=True, help="topics to fetch metadata for up front")
    parser.add_argument("--mongodb-uri", default="")
    parser.add_argument("--database", default="")
    parser.add_argument("--events", type=int, default=0, help="relay: how many events to wait for")
    parser.add_argument("--documents", default="", help="relay: a pickle of documents to relay from memory")
    parser.add_argument("--messages", default="", help="bare: JSON lines [topic, key, value, headers]")
    parser.add_argument("--count", type=int, default=0, help="bare: send only the first COUNT messages")
    parser.add_argument("--batch-size", type=int, default=500, help="relay: documents per relay_once()")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    result = run_relay(args) if args.mode == "relay" else run_bare(args)
    result["events_per_second"] = result["events"] / result["seconds"]
    result.update(memory_kib())
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
