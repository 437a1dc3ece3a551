"""A certificate of completion: its number, and what anyone may verify with it.

Numbers read ``ДУ-<year>-<six digits>`` ("ДУ" for дигитални умения, digital skills), drawn from one
series per year, never repeated (gaps are allowed: a number drawn by a request that then failed is
not reused). The public record shows who completed which course, when and at which centre; it
carries no e-mail address or other contact data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from shared.clock import SOFIA, sofia_date

PREFIX = "ДУ"
NUMBER_PATTERN = re.compile(rf"^{PREFIX}-(\d{{4}})-(\d{{6}})$")


def series(year: int) -> str:
    """The name of the number series for certificates issued in ``year`` (a Sofia year)."""
    return f"certificates-{year}"


def certificate_number(year: int, sequence: int) -> str:
    if not 1 <= sequence <= 999_999:
        raise ValueError(f"certificate sequence out of range: {sequence}")
    return f"{PREFIX}-{year:04d}-{sequence:06d}"


def is_certificate_number(text: str) -> bool:
    return NUMBER_PATTERN.fullmatch(text) is not None


def issue_year(now: datetime) -> int:
    return now.astimezone(SOFIA).year


@dataclass(frozen=True)
class Certificate:
    """The public record of a certificate (``_id`` = its number)."""

    id: str
    """The certificate number."""
    enrolment_id: str
    session_id: str
    learner_name: str
    course_title: str
    centre: str
    centre_name: str
    starts_on: date
    """The Sofia date of the session's first meeting."""
    ends_on: date
    """The Sofia date of its last meeting."""
    trainer_name: str
    issued_at: datetime

    @classmethod
    def issue(
        cls,
        *,
        number: str,
        enrolment_id: str,
        session_id: str,
        learner_name: str,
        course_title: str,
        centre: str,
        centre_name: str,
        starts_at: datetime,
        ends_at: datetime,
        trainer_name: str,
        issued_at: datetime,
    ) -> Certificate:
        if not is_certificate_number(number):
            raise ValueError(f"not a certificate number: {number}")
        return cls(
            id=number,
            enrolment_id=enrolment_id,
            session_id=session_id,
            learner_name=learner_name,
            course_title=course_title,
            centre=centre,
            centre_name=centre_name,
            starts_on=sofia_date(starts_at),
            ends_on=sofia_date(ends_at),
            trainer_name=trainer_name,
            issued_at=issued_at,
        )

    @property
    def number(self) -> str:
        return self.id
