"""The inbox is listed, counted and marked read through per-owner postings read by ``_id``, against real FerretDB.

On FerretDB any filter but an ``_id`` equality reads every message of every person, so each test below also
checks that no command on the messages filtered by anything else: a page, the unread count and marking all
read cost what the person's inbox holds, not what the whole platform's inboxes hold. What the person sees
must not change: the pages, their order, the cursors' next pages and the counts are compared with the owner
query the inbox used before.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo import ASCENDING, DESCENDING, MongoClient, monitoring
from pymongo.database import Database

from services.notifications.adapters.inbox import INBOX, INBOX_INDEX, MongoInbox, prepare_inbox
from services.notifications.service_layer.delivering import InboxMessage
from shared.documents import to_document
from shared.localinfra import Infrastructure

pytestmark = pytest.mark.integration

START = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)
OWNERS = ["user:ivan", "email:ivan@example.bg", "enterprise:ent-1", "centre:varna", "centre:national", "user:maria"]
PEOPLE = {
    "representative": ["user:ivan", "email:ivan@example.bg", "enterprise:ent-1"],
    "clerk": ["user:clerk", "centre:varna", "centre:national"],
    "buyer": ["user:maria"],
    "nobody": ["user:nobody"],
}
_WRITES = {"update", "delete", "findAndModify"}
_READS = {"find", "count", "aggregate", "distinct"}


class Scans(monitoring.CommandListener):
    """Commands on the messages whose filter is not an ``_id`` equality (a read of the whole collection)."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        name, command = event.command_name, event.command
        if name not in _READS | _WRITES or command.get(name) != INBOX:
            return
        if name in {"find", "count", "distinct", "findAndModify"}:
            filters = [command.get("filter", command.get("query", {}))]
        elif name == "aggregate":
            filters = [stage.get("$match", {}) for stage in command.get("pipeline", [])[:1]]
        else:
            filters = [statement.get("q", {}) for statement in command.get("updates", command.get("deletes", []))]
        for query in filters:
            if not isinstance(query.get("_id"), str):
                self.found.append(f"{name} {sorted(query)}")

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
def scans() -> Scans:
    return Scans()


@pytest.fixture
def names(infra: Infrastructure) -> Iterator[str]:
    name = f"inbox_postings_{uuid.uuid4().hex[:8]}"
    yield name
    MongoClient(infra.mongodb_uri).drop_database(name)


@pytest.fixture
def db(infra: Infrastructure, names: str, scans: Scans) -> Iterator[Database]:
    """The inbox's database, every command watched."""
    client: MongoClient = MongoClient(infra.mongodb_uri, tz_aware=True, event_listeners=[scans])
    yield client[names]
    client.close()


@pytest.fixture
def plain(infra: Infrastructure, names: str) -> Iterator[Database]:
    """The same database for the oracle's queries, unwatched."""
    client: MongoClient = MongoClient(infra.mongodb_uri, tz_aware=True)
    yield client[names]
    client.close()


def message(owner: str, n: int, created_at: datetime, **fields: Any) -> InboxMessage:
    return InboxMessage(
        id=f"evt-{n}:{owner}:inbox",
        owner=owner,
        subject=f"Съобщение {n}",
        text="…",
        html="<p>…</p>",
        event_type="registry.ApplicationApproved",
        message="application_approved",
        created_at=created_at,
        event_id=f"evt-{n}",
        **fields,
    )


def oracle(db: Database, owners: list[str], unread_only: bool, limit: int, after: Any) -> tuple[list[str], bool]:
    """The owner query the inbox used before (the answer a person has always had)."""
    query: dict[str, Any] = {"owner": {"$in": owners}}
    if unread_only:
        query["read_at"] = None
    if after is not None:
        created_at, last_id = after
        query["$or"] = [{"created_at": {"$lt": created_at}}, {"created_at": created_at, "_id": {"$gt": last_id}}]
    found = db[INBOX].find(query).sort([("created_at", DESCENDING), ("_id", ASCENDING)]).limit(limit + 1)
    ids = [document["_id"] for document in found]
    return ids[:limit], len(ids) > limit


