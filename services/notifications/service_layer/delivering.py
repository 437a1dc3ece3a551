"""Delivering notices: each (event, recipient, channel) at most once, with a status history; and the inbox.

**Who does what.** The consumer (and the scheduler, for reminders) only *records*: the inbox message and
the e-mail's intent, both local writes, so a slow or absent mail server never holds a Kafka partition nor
delays the inbox. The sender process (``service_layer.sending``) claims due intents and sends them.

**In-app inbox.** The inbox message's ``_id`` is ``<delivery key>:inbox``: inserting it *is* the delivery,
and a duplicate key (a replayed topic, a second replica) means it was delivered already.

**E-mail.** Four steps, each one single-document write or the SMTP transaction:

1. *Intent* (:meth:`DeliveryService.deliver`). Insert the delivery (``_id`` = ``<delivery key>:email``,
   status ``pending``) with everything the e-mail needs: the rendered subject, text and HTML, the address and
   a ``Message-ID`` derived from the delivery id. A duplicate key means another run (a replay, another
   replica) owns it: nothing more to do.
2. *Claim* (:meth:`DeliveryService.attempt`, run by the sender). One conditional update moves it to
   ``sending`` with a fresh claim id, only if it is ``pending`` or ``retrying`` and due, or ``sending`` under
   a claim older than ``claim_timeout`` (its sender died). Of two claimants exactly one wins, so only one
   sender replica ever sends a given attempt.
3. *Send* over SMTP.
4. *Record.* Conditional on the claim id: ``sent``; or ``retrying`` with a jittered exponential
   ``next_attempt_at`` for a transient error (4xx reply, connection trouble, a timeout) until
   ``max_attempts``, then ``failed``; or ``failed`` with the server's reply for a permanent (5xx) one. Every
   change appends to ``history``. The sender picks due and abandoned deliveries again by itself.

**The remaining window (at-least-once for SMTP).** SMTP has no idempotent submission: once the client has
sent the end of DATA, the server may have queued the message, and only its ``250`` reply tells us so.

- If the sender dies (or loses MongoDB) after the ``250`` and before the ``sent`` update is acknowledged,
  the delivery stays ``sending``; once its claim is older than ``claim_timeout`` a sender sends it
  AGAIN. That window is kept to one single-document update: ``sent`` is written from the sender's
  ``on_accepted`` callback, right after the ``250`` and before the SMTP ``QUIT``.
- If the ``250`` itself is lost (the connection drops or times out after the final dot), the attempt
  counts as transient and is retried, although the server may have queued the first copy (RFC 1047).
- A sender still inside its SMTP session after ``claim_timeout`` (far above the SMTP socket timeout) can be
  overtaken by another sender.

A re-sent e-mail carries the same ``Message-ID`` (and the same content, stored with the intent), so mail
systems and clients that de-duplicate by ``Message-ID`` show it once. A crash at any other point loses
nothing and duplicates nothing: before the claim, the ``pending`` intent is picked up by a sender;
between the claim and the end of DATA, the server has not got the message.
"""

from __future__ import annotations

import hashlib
import logging
import random
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from services.notifications.domain.notice import Notice
from services.notifications.domain.preferences import Preferences, apply
from services.notifications.domain.rendering import Rendered
from shared.auth import Principal, Role
from shared.auth.principal import NATIONAL
from shared.clock import Clock
from shared.errors import Forbidden, NotFound, Text, Unauthorized

log = logging.getLogger(__name__)

EMAIL = "email"
INBOX = "inbox"
NO_SUCH_MESSAGE = Text("Няма такова съобщение.", "No such message.")
SIGN_IN = Text("Необходим е вход в системата.", "Sign-in is required.")
UNVERIFIED_EMAIL = Text(
    "Адресът на електронната Ви поща не е потвърден. Потвърдете го при доставчика на самоличност и влезте "
    "отново, за да четете известията и настройките си.",
    "Your e-mail address is not verified. Verify it with your identity provider and sign in again to read "
    "your notifications and settings.",
)


def verified_email_key(principal: Principal) -> str | None:
    """The person's ``email:`` key, only when the token vouches for the address; a claimed but unverified
    address is refused (403): messages and preferences kept under an address belong to its owner."""
    if not principal.email.strip():
        return None
    if not principal.verified_email.strip():
        raise Forbidden(UNVERIFIED_EMAIL)
    return f"email:{principal.verified_email.strip().lower()}"


