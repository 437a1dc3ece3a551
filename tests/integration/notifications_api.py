"""Helpers for the notifications service against real FerretDB and a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import email
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from flask import Flask
from flask.testing import FlaskClient
from pymongo import MongoClient
from pymongo.database import Database

from services.notifications.adapters import attempts
from services.notifications.adapters.deliveries import DELIVERIES
from services.notifications.config import SmtpSettings
from services.notifications.domain.notice import Notice, Recipient
from services.notifications.domain.rendering import Rendered
from services.notifications.entrypoints.app import create_app
from shared.auth import Principal, Role
from tests.integration.registry_api import CODEC

LOCALHOST = "127.0.0.1"


@dataclass
class Received:
    """A message the SMTP server accepted: the envelope and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class CollectingHandler:
    """Accepts every message and keeps it; ``replies`` are answered to DATA first, one each, instead."""

    received: list[Received] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    data_commands: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self._lock:
            self.data_commands += 1
            if self.replies:
                return self.replies.pop(0)
            raw = envelope.original_content or envelope.content
            assert isinstance(raw, bytes)
            parsed = email.message_from_bytes(raw, policy=default_policy)
            assert isinstance(parsed, EmailMessage)
            self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), parsed, raw))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if address in r.rcpt_tos]


@dataclass
class SmtpServer:
    handler: CollectingHandler
    host: str
    port: int

    def settings(self, **changes: Any) -> SmtpSettings:
        base = SmtpSettings(
            host=self.host,
            port=self.port,
            starttls=False,
            username="",
            password="",
            sender="Солидарна платформа <no-reply@solidarityhub.example.bg>",
        )
        return SmtpSettings(**{**base.__dict__, **changes})


def free_port(host: str = LOCALHOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def start_smtp(handler: CollectingHandler, port: int | None = None, **controller_kwargs: Any) -> Controller:
    """A real SMTP server on 127.0.0.1 (on ``port``, e.g. to come back where senders were told it is)."""
    controller = Controller(handler, hostname=LOCALHOST, port=port or free_port(), **controller_kwargs)
    controller.start()
    return controller


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 for this test; ``SMTP_HOST``/``SMTP_PORT`` point the app at it."""
    handler = CollectingHandler()
    controller = start_smtp(handler)
    monkeypatch.setenv("SMTP_HOST", LOCALHOST)
    monkeypatch.setenv("SMTP_PORT", str(controller.port))
    monkeypatch.setenv("SMTP_STARTTLS", "false")
    monkeypatch.setenv("SMTP_USERNAME", "")
    try:
        yield SmtpServer(handler, LOCALHOST, controller.port)
    finally:
        controller.stop()


@pytest.fixture
def notifications_db_name(infra: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"notifications_api_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("MONGODB_URI", infra.mongodb_uri)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", infra.kafka_bootstrap)
    monkeypatch.setenv("NOTIFICATIONS_MONGODB_DATABASE", name)
    yield name
    MongoClient(infra.mongodb_uri).drop_database(name)


@pytest.fixture
def notifications_db(infra: Any, notifications_db_name: str) -> Database:
    return MongoClient(infra.mongodb_uri, tz_aware=True)[notifications_db_name]


@pytest.fixture
def notifications_app(notifications_db_name: str) -> Flask:
    return create_app()


@pytest.fixture
def notifications(notifications_app: Flask) -> FlaskClient:
    return notifications_app.test_client()


# ---------------------------------------------------------------------- people
def person(
    subject: str,
    *roles: Role,
    email: str = "",
    verified: bool = True,
    enterprise_id: str | None = None,
    centre: str | None = None,
) -> dict[str, str]:
    """The Authorization header of a signed-in person; ``verified`` is the token's ``email_verified``."""
    principal = Principal(
        subject,
        frozenset(roles),
        name=subject,
        email=email,
        email_verified=verified and bool(email),
        enterprise_id=enterprise_id,
        centre=centre,
    )
    return {"Authorization": f"Bearer {CODEC.encode(principal)}"}


# ---------------------------------------------------------------------- notices
SUBJECTS = {
    "bg": "Заявлението на „{name}“ е одобрено",
    "en": "The application of “{name}” is approved",
}


def fake_render(message: str, language: str | None, context: Any) -> Rendered:
    """A renderer independent of the real templates: the subject in the language, the values in the body."""
    subject = SUBJECTS.get(language or "bg", SUBJECTS["bg"]).format(**context)
    text = f"{subject}.\nСъобщение: {message}\n"
    return Rendered(subject=subject, text=text, html=f"<p><strong>{subject}</strong></p><p>{message}</p>")


def notice(
    recipient_key: str = "email:elena@dobroutro.example.bg",
    email_address: str | None = "elena@dobroutro.example.bg",
    *,
    event_id: str | None = None,
    language: str = "bg",
    name: str = "Елена Георгиева",
    occurred_at: datetime | None = None,
    **context: Any,
) -> Notice:
    return Notice(
        event_id=event_id or str(uuid.uuid4()),
        event_type="registry.ApplicationApproved",
        message="application_approved",
        category="registry",
        legal=True,
        recipient=Recipient(key=recipient_key, email=email_address, name=name, language=language),
        occurred_at=occurred_at or datetime(2026, 5, 4, 9, 30, tzinfo=UTC),
        context={"name": "Добро утро", **context},
    )


class Crash(BaseException):
    """The process dies here: nothing after this point runs, nothing catches it."""


def deliver_dying_after_the_hints(deliveries: Any, notices: list[Notice], monkeypatch: pytest.MonkeyPatch) -> None:
    """``deliveries.deliver(notices)`` as a consumer killed after writing the intents' due hints, before the intents."""
    real_insert = attempts.insert_new

    def hints_only(collection: Any, documents: Any) -> list[bool]:
        if collection.name == DELIVERIES:
            raise Crash
        return real_insert(collection, documents)

    monkeypatch.setattr(attempts, "insert_new", hints_only)
    try:
        with pytest.raises(Crash):
            deliveries.deliver(notices)
    finally:
        monkeypatch.setattr(attempts, "insert_new", real_insert)
