"""What one enrolment costs the database, against real FerretDB: the session and its seat ledger read by
``_id``, then three writes — the pending enrolment, ONE conditional update of the ledger, the enrolment with
its event (after the small upsert of its outbox's pending hint, which the relay reads instead of the whole
collection) — whether the learner gets a seat, waits, or is the session's first (whose claim writes the
ledger). Every command counts under a burst: FerretDB lets one write through at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pymongo import MongoClient, monitoring
from pymongo.database import Database

from services.training.domain.enrolment import EnrolmentState
from services.training.entrypoints.wiring import build
from shared.auth import Principal, Role
from shared.localinfra import Infrastructure
from tests.integration.test_training_enrolments_api import add_session

pytestmark = pytest.mark.integration

READS, WRITES = {"find"}, {"insert", "update", "findAndModify"}


class Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
def counted(infra: Infrastructure, db: Database) -> Iterator[tuple[Database, Commands]]:
    """The test's database through a client that records every command it sends."""
    commands = Commands()
    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_uri, tz_aware=True, event_listeners=[commands])
    try:
        yield client[db.name], commands
    finally:
        client.close()


def test_an_enrolment_reads_twice_and_writes_three_times_besides_its_outbox_hint_whether_it_gets_a_seat_or_waits(
    counted: tuple[Database, Commands],
) -> None:
    db, commands = counted
    session_id = add_session(db, capacity=2, funded=False)
    enrolments = build(db).enrolments
    seen: list[tuple[EnrolmentState, list[str]]] = []
    for n in range(4):
        roles = frozenset({Role.LEARNER})
        learner = Principal(f"learner-{n}", roles, name=f"Обучаем {n}", email=f"l{n}@example.bg", email_verified=True)
        commands.names.clear()
        placed = enrolments.enrol_self(learner, session_id)
        seen.append((placed.enrolment.state, list(commands.names)))

    assert [state for state, _ in seen] == [EnrolmentState.CONFIRMED] * 2 + [EnrolmentState.WAITLISTED] * 2
    first, *others = [names for _, names in seen]
    # the session's first claim writes its ledger; the last two are the outbox's pending hint, then the enrolment
    assert first == ["find", "find", "insert", "insert", "update", "update"]
    for names in others:
        assert names == ["find", "find", "insert", "findAndModify", "update", "update"]
    assert all(sum(name in WRITES for name in names) == 4 for _, names in seen)
    assert all(sum(name in READS for name in names) == 2 for _, names in seen)
    ledger = db["seats"].find_one({"_id": session_id})
    assert (len(ledger["holders"]), len(ledger["waiting"])) == (2, 2)