# ---------------------------------------------------------------------- data
class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    RETRYING = "retrying"
    FAILED = "failed"


@dataclass(frozen=True)
class StatusChange:
    status: DeliveryStatus
    at: datetime
    reason: str | None = None


@dataclass
class Delivery:
    """One e-mail to one recipient about one event: the intent, its state and its history."""

    id: str
    delivery_key: str
    channel: str
    event_id: str
    event_type: str
    message: str
    recipient_key: str
    to: str
    to_name: str
    language: str
    subject: str
    text: str
    html: str
    message_id: str
    status: DeliveryStatus
    created_at: datetime
    updated_at: datetime
    next_attempt_at: datetime | None
    attempts: int = 0
    claim_id: str | None = None
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    history: list[StatusChange] = field(default_factory=list)


@dataclass(frozen=True)
class InboxMessage:
    id: str
    owner: str
    subject: str
    text: str
    html: str
    event_type: str
    message: str
    created_at: datetime
    read_at: datetime | None = None
    summary: str = ""
    """The message itself, short: without greeting, signature and e-mail footer ("" on older messages)."""
    link: str | None = None
    """The portal's page of what it is about (the application, the order...), a path."""
    event_id: str = ""
    occurred_at: datetime | None = None
    thread: str | None = None
    """A message of a thread is replaced by a newer event's (same id), unread again; never by an older one."""


@dataclass(frozen=True)
class InboxPage:
    items: list[InboxMessage]
    more: bool
    """Whether messages follow the last one (then it is where the next page starts)."""


# ---------------------------------------------------------------------- sending errors
class SendError(Exception):
    """The e-mail was not accepted; the message says why (the server's reply where there was one)."""


class TransientSendError(SendError):
    """Worth trying again later: a 4xx reply, no connection, a timeout."""


class PermanentSendError(SendError):
    """Trying again will not help: a 5xx reply to the sender, recipient or content, a malformed address."""


# ---------------------------------------------------------------------- ports
Renderer = Callable[[str, str | None, Mapping[str, Any]], Rendered]
PreferencesLookup = Callable[[str], Preferences | None]
"""A recipient's preferences by owner key; ``None`` when they set none (everything, in the event's language)."""
ManyPreferencesLookup = Callable[[list[str]], Mapping[str, Preferences | None]]
"""The preferences of several owner keys at once (each key present, ``None`` when they set none)."""


class Sender(Protocol):
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
        """Send one e-mail; call ``on_accepted`` as soon as the server has accepted it (before closing).

        Raises TransientSendError or PermanentSendError when it was not accepted; an exception raised by
        ``on_accepted`` propagates unchanged.
        """


class Deliveries(Protocol):
    def add_intent(self, delivery: Delivery) -> bool:
        """Insert a new delivery; False when one with its id exists already."""

    def add_intents(self, deliveries: list[Delivery]) -> list[bool]:
        """``add_intent`` for each (in bulk): whether each was inserted now."""

    def claim(self, delivery_id: str, claim_id: str, now: datetime, stale_before: datetime) -> Delivery | None:
        """Take the delivery for one attempt (``sending``, attempts + 1), or None when it is not claimable."""

    def claim_many(self, delivery_ids: list[str], now: datetime) -> tuple[list[tuple[Delivery, str]], list[str]]:
        """Claim those of the last looks' deliveries that are due, in bulk: the deliveries won with their claim
        ids, and the ids to claim one by one with :meth:`claim` (abandoned claims, and those the look knew
        only by id)."""

    def release(self, claims: list[tuple[str, str]], now: datetime) -> None:
        """Give back claims (delivery id, claim id) whose attempts were never started."""

    def mark_sent(self, delivery_id: str, claim_id: str, now: datetime) -> bool: ...

    def mark_retrying(
        self, delivery_id: str, claim_id: str, now: datetime, next_attempt_at: datetime, reason: str
    ) -> bool: ...

    def mark_failed(self, delivery_id: str, claim_id: str, now: datetime, reason: str) -> bool: ...

    def due(self, now: datetime, stale_before: datetime | None, limit: int) -> list[str]:
        """Ids of deliveries to attempt: pending or retrying ones due by ``now``, abandoned sending ones
        (claimed before ``stale_before``; none looked for when it is None).

        Pending and retrying ones come first, the longest-waiting first."""

    def get(self, delivery_id: str) -> Delivery | None: ...


