"""The training programme's figures for the ministry and each regional centre (what each figure means:
``services.training.domain.programme``).

Who sees what:

- a clerk of a regional centre sees their centre (also when they name no centre); another centre or the
  national view is refused (403);
- national clerks and admins see any centre, or all of them (no centre, or ``national``);
- anyone else is refused (403).

An unknown centre is ``InvalidInput`` naming ``centre``; ``to`` before ``from`` names ``to``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from services.training.domain.programme import Period, Programme, Records, period_of, programme
from shared.auth import Principal, Role
from shared.auth.principal import NATIONAL
from shared.bg.geography import geography
from shared.clock import Clock, sofia_date
from shared.errors import Forbidden, InvalidInput, Text, Unauthorized

INVALID = Text("Някои полета не са попълнени правилно.", "Some fields are not valid.")
SIGN_IN = Text("Необходим е вход в системата.", "Sign-in is required.")
STAFF_ONLY = Text(
    "Показателите на програмата виждат служителите на центровете и администраторите.",
    "The programme's figures are for the centres' clerks and for admins.",
)
OWN_CENTRE_ONLY = Text(
    "Служителят на регионален център вижда показателите на своя център.",
    "A clerk of a regional centre sees the figures of their own centre.",
)


NO_CENTRE = Text(
    "Профилът ви на служител не посочва регионален център, затова не виждате ничии данни; попитайте администратора.",
    "Your clerk's sign-in names no regional centre, so you see no figures; ask an administrator.",
)


def _centre_ids() -> list[str]:
    return list(geography().centres)


class ProgrammeRecords(Protocol):
    def read(self, period: Period, centre: str | None) -> Records:
        """The records of the period at ``centre`` (None: at every centre)."""


@dataclass
class ProgrammeService:
    records: ProgrammeRecords
    clock: Clock
    centres: Callable[[], Sequence[str]] = field(default=_centre_ids)
    """The regional centres, in the order the national view lists them."""

    def figures(
        self, principal: Principal, centre: str | None, date_from: date | None, date_to: date | None
    ) -> Programme:
        """The figures for ``centre`` (``national`` for all; None: the principal's own scope) in the period
        (Sofia dates, both included; by default from 1 January of the year of ``to``, which defaults to today)."""
        known = list(self.centres())
        if centre is not None and centre != NATIONAL and centre not in known:
            listed = ", ".join(sorted(known))
            raise InvalidInput(
                INVALID,
                {"centre": Text(f"Непознат център. Позволени: {listed}.", f"Unknown centre. Allowed: {listed}.")},
            )
        scope = self._scope(principal, centre)
        now = self.clock.now()
        period = period_of(date_from, date_to, sofia_date(now))
        return programme(self.records.read(period, scope), period, scope, known, now)

    def _scope(self, principal: Principal, centre: str | None) -> str | None:
        """The centre the principal may see (None: national), or Forbidden."""
        if not principal.is_authenticated:
            raise Unauthorized(SIGN_IN)
        asked = None if centre in (None, NATIONAL) else centre
        scope = principal.clerk_scope()  # admins and explicitly national clerks: NATIONAL; no centre: None
        if scope == NATIONAL:
            return asked
        if scope is None:
            raise Forbidden(STAFF_ONLY if Role.CLERK not in principal.roles else NO_CENTRE)
        if centre is None or asked == scope:
            return scope
        raise Forbidden(OWN_CENTRE_ONLY)
