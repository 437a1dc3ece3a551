"""Facts the register records as they happen; the service layer publishes them via the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class EventName(StrEnum):
    APPLICATION_SUBMITTED = "ApplicationSubmitted"
    INFORMATION_REQUESTED = "InformationRequested"
    APPLICATION_APPROVED = "ApplicationApproved"
    APPLICATION_REJECTED = "ApplicationRejected"
    APPLICATION_WITHDRAWN = "ApplicationWithdrawn"
    ENTERPRISE_REGISTERED = "EnterpriseRegistered"
    ENTERPRISE_UPDATED = "EnterpriseUpdated"
    ENTERPRISE_CLASS_CHANGED = "EnterpriseClassChanged"
    CERTIFICATE_EXPIRING = "CertificateExpiring"
    CERTIFICATE_EXPIRED = "CertificateExpired"
    ENTERPRISE_RENEWED = "EnterpriseRenewed"
    ENTERPRISE_DELETED = "EnterpriseDeleted"
    ANNUAL_REPORT_SUBMITTED = "AnnualReportSubmitted"
    ANNUAL_REPORT_OVERDUE = "AnnualReportOverdue"


APPLICATION_EVENTS = frozenset(
    {
        EventName.APPLICATION_SUBMITTED,
        EventName.INFORMATION_REQUESTED,
        EventName.APPLICATION_APPROVED,
        EventName.APPLICATION_REJECTED,
        EventName.APPLICATION_WITHDRAWN,
    }
)


@dataclass(frozen=True)
class DomainEvent:
    name: EventName
    payload: dict[str, Any]

    @property
    def about_application(self) -> bool:
        return self.name in APPLICATION_EVENTS
