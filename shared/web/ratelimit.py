"""Abuse limits: public endpoints and signing in are rate-limited per client, with a 429 and ``Retry-After``.

A view is limited by marking it where it is declared, below its route::

    @blp.get("")
    @blp.arguments(RegisterQuerySchema, location="query")
    @public_limit
    def search(query): ...

Every view marked ``@public_limit`` in one application shares one budget per client
(``RATE_LIMIT_PUBLIC``), so a scraper cannot spread its requests over search, entries and exports; views
marked ``@sign_in_limit`` share another (``RATE_LIMIT_SIGN_IN``). Limits are strings of the ``limits``
library, e.g. ``120/minute`` or ``10/second;300/hour``; each is a moving window (a client's requests of the
last minute count, not those since the clock's last whole minute).

The client is the address the request came from. Behind the Ingress that is the Ingress's own address,
so set ``TRUSTED_PROXIES`` to the number of proxies that append to ``X-Forwarded-For`` (one for
ingress-nginx): the client is then read from that header, counting from its end, so an address a client
writes into the header itself is never believed. Without it (the default, 0) the header is ignored.

Counters live in ``RATE_LIMIT_STORAGE_URI``: ``memory://`` keeps them per process, so a service with N
processes lets a client through N times the limit; a shared store (``redis://…``, or ``mongodb://…``
with MongoDB 7) makes the limit exact. The Ingress limits connections and requests per client before
that (deploy/README.md, "Abuse limits").

The check is the ``limits`` library's, called once per limited request. (A Flask integration of it did the
same with machinery of its own, run twice per request: 0.4 ms of a 1.8 ms marketplace search.)
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, request
from flask.typing import ResponseReturnValue
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.middleware.proxy_fix import ProxyFix

from shared.config import declare
from shared.errors import Text
from shared.web.errors import error_response

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC_LIMIT = declare(
    "RATE_LIMIT_PUBLIC",
    "120/minute",
    "Requests one client may make to a service's public endpoints (search, entries, exports, eligibility,"
    " certificate checks, sessions), all together, e.g. `120/minute` or `10/second;600/hour`.",
)
SIGN_IN_LIMIT = declare("RATE_LIMIT_SIGN_IN", "10/minute", "Sign-in attempts one client may make at the portal.")
STORAGE_URI = declare(
    "RATE_LIMIT_STORAGE_URI",
    "memory://",
    "Where rate-limit counters are kept: `memory://` (per process), or a shared `redis://…`/`mongodb://…`.",
)
TRUSTED_PROXIES = declare(
    "TRUSTED_PROXIES",
    0,
    "How many proxies in front of the web process append to X-Forwarded-For (Kubernetes' ingress-nginx: 1);"
    " the client's address is read from there. 0: the header is ignored.",
)

MARK = "rate_limit"
PUBLIC, SIGN_IN = "public", "sign-in"
TOO_MANY = Text("Твърде много заявки. Опитайте отново след малко.", "Too many requests. Please try again in a moment.")
Renderer = Callable[[], ResponseReturnValue]


def public_limit(view: F) -> F:
    """Mark a public view: its requests count against the client's public budget (``RATE_LIMIT_PUBLIC``)."""
    setattr(view, MARK, PUBLIC)
    return view


def sign_in_limit(view: F) -> F:
    """Mark a sign-in step: its requests count against the client's sign-in budget (``RATE_LIMIT_SIGN_IN``)."""
    setattr(view, MARK, SIGN_IN)
    return view


def client_address() -> str:
    return request.remote_addr or "unknown"


def json_refusal() -> ResponseReturnValue:
    """The platform's JSON error for a client over its limit."""
    return error_response(429, "too_many_requests", TOO_MANY)


def install_rate_limits(app: Flask, render: Renderer = json_refusal) -> None:
    """Limit every marked view of ``app`` (call after registering its blueprints), and read the client's
    address through the trusted proxies. ``render`` answers a client over its limit (JSON by default)."""
    proxies = TRUSTED_PROXIES.integer()
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    window = MovingWindowRateLimiter(storage_from_string(STORAGE_URI.text()))
    budgets = {PUBLIC: parse_many(PUBLIC_LIMIT.text()), SIGN_IN: parse_many(SIGN_IN_LIMIT.text())}

    def limited(view: Callable[..., Any], kind: str) -> Callable[..., Any]:
        @functools.wraps(view)
        def within_budget(*args: Any, **kwargs: Any) -> Any:
            key = (app.name, kind, client_address())
            for limit in budgets[kind]:  # a limit that refuses ends the check: the ones after it are not spent
                if not window.hit(limit, *key):
                    return _refusal(app, render, _retry_after(window, limit, key))
            return view(*args, **kwargs)

        return within_budget

    for endpoint, view in list(app.view_functions.items()):
        kind = getattr(view, MARK, None)
        if kind is not None:
            app.view_functions[endpoint] = limited(view, kind)


def _refusal(app: Flask, render: Renderer, retry_after: int) -> ResponseReturnValue:
    response = app.make_response(render())
    response.status_code = 429
    response.headers["Retry-After"] = str(retry_after)
    return response


def _retry_after(window: MovingWindowRateLimiter, limit: RateLimitItem, key: tuple[str, ...]) -> int:
    """Whole seconds until the client may try again (at least one)."""
    return max(1, math.ceil(window.get_window_stats(limit, *key).reset_time - time.time()))
