"""Fewer writes per event and per e-mail, against real FerretDB and a real SMTP server (aiosmtpd).

The consumer drops the reminders a poll's decided applications no longer need with a few bulk writes: each
clerk's decision-deadline reminder goes once its application is decided, as when each event was planned on its
own — a drop repeated in the batch changes nothing, and a reminder newer than its drop stays. A sender that looks
often (every quarter second while idle) and meets a hint whose intent the consumer is still writing sends that
e-mail soon after, not seconds later."""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import MongoClient, monitoring
from pymongo.database import Database

from services.notifications.adapters.reminders import REMINDERS
from services.notifications.entrypoints.consumer import Notifier
from services.notifications.entrypoints.wiring import build
from services.registry.events.schemas import REGISTRY_EVENTS
from shared.clock import FixedClock
from shared.events import Envelope
from shared.localinfra import Infrastructure
from tests.integration.notifications_api import SmtpServer, deliver_dying_after_the_hints, fake_render, notice

pytestmark = pytest.mark.integration

NOW = datetime(2026, 2, 20, 9, 0, tzinfo=UTC)
"""Before the examples' decision deadlines: the reminders are planned, not skipped."""


class Updates(monitoring.CommandListener):
    """Counts the update commands sent to each collection."""

    def __init__(self) -> None:
        self.to: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "update":
            self.to[event.command["update"]] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def event(event_type: str, application: str, occurred_at: str) -> Envelope:
    example = REGISTRY_EVENTS.example(REGISTRY_EVENTS.get(event_type, 1))
    payload = example.payload | {"application_id": application, "applicant_email": f"{application}@drops.example.bg"}
    return dataclasses.replace(
        example, event_id=str(uuid.uuid4()), aggregate_id=application, occurred_at=occurred_at, payload=payload
    )


def reminder(application: str) -> str:
    return f"decision_deadline:{application}:centre:plovdiv"


def test_a_polls_decisions_drop_their_reminders_in_bulk_once_each_and_never_a_newer_one(
    infra: Infrastructure, notifications_db_name: str, smtp_server: SmtpServer
) -> None:
    updates = Updates()
    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_uri, tz_aware=True, event_listeners=[updates])
    try:
        service = build(client[notifications_db_name], clock=FixedClock(NOW))
        assert service.reminders is not None
        applications = [f"app-{i}-{uuid.uuid4().hex[:8]}" for i in range(12)]
        for application in applications:
            service.reminders.plan(event("registry.ApplicationSubmitted", application, "2026-03-02T09:00:00Z"))
        reminders = client[notifications_db_name][REMINDERS]
        assert reminders.count_documents({"status": "scheduled"}) == 12

        decided = [event("registry.ApplicationApproved", a, "2026-03-02T12:00:00Z") for a in applications[:11]]
        before = updates.to[REMINDERS]
        Notifier(service).apply_batch([(e, e.payload) for e in [*decided, decided[0]]])  # one approval twice
        commands = updates.to[REMINDERS] - before
        statuses = {d["_id"]: d["status"] for d in reminders.find({}, {"status": 1})}
        assert [statuses[reminder(a)] for a in applications[:11]] == ["dropped"] * 11, "every decided one dropped"
        assert statuses[reminder(applications[11])] == "scheduled", "the undecided one still reminds the clerks"
        assert commands <= 3, f"{commands} update commands to drop 11 reminders (one per approval before)"

        # A reminder newer than the drop (its application submitted again after the decision was made) stays,
        # while the others of the same command go.
        again = applications[11]
        service.reminders.plan(event("registry.ApplicationSubmitted", again, "2026-03-03T09:00:00Z"))
        late = [event("registry.ApplicationApproved", a, "2026-03-02T12:00:00Z") for a in [applications[0], again]]
        counts = service.reminders.plan_many(late)
        document = reminders.find_one({"_id": reminder(again)})
        assert document is not None and document["status"] == "scheduled", "a newer reminder revived or dropped"
        assert counts == {"dropped": 1, "stale": 1}
    finally:
        client.close()
    print(f"\n11 approvals (one twice) in a poll: reminders dropped 11, kept 1, update commands {commands} (12 before)")


def test_a_hint_met_before_its_intent_was_written_is_sent_within_a_second_of_the_intent(
    notifications_db: Database, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FixedClock(NOW)
    deliveries = build(notifications_db, clock=clock, renderer=fake_render).deliveries
    first = notice("email:soon@example.bg", "soon@example.bg")
    deliver_dying_after_the_hints(deliveries, [first], monkeypatch)  # the sender looks between hint and intent
    assert deliveries.claim_due(deliveries.due()) == ([], []), "no intent yet: nothing to claim"
    assert deliveries.deliver([first])["email_pending"] == 1  # the consumer's next command (here its replay)
    clock.advance(seconds=1)
    won, _ = deliveries.claim_due(deliveries.due())
    assert [deliveries.attempt_claimed(*claim) for claim in won] == ["sent"], "not sent a second after its intent"
    assert [r.rcpt_tos[0] for r in smtp_server.handler.received] == ["soon@example.bg"]
