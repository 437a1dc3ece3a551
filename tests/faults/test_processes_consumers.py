"""SIGKILL of each consumer mid-batch while registry approvals and changes flow; the test restarts it.

The registry (web, relay) runs as processes; the marketplace consumer (sellers), the training consumer
(enterprises) and the notifications consumer (e-mail intents, delivered by the sender to a real SMTP
server) each run as a process in a fresh group. Half the stream is written before the consumers start
(a backlog, so they are killed inside a batch), the rest while they are down and after their restart.

Checked where users see it: each read model holds every enterprise at the registry's newest event,
applied once, none at an older version; each e-mail arrives once. Duplicates suppressed: events the
killed consumer had applied (or superseded) but not committed, which the restarted one reads again and
skips (counted from the group's committed offsets and the read models at the kill).

``FAULTS_EVENTS`` (default 8) sets how many enterprises the stream registers.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from tests.e2e.services import BIN
from tests.faults.figures import record
from tests.faults.streams import (
    Consumer,
    Mailbox,
    Process,
    RegistryStream,
    Topics,
    enterprise_events,
    expected_emails,
    processes,
    read_model_effects,
    registry_api,
    versions,
)
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

ENTERPRISES = int(os.environ.get("FAULTS_EVENTS", "8"))


@pytest.fixture(scope="module")
def registry(infra: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with registry_api(infra, tmp_path_factory.mktemp("registry")) as (url, _):
        yield url


def _read_model(consumer: Consumer, client: MongoClient) -> Any:
    return client[consumer.database]["sellers" if consumer.service == "marketplace" else "enterprises"]


def _applied(consumer: Consumer, client: MongoClient, ids: set[str]) -> dict[str, int]:
    """What the consumer applied for ``ids``: read models, each enterprise's version; notifications, e-mail intents."""
    if consumer.service == "notifications":
        deliveries = client[consumer.database]["deliveries"].find({}, {"_id": 1})
        return {doc["_id"].partition(":")[0]: 0 for doc in deliveries}
    return {key: version for key, version in versions(_read_model(consumer, client)).items() if key in ids}


def _suppressed(consumer: Consumer, applied: dict[str, int], again: list[Any]) -> int:
    """Events read again after the restart that the consumer had applied already (or older ones): skipped."""
    if consumer.service == "notifications":
        return sum(e.event_id in applied for e in again)
    return sum(e.aggregate_id in applied and e.aggregate_version <= applied[e.aggregate_id] for e in again)


