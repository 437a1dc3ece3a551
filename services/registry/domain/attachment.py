"""Documents an applicant sends with an application or with an answer to the centre: what is accepted.

The accepted kinds (PDF, PNG, JPEG, read from the file's first bytes), the size limit and the safe names are
the platform's one rule for documents people send (``shared.uploads``); the register adds how many one
application may hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.uploads import MAX_BYTES, MAX_NAME, SIGNATURES, Kind, StoredDocument, kind_of, safe_filename

__all__ = [
    "MAX_BYTES",
    "MAX_NAME",
    "MAX_PER_APPLICATION",
    "SIGNATURES",
    "Attachment",
    "Kind",
    "kind_of",
    "safe_filename",
]

MAX_PER_APPLICATION = 20
"""Documents one application may hold, with those sent with its answers."""


@dataclass(frozen=True)
class Attachment(StoredDocument):
    """A document with an application or with an answer to the centre (``answer_to``)."""
