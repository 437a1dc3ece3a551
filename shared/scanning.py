"""Checking a file people upload before it is stored: malware (ClamAV), and active content in PDFs.

``file_scanner()`` is what a service uses: every file goes through the built-in check of PDFs (JavaScript,
actions that launch programs, submit or import data, embedded files, interactive XFA forms, rich media:
nothing a document sent to a public body needs; a PDF that cannot be read is refused too), and through
ClamAV too when ``CLAMD_ADDRESS`` names a clamd daemon
(``unix:///run/clamav/clamd.ctl``, ``/run/clamav/clamd.ctl`` or ``tcp://clamav:3310``). The file is sent
to clamd with its ``INSTREAM`` command (clamdpy); the daemon keeps nothing.

A file found infected or active is refused (``Verdict.clean`` is False, with the reason). A configured
clamd that does not answer raises ``ScannerUnavailable``: the upload is refused for now (503), never
stored unscanned.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from clamdpy import ClamdNetworkSocket, ClamdUnixSocket
from clamdpy.exceptions import ClamdException
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

from shared.config import declare
from shared.errors import Text

log = logging.getLogger(__name__)

CLAMD_ADDRESS = declare(
    "CLAMD_ADDRESS",
    "",
    "The ClamAV daemon that scans uploaded files: `unix:///run/clamav/clamd.ctl`, `tcp://clamav:3310` (empty: no "
    "ClamAV; PDFs are still checked for JavaScript, actions and embedded files).",
)
CLAMD_TIMEOUT_SECONDS = declare("CLAMD_TIMEOUT_SECONDS", 30, "How long an upload waits for ClamAV's verdict.")
CLAMD_DEFAULT_PORT = 3310
PDF = "application/pdf"


@dataclass(frozen=True)
class Verdict:
    clean: bool
    reason: Text | None = None
    """What was found, as people read it: the malware's name, or the active content ("съдържа JavaScript")."""


CLEAN = Verdict(True)
UNREADABLE = Text(
    "PDF файлът не може да бъде прочетен (повреден е или е защитен с парола)",
    "the PDF cannot be read (it is damaged or protected by a password)",
)


class ScannerUnavailable(Exception):
    """The configured scanner did not answer: the file cannot be judged now."""


class Scanner(Protocol):
    def scan(self, data: bytes, content_type: str) -> Verdict:
        """The verdict on one file whose type was read from its bytes; ``ScannerUnavailable`` if none can be had."""


# ---------------------------------------------------------------------- ClamAV
class ClamdScanner:
    """ClamAV's daemon over a unix or TCP socket, with the ``INSTREAM`` command."""

    def __init__(self, address: str, timeout: float = 30.0, chunk_size: int = 64 * 1024) -> None:
        self.address = address
        self._client = _client(address, timeout, chunk_size)

    def scan(self, data: bytes, content_type: str) -> Verdict:
        try:
            result = self._client.instream(io.BytesIO(data))
        except (ClamdException, OSError) as exc:
            raise ScannerUnavailable(f"ClamAV at {self.address} did not scan the file: {exc!r}") from exc
        if result.status == "FOUND":
            name = result.reason or "?"
            return Verdict(False, Text(f"открит е зловреден софтуер ({name})", f"malware was found ({name})"))
        if result.status == "ERROR":
            raise ScannerUnavailable(f"ClamAV at {self.address} could not scan the file: {result.reason}")
        return CLEAN


def _client(address: str, timeout: float, chunk_size: int) -> ClamdNetworkSocket:
    text = address.strip()
    if text.startswith("/"):
        return ClamdUnixSocket(text, timeout=timeout, max_chunk_size=chunk_size)
    parts = urlsplit(text if "://" in text else f"tcp://{text}")
    if parts.scheme == "unix":
        return ClamdUnixSocket(parts.path, timeout=timeout, max_chunk_size=chunk_size)
    if parts.scheme == "tcp" and parts.hostname:
        port = parts.port or CLAMD_DEFAULT_PORT
        return ClamdNetworkSocket(parts.hostname, port, timeout=timeout, max_chunk_size=chunk_size)
    raise ValueError(f"CLAMD_ADDRESS must be unix:///path, /path or tcp://host:port, not {address!r}")


