"""The grants service's bookkeeping against real FerretDB: an award decision that dies between holding the
envelope's money and saving the award has its hold (and its aid-ledger entry) given back by the sweep exactly
once, even by two sweeps at the same moment; the de minimis check reads the enterprise's aid ledger by its id
alone, never the applications; and the ledger can be written afresh from the applications."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from typing import Any

import pytest
from pymongo import MongoClient, monitoring
from pymongo.database import Database

from services.grants.adapters.repository import AID_LEDGERS, APPLICATIONS
from services.grants.config import GrantsRules
from services.grants.domain.application import Application, Status
from services.grants.domain.call import Call
from services.grants.domain.money import euro
from services.grants.entrypoints.wiring import build
from services.grants.service_layer.grants import GrantsService
from shared.auth import Principal, Role
from shared.clock import FixedClock
from tests.integration.test_grants_api import clock, grants_db, grants_db_name, service  # noqa: F401 - fixtures
from tests.unit.test_grants_rules import a_call, evaluated

pytestmark = pytest.mark.integration

NATIONAL = Principal("ministry-1", frozenset({Role.CLERK}), centre="national")


class Crash(BaseException):
    """The process dying where the award would be saved: nothing after it runs (no ``except Exception``)."""


def published(grants: GrantsService, envelope_cents: int) -> Call:
    rules = a_call()
    names = ("title", "budget_cents", "max_per_enterprise_cents", "max_line_cents", "categories", "opens_on")
    names += ("closes_on", "criteria", "pass_score", "required_documents")
    return grants.publish_call(
        NATIONAL, {**{n: getattr(rules, n) for n in names}, "envelopes": {"BG31": envelope_cents}}
    )


def ranked(grants: GrantsService, call: Call, enterprise_id: str | None = None) -> Application:
    application = dataclasses.replace(
        evaluated(a_call()), id=uuid.uuid4().hex, call_id=call.id, enterprise_id=enterprise_id or str(uuid.uuid4())
    )
    application.pull_events()
    grants.applications.add(application, [])
    return application


def test_a_decision_that_died_halfway_gives_its_money_back_exactly_once(
    service: GrantsService,  # noqa: F811
    clock: FixedClock,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    call = published(service, 1_000_000)
    application = ranked(service, call)

    def crash(*_: Any) -> None:
        raise Crash

    with monkeypatch.context() as patch:
        patch.setattr(service.applications, "save", crash)
        with pytest.raises(Crash):
            service.award(NATIONAL, application.id, None, "Класирано.")
    envelope = service.ledger.get(call.id, "BG31")
    assert (envelope["committed_cents"], envelope["holders"]) == (150_000, [application.id])  # held, never saved
    assert service.applications.get(application.id).status == Status.RANKED
    assert service.aid is not None and [a.amount_cents for a in service.aid.of(application.enterprise_id)] == [150_000]

    assert service.give_back_stale_holds() == 0  # a young hold may still be saved by its request
    clock.advance(minutes=16)
    barrier = threading.Barrier(2)
    given_back: list[int] = []

    def sweep() -> None:  # two consumer pods sweeping at the same moment
        barrier.wait()
        given_back.append(service.give_back_stale_holds())

    sweeps = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in sweeps:
        thread.start()
    for thread in sweeps:
        thread.join(timeout=30)
    assert sorted(given_back) == [0, 1]
    assert service.give_back_stale_holds() == 0
    envelope = service.ledger.get(call.id, "BG31")
    assert (envelope["committed_cents"], envelope["holders"]) == (0, [])  # restored, not below
    assert service.aid.of(application.enterprise_id) == []

    awarded = service.award(NATIONAL, application.id, None, "Класирано.")  # the decision taken again
    assert awarded.status == Status.AWARDED
    clock.advance(hours=1)
    assert service.give_back_stale_holds() == 0  # an award's hold is never given back
    assert service.ledger.get(call.id, "BG31")["committed_cents"] == 150_000


def test_the_de_minimis_check_reads_the_enterprise_s_aid_ledger_by_id_and_never_the_applications(
    infra: Any,
    grants_db_name: str,  # noqa: F811
    grants_db: Database,  # noqa: F811
    clock: FixedClock,  # noqa: F811
) -> None:
    finds: list[tuple[str, dict[str, Any]]] = []

    class Finds(monitoring.CommandListener):
        def started(self, event: monitoring.CommandStartedEvent) -> None:
            if event.command_name == "find":
                finds.append((event.command["find"], dict(event.command.get("filter", {}))))

        def succeeded(self, event: monitoring.CommandSucceededEvent) -> None: ...

        def failed(self, event: monitoring.CommandFailedEvent) -> None: ...

    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_uri, tz_aware=True, event_listeners=[Finds()])
    try:
        service = build(client[grants_db_name], clock, GrantsRules())
        call = published(service, 10_000_000)
        enterprise = str(uuid.uuid4())
        for _ in range(3):  # three awards of 1 500,00 € to one enterprise
            assert service.award(NATIONAL, ranked(service, call, enterprise).id, None, "Класирано.").award
        another = ranked(service, call, enterprise)

        finds.clear()
        outcome = service.eligibility(another)
        de_minimis = next(r for r in outcome.rules if r.code == "de_minimis")
        assert f"получени {euro(3 * 150_000)}" in de_minimis.detail.bg, de_minimis.detail
        assert [f for f in finds if f[0] == APPLICATIONS] == []  # no scan of the applications by enterprise
        assert finds.count((AID_LEDGERS, {"_id": enterprise})) == 1

        # written afresh from the applications (a restore, awards made before the ledger): the same aid
        before = service.aid.of(enterprise) if service.aid else []
        grants_db[AID_LEDGERS].drop()
        assert service.aid is not None and service.aid.of(enterprise) == []
        assert service.aid.rebuild(service.applications) == 3
        assert service.aid.rebuild(service.applications) == 3  # again: nothing doubled
        assert service.aid.of(enterprise) == before and len(before) == 3
    finally:
        client.close()