def test_each_consumer_killed_mid_batch_and_restarted_applies_every_event_exactly_once(
    infra: Any, registry: str, mailbox: Mailbox, tmp_path: Path
) -> None:
    client = MongoClient(infra.mongodb_uri, tz_aware=True)
    smtp = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mailbox.port)}
    consumers = [
        Consumer("marketplace", infra, tmp_path),
        Consumer("training", infra, tmp_path),
        Consumer("notifications", infra, tmp_path, **smtp),
    ]
    notifications = consumers[2]
    sender = Process("notifications-sender", [str(BIN / "notifications-sender")], notifications.env, tmp_path)
    written = Topics.mark(infra.kafka_bootstrap, sorted({t for c in consumers for t in c.topics}))

    backlog = RegistryStream(registry).run(ENTERPRISES // 2)
    with processes(*consumers, sender):
        sender.start()
        for consumer in consumers:
            consumer.start()
        # Killed as soon as it applied part of the backlog: inside the batch it polled.
        at_kill: dict[str, int] = {}
        pending = list(consumers)
        while pending:
            wait_until(lambda: any(_applied(c, client, backlog.ids) for c in pending), "a consumer to start applying")
            for consumer in [c for c in pending if _applied(c, client, backlog.ids)]:
                consumer.kill()
                at_kill[consumer.service] = len(_applied(consumer, client, backlog.ids))
                pending.remove(consumer)
        killed = time.monotonic()
        suppressed = {}
        for consumer in consumers:  # what it had applied and not committed is read again after the restart
            again = consumer.uncommitted(written)
            suppressed[consumer.service] = _suppressed(consumer, _applied(consumer, client, backlog.ids), again)

        stream = RegistryStream(registry, tag=backlog.tag + "b").start(ENTERPRISES - ENTERPRISES // 2)
        for consumer in consumers:
            consumer.start()  # as the supervisor does
        stream.join()
        ids = backlog.ids | stream.ids
        addresses = [e.email for e in backlog.enterprises + stream.enterprises]

        events: dict[str, Any] = {}
        missing: dict[str, Any] = {}

        def everything_arrived() -> bool:
            events.update(written.envelopes(ids)[0])
            for consumer in consumers[:2]:
                expected, found, _ = read_model_effects(_read_model(consumer, client), events)
                missing[consumer.service] = sorted(expected - set(found), key=str)[:3]
            missing["e-mails"] = sorted(expected_emails(events) - set(mailbox.emails(addresses)))[:3]
            return not any(missing.values())

        try:
            wait_until(everything_arrived, "every effect after the restarts", timeout=60, interval=0.2)
        except pytest.fail.Exception:
            logs = {c.service: c.log()[-800:] for c in consumers}
            pytest.fail(f"still missing after 60 s: {missing}; {len(events)} events; logs: {logs}")
        recovered = time.monotonic() - killed
        for consumer in consumers:
            wait_until(consumer.caught_up, f"the restarted {consumer.service} consumer to commit everything")

    mine = enterprise_events(events)
    assert len(mine) >= 2 * ENTERPRISES, "registered and changed at least"
    for consumer in consumers[:2]:
        expected, found, rolled_back = read_model_effects(_read_model(consumer, client), events)
        figures = record(
            f"SIGKILL {consumer.service}-consumer mid-batch ({at_kill[consumer.service]} applied), restarted",
            events_written=len(mine),
            expected=expected,
            found=found,
            duplicates_suppressed=suppressed[consumer.service],
            rolled_back=rolled_back,
            seconds_to_recover=recovered,
        )
        figures.assert_exactly_once()
    figures = record(
        f"SIGKILL notifications-consumer mid-batch ({at_kill['notifications']} recorded), restarted: e-mails at SMTP",
        events_written=len(events),
        expected=expected_emails(events),
        found=mailbox.emails(addresses),
        duplicates_suppressed=suppressed["notifications"],
        seconds_to_recover=recovered,
    )
    figures.assert_exactly_once()


def test_two_replicas_one_killed_during_the_rebalance_apply_every_event_exactly_once(
    infra: Any, registry: str, tmp_path: Path
) -> None:
    """The second marketplace replica joins, and the first is SIGKILLed while the group rebalances."""
    client = MongoClient(infra.mongodb_uri, tz_aware=True)
    first = Consumer("marketplace", infra, tmp_path)
    second = Process("marketplace-consumer-b", first.command, first.env, tmp_path)
    written = Topics.mark(infra.kafka_bootstrap, first.topics)
    backlog = RegistryStream(registry).run(ENTERPRISES // 2)
    with processes(first, second):
        first.start()
        wait_until(lambda: _applied(first, client, backlog.ids), "the first replica to apply events", timeout=60)
        second.start()
        wait_until(lambda: "consumer started" in second.log(), "the second replica to join the group", timeout=60)
        first.kill()  # the group is rebalancing towards the second replica
        killed = time.monotonic()
        applied = _applied(first, client, backlog.ids)
        suppressed = _suppressed(first, applied, first.uncommitted(written))
        stream = RegistryStream(registry, tag=backlog.tag + "b").run(ENTERPRISES - ENTERPRISES // 2)
        events: dict[str, Any] = {}

        def arrived() -> bool:
            events.update(written.envelopes(backlog.ids | stream.ids)[0])
            expected, found, _ = read_model_effects(_read_model(first, client), events)
            return expected <= set(found)

        wait_until(arrived, "the surviving replica to apply every event", timeout=60, interval=0.2)
        recovered = time.monotonic() - killed
        wait_until(first.caught_up, "the surviving replica to commit everything")
        assert second.running
    expected, found, rolled_back = read_model_effects(_read_model(first, client), events)
    record(
        f"2 marketplace-consumer replicas, first SIGKILLed during the rebalance ({len(applied)} applied)",
        events_written=len(enterprise_events(events)),
        expected=expected,
        found=found,
        duplicates_suppressed=suppressed,
        rolled_back=rolled_back,
        seconds_to_recover=recovered,
    ).assert_exactly_once()
