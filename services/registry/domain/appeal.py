"""What a refusal tells the applicant: its legal ground, and how and by when to appeal it.

The refusal is an individual administrative act of the Minister (or an official the Minister authorises).
Under the Administrative Procedure Code it can be appealed before the administrative court within 14 days
of being communicated (чл. 149, ал. 1 АПК), through the authority that issued it (чл. 152, ал. 1 АПК).
A Minister has no higher administrative authority, so the appeal goes to court. *(assumption)* The court
is Административен съд – София-град (seat of the Ministry of Labour and Social Policy); the applicant is
told electronically on the day of the decision, so the 14 days run from that day. A deadline that ends on
a Saturday or Sunday moves to the next Monday (чл. 60, ал. 6 ГПК with § 2 ДР АПК); public holidays are not
known here, so the date shown is "at the earliest" and the text says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shared.clock import sofia_date

APPEAL_DAYS = 14


@dataclass(frozen=True)
class Appeal:
    legal_ground_bg: str
    legal_ground_en: str
    body_bg: str
    body_en: str
    through_bg: str
    through_en: str
    days: int
    communicated_on: date
    deadline: date


def appeal_deadline(communicated_on: date, days: int = APPEAL_DAYS) -> date:
    """The last day to appeal: ``days`` after the day of communication; a weekend end moves to Monday."""
    last = communicated_on + timedelta(days=days)
    while last.weekday() >= 5:
        last += timedelta(days=1)
    return last


def refusal_appeal(decided_at: datetime) -> Appeal:
    communicated = sofia_date(decided_at)
    return Appeal(
        legal_ground_bg=(
            "Закон за предприятията на социалната и солидарна икономика: предприятието не отговаря на "
            "изискванията за вписване в регистъра на социалните предприятия по посочените основания; "
            "Административнопроцесуален кодекс, чл. 59, ал. 2 (форма и съдържание на административния акт)."
        ),
        legal_ground_en=(
            "Social and Solidarity Economy Enterprises Act: the enterprise does not meet the requirements for "
            "entry in the register of social enterprises on the grounds given; Administrative Procedure Code, "
            "Art. 59(2) (form and content of an administrative act)."
        ),
        body_bg="Административен съд – София-град",
        body_en="Administrative Court of Sofia City",
        through_bg=(
            "чрез министъра на труда и социалната политика, издал отказа (чл. 149, ал. 1 и чл. 152, ал. 1 АПК)"
        ),
        through_en=(
            "through the Minister of Labour and Social Policy, who issued the refusal "
            "(Art. 149(1) and Art. 152(1) of the Administrative Procedure Code)"
        ),
        days=APPEAL_DAYS,
        communicated_on=communicated,
        deadline=appeal_deadline(communicated),
    )
