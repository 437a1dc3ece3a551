"""The register's forms: an application's (and a yearly report's) fields ⇄ the registry's payloads.

Inputs are named by the API's dotted path (``details.seat.district``, ``evidence.staff_count``) so the
service's field messages land next to them. Money is typed in euro and sent as cents; counts are whole
numbers. What the portal parses itself is checked here, before any call.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from services.portal.clients import ServiceError
from services.portal.formatting import cents_as_input
from services.portal.forms import FormState, euro_to_cents, nest, whole_number
from services.portal.reference import register_reference
from shared.clock import sofia_date

TEXT_DETAILS = (
    "details.name",
    "details.legal_form",
    "details.eik",
    "details.seat.district",
    "details.seat.municipality",
    "details.seat.settlement",
    "details.seat.address",
    "details.seat.postcode",
    "details.contacts.email",
    "details.contacts.phone",
    "details.contacts.website",
    "details.representative.full_name",
    "details.representative.position",
    "details.description",
)
FLAG_DETAILS = ("details.contacts.email_public", "details.contacts.phone_public")
MONEY = ("evidence.after_tax_result_cents", "evidence.social_spending_cents")
COUNTS = ("evidence.staff_count", "evidence.vulnerable_staff_continuous_6m")
FLAGS = ("evidence.social_activity_evidenced", "evidence.participatory_management", "evidence.unemployment_area")
GROUP_PREFIX = "evidence.vulnerable_staff."
_INDEX = re.compile(r"\.\d+(?=\.|$)")
_AMOUNT = re.compile(r"-?\d+(?:[.,]\d+)?")
_DAY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def group_codes() -> list[str]:
    return [group["code"] for group in register_reference()["vulnerable_groups"]]


def _text(form: MultiDict[str, str], name: str) -> str:
    return form.get(name, "").strip()


def evidence_inputs() -> list[str]:
    """The names of the figures' inputs (an error on any other name is listed without a link)."""
    return [*FLAGS, *MONEY, *COUNTS, *(GROUP_PREFIX + code for code in group_codes())]


def application_inputs() -> list[str]:
    choices = ("details.activities", "requested_class", "class_a_route", "a_plus_criterion")
    return [*TEXT_DETAILS, *FLAG_DETAILS, *choices, *evidence_inputs()]


def details_payload(form: MultiDict[str, str]) -> dict[str, Any]:
    """The enterprise's details, nested as the API names them; activities one per line.

    Blank fields are left out: the service then says a required one is missing (its defaults fill the rest).
    """
    flat: dict[str, Any] = {name: _text(form, name) for name in TEXT_DETAILS if _text(form, name)}
    flat.update({name: name in form for name in FLAG_DETAILS})
    flat["details.activities"] = lines(form.get("details.activities", ""))
    details = nest(flat)["details"]
    for part in ("seat", "contacts", "representative"):
        details.setdefault(part, {})
    return details


def evidence_payload(form: MultiDict[str, str], state: FormState) -> dict[str, Any]:
    """The figures: euro → cents, persons → whole numbers (wrong ones reported on their fields)."""
    evidence: dict[str, Any] = {name.split(".", 1)[1]: name in form for name in FLAGS}
    for name in MONEY:
        evidence[name.split(".", 1)[1]] = _money(form, name, state)
    for name in COUNTS:
        evidence[name.split(".", 1)[1]] = _count(form, name, state)
    groups = {code: _count(form, GROUP_PREFIX + code, state) for code in group_codes()}
    evidence["vulnerable_staff"] = {code: count for code, count in groups.items() if count}
    return evidence


def _money(form: MultiDict[str, str], name: str, state: FormState) -> int:
    """Euro → cents; only plain amounts (``12500,50``), never ``NaN`` or ``1e9`` that Decimal would take."""
    raw = form.get(name, "")
    if raw.strip() and not _AMOUNT.fullmatch(re.sub(r"\s", "", raw)):
        state.add(name, _("Enter an amount in euro, e.g. 12.50."))
        return 0
    return euro_to_cents(raw, name, state) or 0


