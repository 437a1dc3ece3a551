"""What the use cases need from the outside world, as protocols (MongoDB in production, fakes in tests)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from services.registry.domain.audit import PersonalDataRead
from services.registry.domain.enterprise import Enterprise
from shared.outbox import OutboxEntry


class EnterpriseRepository(Protocol):
    def get(self, enterprise_id: str) -> Enterprise: ...

    def get_by_application(self, application_id: str) -> Enterprise: ...

    def find_registered_by_eik(self, eik: str) -> Enterprise | None:
        """The one enterprise entered in the register with this ЕИК, if any."""

    def with_eik(self, eik: str) -> list[Enterprise]:
        """Every enterprise with this ЕИК (the entered one and each applicant's), oldest first."""

    def ids_with_drafts(self) -> Iterable[str]: ...

    def add(self, enterprise: Enterprise, outbox: list[OutboxEntry]) -> None:
        """Insert a new enterprise; raises Conflict if it is entered with an ЕИК another entry holds."""

    def save(self, enterprise: Enterprise, outbox: list[OutboxEntry]) -> None:
        """Write the changed enterprise and its events atomically; raises StaleVersion on a lost race, and
        Conflict when it would be entered with an ЕИК another entry holds."""

    def ids_with_active_entries(self) -> Iterable[str]: ...


class ReadAudit(Protocol):
    def record(self, reads: list[PersonalDataRead]) -> None:
        """Keep the record of these reads of personal data."""


class NumberSeries(Protocol):
    def next(self, series: str) -> int:
        """The next number of a gap-tolerant, never-repeating series (e.g. certificates of 2026)."""
