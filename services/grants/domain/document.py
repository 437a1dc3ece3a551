"""A document sent with an application for support, or with an answer to the centre's request for information.

What is accepted (PDF, PNG, JPEG by their first bytes, 10 MB each) and the scan before storing are the
platform's one rule for documents (``shared.uploads``); the grants service adds which of the call's required
documents it is (``code``, or "" for any other) and how many one application may hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.uploads import StoredDocument

MAX_PER_APPLICATION = 30
"""Documents one application may hold, with those sent with its answers."""


@dataclass(frozen=True)
class Document(StoredDocument):
    code: str = ""
    """The call's required document it is, or "" for any other."""
