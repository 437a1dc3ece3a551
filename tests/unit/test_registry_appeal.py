"""The last day to appeal a refusal: 14 days from the day the applicant is told, a weekend end moves to Monday."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.registry.domain.appeal import appeal_deadline, refusal_appeal


def test_fourteen_days_from_the_day_told() -> None:
    assert appeal_deadline(date(2026, 11, 23)) == date(2026, 12, 7)  # Monday → Monday


def test_a_deadline_ending_on_a_weekend_moves_to_monday() -> None:
    assert appeal_deadline(date(2026, 11, 21)) == date(2026, 12, 7)  # ends Saturday 5 December
    assert appeal_deadline(date(2026, 11, 22)) == date(2026, 12, 7)  # ends Sunday 6 December


def test_the_day_told_is_the_sofia_date_of_the_decision() -> None:
    late_evening = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)  # already 24 November in Sofia
    appeal = refusal_appeal(late_evening)
    assert appeal.communicated_on == date(2026, 11, 24)
    assert appeal.deadline == date(2026, 12, 8)
    assert appeal.body_bg == "Административен съд – София-град"
