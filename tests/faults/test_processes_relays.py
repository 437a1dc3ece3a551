"""SIGKILL of the registry's relay while it publishes a stream; a standby relay process takes over.

The registry's web process and two ``registry-relay`` processes (the lease holder and a standby) run
against the same database; the training consumer (enterprises) and the notifications consumer and
sender (e-mails at a real SMTP server) read what they publish. While a stream of approvals, changes
and deletions goes through the API, the holder is SIGKILLed right after Kafka got its first events (no
mark of what it published last). Checked: the standby takes the lease within seconds; every event the
registry recorded is on Kafka at least once (each document's outbox empty, versions 1..outbox_seq on
the topics); downstream, every effect exactly once. Duplicates suppressed: records on the topics beyond
one per event (republished after the kill), which the consumers skip.

``FAULTS_EVENTS`` (default 8) sets how many enterprises the stream registers.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from tests.e2e.services import BIN
from tests.faults.figures import record
from tests.faults.streams import (
    REGISTRY_TOPICS,
    Consumer,
    Mailbox,
    Process,
    RegistryStream,
    Topics,
    expected_emails,
    processes,
    read_model_effects,
    registry_api,
)
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

ENTERPRISES = int(os.environ.get("FAULTS_EVENTS", "8"))


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    try:
        yield box
    finally:
        box.close()


def test_the_registry_relay_killed_while_publishing_a_standby_takes_over_and_every_effect_is_once(
    infra: Any, mailbox: Mailbox, tmp_path: Path
) -> None:
    client = MongoClient(infra.mongodb_uri, tz_aware=True)
    smtp = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mailbox.port)}
    training = Consumer("training", infra, tmp_path)
    notifications = Consumer("notifications", infra, tmp_path, **smtp)
    sender = Process("notifications-sender", [str(BIN / "notifications-sender")], notifications.env, tmp_path)
    written = Topics.mark(infra.kafka_bootstrap, REGISTRY_TOPICS)

    with registry_api(infra, tmp_path, relay=False) as (api, env):
        registry_db = client[env["REGISTRY_MONGODB_DATABASE"]]
        holder = Process("registry-relay-a", [str(BIN / "registry-relay")], env, tmp_path)
        standby = Process("registry-relay-b", [str(BIN / "registry-relay")], env, tmp_path)

        def holding() -> str:
            lease = registry_db["leases"].find_one({}) or {}
            return str(lease.get("holder", ""))

        with processes(holder, standby, training, notifications, sender):
            for process in (training, notifications, sender, holder):
                process.start()
            assert holder.popen is not None
            wait_until(lambda: holding().endswith(f"-{holder.popen.pid}"), "the first relay to hold the lease", 60)
            standby.start()
            stream = RegistryStream(api).start(ENTERPRISES)
            wait_until(lambda: len(written.records()) >= 2, "the holder to publish the first events")
            holder.kill()
            killed = time.monotonic()
            assert standby.popen is not None
            wait_until(lambda: holding().endswith(f"-{standby.popen.pid}"), "the standby to take the lease", 30)
            took_over = time.monotonic() - killed
            stream.join()

            def published_all() -> bool:
                return registry_db["enterprises"].count_documents({"outbox.0": {"$exists": True}}) == 0

            wait_until(published_all, "the standby to publish every recorded event", timeout=60)
            events, copies = written.envelopes(stream.ids)
            addresses = [e.email for e in stream.enterprises]

            def arrived() -> bool:
                expected, found, _ = read_model_effects(client[training.database]["enterprises"], events)
                return expected <= set(found) and expected_emails(events) <= set(mailbox.emails(addresses))

            wait_until(arrived, "every effect downstream", timeout=60, interval=0.2)
            recovered = time.monotonic() - killed
            for consumer in (training, notifications):
                wait_until(consumer.caught_up, f"the {consumer.service} consumer to commit everything")

    # Every event the registry recorded is on Kafka: each enterprise's versions 1..outbox_seq.
    on_topics = Counter((e.aggregate_id, e.aggregate_version) for e in events.values())
    recorded = {
        (doc["_id"], seq)
        for doc in registry_db["enterprises"].find({"_id": {"$in": sorted(stream.ids)}}, {"outbox_seq": 1})
        for seq in range(1, doc["outbox_seq"] + 1)
    }
    assert recorded and set(on_topics) == recorded, f"unpublished: {sorted(recorded - set(on_topics))[:5]}"
    assert took_over < 15, f"the standby took {took_over:.1f} s to take the lease"
    republished = copies - len(events)
    expected, found, rolled_back = read_model_effects(client[training.database]["enterprises"], events)
    record(
        f"SIGKILL registry-relay while publishing, standby took the lease in {took_over:.1f} s: training",
        events_written=len(events),
        expected=expected,
        found=found,
        duplicates_suppressed=republished,
        rolled_back=rolled_back,
        seconds_to_recover=recovered,
    ).assert_exactly_once()
    record(
        "SIGKILL registry-relay while publishing, standby took over: e-mails at SMTP",
        events_written=len(events),
        expected=expected_emails(events),
        found=mailbox.emails(addresses),
        duplicates_suppressed=republished,
        seconds_to_recover=recovered,
    ).assert_exactly_once()
