"""Who is signed in: the person's token and claims, kept in the portal's signed session cookie.

The portal never decides what a person may do: it forwards their token and the services decide.
The roles here only choose which pages and links to offer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

import jwt
from flask import abort, redirect, request, session, url_for

F = TypeVar("F", bound=Callable[..., Any])
SESSION_KEY = "person"


@dataclass(frozen=True)
class Person:
    token: str
    subject: str
    name: str
    email: str
    roles: tuple[str, ...]
    enterprise_id: str | None = None
    centre: str | None = None

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def is_seller(self) -> bool:
        return self.has("representative") and bool(self.enterprise_id)


def person_from_token(token: str) -> Person:
    """Reads the claims to label the pages; validating them is the services' job, on every call."""
    claims = jwt.decode(token, options={"verify_signature": False})
    return Person(
        token=token,
        subject=str(claims.get("sub", "")),
        name=str(claims.get("name") or claims.get("preferred_username") or claims.get("email") or ""),
        email=str(claims.get("email", "")),
        roles=tuple(claims.get("roles", [])),
        enterprise_id=claims.get("enterprise_id"),
        centre=claims.get("centre"),
    )


def sign_in(token: str) -> Person:
    person = person_from_token(token)
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    session[SESSION_KEY] = person.__dict__
    session.permanent = True
    return person


def sign_out() -> None:
    session.pop(SESSION_KEY, None)


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
