"""Authentication of requests and role checks for endpoints."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request

from shared.auth import ANONYMOUS, AuthError, Principal, Role, TokenCodec
from shared.errors import Forbidden, Text, Unauthorized

F = TypeVar("F", bound=Callable[..., Any])

BEARER_SCHEME = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


def load_principal() -> None:
    """Before each request: read the bearer token, if any. A bad token is refused, never ignored."""
    header = request.headers.get("Authorization", "")
    if not header:
        g.principal = ANONYMOUS
        return
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(Text("Очаква се Bearer токен.", "A Bearer token is expected."))
    codec: TokenCodec = current_app.extensions["token_codec"]
    try:
        g.principal = codec.decode(token.strip())
    except AuthError as exc:
        raise Unauthorized(Text("Невалиден или изтекъл токен.", f"Invalid or expired token: {exc}")) from exc


def current_principal() -> Principal:
    return g.get("principal", ANONYMOUS)


def requires(*roles: Role) -> Callable[[F], F]:
    """The endpoint needs a signed-in person holding one of ``roles`` (admins always pass)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if not principal.is_authenticated:
                raise Unauthorized(Text("Необходим е вход в системата.", "Sign-in is required."))
            if not (principal.is_admin or principal.has_any(*roles)):
                allowed = ", ".join(sorted(roles))
                raise Forbidden(Text(f"Необходима е роля: {allowed}.", f"One of these roles is required: {allowed}."))
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
