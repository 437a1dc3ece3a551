"""Errors the register's rules raise, worded for the people who see them."""

from __future__ import annotations

from shared.errors import Conflict, StaleVersion, Text

__all__ = ["StaleVersion", "TransitionNotAllowed"]


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"

    def __init__(self, action: Text, state: Text | str, reason: Text | None = None) -> None:
        named = state if isinstance(state, Text) else Text(state, state)
        because = reason or Text(f"текущото състояние е „{named.bg}“", f"the current state is '{named.en}'")
        super().__init__(
            Text(f"Не може да {action.bg}: {because.bg}.", f"Cannot {action.en}: {because.en}."),
        )
        self.state = named.en