# ---------------------------------------------------------------------- active content in PDFs
JAVASCRIPT = Text("съдържа JavaScript", "it contains JavaScript")
ACTIVE_KEYS: dict[str, Text] = {
    "/JS": JAVASCRIPT,
    "/JavaScript": JAVASCRIPT,
    "/EmbeddedFile": Text("съдържа вграден файл", "it carries an embedded file"),
    "/EmbeddedFiles": Text("съдържа вградени файлове", "it carries embedded files"),
    "/XFA": Text("съдържа интерактивна XFA форма", "it contains an interactive XFA form"),
    "/RichMedia": Text("съдържа мултимедия (Flash или видео)", "it contains rich media (Flash or video)"),
}
"""Names anywhere in a PDF's objects that carry code or another file."""
_MEDIA = Text("пуска мултимедия", "it plays media")
ACTIVE_ACTIONS: dict[str, Text] = {
    "/JavaScript": JAVASCRIPT,
    "/Launch": Text("стартира програма", "it launches a program"),
    "/ImportData": Text("внася данни отвън", "it imports data"),
    "/SubmitForm": Text("изпраща данни от формуляр", "it submits a form"),
    "/ResetForm": Text("изчиства формуляр", "it resets a form"),
    "/Rendition": _MEDIA,
    "/Sound": _MEDIA,
    "/Movie": _MEDIA,
}
"""Action types (``/S``), wherever the action is (on opening, on a page's or a field's events, behind a
link): those that run code or reach out. Going to a page (``/GoTo``) or opening a web address (``/URI``) is
allowed: ordinary PDFs open on their first page and link to web pages."""
MAX_OBJECTS = 200_000
"""Objects visited at most: a file built to keep the walk busy is refused as unreadable past it."""


class ActivePdfCheck:
    """Refuses PDFs with active content (JavaScript, launch and other actions that run code or reach out,
    embedded files, XFA forms, rich media) or that cannot be read (encrypted ones too); other types pass."""

    def scan(self, data: bytes, content_type: str) -> Verdict:
        if content_type != PDF:
            return CLEAN
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            found = next(_active(_reachable(_roots(reader))), None)
        except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, RecursionError, _TooBig) as exc:
            log.info("a PDF that cannot be read was refused: %r", exc)
            return Verdict(False, UNREADABLE)
        return CLEAN if found is None else Verdict(False, found)


class _TooBig(Exception):
    pass


def _roots(reader: PdfReader) -> list[PdfObject]:
    """Where the walk starts: the trailer (its catalogue, info) and every object the file numbers."""
    roots: list[PdfObject] = [reader.trailer]
    for generation, numbers in reader.xref.items():
        roots.extend(IndirectObject(number, generation, reader) for number in numbers)
    for number in reader.xref_objStm:
        roots.append(IndirectObject(number, 0, reader))
    return roots


def _reachable(roots: Iterable[PdfObject]) -> Iterator[DictionaryObject]:
    """Every dictionary (streams' included) reachable from ``roots``, each once."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = list(roots)
    visited = 0
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        visited += 1
        if visited > MAX_OBJECTS:
            raise _TooBig(f"more than {MAX_OBJECTS} objects")
        if isinstance(item, DictionaryObject):
            yield item
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def _active(dictionaries: Iterable[DictionaryObject]) -> Iterator[Text]:
    for dictionary in dictionaries:
        for key in dictionary:
            if key in ACTIVE_KEYS:
                yield ACTIVE_KEYS[key]
        kind = dictionary.get("/S")
        if isinstance(kind, NameObject) and kind in ACTIVE_ACTIONS:
            yield ACTIVE_ACTIONS[kind]


# ---------------------------------------------------------------------- together
class Scanners:
    """Every scanner in turn; the first that refuses the file decides."""

    def __init__(self, *scanners: Scanner) -> None:
        self.scanners = scanners

    def scan(self, data: bytes, content_type: str) -> Verdict:
        for scanner in self.scanners:
            verdict = scanner.scan(data, content_type)
            if not verdict.clean:
                return verdict
        return CLEAN


def file_scanner(service: str = "") -> Scanner:
    """The built-in PDF check, and ClamAV as well when ``CLAMD_ADDRESS`` is set."""
    address = CLAMD_ADDRESS.text(service).strip()
    if not address:
        return Scanners(ActivePdfCheck())
    return Scanners(ActivePdfCheck(), ClamdScanner(address, timeout=float(CLAMD_TIMEOUT_SECONDS.integer(service))))