def oracle_unread(db: Database, owners: list[str]) -> int:
    return db[INBOX].count_documents({"owner": {"$in": owners}, "read_at": None})


def compare_every_page(inbox: MongoInbox, db: Database, limit: int = 16) -> int:
    """Walk every person's inbox page by page, all and unread only, beside the oracle; the pages compared."""
    pages = 0
    for who, owners in PEOPLE.items():
        for unread_only in (False, True):
            after = None
            while True:
                page = inbox.page(owners, unread_only, limit, after)
                got = ([m.id for m in page.items], page.more)
                assert got == oracle(db, owners, unread_only, limit, after), (who, unread_only, after)
                pages += 1
                if not page.more:
                    break
                after = (page.items[-1].created_at, page.items[-1].id)
        assert inbox.unread_count(owners) == oracle_unread(db, owners), who
    return pages


def test_pages_and_counts_are_the_owner_querys_over_hundreds_of_messages_without_reading_every_message(
    db: Database, plain: Database, scans: Scans
) -> None:
    inbox = MongoInbox(db)
    prepare_inbox(db)
    scans.found = []  # its one look at an empty inbox
    rng = random.Random(21)
    messages = []
    for n in range(200):
        # over a hundred days (pages cross months' ends), several messages in the same millisecond
        moment = START + timedelta(minutes=rng.randrange(0, 100 * 24 * 60), milliseconds=rng.choice([0, 0, 1, 999]))
        moment = moment.replace(microsecond=rng.choice([0, 500, 999_999]) if n % 7 else 0)
        messages.append(message(rng.choice(OWNERS), n, moment))
    for start in range(0, len(messages), 40):
        assert all(inbox.add_many(messages[start : start + 40]))
    # a thread's message, read, then replaced by a newer event's (a later created_at, unread again)
    thread = dataclasses.replace(messages[0], id="app-1:user:ivan:inbox", owner="user:ivan", thread="app-1")
    thread = dataclasses.replace(thread, occurred_at=START)
    assert inbox.add_many([thread]) == [True]
    inbox.mark_read(thread.id, ["user:ivan"], START)
    newer = dataclasses.replace(
        thread, event_id="evt-newer", occurred_at=START + timedelta(days=1), created_at=START + timedelta(days=5)
    )
    assert inbox.add_many([newer]) == [True]
    assert inbox.add_many([dataclasses.replace(thread, created_at=START + timedelta(days=6))]) == [False]
    # some read one by one, one person's all at once
    for read in rng.sample(messages, 60):
        assert inbox.mark_read(read.id, [read.owner], START + timedelta(days=6)) is not None
    unread = oracle_unread(plain, PEOPLE["buyer"])
    assert unread > 0
    assert inbox.mark_all_read(PEOPLE["buyer"], START + timedelta(days=6)) == unread

    pages = compare_every_page(inbox, plain)

    assert pages > 20
    assert scans.found == [], "the inbox read or changed messages by another filter than their _id"


def test_a_message_written_again_by_a_retried_poll_is_listed_and_counted_once(db: Database, scans: Scans) -> None:
    inbox = MongoInbox(db)
    prepare_inbox(db)
    scans.found = []  # its one look at an empty inbox
    owners = PEOPLE["representative"]
    first = [message("user:ivan", n, START + timedelta(seconds=n)) for n in range(3)]
    assert inbox.add_many(first) == [True, True, True]
    # the consumer died before committing: the same events rendered again a minute later, with a new one
    again = [InboxMessage(**{**vars(m), "created_at": m.created_at + timedelta(minutes=1)}) for m in first]
    fresh = message("user:ivan", 3, START + timedelta(minutes=2))
    assert inbox.add_many([*again, fresh]) == [False, False, False, True]

    page = inbox.page(owners, False, 10, None)
    assert [m.id for m in page.items] == [fresh.id, *(m.id for m in reversed(first))]
    assert [m.created_at for m in page.items[1:]] == [m.created_at for m in reversed(first)]
    assert inbox.unread_count(owners) == 4

    # read, then delivered once more (a replayed topic): it stays read and uncounted
    inbox.mark_read(first[0].id, owners, START + timedelta(hours=1))
    assert inbox.add_many([again[0]]) == [False]
    assert inbox.unread_count(owners) == 3
    assert [m.id for m in inbox.page(owners, True, 10, None).items] == [fresh.id, first[2].id, first[1].id]
    assert len(inbox.page(owners, False, 10, None).items) == 4
    assert scans.found == [], "the inbox read or changed messages by another filter than their _id"


