"""The record of clerks' and administrators' reads of an applicant's personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ReadView(StrEnum):
    """Which view showed the personal data."""

    APPLICATION = "application"
    """One application with its details (the clerk's review page reads it)."""
    FILE = "file"
    """An enterprise's whole file: every application, the entry and the full history."""
    QUEUE = "queue"
    """A page of the review queue (each listed application's details)."""


@dataclass(frozen=True)
class Reader:
    subject: str
    name: str
    role: str
    centre: str | None


@dataclass(frozen=True)
class PersonalDataRead:
    at: datetime
    reader: Reader
    enterprise_id: str
    application_id: str | None
    view: ReadView
