"""An enterprise's entry in the register and its certificate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from services.registry.domain.eligibility import APlusCriterion, ClassARoute, EnterpriseClass, Evidence
from shared.text.numbers import canonical_number

CERTIFICATE_PREFIX = "УСП"
"""Certificates of entry read ``УСП-<year>-<five digits>`` (удостоверение за социално предприятие)."""


def typed_certificate_number(text: str) -> str:
    """A certificate number as typed off the paper (``усп-2026-00001``, ``USP 2026–00001``) as issued."""
    return canonical_number(text, (CERTIFICATE_PREFIX,))


class EntryStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    DELETED = "deleted"


@dataclass
class Certificate:
    number: str
    issued_on: date
    valid_from: date
    valid_until: date


@dataclass
class Order:
    """The minister's order (заповед) that entered, renewed or deleted the enterprise."""

    number: str
    date: date


@dataclass
class Deletion:
    order: Order
    reason_code: str
    note: str
    deleted_at: datetime


@dataclass
class AnnualReport:
    year: int
    submitted_at: datetime
    evidence: Evidence
    note: str = ""


@dataclass
class RegisterEntry:
    registration_number: str
    registered_at: datetime
    enterprise_class: EnterpriseClass
    class_a_route: ClassARoute
    a_plus_criterion: APlusCriterion | None
    order: Order
    certificate: Certificate
    status: EntryStatus = EntryStatus.ACTIVE
    expiry_notices: list[int] = field(default_factory=list)
    """Days-before-expiry notices already given for the current certificate (e.g. [60, 30])."""
    deletion: Deletion | None = None
    annual_reports: list[AnnualReport] = field(default_factory=list)
    overdue_report_years: list[int] = field(default_factory=list)

    def report_for(self, year: int) -> AnnualReport | None:
        return next((r for r in self.annual_reports if r.year == year), None)