def test_reading_a_message_while_marking_all_read_counts_each_once_and_leaves_nothing_unread(
    db: Database, scans: Scans
) -> None:
    inbox = MongoInbox(db)
    prepare_inbox(db)
    scans.found = []  # its one look at an empty inbox
    owners = PEOPLE["clerk"]
    messages = [message(OWNERS[3 + n % 2], n, START + timedelta(seconds=n)) for n in range(60)]
    inbox.add_many(messages)
    assert inbox.unread_count(owners) == 60
    now = START + timedelta(days=1)
    marked: list[int] = []
    newly_read: list[str] = []
    barrier = threading.Barrier(4)

    def mark_all() -> None:
        barrier.wait()
        marked.append(inbox.mark_all_read(owners, now))

    def read_each(share: list[InboxMessage]) -> None:
        barrier.wait()
        for m in share:
            read = inbox.mark_read(m.id, owners, now + timedelta(seconds=1))
            assert read is not None
            if read.read_at is not None and read.read_at > now:
                newly_read.append(m.id)

    threads = [
        threading.Thread(target=mark_all),
        threading.Thread(target=mark_all),
        threading.Thread(target=read_each, args=(messages[::2],)),
        threading.Thread(target=read_each, args=(messages[1::2],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(marked) + len(newly_read) == 60, "each message read once, by one of the requests"
    assert inbox.unread_count(owners) == 0
    assert inbox.page(owners, True, 10, None).items == []
    assert inbox.mark_all_read(owners, now) == 0
    assert db[INBOX_INDEX].find_one({"_id": "u:centre:varna"})["m"] == []
    assert scans.found == [], "the inbox read or changed messages by another filter than their _id"


def test_an_older_databases_messages_are_listed_after_it_is_prepared(
    db: Database, plain: Database, scans: Scans
) -> None:
    rng = random.Random(7)
    old = [message(rng.choice(OWNERS), n, START + timedelta(minutes=rng.randrange(0, 3000))) for n in range(80)]
    db[INBOX].insert_many([to_document(m) for m in old])  # as the inbox wrote them before its postings
    read = [m.id for m in old[::5]]
    for message_id in read:
        db[INBOX].update_one({"_id": message_id}, {"$set": {"read_at": START}})
    inbox = MongoInbox(db)
    before = inbox.page(PEOPLE["representative"], False, 100, None)  # until prepared: the owner query
    # delivered by a newer consumer while the older messages still have no postings
    meanwhile = message("user:ivan", 998, START - timedelta(days=1))
    inbox.add_many([meanwhile])

    prepare_inbox(db)
    scans.found = []  # the owner query above and the one look at every message
    inbox = MongoInbox(db)
    later = message("user:ivan", 999, START + timedelta(days=40))
    inbox.add_many([later])

    page = inbox.page(PEOPLE["representative"], False, 100, None)
    assert [m.id for m in page.items] == [later.id, *(m.id for m in before.items), meanwhile.id]
    compare_every_page(inbox, plain, limit=11)
    prepare_inbox(db)  # again: nothing more to do
    assert inbox.mark_all_read(PEOPLE["clerk"], START + timedelta(days=10)) == sum(
        1 for m in old if m.owner in PEOPLE["clerk"] and m.id not in read
    )
    assert inbox.unread_count(PEOPLE["clerk"]) == 0
    assert scans.found == [], "the inbox read or changed messages by another filter than their _id"
