"""Scanning uploads: the ClamAV adapter against a small clamd stand-in speaking the real INSTREAM protocol
(over a unix socket and over TCP), and the built-in refusal of PDFs with active content."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from shared.scanning import (
    CLEAN,
    JAVASCRIPT,
    ActivePdfCheck,
    ClamdScanner,
    Scanners,
    ScannerUnavailable,
    Verdict,
    file_scanner,
)
from tests.documents import EICAR, open_action, pdf, tcp_clamd, unix_clamd

PDF_TYPE = "application/pdf"


def test_a_clean_file_is_streamed_whole_in_chunks_over_a_unix_socket(tmp_path: Path) -> None:
    data = b"%PDF-1.7 " + bytes(range(256)) * 40
    with unix_clamd(tmp_path) as (address, fake):
        verdict = ClamdScanner(address, timeout=5, chunk_size=1024).scan(data, PDF_TYPE)
    assert verdict == CLEAN
    assert fake.commands == [b"nINSTREAM\n"]
    assert fake.streams == [data]
    assert len(fake.chunks) == 11 and max(fake.chunks) == 1024


def test_malware_is_named_over_tcp() -> None:
    with tcp_clamd() as (address, fake):
        verdict = ClamdScanner(address, timeout=5).scan(b"\xff\xd8\xff" + EICAR, "image/jpeg")
    assert not verdict.clean and verdict.reason is not None
    assert "Eicar-Test-Signature" in verdict.reason.bg and "Eicar-Test-Signature" in verdict.reason.en
    assert fake.streams == [b"\xff\xd8\xff" + EICAR]


def test_a_bare_path_and_a_host_without_a_port_are_addresses_too(tmp_path: Path) -> None:
    with unix_clamd(tmp_path) as (address, fake):
        assert ClamdScanner(address.removeprefix("unix://"), timeout=5).scan(b"x", "image/png") == CLEAN
    assert fake.streams == [b"x"]
    assert ClamdScanner("clamav.internal", timeout=5)._client.port == 3310  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="CLAMD_ADDRESS"):
        ClamdScanner("http://clamav:3310")


def test_a_scanner_that_is_away_or_fails_stops_the_upload(tmp_path: Path) -> None:
    with pytest.raises(ScannerUnavailable):
        ClamdScanner(f"unix://{tmp_path / 'nobody.ctl'}", timeout=2).scan(b"x", "image/png")
    for reply in (b"INSTREAM size limit exceeded. ERROR\n", b"stream: Can't allocate memory ERROR\n"):
        with tcp_clamd(reply=lambda data, reply=reply: reply) as (address, fake), pytest.raises(ScannerUnavailable):
            ClamdScanner(address, timeout=5).scan(b"x", "image/png")
        assert fake.streams == [b"x"]


def test_configuration_adds_clamav_to_the_built_in_check(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CLAMD_ADDRESS", raising=False)
    alone = file_scanner()
    assert isinstance(alone, Scanners) and [type(s) for s in alone.scanners] == [ActivePdfCheck]
    with unix_clamd(tmp_path) as (address, fake):
        monkeypatch.setenv("CLAMD_ADDRESS", address)
        both = file_scanner()
        assert both.scan(pdf(), PDF_TYPE) == CLEAN
        assert not both.scan(b"\x89PNG\r\n\x1a\n" + EICAR, "image/png").clean
        assert not both.scan(pdf(open_action("/JavaScript", JS="app.alert(1)")), PDF_TYPE).clean
    assert len(fake.streams) == 2  # the active PDF was refused before it reached ClamAV


# ---------------------------------------------------------------------- active content in PDFs
def page_event(kind: str) -> Callable[[PdfWriter], None]:
    def change(writer: PdfWriter) -> None:
        action = DictionaryObject({NameObject("/S"): NameObject(kind), NameObject("/F"): TextStringObject("x.exe")})
        writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(action)})

    return change


def javascript_name_tree(writer: PdfWriter) -> None:
    script = writer._add_object(
        DictionaryObject({NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("1")})
    )
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("a"), script])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})


def first_page(writer: PdfWriter) -> None:
    writer._root_object[NameObject("/OpenAction")] = ArrayObject(
        [writer.pages[0].indirect_reference, NameObject("/Fit")]
    )


@pytest.mark.parametrize(
    ("made", "found"),
    [
        pytest.param(open_action("/JavaScript", JS="app.alert(1)"), "JavaScript", id="JavaScript on opening"),
        pytest.param(javascript_name_tree, "JavaScript", id="document JavaScript"),
        pytest.param(open_action("/Launch", F="cmd.exe"), "launches a program", id="launch on opening"),
        pytest.param(page_event("/Launch"), "launches a program", id="launch on a page's event"),
        pytest.param(open_action("/SubmitForm", F="https://example.com"), "submits a form", id="form submission"),
        pytest.param(lambda w: w.add_attachment("invoice.exe", b"MZ"), "embedded files", id="embedded file"),
    ],
)
def test_a_pdf_with_active_content_is_refused_saying_what_it_holds(
    made: Callable[[PdfWriter], None], found: str
) -> None:
    verdict = ActivePdfCheck().scan(pdf(made), PDF_TYPE)
    assert not verdict.clean and verdict.reason is not None
    assert found in verdict.reason.en and verdict.reason.bg


def test_names_written_with_escapes_are_read_as_what_they_are() -> None:
    hidden = pdf(open_action("/JavaScript", JS="app.alert(1)")).replace(b"/JavaScript", b"/J#61vaScript")
    assert b"/JavaScript" not in hidden
    assert ActivePdfCheck().scan(hidden, PDF_TYPE) == Verdict(False, JAVASCRIPT)


@pytest.mark.parametrize(
    "made",
    [
        pytest.param(None, id="a plain page"),
        pytest.param(first_page, id="opening on its first page"),
        pytest.param(open_action("/URI", URI="https://www.example.bg"), id="a web link"),
    ],
)
def test_an_ordinary_pdf_passes(made: Callable[[PdfWriter], None] | None) -> None:
    assert ActivePdfCheck().scan(pdf(made), PDF_TYPE) == CLEAN


def test_a_pdf_that_cannot_be_read_is_refused_and_other_types_are_not_read_as_pdf() -> None:
    locked = PdfWriter()
    locked.add_blank_page(100, 100)
    locked.encrypt("парола")
    out = io.BytesIO()
    locked.write(out)
    for unreadable in (b"%PDF-1.7\n%%EOF\n", out.getvalue()):
        verdict = ActivePdfCheck().scan(unreadable, PDF_TYPE)
        assert not verdict.clean and verdict.reason is not None and "cannot be read" in verdict.reason.en
    assert ActivePdfCheck().scan(b"\x89PNG\r\n\x1a\n/JavaScript", "image/png") == CLEAN
