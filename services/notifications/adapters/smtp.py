"""E-mail over SMTP with smtplib: STARTTLS and login when configured, a text part and an HTML alternative.

Headers are UTF-8 and RFC 2047-encoded (a Bulgarian subject or sender name travels as ``=?utf-8?...?=``),
bodies are base64 or quoted-printable, so the message is 7-bit clean for any server. Each ``send`` is one SMTP
session. ``on_accepted`` is called as soon as the server has answered 250 to the end of DATA, before the
``QUIT``, so the caller can record the delivery without waiting for the goodbye; a failing ``QUIT`` cannot
undo an accepted message and is ignored.

Errors are sorted for the caller: a 5xx reply to the sender, a recipient or the content is permanent;
everything else (4xx replies, refused or dropped connections, timeouts, TLS trouble, a refused login —
a configuration fault that an operator fixes) is transient.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from email import errors as email_errors
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from services.notifications.config import SmtpSettings
from services.notifications.service_layer.delivering import PermanentSendError, SendError, TransientSendError

# Headers are not folded below RFC 5322's 998 characters: Python folds a long encoded subject between two
# encoded words, where readers drop the space (RFC 2047), so "Шивашка кооперация" would arrive joined.
POLICY = policy.default.clone(cte_type="7bit", max_line_length=998)
"""UTF-8 encoded words in headers, base64 or quoted-printable bodies: nothing needs 8BITMIME or SMTPUTF8."""
QUIT_TIMEOUT_SECONDS = 5.0


def build_message(
    sender: str, to: str, to_name: str, subject: str, text: str, html: str, message_id: str
) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    try:
        message["To"] = Address(display_name=to_name, addr_spec=to)
    except (ValueError, IndexError, email_errors.HeaderParseError) as exc:
        raise PermanentSendError(f"not a valid e-mail address: {to!r}") from exc
    message["From"] = sender
    message["Subject"] = " ".join(subject.split())  # one line, whatever the template left in it
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


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


class SmtpSender:
    def __init__(
        self, settings: SmtpSettings, *, timeout: float = 30.0, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self._settings = settings
        self._timeout = timeout
        self._ssl_context = ssl_context
        self._envelope_sender = parseaddr(settings.sender)[1]

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
        settings = self._settings
        try:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=self._timeout)
        except OSError as exc:
            raise classify(exc) from exc
        try:
            try:
                smtp.ehlo()
                if settings.starttls:
                    smtp.starttls(context=self._ssl_context or ssl.create_default_context())
                    smtp.ehlo()
                if settings.username:
                    smtp.login(settings.username, settings.password)
                smtp.send_message(message, from_addr=self._envelope_sender, to_addrs=[to])
            except OSError as exc:
                raise classify(exc) from exc
            if on_accepted is not None:
                on_accepted()
        finally:
            _close(smtp)


def _close(smtp: smtplib.SMTP) -> None:
    """Say goodbye if the server is still listening; never let the goodbye fail a send."""
    with contextlib.suppress(OSError):
        if smtp.sock is not None:
            smtp.sock.settimeout(QUIT_TIMEOUT_SECONDS)
            smtp.quit()
    smtp.close()
