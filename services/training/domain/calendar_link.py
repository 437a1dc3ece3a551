"""A learner's private calendar link as stored: whose it is and when it was made (the secret is never kept)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime


def token_hash(token: str) -> str:
    """What is stored of a link's secret: its SHA-256, enough to recognise it, useless to make it."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class CalendarLink:
    learner: str
    """The learner's lower-cased e-mail address."""
    created_at: datetime
