"""A document sent with an application for support, or with an answer to the centre's request for information.

What is accepted (PDF, PNG, JPEG by their first bytes, 10 MB each) and the scan before storing are the
platform's one rule for documents (``shared.uploads``); the grants service adds which of the call's required
documents it is (``code``, or "" for any other) and how many one application may hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

MAX_PER_APPLICATION = 30
"""Documents one application may hold, with those sent with its answers."""


@dataclass(frozen=True)
class Document:
    id: str
    application_id: str
    enterprise_id: str
    code: str
    """The call's required document it is, or "" for any other."""
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime
    uploaded_by: str
    answer_to: int | None
    """The request for information (its index) it answers; None: sent with the draft."""