def _count(form: MultiDict[str, str], name: str, state: FormState) -> int:
    value = whole_number(form.get(name, ""), name, state)
    if value is not None and value < 0:
        state.add(name, _("Enter zero or more persons."))
        return 0
    return value or 0


def request_payload(form: MultiDict[str, str], state: FormState) -> dict[str, Any]:
    """Class, route, A+ criterion and figures: what eligibility is judged on."""
    return {
        "requested_class": form.get("requested_class") or None,
        "class_a_route": form.get("class_a_route") or None,
        "a_plus_criterion": (form.get("a_plus_criterion") or None) if form.get("requested_class") == "A+" else None,
        "evidence": evidence_payload(form, state),
    }


def without_blanks(payload: dict[str, Any]) -> dict[str, Any]:
    """Leave out choices not made, so the service names them as missing rather than invalid."""
    return {key: value for key, value in payload.items() if value is not None}


def application_values(application: dict[str, Any]) -> dict[str, Any]:
    """A saved application as the form's values (money back in euro, activities one per line)."""
    details = application.get("details") or {}
    values: dict[str, Any] = {}
    for name in (*TEXT_DETAILS, *FLAG_DETAILS):
        node: Any = details
        for part in name.split(".")[1:]:
            node = node.get(part, "") if isinstance(node, dict) else ""
        values[name] = "1" if node is True else ("" if node is False else node)
    values["details.activities"] = "\n".join(details.get("activities", []))
    values.update(request_values(application))
    return values


def request_values(source: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "requested_class": source.get("requested_class") or "",
        "class_a_route": source.get("class_a_route") or "",
        "a_plus_criterion": source.get("a_plus_criterion") or "",
    }
    values.update(evidence_values(source.get("evidence") or {}))
    return values


def evidence_values(evidence: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in FLAGS:
        values[name] = "1" if evidence.get(name.split(".", 1)[1]) else ""
    for name in MONEY:
        values[name] = cents_as_input(evidence.get(name.split(".", 1)[1], 0))
    for name in COUNTS:
        values[name] = str(evidence.get(name.split(".", 1)[1], 0))
    for code, count in (evidence.get("vulnerable_staff") or {}).items():
        values[GROUP_PREFIX + code] = str(count)
    return values


def place(state: FormState, error: ServiceError, prefix: str = "") -> FormState:
    """A refusal's messages on the inputs: ``request.evidence.x`` → ``evidence.x``, ``activities.2`` →
    ``activities``; ``prefix`` is what the payload nested the form's fields under."""
    aliases = {}
    for path in error.fields:
        target = path[len(prefix) :] if prefix and path.startswith(prefix) else path
        aliases[path] = _INDEX.sub("", target) if not target.startswith(GROUP_PREFIX) else target
    return state.fail(error, aliases)


def order_date(raw: str, name: str, state: FormState) -> str | None:
    """An order's date as typed (``2026-11-23`` from a date picker, or ``23.11.2026``) → ISO date."""
    text = raw.strip()
    if not text:
        state.add(name, _("Enter the date of the order."))
        return None
    try:
        day_match = _DAY.fullmatch(text)
        if day_match:
            return date(int(day_match[3]), int(day_match[2]), int(day_match[1])).isoformat()
        return date.fromisoformat(text).isoformat()
    except ValueError:
        state.add(name, _("Enter a date, e.g. 23.11.2026."))
        return None


def digits(raw: str | None) -> int | None:
    """A plain whole number from the address bar or a hidden field (ASCII digits only: ``int("²")`` fails)."""
    text = (raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def page_number(raw: str | None) -> int:
    number = digits(raw)
    return number if number is not None and 0 < number <= 10000 else 1


def today() -> date:
    """Today in Sofia: the day the dates people type are measured against."""
    return sofia_date(datetime.now(UTC))


def lines(raw: str) -> list[str]:
    return [line.strip() for line in raw.splitlines() if line.strip()]
