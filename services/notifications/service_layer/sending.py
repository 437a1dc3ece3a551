"""The sender: delivers the e-mails and webhook calls the consumer recorded, outside any Kafka handler.

The consumer only records intents (``delivering``, ``webhooks``); this loop, in its own process
(``notifications-sender``), claims the due ones and makes the calls on a bounded pool of threads:

- **Bounded concurrency.** At most ``concurrency`` calls at once, and at most ``per_destination`` of them to
  one destination (the SMTP server, or one webhook host), so one slow destination can hold only part of
  the pool and the others keep flowing.
- **Timeouts per destination** are the adapters' (``SMTP_TIMEOUT_SECONDS``, ``WEBHOOK_TIMEOUT_SECONDS``).
- **Circuit breaking per destination.** After ``breaker_failures`` transient failures in a row (no
  connection, a timeout, a 4xx SMTP or 5xx HTTP reply) the destination is skipped for ``breaker_cooldown``
  seconds: its deliveries stay due in the database, untouched (no attempt is spent on them), and are left
  out of the queries, so they never crowd out the others. After the cool-down one call probes it: success
  closes the circuit, failure opens it again.
- **Retries** follow each delivery's own backoff (``next_attempt_at``, seconds to minutes, bounded), picked
  up by the next round: no scheduler pass is needed.
- **Two replicas** are safe: each attempt is one conditional claim on the delivery document (with a claim
  timeout for a sender that died), so of two senders exactly one makes a given attempt.
- **One look for many e-mails, claimed in bulk.** A look for due e-mails (a query of their due hints, see
  ``adapters.attempts``) returns up to ``lookahead`` ids, queued in this process; they are claimed ``claim_batch``
  at a time with one command (``DeliveryService.claim_due``), and the pool is refilled from the claimed ones as
  calls finish. The database is asked again only when the queue is empty. A queued id that another sender took
  meanwhile is simply not won; claims not attempted when the sender stops are given back (due again at once).
- **Looks bounded by time, not by calls.** A finished call wakes the loop to refill the pool, but it looks
  again for due e-mails (once the queue is empty) or webhook calls only when ``poll_seconds`` passed since
  its last look, the last look was full (more are waiting), or, for webhooks, a webhook call finished (its
  host has room again). Before, each finished e-mail cost three more queries (the webhook subscriptions and
  two looks for due webhook calls), each a read of a whole collection on FerretDB. Something recorded just
  after a look waits at most ``poll_seconds``, as it always did while the sender was idle.
- **Idle looks for e-mails every quarter second** (``email_poll_seconds``), as long as a look takes at most a
  quarter of that (four times the last look's time otherwise, up to ``poll_seconds``): an e-mail recorded
  while the sender is idle waits an eighth of a second on average, not half a second (the look read the few
  hints of e-mails waiting; a backlog of retries makes each look longer, and the looks rarer).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum

from services.notifications.service_layer.delivering import Delivery, DeliveryService
from services.notifications.service_layer.webhooks import WebhookService

log = logging.getLogger(__name__)

EMAIL, WEBHOOK = "email", "webhook"
FAILED_TRANSIENTLY = "retrying"
"""The attempt's outcome that counts against its destination (the others show the destination answered)."""


