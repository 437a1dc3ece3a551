"""Abuse limits: public endpoints and signing in are rate-limited per client, with a 429 and ``Retry-After``.

A view is limited by marking it where it is declared, below its route::

    @blp.get("")
    @blp.arguments(RegisterQuerySchema, location="query")
    @public_limit
    def search(query): ...

Every view marked ``@public_limit`` in one application shares one budget per client
(``RATE_LIMIT_PUBLIC``), so a scraper cannot spread its requests over search, entries and exports; views
marked ``@sign_in_limit`` share another (``RATE_LIMIT_SIGN_IN``). Limits are Flask-Limiter strings,
e.g. ``120/minute`` or ``10/second;300/hour``.

The client is the address the request came from. Behind the Ingress that is the Ingress's own address,
so set ``TRUSTED_PROXIES`` to the number of proxies that append to ``X-Forwarded-For`` (one for
ingress-nginx): the client is then read from that header, counting from its end, so an address a client
writes into the header itself is never believed. Without it (the default, 0) the header is ignored.

Counters live in ``RATE_LIMIT_STORAGE_URI``: ``memory://`` keeps them per process, so a service with N
processes lets a client through N times the limit; a shared store (``redis://…``, or ``mongodb://…``
with MongoDB 7) makes the limit exact. The Ingress limits connections and requests per client before
that (deploy/README.md, "Abuse limits").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, request
from flask_limiter import Limiter, RateLimitExceeded
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
Renderer = Callable[[RateLimitExceeded], Any]


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


def json_refusal(error: RateLimitExceeded) -> Response:
    """The platform's JSON error for a client over its limit."""
    return error_response(429, "too_many_requests", TOO_MANY)


def install_rate_limits(app: Flask, render: Renderer = json_refusal) -> Limiter:
    """Limit every marked view of ``app`` (call after registering its blueprints), and read the client's
    address through the trusted proxies. ``render`` answers a client over its limit (JSON by default)."""
    proxies = TRUSTED_PROXIES.integer()
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    limiter = Limiter(
        client_address,
        app=app,
        storage_uri=STORAGE_URI.text(),
        strategy="moving-window",
        headers_enabled=False,
        key_prefix=app.name,
    )
    budgets = {PUBLIC: PUBLIC_LIMIT.text(), SIGN_IN: SIGN_IN_LIMIT.text()}
    for endpoint, view in list(app.view_functions.items()):
        kind = getattr(view, MARK, None)
        if kind is not None:
            app.view_functions[endpoint] = limiter.shared_limit(budgets[kind], scope=kind)(view)

    def refuse(error: RateLimitExceeded) -> Any:
        response = app.make_response(render(error))
        response.status_code = 429
        response.headers["Retry-After"] = str(_retry_after(limiter))
        return response

    app.register_error_handler(RateLimitExceeded, refuse)
    return limiter


def _retry_after(limiter: Limiter) -> int:
    """Whole seconds until the client may try again (at least one)."""
    current = limiter.current_limit
    if current is None:
        return 1
    return max(1, int(current.reset_at - time.time()))  # reset_at is rounded up to the next second already
