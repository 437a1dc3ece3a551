"""A certificate of completion: its number, and what anyone may verify with it.

Numbers read ``ДУ-<year>-<six digits>`` ("ДУ" for дигитални умения, digital skills), drawn from one
series per year, never repeated (gaps are allowed: a number drawn by a request that then failed is
not reused). The public record shows who completed which course, when and at which centre; it
carries no e-mail address or other contact data.

Numbers follow each other, so a number alone proves nothing and shows nothing: the public check needs the
number and its check code, 12 characters drawn at random when the certificate is issued (about 60 bits),
printed on the certificate and in its QR code. A wrong or missing code is answered like an unknown number.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from shared.clock import SOFIA, sofia_date
from shared.text.numbers import canonical_number

PREFIX = "ДУ"
NUMBER_PATTERN = re.compile(rf"^{PREFIX}-(\d{{4}})-(\d{{6}})$")


CHECK_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""Letters and digits that cannot be mistaken for one another when read off paper (no I, O, 0, 1)."""
CHECK_CODE_LENGTH = 12


def new_check_code() -> str:
    """A fresh random check code, e.g. ``K7QM-2XHD-94RT`` without the dashes."""
    return "".join(secrets.choice(CHECK_CODE_ALPHABET) for _ in range(CHECK_CODE_LENGTH))


def normal_check_code(text: str) -> str:
    """A code as typed (any case, with spaces or dashes) in the form it is stored."""
    return "".join(ch for ch in text.upper() if ch not in " -\t")


def shown_check_code(code: str) -> str:
    """Groups of four for reading aloud and typing: ``K7QM-2XHD-94RT``."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def series(year: int) -> str:
    """The name of the number series for certificates issued in ``year`` (a Sofia year)."""
    return f"certificates-{year}"


def certificate_number(year: int, sequence: int) -> str:
    if not 1 <= sequence <= 999_999:
        raise ValueError(f"certificate sequence out of range: {sequence}")
    return f"{PREFIX}-{year:04d}-{sequence:06d}"


def is_certificate_number(text: str) -> bool:
    return NUMBER_PATTERN.fullmatch(text) is not None


def typed_number(text: str) -> str:
    """A number as typed off the paper (``ду-2026-000001``, ``DU 2026–000001``) in the form it is issued."""
    return canonical_number(text, (PREFIX,))


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
    check_code: str = ""
    """Random, stored with the record (a record from before codes gets one when it is next read)."""

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
        check_code: str | None = None,
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
            check_code=check_code or new_check_code(),
        )

    @property
    def number(self) -> str:
        return self.id

    def checks(self, code: str) -> bool:
        """Whether ``code`` (as typed) is this certificate's check code; compared in constant time."""
        given = normal_check_code(code or "")
        return bool(self.check_code) and hmac.compare_digest(given.encode(), self.check_code.encode())
