"""Notification preferences: legal notices always go, opt-outs and switches otherwise; the samples stay true."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from services.notifications.domain.mapping import RULES, messages
from services.notifications.domain.notice import Notice, Recipient
from services.notifications.domain.preferences import CATEGORIES, EMAIL, INBOX, Preferences, apply
from services.notifications.entrypoints.api.preferences import SAMPLES_FILE, sample_notice, templates

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = {
    data["event_type"]: data
    for data in (json.loads(p.read_text(encoding="utf-8")) for p in ROOT.glob("services/*/events/examples/*.json"))
}
BOTH = frozenset({EMAIL, INBOX})


def a_notice(category: str = "marketplace", *, legal: bool = False, email: str | None = "elena@example.bg") -> Notice:
    return Notice(
        event_id="e-1",
        event_type="marketplace.OrderPlaced",
        message="order_placed",
        category=category,
        legal=legal,
        recipient=Recipient(key="email:elena@example.bg", email=email, name="Елена", language="bg"),
        occurred_at=datetime(2026, 5, 4, tzinfo=UTC),
    )


def test_the_categories_are_those_of_the_mapping() -> None:
    assert CATEGORIES == ("events", "grants", "marketplace", "registry", "training")


def test_without_preferences_everything_goes_in_the_events_language() -> None:
    english = replace(a_notice(), recipient=replace(a_notice().recipient, language="en"))
    assert apply(english, None) == ("en", BOTH)
    assert apply(a_notice(email=None), None) == ("bg", frozenset({INBOX}))


def test_the_defaults_send_everything_in_bulgarian() -> None:
    assert apply(a_notice(), Preferences()) == ("bg", BOTH)


def test_an_opted_out_category_sends_nothing() -> None:
    assert apply(a_notice(), Preferences(opted_out=frozenset({"marketplace"}))) == ("bg", frozenset())
    assert apply(a_notice("training"), Preferences(opted_out=frozenset({"marketplace"}))) == ("bg", BOTH)


def test_a_legal_notice_goes_whatever_the_preferences() -> None:
    nothing = Preferences(language="en", email=False, inbox=False, opted_out=frozenset(CATEGORIES))
    assert apply(a_notice("registry", legal=True), nothing) == ("en", BOTH)
    assert apply(a_notice("registry", legal=True, email=None), nothing) == ("en", frozenset({INBOX}))


@pytest.mark.parametrize(
    ("email", "inbox", "expected"),
    [(True, True, BOTH), (False, True, {INBOX}), (True, False, {EMAIL}), (False, False, set())],
)
def test_the_channels_follow_the_switches(email: bool, inbox: bool, expected: set[str]) -> None:
    assert apply(a_notice(), Preferences(language="en", email=email, inbox=inbox)) == ("en", frozenset(expected))


def test_no_email_without_an_address_whatever_the_switch() -> None:
    assert apply(a_notice(email=None), Preferences()) == ("bg", frozenset({INBOX}))


def test_unknown_language_or_category_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        Preferences(language="de")
    with pytest.raises(ValueError, match="categories"):
        Preferences(opted_out=frozenset({"spam"}))


# ---------------------------------------------------------------------- samples for the preview
SAMPLES: dict[str, Any] = json.loads(SAMPLES_FILE.read_text(encoding="utf-8"))


def shape(value: Any) -> Any:
    """The keys of a payload, all the way down (a list by its first item): what a sample must keep."""
    if isinstance(value, dict):
        return {key: shape(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


def test_there_is_one_sample_per_event_type_of_the_mapping() -> None:
    assert set(SAMPLES) == set(RULES)


@pytest.mark.parametrize("event_type", sorted(RULES))
def test_every_sample_has_its_golden_examples_keys(event_type: str) -> None:
    assert event_type in GOLDEN, f"no golden example of {event_type}"
    assert shape(SAMPLES[event_type]["payload"]) == shape(GOLDEN[event_type]["payload"])


def test_every_message_is_listed_with_the_event_that_causes_it() -> None:
    listed = templates()
    assert {t["message"] for t in listed} == messages()
    for template in listed:
        assert template["message"] in {rule.message for rule in RULES[template["event_type"]]}


@pytest.mark.parametrize("message", sorted(messages()))
def test_every_message_has_a_sample_notice(message: str) -> None:
    notice = sample_notice(message)
    assert notice.message == message
    assert notice.context["recipient_name"]
