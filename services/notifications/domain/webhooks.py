"""Webhooks for integrators, the rules that need no I/O: signatures, the backoff, disabling, URL checks.

**Signature.** Every delivery carries ``X-Solidarity-Signature: t=<unix seconds>,v1=<hex>``, where ``<hex>`` is
HMAC-SHA256 keyed with the subscription's secret over ``"<t>.<body>"`` (the raw request body). A receiver
recomputes it with :func:`verify`, compares in constant time and refuses a timestamp too far from its clock,
so a captured request cannot be replayed later.

**Retries.** A failed attempt that may succeed later (no connection, a timeout, 5xx, 408, 429) is tried again
after ``base * 2 ** (failed attempts - 1)``, capped at ``max_delay``, until ``max_attempts``.

**Disabling.** A subscription whose endpoint failed ``disable_after`` attempts in a row (over any of its
deliveries; one success resets the count), or that answered ``410 Gone``, is disabled with the reason.

**Addresses.** A webhook URL is ``http`` or ``https`` with a host; the host must resolve only to public
addresses. Loopback is allowed only by a setting (for tests); private, link-local (169.254.x, the cloud
metadata service), multicast, reserved and unspecified addresses never are.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

SIGNATURE_HEADER = "X-Solidarity-Signature"
EVENT_HEADER = "X-Solidarity-Event"
DELIVERY_HEADER = "X-Solidarity-Delivery"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE = 300
"""Seconds a receiver should accept between the signature's timestamp and its own clock."""
MAX_URL_LENGTH = 2000


# ---------------------------------------------------------------------- signatures
def _digest(secret: str, timestamp: int, body: bytes | str) -> str:
    raw = body.encode() if isinstance(body, str) else body
    message = f"{timestamp}.".encode() + raw
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes | str) -> str:
    """The signature header's value: ``t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>``."""
    return f"t={timestamp},{SIGNATURE_VERSION}={_digest(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes | str, now: int, tolerance: int = DEFAULT_TOLERANCE) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` at a time within ``tolerance`` seconds of ``now``."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return False
        elif key == SIGNATURE_VERSION:
            signatures.append(value)
    if timestamp is None or not signatures or abs(now - timestamp) > tolerance:
        return False
    expected = _digest(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)


# ---------------------------------------------------------------------- retries and disabling
@dataclass(frozen=True)
class WebhookPolicy:
    max_attempts: int = 8
    """Attempts per delivery in all, the first included (with the defaults the last is about two hours in)."""
    base_delay: timedelta = timedelta(minutes=1)
    max_delay: timedelta = timedelta(hours=1)
    disable_after: int = 10
    """Failed attempts in a row, over all of a subscription's deliveries, after which it is disabled."""

    def delay(self, failed_attempts: int) -> timedelta:
        """Exponential in the number of failed attempts: base, 2 × base, 4 × base, … capped at ``max_delay``."""
        return min(self.max_delay, self.base_delay * 2 ** max(failed_attempts - 1, 0))

    def schedule(self) -> list[timedelta]:
        """The waits before each retry of one delivery."""
        return [self.delay(n) for n in range(1, self.max_attempts)]

    def disables(self, consecutive_failures: int) -> bool:
        return consecutive_failures >= self.disable_after

    def disabled_reason(self, consecutive_failures: int, last_error: str) -> str:
        return f"disabled after {consecutive_failures} failed deliveries in a row; the last: {last_error}"


GONE = 410


def gone_reason(url: str) -> str:
    return f"disabled because {url} answered 410 Gone"


# ---------------------------------------------------------------------- URLs and addresses
def url_problem(url: str) -> str | None:
    """What is wrong with a webhook URL on its face (scheme, host, credentials), or None."""
    if len(url) > MAX_URL_LENGTH:
        return f"at most {MAX_URL_LENGTH} characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "the URL must start with http:// or https://"
    if not parts.hostname:
        return "the URL has no host"
    if parts.username is not None or parts.password is not None:
        return "the URL must not carry a user name or password"
    if port == 0:
        return "not a valid port"
    if any(ch.isspace() for ch in url):
        return "the URL must not contain spaces"
    return None


def address_problem(address: str, *, allow_loopback: bool) -> str | None:
    """Why a webhook must not be sent to this IP address, or None for a public one."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return None if allow_loopback else f"{ip} is a loopback address"
    if ip.is_link_local:
        return f"{ip} is a link-local address"
    if ip.is_private:
        return f"{ip} is a private address"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global:
        return f"{ip} is not a public address"
    return None
