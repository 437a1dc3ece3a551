"""A person's command that lost an optimistic-version race to the platform itself is applied again.

The consumer aligns listings and open quotes with their seller's standing, the scheduler expires quotes
and closes needs: each saves a new version of a record someone may be acting on at the same moment.
The person meant the command for the record as it is, not for the version they happened to read (no
client sends a version to hold on to), so the command is run again on a fresh copy: loaded, checked
and decided anew. A command no longer valid on the fresh copy fails as it would have (say, publishing
an archived listing: 409); only a record changed again and again between attempts answers
``StaleVersion`` (409) in the end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from shared.errors import StaleVersion

T = TypeVar("T")

ATTEMPTS = 6


def on_fresh_copy(command: Callable[[], T]) -> T:
    """Run ``command`` (load, check, decide, save), again on a fresh copy after each lost race."""
    retrying = Retrying(
        retry=retry_if_exception_type(StaleVersion),
        stop=stop_after_attempt(ATTEMPTS),
        wait=wait_random_exponential(multiplier=0.01, max=0.2),
        reraise=True,
    )
    return retrying(command)
