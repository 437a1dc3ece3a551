"""E-mail over SMTP with smtplib: STARTTLS and login when configured, a text part and an HTML alternative.

Headers are UTF-8 and RFC 2047-encoded (a Bulgarian subject or sender name travels as ``=?utf-8?...?=``),
bodies are base64, so the message is 7-bit clean for any server. ``on_accepted`` is called
as soon as the server has answered 250 to the end of DATA, so the caller can record the delivery at once.

Sessions are reused: after a message the session waits, open, for the next ``send`` of any thread (at most
``keep_open`` sessions wait, each for ``KEEP_OPEN_SECONDS`` and ``MESSAGES_PER_SESSION`` messages at most),
so a burst of e-mails costs one connection, greeting, STARTTLS and login per sending thread rather than per
message. A session the server has closed meanwhile (its socket readable: the server's goodbye) is replaced
without a round trip, however short the wait; one that waited more than ``CHECK_AFTER_SECONDS`` is checked with
``RSET`` first (a server may have dropped it silently) and replaced when it does not answer; a session that
failed in any way is closed, never reused. A failing ``QUIT`` cannot undo an accepted message and is ignored.

Errors are sorted for the caller: a 5xx reply to the sender, a recipient or the content is permanent;
everything else (4xx replies, refused or dropped connections, timeouts, TLS trouble, a refused login —
a configuration fault that an operator fixes) is transient.
"""

from __future__ import annotations

import contextlib
import select
import smtplib
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email import errors as email_errors
from email import policy
from email.header import Header
from email.headerregistry import Address
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from functools import cache

from services.notifications.config import SmtpSettings
from services.notifications.service_layer.delivering import PermanentSendError, SendError, TransientSendError

WIRE_POLICY = policy.compat32.clone(linesep="\r\n")
"""How a message is written for SMTP. The headers are encoded before they are set, so the writer has only to
copy them: the standard policy parsed and refolded every header of every message, 2 ms of CPU an e-mail."""
QUIT_TIMEOUT_SECONDS = 5.0
KEEP_OPEN_SECONDS = 20.0
"""How long a session waits, open, for the next message (servers close idle ones after a minute or more)."""
CHECK_AFTER_SECONDS = 1.0
"""A session idle longer than this is checked (``RSET``) before it carries a message."""
MESSAGES_PER_SESSION = 100
"""Messages one session carries before it is closed (servers limit them per session)."""


def build_message(sender: str, to: str, to_name: str, subject: str, text: str, html: str, message_id: str) -> bytes:
    """The e-mail as it goes on the wire: 7-bit, non-ASCII headers as UTF-8 encoded words, bodies in base64.

    A long subject is split into several encoded words, each of whole characters and with its spaces inside,
    so a reader joins them into exactly the subject (RFC 2047). A name travels on one line whatever it holds:
    line breaks and other control characters are taken out before it is written, so no header can be added
    through it."""
    try:
        Address(display_name="", addr_spec=to)
    except (ValueError, IndexError, email_errors.HeaderParseError) as exc:
        raise PermanentSendError(f"not a valid e-mail address: {to!r}") from exc
    if not to.isascii():  # an international domain needs SMTPUTF8, which the platform does not ask servers for
        raise PermanentSendError(f"not a valid e-mail address: {to!r} (only ASCII addresses are sent)")
    message = MIMEMultipart("alternative")
    message["To"] = formataddr((_one_line(to_name), to), charset="utf-8")
    message["From"] = _from_header(sender)
    message["Subject"] = Header(_one_line(subject), "utf-8", header_name="Subject")
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message.attach(MIMEText(text, "plain", "utf-8"))
    message.attach(MIMEText(html, "html", "utf-8"))
    return message.as_bytes(policy=WIRE_POLICY)


@cache
def _from_header(sender: str) -> str:
    """The ``From`` header of the configured sender, encoded once (it is the same on every e-mail)."""
    name, address = parseaddr(sender)
    return formataddr((_one_line(name), address), charset="utf-8")


def _one_line(value: str) -> str:
    """``value`` on one line: any run of whitespace (line breaks too) one space, other control characters gone."""
    return "".join(ch for ch in " ".join(value.split()) if ch.isprintable())


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {text}".strip()


def _by_code(code: int, reply: bytes | str, what: str) -> SendError:
    kind = PermanentSendError if 500 <= code <= 599 else TransientSendError
    return kind(f"{what}: {_reply(code, reply)}")


