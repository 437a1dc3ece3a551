"""Who is signed in: the person's token and claims, kept in the portal's signed session cookie.

The portal never decides what a person may do: it forwards their token and the services decide.
The roles here only choose which pages and links to offer.

A session is kept alive only while it is used and for a bounded time, because the portal keeps no
server-side list of sessions (it has no database) and a copied cookie is as good as the original:

- it ends after ``PORTAL_SESSION_IDLE_MINUTES`` without a request, and ``PORTAL_SESSION_MAX_HOURS``
  after signing in whatever happens;
- the access token inside it is short-lived and renewed every ``PORTAL_TOKEN_RENEW_MINUTES``: with the
  identity provider by the refresh token kept in the session, or, for the developer sign-in, re-minted.
  Signing out revokes the refresh token at the provider (RFC 7009), so a copy of the cookie taken
  before signing out stops working at its next renewal.

The residual window, stated plainly: after signing out, a copy of the cookie still shows signed-in pages
until its token's renewal is due (at most ``PORTAL_TOKEN_RENEW_MINUTES``), and the access token read
out of it is accepted by the services until it expires (the provider's access-token lifetime: configure
it as short, e.g. 5 minutes). With the developer sign-in (never in production) nothing can be revoked:
a copy lives as long as it is used, up to ``PORTAL_SESSION_MAX_HOURS``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

import jwt
from flask import abort, current_app, redirect, request, session, url_for

F = TypeVar("F", bound=Callable[..., Any])
SESSION_KEY = "person"
SIGN_IN_KEY = "sign_in"
"""How the person signed in and when: {method, since, seen, renew_at, refresh_token?, id_token?}."""
CLOCK = "portal_clock"
"""``app.extensions[CLOCK]``: the seconds since the epoch, as ``time.time`` (tests move it on)."""


def now() -> float:
    return float(current_app.extensions.get(CLOCK, time.time)())


@dataclass(frozen=True)
class Person:
    token: str
    subject: str
    name: str
    email: str
    roles: tuple[str, ...]
    enterprise_id: str | None = None
    centre: str | None = None
    email_verified: bool = False

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def is_seller(self) -> bool:
        return self.has("representative") and bool(self.enterprise_id)


def token_claims(token: str) -> dict[str, Any]:
    """The claims, unchecked: validating them is the services' job, on every call."""
    return jwt.decode(token, options={"verify_signature": False})


def person_from_token(token: str, *, email_verified: bool = False) -> Person:
    """Reads the claims to label the pages. ``email_verified`` says the provider vouched for the e-mail
    elsewhere (its ID token), when the access token does not say so itself."""
    claims = token_claims(token)
    return Person(
        token=token,
        subject=str(claims.get("sub", "")),
        name=str(claims.get("name") or claims.get("preferred_username") or claims.get("email") or ""),
        email=str(claims.get("email", "")),
        roles=tuple(claims.get("roles", [])),
        enterprise_id=claims.get("enterprise_id"),
        centre=claims.get("centre"),
        email_verified=claims.get("email_verified") is True or email_verified,
    )


def sign_in(token: str, method: str, renew_in: float, *, email_verified: bool = False, **kept: str) -> Person:
    """A new session (nothing of an earlier one is kept but the language); its token is renewed in
    ``renew_in`` seconds. ``kept``: what renewing and signing out need (``refresh_token``, ``id_token``)."""
    person = person_from_token(token, email_verified=email_verified)
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    session[SESSION_KEY] = person.__dict__
    started = now()
    session[SIGN_IN_KEY] = {"method": method, "since": started, "seen": started, "renew_at": started + renew_in}
    session[SIGN_IN_KEY].update({name: value for name, value in kept.items() if value})
    session.permanent = True
    return person


def renewed(token: str, renew_in: float, **kept: str) -> None:
    """The session goes on with a fresh token (and a new refresh token, when the provider rotates them)."""
    old = current_person()
    person = person_from_token(token, email_verified=bool(old and old.email_verified))
    session[SESSION_KEY] = person.__dict__
    state = dict(session.get(SIGN_IN_KEY) or {})
    state["renew_at"] = now() + renew_in
    state.update({name: value for name, value in kept.items() if value})
    session[SIGN_IN_KEY] = state


def signed_in_state() -> dict[str, Any]:
    """How and when the current person signed in (empty when nobody is)."""
    return dict(session.get(SIGN_IN_KEY) or {}) if SESSION_KEY in session else {}


def sign_out() -> dict[str, Any]:
    """Forget the person; returns how they had signed in, so the provider can be told."""
    state = signed_in_state()
    session.pop(SESSION_KEY, None)
    session.pop(SIGN_IN_KEY, None)
    return state


def touch() -> None:
    state = dict(session.get(SIGN_IN_KEY) or {})
    state["seen"] = now()
    session[SIGN_IN_KEY] = state


def current_person() -> Person | None:
    data = session.get(SESSION_KEY)
    return Person(**{**data, "roles": tuple(data["roles"])}) if data else None


def token() -> str | None:
    person = current_person()
    return person.token if person else None


def signed_in(*roles: str) -> Callable[[F], F]:
    """Send people who are not signed in to the sign-in page (and back afterwards).

    With roles, someone signed in without any of them gets a 403 page saying which role the page is for.
    """

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            person = current_person()
            if person is None:
                return redirect(url_for("signin.page", next=request.full_path.rstrip("?")))
            if roles and not person.has(*roles, "admin"):
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
