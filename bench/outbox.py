"""Benchmark 2: the outbox relay against a bare kafka-python producer sending the same messages.

Two measurements, each relay run paired with a bare run of exactly its messages:

- ``database``: the real relay on the real database, as ``registry-relay`` runs it;
- ``memory``: the real relay over an in-memory stand-in for the collection (bench.kafka_run.
  MemoryCollection), i.e. the relay's own cost in Python and Kafka with a free database.
"""

from __future__ import annotations

import json
import pickle
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymongo.database import Database

from bench.procs import Processes
from services.registry.adapters.repository import ENTERPRISES, INDEXES
from services.registry.config import TOPICS
from shared.kafka import ensure_topics
from shared.mongo import ensure_indexes
from shared.outbox.hints import write_hints

EVENTS_PER_DOCUMENT = 4
BARE_PREFIX = "bare."


@dataclass(frozen=True)
class OutboxInputs:
    documents: int
    relay_topics: list[str]
    bare_topics: list[str]
    messages_file: Path
    documents_file: Path


def _json_text(value: Any) -> str:
    """The value bytes the relay's producer sends (``shared.kafka._json_bytes``), as text."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_inputs(chunks: list[Future[list[dict[str, Any]]]], prefix: str, work_dir: Path) -> OutboxInputs:
    """Keep the generated documents (a pickle) and the bare producer's copy of every message.

    The bare copy has the relay's topic order, keys, JSON bytes and headers; only its topics carry
    an extra ``bare.`` prefix.
    """
    documents = [document for chunk in chunks for document in chunk.result()]
    messages_file, documents_file = work_dir / "bare-messages.jsonl", work_dir / "outbox-documents.pickle"
    with messages_file.open("w", encoding="utf-8") as out:
        for document in documents:
            for entry in document["outbox"]:
                envelope = entry["envelope"]
                headers = [["event_type", envelope["event_type"]], ["correlation_id", envelope["correlation_id"]]]
                row = [BARE_PREFIX + entry["topic"], entry["key"], _json_text(envelope), headers]
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    with documents_file.open("wb") as out:
        pickle.dump(documents, out, protocol=pickle.HIGHEST_PROTOCOL)
    relay_topics = [prefix + topic for topic in TOPICS]
    bare_topics = [BARE_PREFIX + t for t in relay_topics]
    return OutboxInputs(len(documents), relay_topics, bare_topics, messages_file, documents_file)


def seed_database(db: Database, inputs: OutboxInputs, count: int) -> int:
    """Insert the first ``count`` documents (their events pending); return how many events that is."""
    ensure_indexes(db, INDEXES)
    with inputs.documents_file.open("rb") as source:
        documents = pickle.load(source)[:count]  # our own file
    write_hints(db[ENTERPRISES], [d["_id"] for d in documents])  # as the registry's writes leave them
    db[ENTERPRISES].insert_many(documents, ordered=False)
    return sum(len(d["outbox"]) for d in documents)


def create_topics(bootstrap: str, inputs: OutboxInputs) -> None:
    ensure_topics(bootstrap, [*inputs.relay_topics, *inputs.bare_topics], partitions=3)


class Runner:
    """Runs each side in a fresh process (``python -m bench.kafka_run``) and reads its JSON line."""

    def __init__(self, processes: Processes, bootstrap: str, inputs: OutboxInputs, timeout: float) -> None:
        self._processes, self._bootstrap, self._inputs, self._timeout = processes, bootstrap, inputs, timeout

    def _run(self, name: str, args: list[str]) -> dict[str, Any]:
        argv = ["-m", "bench.kafka_run", *args, "--bootstrap", self._bootstrap, "--timeout", str(self._timeout)]
        return json.loads(self._processes.run_python(name, argv, timeout=self._timeout + 60))

    def bare(self, name: str, events: int) -> dict[str, Any]:
        return self._run(
            name,
            ["bare", "--topics", *self._inputs.bare_topics, "--messages", str(self._inputs.messages_file),
             "--count", str(events)],
        )  # fmt: skip

    def relay(self, name: str, events: int, batch_size: int, source: list[str]) -> dict[str, Any]:
        return self._run(
            name,
            ["relay", "--topics", *self._inputs.relay_topics, "--events", str(events),
             "--batch-size", str(batch_size), *source],
        )  # fmt: skip


def pair(runner: Runner, label: str, events: int, batch_size: int, source: list[str]) -> dict[str, Any]:
    relay = runner.relay(f"relay-{label}", events, batch_size, source)
    bare = runner.bare(f"bare-{label}", events)
    return {
        "events": events,
        "documents": events // EVENTS_PER_DOCUMENT,
        "batch_size": batch_size,
        "relay": relay,
        "bare": bare,
        "ratio": relay["events_per_second"] / bare["events_per_second"],
    }
