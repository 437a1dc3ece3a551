"""The demo data loader fills a real database with a register that shows every state."""

from __future__ import annotations

import contextlib
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pymongo.database import Database

from services.registry.adapters.repository import ENTERPRISES
from services.registry.domain.reference import reference_data
from services.registry.entrypoints.api.schemas import DetailsSchema, EvidenceSchema
from services.registry.entrypoints.demo_data import PROFILES, eik_with_check_digit, main
from services.registry.events.schemas import REGISTRY_EVENTS
from shared.auth import Role, TokenCodec
from shared.bg.geography import geography
from shared.bg.identifiers import is_valid_eik
from shared.config import Settings
from shared.events import Envelope
from shared.localinfra import Infrastructure
from shared.mongo import connect

pytestmark = pytest.mark.integration


@dataclass
class Loaded:
    db: Database
    output: str
    documents: list[dict[str, Any]]
    settings: Settings


def run_main(argv: list[str]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(argv)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(infra: Infrastructure) -> Iterator[Loaded]:
    """The demo data, loaded once into a database of its own."""
    name = f"demo_data_{uuid.uuid4().hex[:8]}"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MONGODB_URI", infra.mongodb_uri)
        env.setenv("KAFKA_BOOTSTRAP_SERVERS", infra.kafka_bootstrap)
        env.setenv("REGISTRY_MONGODB_DATABASE", name)
        client = connect(infra.mongodb_uri, app_name="test-demo-data")
        try:
            output = run_main(["--reset"])
            db = client[name]
            yield Loaded(db, output, list(db[ENTERPRISES].find({})), Settings.from_env("registry"))
        finally:
            client.drop_database(name)
            client.close()


def test_check_digit_matches_the_published_examples() -> None:
    assert [eik_with_check_digit(e[:8]) for e in ("020469788", "175074752", "131071587")] == [
        "020469788",
        "175074752",
        "131071587",
    ]


def test_every_district_has_an_active_enterprise(loaded: Loaded) -> None:
    assert len(loaded.documents) == len(PROFILES)
    active = {d["district"] for d in loaded.documents if d["register_status"] == "active"}
    assert active == set(geography().districts)


def test_every_application_status_appears(loaded: Loaded) -> None:
    statuses = {d["application_status"] for d in loaded.documents}
    assert statuses == {"draft", "submitted", "information_requested", "approved", "rejected", "withdrawn"}
    now = datetime.now(UTC)
    submitted = [d for d in loaded.documents if d["application_status"] == "submitted"]
    assert any(d["application_due_at"] < now for d in submitted), "an overdue submission"
    assert any(d["application_due_at"] >= now for d in submitted), "a submission still within 14 days"
    approved = sum(1 for d in loaded.documents if d["application_status"] == "approved")
    assert approved > len(loaded.documents) / 2
    assert any(d["application"]["kind"] == "renewal" for d in loaded.documents)


def test_register_has_every_kind_of_entry(loaded: Loaded) -> None:
    docs = loaded.documents
    register = {d["register_status"] for d in docs}
    assert {"active", "expired", "deleted"} <= register
    active = [d for d in docs if d["register_status"] == "active"]
    assert any(d["enterprise_class"] == "A+" for d in active)
    today = datetime.now(UTC).date()
    days_left = [(date.fromisoformat(d["valid_until"]) - today).days for d in active]
    assert all(n >= 0 for n in days_left), "no active entry whose certificate has run out"
    assert sum(1 for n in days_left if n <= 30) == 1
    assert sum(1 for n in days_left if 30 < n <= 60) == 1
    deleted = [d for d in docs if d["register_status"] == "deleted"]
    assert all(d["entry"]["deletion"]["reason_code"] in reference_data().deletion_reasons for d in deleted)
    assert sum(1 for d in active if d["has_overdue_report"]) == 1
    assert any(d["entry"]["annual_reports"] for d in active)
    changes = [c for d in docs for h in d["history"] if h["action"] == "class_changed" for c in h["changes"]]
    assert {"field": "enterprise_class", "from": "A+", "to": "A"} in changes


def test_every_document_holds_its_events_in_the_outbox(loaded: Loaded) -> None:
    for doc in loaded.documents:
        outbox = doc["outbox"]
        apps = [*doc["past_applications"], doc["application"]]
        only_drafts = all(a["status"] == "draft" for a in apps)
        assert bool(outbox) is not only_drafts, doc["details"]["name"]
        assert [o["seq"] for o in outbox] == list(range(1, doc["outbox_seq"] + 1))
        types = [o["envelope"]["event_type"] for o in outbox]
        if doc["entry"]:
            assert "registry.EnterpriseRegistered" in types
        for entry in outbox:
            envelope = Envelope.from_dict(entry["envelope"])
            REGISTRY_EVENTS.validate(envelope)
            assert envelope.aggregate_id == doc["_id"]


def test_details_are_valid_and_fictional(loaded: Loaded) -> None:
    eiks = [d["eik"] for d in loaded.documents]
    assert len(set(eiks)) == len(eiks)
    for doc in loaded.documents:
        assert is_valid_eik(doc["eik"])
        details = doc["details"]
        contacts = {k: v for k, v in details["contacts"].items() if v != ""}  # the API refuses an explicit ""
        DetailsSchema().load({**details, "contacts": contacts})
        EvidenceSchema().load(doc["application"]["evidence"])
        assert doc["details"]["contacts"]["email"].endswith("@example.bg")
        assert doc["owners"][0].startswith("demo-rep-")
        assert doc["history"]


def test_tokens_are_printed_and_accepted(loaded: Loaded) -> None:
    codec = TokenCodec.from_settings(loaded.settings)
    tokens = dict(line.split("=", 1) for line in loaded.output.splitlines() if "_TOKEN=" in line)
    principals = {name: codec.decode(token) for name, token in tokens.items()}
    assert principals["REPRESENTATIVE_TOKEN"].roles == {Role.REPRESENTATIVE}
    assert principals["REPRESENTATIVE_TOKEN"].enterprise_id in {d["_id"] for d in loaded.documents}
    assert principals["REPRESENTATIVE_TOKEN"].verified_email, "the representative's inbox opens only for a verified one"
    assert principals["PLOVDIV_CLERK_TOKEN"].centre == "plovdiv"
    assert principals["NATIONAL_CLERK_TOKEN"].centre == "national"
    assert principals["ADMIN_TOKEN"].is_admin


def test_running_again_adds_nothing(loaded: Loaded, infra: Infrastructure, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONGODB_URI", infra.mongodb_uri)
    monkeypatch.setenv("REGISTRY_MONGODB_DATABASE", loaded.db.name)
    output = run_main([])
    assert f"(0 added, {len(PROFILES)} already there" in output
    assert loaded.db[ENTERPRISES].count_documents({}) == len(PROFILES)
