"""Documents an applicant sends with an application or with an answer to the centre: what is accepted.

The type is read from the file's first bytes, never from its name or the type the browser claims: a PDF
starts ``%PDF-``, a PNG with its 8-byte signature, a JPEG with ``FF D8 FF``. Anything else is refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

MAX_BYTES = 10 * 1024 * 1024
"""Largest document (10 MB)."""
MAX_PER_APPLICATION = 20
"""Documents one application may hold, with those sent with its answers."""
MAX_NAME = 120
"""Characters kept of a file's name."""

SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str


@dataclass(frozen=True)
class Attachment:
    id: str
    application_id: str
    enterprise_id: str
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime
    uploaded_by: str
    answer_to: int | None
    """The request for information (its index) the document answers; None: sent with the application."""


def kind_of(head: bytes) -> Kind | None:
    """The document's kind by its first bytes; None for anything but PDF, PNG and JPEG."""
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return Kind(content_type, extension)
    return None


_UNSAFE = re.compile(r"[^\w\-. ()„“]+")


def safe_filename(raw: str, kind: Kind) -> str:
    """A name to show and to download under: no folders, no control characters, no leading dots, the
    extension of what the file really is ("../../etc/passwd.pdf" → "passwd.pdf")."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = _UNSAFE.sub("_", stem).strip(" ._")[: MAX_NAME - len(kind.extension)] or "document"
    return f"{stem}{kind.extension}"
