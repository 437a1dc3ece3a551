"""A call for support: budget, an envelope per planning region, limits, the window, the rubric, documents.

Every limit is checked here when the call is made, each failure naming its field, so a call that
cannot be applied to correctly never exists.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from services.grants.domain.errors import NotAllowedNow
from services.grants.domain.money import MAX_AID_PER_ENTERPRISE_CENTS, euro
from shared.clock import end_of_sofia_day, sofia_date
from shared.errors import InvalidInput, Text
from shared.events.recorded import DomainEvent

MAX_CRITERIA = 20
MAX_REASON = 2000
MAX_DOCUMENTS = 20
WEIGHTS_TOTAL = 100


class CostCategory(StrEnum):
    SOFTWARE = "software"
    HARDWARE = "hardware"
    NETWORK = "network"
    SALES = "sales"
    """Sales and distribution solutions (an online shop, a delivery system)."""
    EQUIPMENT = "equipment"
    WORKPLACE = "workplace"
    """Adapting workplaces (for people with disabilities among others)."""


CATEGORY_NAMES: dict[CostCategory, Text] = {
    CostCategory.SOFTWARE: Text("Софтуер", "Software"),
    CostCategory.HARDWARE: Text("Хардуер", "Hardware"),
    CostCategory.NETWORK: Text("Мрежови решения", "Network"),
    CostCategory.SALES: Text("Решения за продажби и дистрибуция", "Sales and distribution"),
    CostCategory.EQUIPMENT: Text("Оборудване", "Equipment"),
    CostCategory.WORKPLACE: Text("Адаптиране на работни места", "Workplace adaptation"),
}


class CallStatus(StrEnum):
    PUBLISHED = "published"
    CLOSED = "closed"
    """Closed by the ministry before its window ended (a call whose window ended stays published)."""


class CallState(StrEnum):
    """Where a call stands at a moment: what its readers see and what decides whether it takes applications."""

    UPCOMING = "upcoming"
    OPEN = "open"
    ENDED = "ended"
    """Its window is over (the last day included)."""
    CLOSED = "closed"
    """The ministry closed it early."""


def _shown_day(day: date) -> str:
    return day.strftime("%d.%m.%Y")


@dataclass(frozen=True)
class Criterion:
    code: str
    name_bg: str
    name_en: str
    weight: int
    """Percent of the total; a call's weights add up to 100."""
    max_points: int
    min_points: int = 0
    """An application whose (averaged) points on this criterion are lower is rejected."""


@dataclass(frozen=True)
class RequiredDocument:
    code: str
    name_bg: str
    name_en: str
    at_submission: bool = False
    """The application cannot be submitted without it (otherwise it may come with an answer to the centre)."""


@dataclass
class Call:
    id: str
    title: str
    budget_cents: int
    envelopes: dict[str, int]
    """Planning region code (BG31…BG42) → euro cents for applications from that region."""
    max_per_enterprise_cents: int
    max_line_cents: int
    categories: list[CostCategory]
    opens_on: date
    closes_on: date
    """Sofia dates, both included."""
    criteria: list[Criterion]
    pass_score: int
    """Least weighted total (of 100) for an application to be ranked."""
    required_documents: list[RequiredDocument]
    created_at: datetime
    status: CallStatus = CallStatus.PUBLISHED
    version: int = 0
    region_centres: dict[str, str] = field(default_factory=dict)
    """Region code → the regional centre serving it (from the geography at publication)."""
    closed_at: datetime | None = None
    close_reason: str = ""
    """Why the ministry closed the call early (public, shown with the call)."""
    _events: list[DomainEvent] = field(default_factory=list, repr=False)

    def pull_events(self) -> list[DomainEvent]:
        events, self._events = self._events, []
        return events

    def state(self, now: datetime) -> CallState:
        if self.status == CallStatus.CLOSED:
            return CallState.CLOSED
        if now >= end_of_sofia_day(self.closes_on):
            return CallState.ENDED
        if sofia_date(now) < self.opens_on:
            return CallState.UPCOMING
        return CallState.OPEN

    def is_open(self, now: datetime) -> bool:
        return self.state(now) == CallState.OPEN

    def check_accepting(self, action: Text, now: datetime, *, drafts: bool = False) -> None:
        """Refuse ``action`` (a new application, a submission) unless the call takes applications now; with
        ``drafts`` a call not yet open takes a draft (it is prepared before the window opens)."""
        state = self.state(now)
        if state == CallState.OPEN or (drafts and state == CallState.UPCOMING):
            return
        if state == CallState.CLOSED:
            day = _shown_day(sofia_date(self.closed_at)) if self.closed_at else ""
            raise NotAllowedNow(
                action,
                Text(
                    f"поканата е закрита от министерството на {day} ({self.close_reason})",
                    f"the call was closed by the ministry on {day} ({self.close_reason})",
                ),
            )
        if state == CallState.ENDED:
            day = _shown_day(self.closes_on)
            raise NotAllowedNow(
                action,
                Text(f"срокът на поканата изтече на {day}", f"the call's window ended on {day}"),
            )
        day = _shown_day(self.opens_on)
        raise NotAllowedNow(action, Text(f"поканата се отваря на {day}", f"the call opens on {day}"))

    def close(self, reason: str, now: datetime) -> None:
        """Close the call early: no new application nor submission from now on; those submitted go on."""
        action = Text("се закрие поканата", "close the call")
        if self.status == CallStatus.CLOSED:
            day = _shown_day(sofia_date(self.closed_at)) if self.closed_at else ""
            raise NotAllowedNow(
                action, Text(f"поканата вече е закрита на {day}", f"the call was closed already on {day}")
            )
        if self.state(now) == CallState.ENDED:
            day = _shown_day(self.closes_on)
            raise NotAllowedNow(action, Text(f"срокът ѝ вече изтече на {day}", f"its window ended already on {day}"))
        reason = reason.strip()
        if not reason or len(reason) > MAX_REASON:
            raise InvalidInput(
                Text("Посочете причината за закриването.", "Give the reason for closing the call."),
                {"reason": Text(f"От 1 до {MAX_REASON} знака.", f"From 1 to {MAX_REASON} characters.")},
            )
        self.status, self.closed_at, self.close_reason = CallStatus.CLOSED, now, reason
        self._events.append(
            DomainEvent(
                "CallClosed",
                {
                    "call_id": self.id,
                    "title": self.title,
                    "status": self.status.value,
                    "closes_on": self.closes_on.isoformat(),
                    "closed_at": now.isoformat(),
                    "reason": reason,
                    "centres": sorted(set(self.region_centres.values())),
                },
            )
        )

    def criterion(self, code: str) -> Criterion | None:
        return next((c for c in self.criteria if c.code == code), None)

    def document(self, code: str) -> RequiredDocument | None:
        return next((d for d in self.required_documents if d.code == code), None)

    def missing_at_submission(self, sent: Collection[str]) -> list[RequiredDocument]:
        """The documents the call wants with the application that none of ``sent`` (their codes) is."""
        return [d for d in self.required_documents if d.at_submission and d.code not in sent]


