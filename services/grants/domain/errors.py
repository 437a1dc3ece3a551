"""Errors of the programme's rules, worded for the people who see them."""

from __future__ import annotations

from shared.errors import Conflict, Text


class NotAllowedNow(Conflict):
    """The action is valid but not in the application's (or call's) current state."""

    code = "transition_not_allowed"

    def __init__(self, action: Text, reason: Text) -> None:
        super().__init__(Text(f"Не може да {action.bg}: {reason.bg}.", f"Cannot {action.en}: {reason.en}."))


class EnvelopeExhausted(Conflict):
    code = "envelope_exhausted"
