"""What a person wants to hear, and how: their language, their channels, and the categories they opted out of.

A legal notice (a register decision, a deletion) is sent whatever the preferences say: in the inbox, and
by e-mail whenever the event gives an address. Any other notice of a category the person opted out of is
not sent at all; otherwise each channel follows its switch. A person who never set anything (``None``)
gets every notice on every channel in the language the event gives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .mapping import RULES
from .notice import Notice
from .rendering import DEFAULT_LANGUAGE, LANGUAGES

EMAIL = "email"
INBOX = "inbox"
CATEGORIES: tuple[str, ...] = tuple(sorted({rule.category for rules in RULES.values() for rule in rules}))
"""What a person may opt out of: the categories the mapping uses."""


@dataclass(frozen=True)
class Preferences:
    language: str = DEFAULT_LANGUAGE
    email: bool = True
    inbox: bool = True
    opted_out: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(f"unknown language {self.language!r}; one of {', '.join(LANGUAGES)}")
        unknown = set(self.opted_out) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown categories {sorted(unknown)}; any of {', '.join(CATEGORIES)}")


def apply(notice: Notice, preferences: Preferences | None) -> tuple[str, frozenset[str]]:
    """The language and the channels (``email``, ``inbox``) of one notice for its recipient."""
    has_address = bool(notice.recipient.email)
    if preferences is None:
        return notice.recipient.language, frozenset({INBOX, EMAIL} if has_address else {INBOX})
    if notice.legal:
        return preferences.language, frozenset({INBOX, EMAIL} if has_address else {INBOX})
    if notice.category in preferences.opted_out:
        return preferences.language, frozenset()
    channels = set()
    if preferences.inbox:
        channels.add(INBOX)
    if preferences.email and has_address:
        channels.add(EMAIL)
    return preferences.language, frozenset(channels)
