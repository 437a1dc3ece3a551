"""Who may act as a buyer, and the buyer as deals and needs record them."""

from __future__ import annotations

import re

from services.marketplace.domain.parties import Buyer, BuyerKind
from shared.auth import Principal, Role
from shared.errors import Forbidden, Text

NOT_A_BUYER = Text("Запитвания, поръчки и нужди правят купувачи.", "Quotes, orders and needs are made by buyers.")
NO_EMAIL = Text(
    "Профилът ви няма потвърден имейл адрес, а продавачите и платформата ви пишат на него.",
    "Your account has no verified e-mail address, and sellers and the platform write to you there.",
)
_PLAUSIBLE_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
"""The address comes from the identity provider, which must have verified it: the platform e-mails it."""


def buyer_of(principal: Principal, organisation: str = "", kind: BuyerKind | str | None = None) -> Buyer:
    """The signed-in buyer (or an admin acting as one), with a verified e-mail address sellers can answer.

    An unverified address would let anyone make the platform write to someone else's inbox.
    """
    if not (principal.is_admin or Role.BUYER in principal.roles):
        raise Forbidden(NOT_A_BUYER)
    if not _PLAUSIBLE_EMAIL.match(principal.verified_email):
        raise Forbidden(NO_EMAIL)
    return Buyer(
        principal.subject,
        principal.name.strip(),
        principal.verified_email,
        (organisation or "").strip(),
        BuyerKind(kind) if kind else BuyerKind.CITIZEN,
    )
