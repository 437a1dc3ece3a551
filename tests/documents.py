"""Real PDFs for tests that send documents (a plain one-page PDF, or one with an action run on opening), and
a stand-in for ClamAV's daemon speaking its INSTREAM protocol over a unix socket or TCP."""

from __future__ import annotations

import io
import socket
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

Change = Callable[[PdfWriter], None]
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
"""The anti-virus test file (kept in two parts here, so that no scanner takes this source for it): every scanner
reports it, the stand-in below as ClamAV names it."""


def pdf(change: Change | None = None) -> bytes:
    """A one-page A4 PDF as a word processor would write it; ``change`` adds to it before it is written."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if change:
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def open_action(kind: str, **values: str) -> Change:
    """The document runs an action of ``kind`` (``/JavaScript``, ``/Launch``, ``/URI``…) when opened."""

    def change(writer: PdfWriter) -> None:
        action = DictionaryObject({NameObject("/S"): NameObject(kind)})
        action.update({NameObject(f"/{key}"): TextStringObject(value) for key, value in values.items()})
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)

    return change


# ---------------------------------------------------------------------- a clamd stand-in
class FakeClamd:
    """Answers ``nINSTREAM\\n`` as clamd does: reads <4-byte big-endian length><bytes> chunks up to a zero
    length, then replies ``stream: OK`` or ``stream: <name> FOUND`` and closes. Keeps what it received."""

    def __init__(self, server: socket.socket, reply: Callable[[bytes], bytes] | None = None) -> None:
        self.server = server
        self.reply = reply or (
            lambda data: b"stream: Eicar-Test-Signature FOUND\n" if EICAR in data else b"stream: OK\n"
        )
        self.commands: list[bytes] = []
        self.streams: list[bytes] = []
        self.chunks: list[int] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection, connection.makefile("rb") as incoming:
                command = incoming.readline()
                self.commands.append(command)
                received = b""
                while True:
                    (size,) = struct.unpack("!L", incoming.read(4))
                    if size == 0:
                        break
                    self.chunks.append(size)
                    received += incoming.read(size)
                self.streams.append(received)
                connection.sendall(self.reply(received))

    def close(self) -> None:
        self.server.close()


@contextmanager
def unix_clamd(tmp_path: Path, **kwargs: object) -> Iterator[tuple[str, FakeClamd]]:
    path = tmp_path / "clamd.ctl"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen()
    fake = FakeClamd(server, **kwargs)  # type: ignore[arg-type]
    try:
        yield f"unix://{path}", fake
    finally:
        fake.close()


@contextmanager
def tcp_clamd(**kwargs: object) -> Iterator[tuple[str, FakeClamd]]:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    fake = FakeClamd(server, **kwargs)  # type: ignore[arg-type]
    try:
        yield f"tcp://127.0.0.1:{server.getsockname()[1]}", fake
    finally:
        fake.close()
