"""The public register's search reads postings by ``_id``: it finds exactly what the register query finds.

The oracle is the query the search used to send (``RegisterQueries.register_filter`` over the register
documents, sorted by name then id, count + skip/limit), run in the test over a varied register written
through the repository (the write path), after renames and status changes, and after a rebuild — also by
a web worker that kept the postings and pages of its earlier searches while another process changed them.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from pymongo import ASCENDING, MongoClient, monitoring
from pymongo.database import Database

from bench.seed import CLERK, NOW, POLICY, build_enterprise
from services.registry.adapters.queries import PUBLIC_LIST_FIELDS, RegisterQueries
from services.registry.adapters.register_index import POSTINGS, SEQ, RegisterIndex
from services.registry.adapters.repository import INDEXES, REGISTER, MongoEnterpriseRepository
from services.registry.domain.entry import Order
from shared.mongo import ensure_indexes
from shared.text.search import words

pytestmark = pytest.mark.integration

STATES = ["active"] * 6 + ["expired", "deleted", "submitted"]
SIZE = 45


@pytest.fixture(scope="module")
def db(infra: Any) -> Iterator[Database]:
    client = MongoClient(infra.mongodb_uri, tz_aware=True)
    name = f"register_postings_{uuid.uuid4().hex[:8]}"
    database = client[name]
    ensure_indexes(database, INDEXES)
    repo = MongoEnterpriseRepository(database)
    for index in range(SIZE):
        rng = random.Random(index)
        enterprise = build_enterprise(rng, index, state=rng.choice(STATES))
        enterprise.take_events()
        repo.add(enterprise, [])
    yield database
    client.drop_database(name)


def oracle(db: Database, filters: dict[str, Any], page: int, per_page: int) -> tuple[int, list[str]]:
    query = RegisterQueries.register_filter(filters)
    total = db[REGISTER].count_documents(query)
    cursor = db[REGISTER].find(query, {"_id": 1}).sort([("name_folded", ASCENDING), ("_id", ASCENDING)])
    return total, [d["_id"] for d in cursor.skip((page - 1) * per_page).limit(per_page)]


def oracle_counts(db: Database, filters: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for document in db[REGISTER].find(RegisterQueries.register_filter(filters), {"district": 1}):
        if document.get("district"):
            counts[document["district"]] = counts.get(document["district"], 0) + 1
    return counts


def varied_filters(db: Database) -> list[dict[str, Any]]:
    """Filters that find many, few and none: names in Cyrillic and Latin, prefixes, every filter field."""
    sample = db[REGISTER].find_one({"register_status": "active"}) or {}
    word = sample["name"].split()[-1]
    filters: list[dict[str, Any]] = [
        {},
        {"q": ""},
        {"q": "   "},
        {"status": "all"},
        {"status": "expired"},
        {"status": "deleted", "q": word[:3]},
        {"q": word},
        {"q": word[:2].lower()},
        {"q": word.upper(), "status": "all"},
        {"q": "zelena"},
        {"q": "зелена"},
        {"q": "кооп"},
        {"q": "koop"},
        {"q": "няма-такава-дума"},
        {"q": "x"},
        {"q": sample["eik"]},
        {"q": sample["eik"][:5]},
        {"eik": sample["eik"]},
        {"eik": sample["eik"], "status": "expired"},
        {"district": sample["district"]},
        {"district": sample["district"], "status": "all"},
        {"municipality": sample["municipality"]},
        {"region": sample["region"]},
        {"enterprise_class": "A"},
        {"enterprise_class": "A+"},
        {"activity": sample["activities"][0]},
        {"activity": sample["activities"][0][:4], "district": sample["district"], "status": "all"},
        {"q": "#1"},
        {"district": "BG-16#1"},
    ]
    return filters


def assert_same_as_oracle(db: Database) -> None:
    queries = RegisterQueries(db)
    for filters in varied_filters(db):
        for page, per_page in ((1, 20), (2, 7), (200, 20)) if filters else ((1, 7), (3, 7), (SIZE, 1), (1, SIZE)):
            found = queries.search(filters, page, per_page)
            expected_total, expected_ids = oracle(db, filters, page, per_page)
            assert (found.total, [d["_id"] for d in found.items]) == (expected_total, expected_ids), (filters, page)
            assert all("search_terms" not in d and "name" in d for d in found.items)
        assert queries.district_counts(filters) == oracle_counts(db, filters), filters


def test_the_search_finds_what_the_register_query_finds(db: Database) -> None:
    totals = [RegisterQueries(db).search(f, 1, 5).total for f in varied_filters(db)]
    assert max(totals) > 20 and 0 in totals and 1 in totals  # the register is varied enough to tell
    assert_same_as_oracle(db)


def test_renamed_approved_and_struck_off_entries_show_in_a_worker_s_next_search_by_their_new_terms_only(
    db: Database,
) -> None:
    repo = MongoEnterpriseRepository(db)  # another process writing
    queries = RegisterQueries(db)  # a web worker: it keeps the postings and pages of the searches it answered
    active = [d["_id"] for d in db[REGISTER].find({"register_status": "active"}, {"_id": 1}).sort("_id", 1)]
    renamed, struck = repo.get(active[0]), repo.get(active[1])
    waiting = repo.get(db["enterprises"].find_one({"application_status": "submitted"}, {"_id": 1})["_id"])
    new_words = words("Щастлива пчела ЕООД")
    old_word = next(w for w in words(renamed.details.name) if not any(n.startswith(w) for n in new_words))
    searches = [{}, {"status": "all"}, {"status": "deleted"}, {"district": renamed.district}, {"district": "BG-16"}]
    searches += [{"q": old_word, "status": "all"}, {"eik": struck.details.eik}, {"district": waiting.district}]
    before = {str(filters): queries.search(filters, 1, SIZE) for filters in searches}
    assert renamed.id in {d["_id"] for d in before["{}"].items}  # the worker keeps its page and postings

    renamed.update_details(actor=CLERK, details=replace(renamed.details, name="Щастлива пчела ЕООД"), now=NOW)
    renamed.take_events()
    repo.save(renamed, [])
    repo.save(renamed, [])  # written twice (a retried save): the postings stay as they were
    struck.delete(actor=CLERK, order=Order("РД-99999", NOW.date()), reason_code="request", note="", now=NOW)
    struck.take_events()
    repo.save(struck, [])
    waiting.approve(
        actor=CLERK,
        order=Order("РД-77777", NOW.date()),
        registration_number="СП-77777",
        certificate_number="УСП-2026-77777",
        policy=POLICY,
        now=NOW,
        today=NOW.date(),
    )
    waiting.take_events()
    repo.save(waiting, [])

    assert [d["_id"] for d in queries.search({"q": "shtastliva pch"}, 1, 20).items] == [renamed.id]
    assert [d["_id"] for d in queries.search({"q": "щастлива"}, 1, 20).items] == [renamed.id]
    old_name_finds = {d["_id"] for d in queries.search({"q": old_word, "status": "all"}, 1, 100).items}
    assert renamed.id not in old_name_finds  # the old name's postings were taken out
    assert struck.id not in {d["_id"] for d in queries.search({"eik": struck.details.eik}, 1, 20).items}
    deleted = queries.search({"eik": struck.details.eik, "status": "deleted"}, 1, 20)
    assert [d["_id"] for d in deleted.items] == [struck.id]
    shown = {d["_id"]: d["name"] for d in queries.search({}, 1, SIZE).items}
    assert shown[renamed.id] == "Щастлива пчела ЕООД"  # its kept page too
    assert waiting.id in shown and struck.id not in shown
    for filters in [*searches, {"q": "pchela"}]:
        found = queries.search(filters, 1, SIZE)
        expected_total, expected_ids = oracle(db, filters, 1, SIZE)
        assert (found.total, [d["_id"] for d in found.items]) == (expected_total, expected_ids), filters
        assert found.items == [db[REGISTER].find_one({"_id": i}, PUBLIC_LIST_FIELDS) for i in expected_ids]


def test_the_index_job_builds_the_postings_of_a_register_written_before_them(db: Database) -> None:
    index = RegisterIndex(db)
    queries = RegisterQueries(db)
    expected = oracle(db, {"status": "all"}, 1, SIZE)
    db.drop_collection(POSTINGS)
    assert queries.search({"status": "all"}, 1, SIZE).total == 0  # what an older register looks like (kept so)

    assert index.build_once(db[REGISTER]) is True
    found = queries.search({"status": "all"}, 1, SIZE)
    assert (found.total, [d["_id"] for d in found.items]) == expected
    for filters in ({"q": "zelena"}, {"status": "deleted"}, {"district": found.items[0]["district"]}):
        assert queries.search(filters, 1, SIZE).total == oracle(db, filters, 1, SIZE)[0]
    assert index.build_once(db[REGISTER]) is False  # once: the saves keep them up to date after that


class Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.sent.append((event.command_name, dict(event.command)))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def test_a_search_reads_only_by_id_so_its_cost_follows_the_matches(db: Database, infra: Any) -> None:
    """FerretDB reads a whole collection for any filter but an ``_id`` equality (even ``$in``): a search, a
    page and the map's counts must send nothing else, whatever the register's size."""
    listener = Commands()
    client = MongoClient(infra.mongodb_uri, tz_aware=True, event_listeners=[listener])
    try:
        queries = RegisterQueries(client[db.name])
        page = queries.search({"q": "зелена", "status": "all"}, 1, 3)
        queries.search({"district": page.items[0]["district"]}, 2, 2)
        queries.district_counts({"q": "koop"})
    finally:
        client.close()
    assert page.items  # the search found something, so it did read
    reads = [(name, command.get("filter")) for name, command in listener.sent if name not in ("endSessions",)]
    assert reads and all(name == "find" for name, _ in reads), reads
    assert all(set(f) == {"_id"} and isinstance(f["_id"], str) for _, f in reads), reads


def test_a_search_seen_before_reads_only_the_change_log_s_counter(db: Database, infra: Any) -> None:
    listener = Commands()
    client = MongoClient(infra.mongodb_uri, tz_aware=True, event_listeners=[listener])
    try:
        queries = RegisterQueries(client[db.name])
        first = queries.search({"q": "зелена", "status": "all"}, 1, 3)
        listener.sent.clear()
        again = queries.search({"q": "зелена", "status": "all"}, 1, 3)
    finally:
        client.close()
    assert again == first and first.items
    reads = [(name, command.get("filter")) for name, command in listener.sent if name not in ("endSessions",)]
    assert reads == [("find", {"_id": SEQ})]
