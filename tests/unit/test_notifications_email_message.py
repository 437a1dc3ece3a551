"""The e-mail as it goes on the wire: what any reader of a standard mail parser gets back from it (no servers)."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import cast

import pytest

from services.notifications.adapters.smtp import build_message
from services.notifications.service_layer.delivering import PermanentSendError

SENDER = "Солидарна платформа <no-reply@solidarityhub.example.bg>"
LONG_SUBJECT = (
    "Заявлението на „Шивашка кооперация Надежда“ от град Велико Търново за вписване в регистъра "
    "на социалните предприятия е одобрено от регионалния център"
)
TEXT = "Здравейте,\n\nзаявлението е одобрено.\n" + "Ред с текст на кирилица. " * 40
HTML = "<p>Здравейте,</p><p>заявлението е <b>одобрено</b>.</p>"


def _read(raw: bytes) -> EmailMessage:
    return cast(EmailMessage, message_from_bytes(raw, policy=policy.default))


def _message(**changes: str) -> bytes:
    parts = {"to": "elena@dobroutro.example.bg", "to_name": "Елена Петрова", "subject": LONG_SUBJECT} | changes
    return build_message(SENDER, parts["to"], parts["to_name"], parts["subject"], TEXT, HTML, "<n-1@solidarityhub>")


def test_a_bulgarian_message_reads_back_exactly_and_travels_in_seven_bits() -> None:
    raw = _message()
    raw.decode("ascii")  # nothing needs 8BITMIME or SMTPUTF8
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    message = _read(raw)
    assert message["Subject"] == LONG_SUBJECT  # several encoded words, joined without losing a space
    assert message["To"].addresses[0].display_name == "Елена Петрова"
    assert message["To"].addresses[0].addr_spec == "elena@dobroutro.example.bg"
    assert message["From"].addresses[0].display_name == "Солидарна платформа"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] == "<n-1@solidarityhub>"
    assert message.get_body(("plain",)).get_content() == TEXT  # type: ignore[union-attr]
    assert message.get_body(("html",)).get_content() == HTML  # type: ignore[union-attr]


@pytest.mark.parametrize("field", ["to_name", "subject"])
@pytest.mark.parametrize("first", ["Иван", "Ivan"])
def test_a_line_break_in_a_name_or_subject_adds_no_header(field: str, first: str) -> None:
    message = _read(_message(**{field: f"{first}\r\nBcc: everyone@example.bg\nX-Spam: yes"}))
    assert sorted(message.keys()) == sorted(
        ["Content-Type", "MIME-Version", "To", "From", "Subject", "Date", "Message-ID", "Auto-Submitted"]
    )
    shown = message["To"].addresses[0].display_name if field == "to_name" else message["Subject"]
    assert shown == f"{first} Bcc: everyone@example.bg X-Spam: yes"


@pytest.mark.parametrize("name", ['Petrov, "Ivan" Sr.', "Ivan Petrov", "", "O'Brien <boss>"])
def test_a_latin_name_with_quotes_commas_or_brackets_reads_back_exactly(name: str) -> None:
    address = _read(_message(to_name=name))["To"].addresses[0]
    assert (address.display_name, address.addr_spec) == (name, "elena@dobroutro.example.bg")


@pytest.mark.parametrize("to", ["elena.dobroutro.example.bg", "елена@dobroutro.example.bg", "elena@добро-утро.бг"])
def test_an_address_that_cannot_be_sent_fails_for_good(to: str) -> None:
    with pytest.raises(PermanentSendError, match="not a valid e-mail address"):
        _message(to=to)
