"""Which centre's work a clerk's list may show: their own, any for a national clerk, none without a centre."""

from __future__ import annotations

from services.registry.service_layer.use_cases import NO_CENTRE
from shared.auth import Principal
from shared.auth.principal import NATIONAL
from shared.errors import Forbidden, Text

OWN_CENTRE_ONLY = Text("Можете да виждате само опашката на своя център.", "You see only your centre's queue.")


def clerk_centre(principal: Principal, asked: str | None) -> str | None:
    """The centre to filter by (None: every centre, for national clerks and admins only).

    A clerk without a ``centre`` claim is refused outright (fail closed), and a centre's clerk
    asking for another centre is refused rather than silently shown their own.
    """
    scope = principal.clerk_scope()
    if scope is None:
        raise Forbidden(NO_CENTRE)
    if scope == NATIONAL:
        return asked or None
    if asked and asked != scope:
        raise Forbidden(OWN_CENTRE_ONLY)
    return scope
