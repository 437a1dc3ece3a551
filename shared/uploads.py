"""Documents people send to a public body (PDF, PNG, JPEG): which files are accepted, under which name, and the
scan every one goes through before it is stored — one mechanism for the register's applications and the
grants' applications alike.

The type is read from the file's first bytes, never from its name or the type the browser claims: a PDF
starts ``%PDF-``, a PNG with its 8-byte signature, a JPEG with ``FF D8 FF``. Anything else is refused. Each
refusal is a 4xx naming the form's field (``file``); a configured virus scanner that does not answer is a 503
and nothing is stored unscanned (``shared.scanning``).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from shared.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge, Text, Unavailable
from shared.scanning import Scanner, ScannerUnavailable

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
"""Largest document (10 MB)."""
MAX_NAME = 120
"""Characters kept of a file's name."""
FIELD = "file"
"""The multipart form's field that carries the document."""
FORM_OVERHEAD = 64 * 1024
"""Room for the multipart form's boundaries and headers around the file itself."""

SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
NOT_SCANNED = Text(
    "Документите не могат да бъдат проверени за зловреден софтуер в момента. Опитайте отново след малко.",
    "Documents cannot be checked for malware just now. Please try again in a little while.",
)

NO_SUCH_DOCUMENT = Text("Няма такъв документ.", "No such document.")


@dataclass(frozen=True)
class StoredDocument:
    """A document sent with an application (or with an answer to the centre's request for information), as
    stored: each service's own kind adds what is its own."""

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


D = TypeVar("D", bound=StoredDocument)


class DocumentStore(Protocol[D]):
    """Where an application's documents are kept: their facts and their bytes."""

    def count(self, application_id: str) -> int: ...
    def add(self, document: D, data: bytes) -> D: ...
    def of_application(self, application_id: str) -> list[D]: ...
    def get(self, application_id: str, document_id: str) -> D | None: ...
    def content(self, document_id: str) -> bytes | None: ...


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str


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


def too_large(max_bytes: int = MAX_BYTES) -> PayloadTooLarge:
    megabytes = max_bytes // (1024 * 1024)
    return PayloadTooLarge(
        Text(f"Документът е по-голям от {megabytes} MB.", f"The document is larger than {megabytes} MB."),
        {FIELD: Text(f"Най-много {megabytes} MB.", f"At most {megabytes} MB.")},
    )


def accepted_kind(data: bytes, max_bytes: int = MAX_BYTES) -> Kind:
    """The document's kind, or the 4xx naming ``file``: empty, too large, or not a PDF, PNG or JPEG."""
    if not data:
        raise InvalidInput(
            Text("Изберете файл.", "Choose a file."), {FIELD: Text("Файлът е празен.", "The file is empty.")}
        )
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    kind = kind_of(data[:16])
    if kind is None:
        raise InvalidInput(
            Text("Приемат се само PDF, PNG и JPEG.", "Only PDF, PNG and JPEG are accepted."),
            {FIELD: Text("Файлът не е PDF, PNG или JPEG.", "The file is not a PDF, PNG or JPEG.")},
        )
    return kind


def scan_or_refuse(scanner: Scanner, data: bytes, content_type: str) -> None:
    """Raise unless the scanner finds the document clean: 422 naming ``file`` with what was found, 503 while a
    configured scanner does not answer."""
    try:
        verdict = scanner.scan(data, content_type)
    except ScannerUnavailable as exc:
        log.error("a document was not stored: %s", exc)
        raise Unavailable(NOT_SCANNED) from exc
    if not verdict.clean:
        reason = verdict.reason or Text("не премина проверката", "it did not pass the check")
        refused = Text(f"Документът не е приет: {reason.bg}.", f"The document was refused: {reason.en}.")
        raise InvalidInput(refused, {FIELD: refused})


def accept(store: DocumentStore[D], scanner: Scanner, application_id: str, data: bytes, *, most: int) -> Kind:
    """The document's kind once it may be stored with the application: accepted (``accepted_kind``), scanned
    clean (``scan_or_refuse``) and with room left among the application's ``most`` documents (409 naming
    ``file`` when there is none)."""
    kind = accepted_kind(data)
    scan_or_refuse(scanner, data, kind.content_type)
    if store.count(application_id) >= most:
        raise Conflict(
            Text(
                f"Към заявлението вече има {most} документа, колкото най-много може.",
                f"The application already has {most} documents, the most it may hold.",
            ),
            {FIELD: Text("Твърде много документи.", "Too many documents.")},
        )
    return kind


def stored(store: DocumentStore[D], application_id: str, document_id: str) -> tuple[D, bytes]:
    """The application's document and its bytes; 404 if it has no such document (or its bytes are gone)."""
    document = store.get(application_id, document_id)
    data = store.content(document_id) if document else None
    if document is None or data is None:
        raise NotFound(NO_SUCH_DOCUMENT)
    return document, data