class Inbox(Protocol):
    def add(self, message: InboxMessage) -> bool:
        """Insert the message; False when it is there already. A thread's message replaces the one there
        when it comes from a newer event (then True)."""

    def add_many(self, messages: list[InboxMessage]) -> list[bool]:
        """``add`` for each (in bulk): whether each was added now."""

    def page(
        self, owners: list[str], unread_only: bool, limit: int, after: tuple[datetime, str] | None
    ) -> InboxPage: ...

    def unread_count(self, owners: list[str]) -> int: ...

    def mark_read(self, message_id: str, owners: list[str], now: datetime) -> InboxMessage | None:
        """Mark one of the owners' messages read (the first reading time is kept); None if not theirs."""

    def mark_all_read(self, owners: list[str], now: datetime) -> int: ...


# ---------------------------------------------------------------------- policy
@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 12
    """Attempts in all, the first included; with the defaults the last one is about an hour and a half in."""
    base_delay: timedelta = timedelta(seconds=15)
    max_delay: timedelta = timedelta(minutes=15)

    def delay(self, failed_attempts: int, rng: random.Random) -> timedelta:
        """Exponential in the number of failed attempts, capped, with the upper half jittered."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** max(failed_attempts - 1, 0))
        return ceiling * rng.uniform(0.5, 1.0)


def delivery_id(notice: Notice, channel: str) -> str:
    return f"{notice.delivery_key}:{channel}"


def message_id_for(delivery_id: str, domain: str) -> str:
    """The ``Message-ID`` of a delivery's e-mail: the same on every attempt, no address in it."""
    digest = hashlib.sha256(delivery_id.encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def inbox_owner(recipient_key: str) -> str:
    """Inbox owners as :func:`owner_keys` spells them: an e-mail key's address lower-cased."""
    kind, _, value = recipient_key.partition(":")
    return f"{kind}:{value.lower()}" if kind == "email" else recipient_key


def owner_keys(principal: Principal) -> list[str]:
    """Whose inbox a signed-in person reads: their own, their enterprise's and their centre's.

    Their address's messages only when the token says the address is verified (an unverified one: 403).
    """
    if not principal.is_authenticated:
        raise Unauthorized(SIGN_IN)
    keys = [f"user:{principal.subject}"]
    email_key = verified_email_key(principal)
    if email_key:
        keys.append(email_key)
    if Role.REPRESENTATIVE in principal.roles and principal.enterprise_id:
        keys.append(f"enterprise:{principal.enterprise_id}")
    if Role.CLERK in principal.roles and principal.centre:  # a clerk without a centre reads no centre's
        keys.extend(dict.fromkeys([f"centre:{principal.centre}", f"centre:{NATIONAL}"]))
    return keys


class AbandonedClaims:
    """When to look for abandoned claims: a claim counts as abandoned only ``claim_timeout`` after it was made,
    so looking once per tenth of that (not at every look for due deliveries, each second; on FerretDB each look
    reads the whole collection) resends an abandoned delivery at most a tenth of the timeout later."""

    def __init__(self, claim_timeout: timedelta) -> None:
        self.claim_timeout = claim_timeout
        self._looked_at: datetime | None = None

    def stale_before(self, now: datetime) -> datetime | None:
        """The moment claims made before it count as abandoned, when it is time to look for them; else None."""
        last = self._looked_at
        if last is not None and last <= now < last + self.claim_timeout / 10:
            return None
        self._looked_at = now
        return now - self.claim_timeout


# ---------------------------------------------------------------------- use cases
class DeliveryService:
    def __init__(
        self,
        deliveries: Deliveries,
        inbox: Inbox,
        sender: Sender,
        render: Renderer,
        clock: Clock,
        *,
        policy: RetryPolicy | None = None,
        claim_timeout: timedelta = timedelta(minutes=10),
        message_id_domain: str = "solidarityhub.example.bg",
        batch_size: int = 200,
        rng: random.Random | None = None,
        preferences: PreferencesLookup | None = None,
        preferences_many: ManyPreferencesLookup | None = None,
    ) -> None:
        self.deliveries = deliveries
        lookup = preferences or (lambda key: None)
        self._preferences_many = preferences_many or (lambda keys: {key: lookup(key) for key in keys})
        self.inbox = inbox
        self._sender = sender
        self._render = render
        self._clock = clock
        self._policy = policy or RetryPolicy()
        self._claim_timeout = claim_timeout
        self._abandoned = AbandonedClaims(claim_timeout)
        self._domain = message_id_domain
        self._batch_size = batch_size
        self._rng = rng or random.Random()  # noqa: S311  # jitter, not security

    def deliver(self, notices: list[Notice]) -> dict[str, int]:
        """The inbox message for every notice, and the e-mail when the recipient has an address.

        Only records: nothing here waits for a mail server. Counts ``inbox_delivered``, ``inbox_duplicates``,
        ``email_pending`` (an intent recorded for the sender) and ``email_duplicates`` (recorded before).

        The recipient's preferences (:func:`~services.notifications.domain.preferences.apply`) choose the
        language and the channels; nothing at all is recorded for a channel they switched off (counted as
        ``inbox_off``/``email_off``, or ``opted_out`` when the notice goes nowhere).

        The notices may be a whole batch of events' (the consumer's poll): their recipients' preferences are
        read with one query, every message is rendered first, then the inbox messages and the intents are
        each written with bulk inserts, every one keyed by its event and recipient, so a notice delivered
        before (a redelivery, a crash after the inserts and before the offsets were committed) is a
        duplicate that is skipped while the others are written.
        """
        if not notices:
            return {}
        counts: Counter[str] = Counter()
        found = self._preferences_many(list(dict.fromkeys(inbox_owner(n.recipient.key) for n in notices)))
        messages: list[InboxMessage] = []
        intents: list[Delivery] = []
        for notice in notices:
            owner = inbox_owner(notice.recipient.key)
            language, channels = apply(notice, found.get(owner))
            if not channels:
                counts["opted_out"] += 1
                continue
            rendered = self._render(notice.message, language, notice.values)
            now = self._clock.now()
            if INBOX not in channels:
                counts["inbox_off"] += 1
            else:
                messages.append(
                    InboxMessage(
                        id=f"{notice.inbox_key}:{INBOX}",
                        owner=owner,
                        subject=rendered.subject,
                        text=rendered.text,
                        html=rendered.html,
                        event_type=notice.event_type,
                        message=notice.message,
                        created_at=now,
                        summary=rendered.summary,
                        link=notice.link,
                        event_id=notice.event_id,
                        occurred_at=notice.occurred_at,
                        thread=notice.thread,
                    )
                )
            if EMAIL not in channels:
                if notice.recipient.email:
                    counts["email_off"] += 1
                continue
            intents.append(self._intent(notice, rendered, now, language))
        for added in self.inbox.add_many(messages) if messages else []:
            counts["inbox_delivered" if added else "inbox_duplicates"] += 1
        for added in self.deliveries.add_intents(intents) if intents else []:
            counts["email_pending" if added else "email_duplicates"] += 1
        return dict(counts)

    def close_sender(self) -> None:
        """Let the mail sender end the sessions it keeps open (when it keeps any)."""
        close = getattr(self._sender, "close", None)
        if callable(close):
            close()

    def due(self, now: datetime | None = None, limit: int | None = None) -> list[str]:
        """Ids of the e-mails to attempt now: due pending and retrying ones, then abandoned claims (looked for
        once per tenth of the claim timeout, see `AbandonedClaims`)."""
        now = now or self._clock.now()
        return self.deliveries.due(now, self._abandoned.stale_before(now), limit or self._batch_size)

    def send_due(self, now: datetime | None = None) -> int:
        """Attempt every due and abandoned e-mail, one after the other; how many were sent."""
        now = now or self._clock.now()
        return sum(self.attempt(delivery_id, now) == "sent" for delivery_id in self.due(now))

    def _intent(self, notice: Notice, rendered: Rendered, now: datetime, language: str) -> Delivery:
        id_ = delivery_id(notice, EMAIL)
        return Delivery(
            id=id_,
            delivery_key=notice.delivery_key,
            channel=EMAIL,
            event_id=notice.event_id,
            event_type=notice.event_type,
            message=notice.message,
            recipient_key=notice.recipient.key,
            to=notice.recipient.email or "",
            to_name=notice.recipient.name,
            language=language,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            message_id=message_id_for(id_, self._domain),
            status=DeliveryStatus.PENDING,
            created_at=now,
            updated_at=now,
            next_attempt_at=now,
            history=[StatusChange(DeliveryStatus.PENDING, now)],
        )

    def claim_due(
        self, delivery_ids: list[str], now: datetime | None = None
    ) -> tuple[list[tuple[Delivery, str]], list[str]]:
        """Claim found deliveries in bulk (see ``Deliveries.claim_many``); send each with :meth:`attempt_claimed`,
        and :meth:`attempt` the ids left."""
        return self.deliveries.claim_many(delivery_ids, now or self._clock.now())

    def release(self, claims: list[tuple[str, str]]) -> None:
        """Give back claims whose attempts were never started (the sender stops)."""
        if claims:
            self.deliveries.release(claims, self._clock.now())

    def attempt(self, delivery_id: str, now: datetime | None = None) -> str:
        """Claim, send and record one attempt: ``sent``, ``retrying``, ``failed`` or ``not_claimed``."""
        now = now or self._clock.now()
        claim_id = uuid.uuid4().hex
        delivery = self.deliveries.claim(delivery_id, claim_id, now, now - self._claim_timeout)
        if delivery is None:
            return "not_claimed"  # another process has it, or it is not due (any more)
        return self.attempt_claimed(delivery, claim_id, now)

    def attempt_claimed(self, delivery: Delivery, claim_id: str, now: datetime | None = None) -> str:
        """Send and record the attempt of a delivery this process claimed: ``sent``, ``retrying`` or ``failed``."""
        now = now or self._clock.now()
        delivery_id = delivery.id
        if delivery.attempts > self._policy.max_attempts:  # only an abandoned last attempt gets here
            reason = f"attempt {delivery.attempts - 1} never finished; the e-mail may or may not have been sent"
            self.deliveries.mark_failed(delivery_id, claim_id, now, reason)
            return "failed"
        recorded = False

        def record_sent() -> None:
            nonlocal recorded
            recorded = True
            if not self.deliveries.mark_sent(delivery_id, claim_id, self._clock.now()):
                log.warning("delivery %s was sent but its claim had been taken over", delivery_id)

        try:
            self._sender.send(
                delivery.to,
                delivery.subject,
                delivery.text,
                delivery.html,
                delivery.message_id,
                to_name=delivery.to_name,
                on_accepted=record_sent,
            )
        except PermanentSendError as exc:
            self.deliveries.mark_failed(delivery_id, claim_id, now, str(exc))
            return "failed"
        except TransientSendError as exc:
            if delivery.attempts >= self._policy.max_attempts:
                reason = f"{exc} (gave up after {delivery.attempts} attempts)"
                self.deliveries.mark_failed(delivery_id, claim_id, now, reason)
                return "failed"
            next_at = now + self._policy.delay(delivery.attempts, self._rng)
            self.deliveries.mark_retrying(delivery_id, claim_id, now, next_at, str(exc))
            return "retrying"
        if not recorded:
            record_sent()
        return "sent"


class InboxService:
    """A signed-in person's in-app messages: theirs, their enterprise's and their centre's, nobody else's."""

    def __init__(self, inbox: Inbox, clock: Clock) -> None:
        self.inbox = inbox
        self._clock = clock

    def page(
        self, principal: Principal, *, unread_only: bool, limit: int, after: tuple[datetime, str] | None
    ) -> InboxPage:
        """Newest first; ``after`` is the (created_at, id) of the last message of the previous page."""
        return self.inbox.page(owner_keys(principal), unread_only, limit, after)

    def unread_count(self, principal: Principal) -> int:
        return self.inbox.unread_count(owner_keys(principal))

    def mark_read(self, principal: Principal, message_id: str) -> InboxMessage:
        message = self.inbox.mark_read(message_id, owner_keys(principal), self._clock.now())
        if message is None:
            raise NotFound(NO_SUCH_MESSAGE)
        return message

    def mark_all_read(self, principal: Principal) -> int:
        return self.inbox.mark_all_read(owner_keys(principal), self._clock.now())
