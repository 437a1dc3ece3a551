"""In-memory stand-ins for the registry's ports, storing real documents so the mapping is exercised too."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from services.registry.adapters.documents import from_document, to_document
from services.registry.domain.details import Contacts, EnterpriseDetails, Representative, Seat
from services.registry.domain.eligibility import ClassARoute, EnterpriseClass, Evidence
from services.registry.domain.enterprise import ApplicationRequest, Enterprise
from services.registry.domain.errors import StaleVersion
from services.registry.domain.policy import RegistryPolicy
from services.registry.events.schemas import REGISTRY_EVENTS
from services.registry.service_layer.use_cases import RegistryService
from shared.auth import Principal, Role
from shared.clock import FixedClock
from shared.errors import Conflict, NotFound, Text
from shared.outbox import OutboxEntry


class FakeRepository:
    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.published: list[OutboxEntry] = []

    def get(self, enterprise_id: str) -> Enterprise:
        if enterprise_id not in self.documents:
            raise NotFound(Text("няма", "none"))
        return from_document(self.documents[enterprise_id])

    def get_by_application(self, application_id: str) -> Enterprise:
        for document in self.documents.values():
            if application_id in document["application_ids"]:
                return from_document(document)
        raise NotFound(Text("няма", "none"))

    def find_registered_by_eik(self, eik: str) -> Enterprise | None:
        return next((from_document(d) for d in self.documents.values() if d["registered_eik"] == eik), None)

    def with_eik(self, eik: str) -> list[Enterprise]:
        return [from_document(d) for d in self.documents.values() if d["eik"] == eik]

    def ids_with_drafts(self) -> Iterable[str]:
        return [k for k, d in self.documents.items() if d["application_status"] == "draft"]

    def _unique(self, document: dict[str, Any]) -> None:
        """As the unique index on ``registered_eik``: one entry per ЕИК."""
        if any(
            d["registered_eik"] == document["registered_eik"] and k != document["_id"]
            for k, d in self.documents.items()
        ):
            raise Conflict(Text("зает", "taken"))

    def add(self, enterprise: Enterprise, outbox: list[OutboxEntry]) -> None:
        document = to_document(enterprise)
        self._unique(document)
        enterprise.version = 1
        self.documents[enterprise.id] = {**document, "version": 1}
        self.published += outbox

    def save(self, enterprise: Enterprise, outbox: list[OutboxEntry]) -> None:
        if self.documents[enterprise.id]["version"] != enterprise.version:
            raise StaleVersion()
        self._unique(to_document(enterprise))
        enterprise.version += 1
        self.documents[enterprise.id] = to_document(enterprise)
        self.published += outbox

    def ids_with_active_entries(self) -> Iterable[str]:
        return [k for k, d in self.documents.items() if d["register_status"] == "active"]

    def event_types(self) -> list[str]:
        return [entry.envelope.event_type.removeprefix("registry.") for entry in self.published]


class FakeNumbers:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def next(self, series: str) -> int:
        self.values[series] = self.values.get(series, 0) + 1
        return self.values[series]


START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_service(policy: RegistryPolicy | None = None) -> tuple[RegistryService, FakeRepository, FixedClock]:
    repository, clock = FakeRepository(), FixedClock(START)
    service = RegistryService(repository, FakeNumbers(), REGISTRY_EVENTS, policy or RegistryPolicy(), clock)
    return service, repository, clock


def representative(subject: str = "rep-1") -> Principal:
    return Principal(subject=subject, roles=frozenset({Role.REPRESENTATIVE}), name="Мария Петрова")


def clerk(centre: str = "plovdiv") -> Principal:
    return Principal(subject=f"clerk-{centre}", roles=frozenset({Role.CLERK}), name="Служител", centre=centre)


def details(
    eik: str = "175074752", district: str = "BG-16", name: str = "Шивашка кооперация Марица"
) -> EnterpriseDetails:
    return EnterpriseDetails(
        name=name,
        legal_form="cooperative",
        eik=eik,
        seat=Seat(district, "Пловдив", "Пловдив", "ул. Иван Вазов 12", "4000"),
        contacts=Contacts("office@maritsa.example.bg", "+359 32 123 456", "", True, False),
        representative=Representative("Мария Петрова", "председател"),
        activities=["шиене на работно облекло"],
    )


def eligible_request(cls: EnterpriseClass = EnterpriseClass.A) -> ApplicationRequest:
    evidence = Evidence(True, True, 2_000_000, 1_200_000, 12, {"long_term_unemployed": 3, "refugees": 1}, 4, False)
    return ApplicationRequest(cls, ClassARoute.EMPLOYMENT, None, evidence)
