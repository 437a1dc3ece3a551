"""The inbox page and unread count with a large inbox collection: the postings read by ``_id`` against the
owner query the inbox used before, on the same data in the same run.

``python -m bench.inbox [--messages 20000] [--rounds 40]`` starts its own database (FerretDB locally, as the
tests do), writes ``--messages`` messages for a few thousand people, their enterprises and centres over 30
days (as the inbox wrote them before its postings), gives them their postings (``prepare_inbox``), then
times, for a representative (her own, her address's and her enterprise's messages) and a clerk (her own,
her centre's and the national centre's): the first page, the third page (its cursor), the unread page and
the unread count, each through ``MongoInbox`` and through the owner query, ``--rounds`` times each.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database

from bench.load import percentile
from services.notifications.adapters.inbox import INBOX, MongoInbox, prepare_inbox
from services.notifications.service_layer.delivering import InboxMessage
from shared.documents import to_document
from shared.localinfra import start_infrastructure
from shared.mongo import connect

START = datetime(2026, 11, 1, tzinfo=UTC)
PAGE = 20
REPRESENTATIVE = ["user:rep-7", "email:rep7@example.bg", "enterprise:ent-7"]
CLERK = ["user:clerk-varna", "centre:varna", "centre:national"]


def _owner(rng: random.Random) -> str:
    """Most messages to people, some to enterprises' and centres' shared inboxes."""
    roll = rng.random()
    if roll < 0.70:
        return f"user:u-{rng.randrange(4000)}"
    if roll < 0.80:
        return f"email:p{rng.randrange(2000)}@example.bg"
    if roll < 0.95:
        return f"enterprise:ent-{rng.randrange(600)}"
    return rng.choice(["centre:varna", "centre:plovdiv", "centre:sofia", "centre:national"])


def seed(db: Database, messages: int) -> None:
    rng = random.Random(21)
    documents = []
    people = [*REPRESENTATIVE, "user:clerk-varna"]
    for n in range(messages):
        owner = people[n % len(people)] if n % 200 == 0 else _owner(rng)
        message = InboxMessage(
            id=f"evt-{n:06d}:{owner}:inbox",
            owner=owner,
            subject="Заявлението Ви е одобрено",
            text="Здравейте,\n\nЗаявлението на „Добро утро“ е одобрено и предприятието е вписано в регистъра.\n" * 4,
            html="<p>Заявлението на <strong>„Добро утро“</strong> е одобрено.</p>" * 4,
            event_type="registry.ApplicationApproved",
            message="application_approved",
            created_at=START + timedelta(seconds=rng.randrange(30 * 86_400)),
            read_at=START + timedelta(days=31) if rng.random() < 0.6 else None,
            summary="Заявлението на „Добро утро“ е одобрено.",
            link="/my/applications/a1",
            event_id=f"evt-{n:06d}",
        )
        documents.append(to_document(message))
    for start in range(0, len(documents), 500):
        db[INBOX].insert_many(documents[start : start + 500], ordered=False)


def queried(db: Database, owners: list[str], unread_only: bool, after: Any) -> list[Any]:
    """The inbox's page before its postings: the owner query."""
    query: dict[str, Any] = {"owner": {"$in": owners}}
    if unread_only:
        query["read_at"] = None
    if after is not None:
        query["$or"] = [{"created_at": {"$lt": after[0]}}, {"created_at": after[0], "_id": {"$gt": after[1]}}]
    return list(db[INBOX].find(query).sort([("created_at", DESCENDING), ("_id", ASCENDING)]).limit(PAGE + 1))


def timed(call: Callable[[], object], rounds: int) -> dict[str, float]:
    took = []
    for _ in range(rounds):
        began = time.perf_counter()
        call()
        took.append((time.perf_counter() - began) * 1000)
    took.sort()
    return {"p50": percentile(took, 0.5), "p99": percentile(took, 0.99)}


def measure(db: Database, rounds: int) -> list[tuple[str, dict[str, float], dict[str, float]]]:
    inbox = MongoInbox(db)
    rows = []
    for who, owners in (("representative", REPRESENTATIVE), ("clerk", CLERK)):
        first = inbox.page(owners, False, PAGE, None)
        second = inbox.page(owners, False, PAGE, (first.items[-1].created_at, first.items[-1].id))
        third = (second.items[-1].created_at, second.items[-1].id)
        assert [m.id for m in inbox.page(owners, False, PAGE, third).items] == [
            d["_id"] for d in queried(db, owners, False, third)[:PAGE]
        ], "the postings' page is the owner query's"
        cases: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
            ("first page", partial(inbox.page, owners, False, PAGE, None), partial(queried, db, owners, False, None)),
            ("third page", partial(inbox.page, owners, False, PAGE, third), partial(queried, db, owners, False, third)),
            ("unread page", partial(inbox.page, owners, True, PAGE, None), partial(queried, db, owners, True, None)),
            (
                "unread count",
                partial(inbox.unread_count, owners),
                partial(db[INBOX].count_documents, {"owner": {"$in": owners}, "read_at": None}),
            ),
        ]
        for name, postings, query in cases:
            rows.append((f"{who}: {name}", timed(postings, rounds), timed(query, max(3, rounds // 8))))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-inbox-") as work:
        infra = start_infrastructure(Path(work) / "infra")
        try:
            db = connect(infra.mongodb_uri, app_name="bench-inbox")["bench_inbox"]
            began = time.monotonic()
            seed(db, args.messages)
            seeded = time.monotonic()
            prepare_inbox(db)
            print(f"{args.messages} messages written in {seeded - began:.0f} s, their postings in "
                  f"{time.monotonic() - seeded:.1f} s ({infra.source} database)")  # fmt: skip
            print(f"{'operation':<32} {'postings p50':>13} {'p99':>8} {'owner query p50':>16} {'p99':>8}  (ms)")
            for name, postings, query in measure(db, args.rounds):
                print(f"{name:<32} {postings['p50']:>13.1f} {postings['p99']:>8.1f} {query['p50']:>16.1f} "
                      f"{query['p99']:>8.1f}")  # fmt: skip
        finally:
            infra.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