def classify(exc: OSError) -> SendError:
    """What an smtplib or socket error means for the delivery (smtplib's errors are OSErrors too)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()), (-1, b""))
        return _by_code(code, reply, "recipient refused")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return _by_code(exc.smtp_code, exc.smtp_error, "sender refused")
    if isinstance(exc, smtplib.SMTPDataError):
        return _by_code(exc.smtp_code, exc.smtp_error, "message refused")
    if isinstance(exc, smtplib.SMTPResponseException):  # greeting, HELO, AUTH, STARTTLS: the set-up, not the mail
        return TransientSendError(f"{type(exc).__name__}: {_reply(exc.smtp_code, exc.smtp_error)}")
    return TransientSendError(f"{type(exc).__name__}: {exc}")


@dataclass
class _Session:
    smtp: smtplib.SMTP
    used_at: float
    messages: int = 0


class SmtpSender:
    def __init__(
        self,
        settings: SmtpSettings,
        *,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
        keep_open: int = 8,
    ) -> None:
        self._settings = settings
        self._timeout = timeout
        self._ssl_context = ssl_context
        self._envelope_sender = parseaddr(settings.sender)[1]
        self._keep_open = keep_open
        self._waiting: list[_Session] = []
        self._lock = threading.Lock()

    @property
    def domain(self) -> str:
        """The sender address's domain (for Message-IDs)."""
        return self._envelope_sender.rpartition("@")[2]

    def send(
        self,
        to: str,
        subject: str,
        text: str,
        html: str,
        message_id: str,
        *,
        to_name: str = "",
        on_accepted: Callable[[], None] | None = None,
    ) -> None:
        """Send one e-mail; raises TransientSendError or PermanentSendError when it was not accepted."""
        message = build_message(self._settings.sender, to, to_name, subject, text, html, message_id)
        session = self._reused() or _Session(self._open(), time.monotonic())
        try:
            session.smtp.sendmail(self._envelope_sender, [to], message)
        except OSError as exc:
            _close(session.smtp)
            raise classify(exc) from exc
        session.messages += 1
        try:
            if on_accepted is not None:
                on_accepted()
        finally:
            self._put_back(session)

    def close(self) -> None:
        """Say goodbye on every waiting session."""
        with self._lock:
            waiting, self._waiting = self._waiting, []
        for session in waiting:
            _close(session.smtp)

    def _open(self) -> smtplib.SMTP:
        settings = self._settings
        try:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=self._timeout)
        except OSError as exc:
            raise classify(exc) from exc
        try:
            smtp.ehlo()
            if settings.starttls:
                smtp.starttls(context=self._ssl_context or ssl.create_default_context())
                smtp.ehlo()
            if settings.username:
                smtp.login(settings.username, settings.password)
        except OSError as exc:
            _close(smtp)
            raise classify(exc) from exc
        return smtp

    def _reused(self) -> _Session | None:
        """The most recently used waiting session still worth using, checked if it waited long; None if none."""
        while True:
            now = time.monotonic()
            with self._lock:
                if not self._waiting:
                    return None
                session = self._waiting.pop()
            if now - session.used_at > KEEP_OPEN_SECONDS or _closed_by_server(session.smtp):
                _close(session.smtp)
                continue
            if now - session.used_at > CHECK_AFTER_SECONDS and not _answers(session.smtp, self._timeout):
                _close(session.smtp)  # the server closed it meanwhile, or hangs
                continue
            return session

    def _put_back(self, session: _Session) -> None:
        session.used_at = time.monotonic()
        if session.messages < MESSAGES_PER_SESSION:
            with self._lock:
                if len(self._waiting) < self._keep_open:
                    self._waiting.append(session)
                    return
        _close(session.smtp)


def _closed_by_server(smtp: smtplib.SMTP) -> bool:
    """Whether the server has closed a waiting session, or said something unasked (a 421 before closing): its
    socket is readable. Looked at without a round trip before every reuse, however short the wait was."""
    if smtp.sock is None:
        return True
    try:
        readable, _, _ = select.select([smtp.sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _answers(smtp: smtplib.SMTP, timeout: float) -> bool:
    """Whether a waiting session still answers ``RSET`` (within a short wait: a new session is cheaper)."""
    if smtp.sock is None:
        return False
    try:
        smtp.sock.settimeout(min(timeout, QUIT_TIMEOUT_SECONDS))
        code, _ = smtp.rset()
        smtp.sock.settimeout(timeout)
    except OSError:
        return False
    return code == 250


def _close(smtp: smtplib.SMTP) -> None:
    """Say goodbye if the server is still listening; never let the goodbye fail a send."""
    with contextlib.suppress(OSError):
        if smtp.sock is not None:
            smtp.sock.settimeout(QUIT_TIMEOUT_SECONDS)
            smtp.quit()
    smtp.close()
