"""Authentication of requests: the bearer token, and the principal it names (roles: shared/web/policy.py)."""

from __future__ import annotations

from flask import current_app, g, request

from shared.auth import ANONYMOUS, AuthError, Principal, TokenCodec
from shared.errors import Text, Unauthorized

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
