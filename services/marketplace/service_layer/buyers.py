"""Who may act as a buyer, and the buyer as deals and needs record them."""

from __future__ import annotations

import re

from services.marketplace.domain.parties import Buyer, BuyerKind
from shared.auth import Principal, Role
from shared.errors import Forbidden, Text

NOT_A_BUYER = Text("Запитвания, поръчки и нужди правят купувачи.", "Quotes, orders and needs are made by buyers.")
NO_EMAIL = Text(
    "Профилът ви няма валиден имейл адрес, а продавачите отговарят по него.",
    "Your account has no valid e-mail address, and sellers answer by e-mail.",
)
_PLAUSIBLE_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
"""The address comes from the identity provider; this only refuses a missing or malformed one."""


def buyer_of(principal: Principal, organisation: str = "", kind: BuyerKind | str | None = None) -> Buyer:
    """The signed-in buyer (or an admin acting as one), who must have an e-mail address sellers can answer."""
    if not (principal.is_admin or Role.BUYER in principal.roles):
        raise Forbidden(NOT_A_BUYER)
    if not _PLAUSIBLE_EMAIL.match(principal.email or ""):
        raise Forbidden(NO_EMAIL)
    return Buyer(
        principal.subject,
        principal.name.strip(),
        principal.email,
        (organisation or "").strip(),
        BuyerKind(kind) if kind else BuyerKind.CITIZEN,
    )