@dataclass(frozen=True)
class SenderSettings:
    concurrency: int = 8
    per_destination: int = 0
    """Calls in flight to one destination; 0: half the pool (at least one)."""
    breaker_failures: int = 5
    breaker_cooldown: float = 30.0
    poll_seconds: float = 1.0
    """How long the loop waits for work when it found none (a finished call wakes it at once)."""
    email_poll_seconds: float = 0.25
    """How often the idle loop looks for due e-mails: a read of their due hints, few while it is idle (looks that
    take longer come less often, at most ``poll_seconds`` apart)."""
    lookahead: int = 200
    """Due e-mails one look fetches for the queue."""
    claim_batch: int = 40
    """Queued e-mails claimed in one command (kept claimed in this process until the pool takes them)."""

    @property
    def destination_limit(self) -> int:
        return self.per_destination or max(1, self.concurrency // 2)


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class Breaker:
    """One destination's circuit: closed (calls flow), open (skipped until the cool-down ends), half-open (one
    probing call at a time)."""

    def __init__(self, failures: int, cooldown: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._threshold = max(1, failures)
        self._cooldown = cooldown
        self._monotonic = monotonic
        self._failures = 0
        self._opened_at: float | None = None

    @property
    def state(self) -> CircuitState:
        if self._opened_at is None:
            return CircuitState.CLOSED
        if self._monotonic() - self._opened_at < self._cooldown:
            return CircuitState.OPEN
        return CircuitState.HALF_OPEN

    def allowed(self, limit: int) -> int:
        """How many calls may be in flight to the destination now."""
        return {CircuitState.CLOSED: limit, CircuitState.OPEN: 0, CircuitState.HALF_OPEN: 1}[self.state]

    def succeeded(self) -> None:
        self._failures = 0
        self._opened_at = None

    @property
    def cooldown(self) -> float:
        return self._cooldown

    def failed(self) -> bool:
        """Count a failure; True when it opened the circuit (a call that fails while it is open keeps it so)."""
        self._failures += 1
        before = self.state
        if before is CircuitState.HALF_OPEN or self._failures >= self._threshold:
            self._opened_at = self._monotonic()
            return before is not CircuitState.OPEN
        return False


Observer = Callable[[str, str, str], None]
"""Told of each attempt: (channel, destination, outcome)."""


class DeliverySender:
    """Fills a thread pool with due deliveries; :meth:`fill` is one round, :meth:`run` loops until stopped."""

    def __init__(
        self,
        deliveries: DeliveryService,
        webhooks: WebhookService,
        settings: SenderSettings,
        *,
        email_destination: str = "smtp",
        observe: Observer | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._deliveries = deliveries
        self._webhooks = webhooks
        self.settings = settings
        self._email_destination = email_destination
        self._observe = observe or (lambda channel, destination, outcome: None)
        self._monotonic = monotonic
        self._pool = ThreadPoolExecutor(max(1, settings.concurrency), thread_name_prefix="notifications-sender")
        self._lock = threading.Lock()
        self._in_flight: dict[str, str] = {}
        self._busy: Counter[str] = Counter()
        self._breakers: dict[str, Breaker] = {}
        self.outcomes: Counter[str] = Counter()
        self.wake = threading.Event()
        self._queued: deque[str] = deque()
        """Due e-mails found by the last look, not yet claimed."""
        self._claimed: deque[tuple[str, tuple[Delivery, str] | None]] = deque()
        """E-mails claimed in bulk (with their claim), or to claim one by one (None), not yet submitted."""
        self._looked_at = float("-inf")
        self._look_seconds = 0.0
        """How long the last look for due e-mails took."""
        self._emails_left = False
        """Whether the last look for e-mails was full: more may be due than it returned."""
        self._webhooks_looked_at = float("-inf")
        self._webhooks_left = False
        """Whether a look for webhook calls is due before ``poll_seconds`` pass: the last one was full, or a
        webhook call finished since (its host has room again)."""

    # ------------------------------------------------------------------ state
    def breaker(self, destination: str) -> Breaker:
        with self._lock:
            return self._breaker(destination)

    def _breaker(self, destination: str) -> Breaker:
        if destination not in self._breakers:
            self._breakers[destination] = Breaker(
                self.settings.breaker_failures, self.settings.breaker_cooldown, self._monotonic
            )
        return self._breakers[destination]

    def _room(self, destination: str) -> int:
        allowed = self._breaker(destination).allowed(self.settings.destination_limit)
        return max(0, allowed - self._busy[destination])

    def in_flight(self) -> int:
        with self._lock:
            return len(self._in_flight)

    def open_circuits(self) -> list[str]:
        with self._lock:
            return sorted(d for d, b in self._breakers.items() if b.state is not CircuitState.CLOSED)

    # ------------------------------------------------------------------ one round
    def fill(self) -> int:
        """Submit due deliveries while the pool and their destinations have room; how many were submitted."""
        submitted = 0
        with self._lock:
            free = self.settings.concurrency - len(self._in_flight)
            email_room = self._room(self._email_destination)
        if free > 0 and email_room > 0:
            submitted += self._fill_emails()
        with self._lock:
            free = self.settings.concurrency - len(self._in_flight)
            skip = [d for d in self._breakers if self._room(d) <= 0]
        if free > 0 and (self._webhooks_left or self._polled(self._webhooks_looked_at)):
            self._webhooks_looked_at = self._monotonic()
            self._webhooks_left = False
            limit = free + self.settings.concurrency
            due = self._webhooks.due(limit=limit, skip_destinations=skip)
            self._webhooks_left = self._webhooks_left or len(due) >= limit  # or a call finished meanwhile
            for delivery_id, destination in due:
                if self._submit(WEBHOOK, delivery_id, destination):
                    submitted += 1
        return submitted

    def _polled(self, looked_at: float, interval: float | None = None) -> bool:
        """Whether ``interval`` (``poll_seconds``) passed since a look at ``looked_at``."""
        return self._monotonic() - looked_at >= (self.settings.poll_seconds if interval is None else interval)

    def _email_interval(self) -> float:
        """Seconds between looks for due e-mails: ``email_poll_seconds``, or four times what the last look took
        (on FerretDB a look reads every hint: many while e-mails wait for their next attempt), at most
        ``poll_seconds``."""
        settings = self.settings
        return min(settings.poll_seconds, max(settings.email_poll_seconds, 4 * self._look_seconds))

    def _until_next_look(self) -> float:
        """Seconds until a look is due by time (the sooner of the e-mails' and the webhooks')."""
        now = self._monotonic()
        emails = self._email_interval() - (now - self._looked_at)
        webhooks = self.settings.poll_seconds - (now - self._webhooks_looked_at)
        return min(self.settings.poll_seconds, max(0.01, min(emails, webhooks)))

    def look_now(self) -> None:
        """Let the next round look for due e-mails and webhook calls whenever it last looked."""
        self._looked_at = self._webhooks_looked_at = float("-inf")

    def _fill_emails(self) -> int:
        """Submit queued e-mails while there is room, claiming them in bulk, and looking for due ones when the
        queue is empty and either the last look was full or its interval passed since it (a queue is not
        replaced while it lasts: each look reads every hint of a due e-mail, content and all)."""
        if not self._queued and (self._emails_left or self._polled(self._looked_at, self._email_interval())):
            self._looked_at = self._monotonic()
            lookahead = max(self.settings.lookahead, self.settings.concurrency)
            self._queued = deque(self._deliveries.due(limit=lookahead))
            self._look_seconds = self._monotonic() - self._looked_at
            self._emails_left = len(self._queued) >= lookahead
        submitted = 0
        while True:
            if not self._claimed and self._queued:
                self._claim_queued()
            if not self._claimed:
                return submitted
            delivery_id, claimed = self._claimed[0]
            if not self._submit(EMAIL, delivery_id, self._email_destination, claimed):
                return submitted  # no room now: it waits at the head of the queue
            self._claimed.popleft()
            submitted += 1

    def _claim_queued(self) -> None:
        """Claim the next queued e-mails (up to ``claim_batch``) in bulk; those the look knew only by id (abandoned
        claims) are claimed one by one as they are attempted. Ids in flight here are left out."""
        ids: list[str] = []
        while self._queued and len(ids) < self.settings.claim_batch:
            delivery_id = self._queued.popleft()
            with self._lock:
                if delivery_id in self._in_flight:
                    continue
            ids.append(delivery_id)
        if not ids:
            return
        won, rest = self._deliveries.claim_due(ids)
        self._claimed.extend((delivery.id, (delivery, claim_id)) for delivery, claim_id in won)
        self._claimed.extend((delivery_id, None) for delivery_id in rest)

    def _submit(
        self, channel: str, delivery_id: str, destination: str, claimed: tuple[Delivery, str] | None = None
    ) -> bool:
        with self._lock:
            full = len(self._in_flight) >= self.settings.concurrency
            if full or delivery_id in self._in_flight or self._room(destination) <= 0:
                return False
            self._in_flight[delivery_id] = destination
            self._busy[destination] += 1
        self._pool.submit(self._attempt, channel, delivery_id, destination, claimed)
        return True

    def _attempt(
        self, channel: str, delivery_id: str, destination: str, claimed: tuple[Delivery, str] | None = None
    ) -> None:
        outcome = "error"
        try:
            if claimed is not None:
                outcome = self._deliveries.attempt_claimed(*claimed)
            else:
                outcome = (self._deliveries if channel == EMAIL else self._webhooks).attempt(delivery_id)
        except Exception:  # the database went away mid-attempt: the claim times out and it is tried again
            log.exception("%s delivery %s: the attempt did not finish", channel, delivery_id)
        finally:
            with self._lock:
                self._in_flight.pop(delivery_id, None)
                self._busy[destination] -= 1
                breaker = self._breaker(destination)
                if outcome == FAILED_TRANSIENTLY:
                    if breaker.failed():
                        log.warning("%s failed repeatedly: skipped for %.0f s", destination, breaker.cooldown)
                elif outcome in ("sent", "failed"):
                    breaker.succeeded()
                if channel == WEBHOOK:
                    self._webhooks_left = True
                self.outcomes[outcome] += 1
            self._observe(channel, destination, outcome)
            self.wake.set()

    # ------------------------------------------------------------------ the loop
    def run(self, stopped: Callable[[], bool], heartbeat: Callable[[], None] = lambda: None) -> None:
        """Fill the pool again whenever a call finishes or ``poll_seconds`` pass, until ``stopped()``; then wait
        for the calls in flight (each bounded by its timeout)."""
        try:
            while not stopped():
                heartbeat()
                self.wake.clear()
                try:
                    self.fill()
                except Exception:  # the database is away: keep the process, try again after a pause
                    log.exception("could not look for due deliveries")
                    self.wake.wait(min(5.0, self.settings.poll_seconds * 5))
                    continue
                self.wake.wait(self._until_next_look())
        finally:
            self.close()

    def close(self) -> None:
        """Wait for the calls in flight, and give back the claims not attempted yet (due again at once)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        unsent = [(delivery_id, claimed[1]) for delivery_id, claimed in self._claimed if claimed is not None]
        self._claimed.clear()
        try:
            self._deliveries.release(unsent)
        except Exception:  # the database is away: they are resent once their claims time out
            log.exception("could not give back %d claimed e-mails", len(unsent))
        self._deliveries.close_sender()

    def drain(self, timeout: float = 30.0) -> None:
        """Rounds until nothing is due or in flight (tests and one-off runs)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.wake.clear()
            self.look_now()
            if self.fill() == 0 and self.in_flight() == 0:
                return
            self.wake.wait(0.2)