def _field(errors: dict[str, Text], name: str, bg: str, en: str) -> None:
    errors.setdefault(name, Text(bg, en))


def validate_call(call: Call, known_regions: Iterable[str]) -> None:
    """Raise InvalidInput naming every field that breaks a rule of calls."""
    errors: dict[str, Text] = {}
    regions = set(known_regions)
    if call.budget_cents <= 0:
        _field(errors, "budget_cents", "Бюджетът трябва да е положителен.", "The budget must be positive.")
    unknown = sorted(set(call.envelopes) - regions)
    if unknown:
        _field(
            errors,
            "envelopes",
            f"Непознат район: {', '.join(unknown)}.",
            f"Unknown planning region: {', '.join(unknown)}.",
        )
    elif not call.envelopes:
        _field(errors, "envelopes", "Посочете поне един район.", "Name at least one planning region.")
    elif any(amount <= 0 for amount in call.envelopes.values()):
        _field(
            errors, "envelopes", "Всеки район получава положителна сума.", "Each region's envelope must be positive."
        )
    elif sum(call.envelopes.values()) > call.budget_cents:
        total = sum(call.envelopes.values())
        _field(
            errors,
            "envelopes",
            f"Сборът на районите ({euro(total)}) надхвърля бюджета ({euro(call.budget_cents)}).",
            f"The envelopes add up to {euro(total)}, more than the budget ({euro(call.budget_cents)}).",
        )
    if not 0 < call.max_per_enterprise_cents <= MAX_AID_PER_ENTERPRISE_CENTS:
        _field(
            errors,
            "max_per_enterprise_cents",
            f"Максимумът на предприятие е от 0,01 € до {euro(MAX_AID_PER_ENTERPRISE_CENTS)}.",
            f"The maximum per enterprise is from €0.01 to {euro(MAX_AID_PER_ENTERPRISE_CENTS)}.",
        )
    if call.max_line_cents < 0 or call.max_line_cents > call.max_per_enterprise_cents:
        _field(
            errors,
            "max_line_cents",
            "Максимумът на ред е от 0 (без ограничение) до максимума на предприятие.",
            "The maximum per line is from 0 (no limit) to the maximum per enterprise.",
        )
    if not call.categories or len(set(call.categories)) != len(call.categories):
        _field(
            errors, "categories", "Посочете допустимите категории по веднъж.", "Name the eligible categories once each."
        )
    if call.closes_on < call.opens_on:
        _field(errors, "closes_on", "Краят е преди началото.", "The call closes before it opens.")
    _validate_criteria(call, errors)
    codes = [d.code for d in call.required_documents]
    if len(codes) > MAX_DOCUMENTS or len(set(codes)) != len(codes):
        _field(
            errors,
            "required_documents",
            f"До {MAX_DOCUMENTS} документа с различни кодове.",
            f"Up to {MAX_DOCUMENTS} documents with distinct codes.",
        )
    if errors:
        raise InvalidInput(Text("Поканата не е попълнена правилно.", "The call is not filled in correctly."), errors)


def _validate_criteria(call: Call, errors: dict[str, Text]) -> None:
    codes = [c.code for c in call.criteria]
    if not call.criteria or len(codes) > MAX_CRITERIA or len(set(codes)) != len(codes):
        _field(
            errors,
            "criteria",
            f"От 1 до {MAX_CRITERIA} критерия с различни кодове.",
            f"From 1 to {MAX_CRITERIA} criteria with distinct codes.",
        )
        return
    if any(c.max_points <= 0 or not 0 <= c.min_points <= c.max_points or c.weight <= 0 for c in call.criteria):
        _field(
            errors,
            "criteria",
            "Всеки критерий има тежест, максимум точки над 0 и минимум между 0 и максимума.",
            "Each criterion has a weight, a maximum above 0 and a minimum from 0 to the maximum.",
        )
    elif sum(c.weight for c in call.criteria) != WEIGHTS_TOTAL:
        _field(
            errors,
            "criteria",
            "Тежестите на критериите трябва да са общо 100.",
            "The criteria's weights must add up to 100.",
        )
    if not 0 <= call.pass_score <= WEIGHTS_TOTAL:
        _field(errors, "pass_score", "Прагът е от 0 до 100 точки.", "The pass score is from 0 to 100.")
