"""Forms: turning posted fields into API payloads, and a service's refusal into messages by field.

Services name fields by their JSON path (``details.address.district``); a form names its inputs the
same way, so an error lands next to the input it concerns without a mapping per page.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from services.portal.clients import ServiceError
from services.portal.i18n import localised


@dataclass
class FormState:
    """What a form shows: the values as entered, a message for the whole form, and one per field."""

    values: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, form: MultiDict[str, str] | dict[str, Any] | None = None) -> FormState:
        if form is None:
            return cls()
        if isinstance(form, MultiDict):
            return cls(values={k: (v if len(v) > 1 else v[0]) for k, v in form.lists() if k != "csrf_token"})
        return cls(values=dict(form))

    def fail(self, error: ServiceError, aliases: dict[str, str] | None = None) -> FormState:
        """Record a service's refusal; ``aliases`` maps an API path to the input that shows it."""
        self.message = localised(error.message)
        own = set(self.errors)  # the portal's own reading of a field says more than the service's "not valid"
        for path, messages in error.fields.items():
            target = (aliases or {}).get(path, path)
            if target not in own:
                self.errors.setdefault(target, []).extend(localised(m) for m in messages)
        return self

    def in_order(self, names: Iterable[str]) -> list[tuple[str, list[str]]]:
        """The errors in the order of the form's fields (``names``); those of other fields last."""
        order = {name: index for index, name in enumerate(names)}
        return sorted(self.errors.items(), key=lambda item: order.get(item[0], len(order)))

    def add(self, name: str, message: str) -> FormState:
        self.errors.setdefault(name, []).append(message)
        return self

    def error_for(self, name: str) -> list[str]:
        return self.errors.get(name, [])

    def unplaced(self, names: set[str]) -> dict[str, list[str]]:
        """Errors for fields the page has no input for (shown in the summary with their path)."""
        return {k: v for k, v in self.errors.items() if k not in names}

    @property
    def ok(self) -> bool:
        return not self.message and not self.errors

    def value(self, name: str, default: Any = "") -> Any:
        return self.values.get(name, default)


UNREADABLE: dict[str, str] = {"unreadable": "the portal could not read what was typed here"}
"""Where a service expects a value, an object; where its strict schema knows no such field, an unknown one:
either way the service refuses the request as a whole."""


def with_unreadable(body: dict[str, Any], names: Iterable[str], prefix: str = "") -> dict[str, Any]:
    """``body`` with each field the portal could not read (``names``, dotted paths) set to ``UNREADABLE``.

    Sent anyway, the service's refusal names every other field's problem too, so a person sees all the
    errors at once instead of in rounds; refused, the request writes nothing.
    """
    sent = copy.deepcopy(body)
    for name in names:
        *parents, leaf = (prefix + name).split(".")
        node = sent
        for part in parents:
            child = node.get(part)
            node[part] = child = child if isinstance(child, dict) else {}
            node = child
        node[leaf] = dict(UNREADABLE)
    return sent


def euro_to_cents(raw: str, name: str, state: FormState) -> int | None:
    """``12,50`` or ``12.50`` euro → 1250 cents; a wrong figure is reported on the field."""
    text = raw.strip().replace(" ", "").replace(" ", "").replace(",", ".")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        state.add(name, gettext("Enter an amount in euro, e.g. 12.50."))
        return None
    return int((amount * 100).to_integral_value())


def whole_number(raw: str, name: str, state: FormState) -> int | None:
    text = raw.strip().replace(" ", "")
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        state.add(name, gettext("Enter a whole number."))
        return None


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """``{"details.address.city": "Варна"}`` → ``{"details": {"address": {"city": "Варна"}}}``."""
    nested: dict[str, Any] = {}
    for path, value in flat.items():
        node = nested
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return nested
