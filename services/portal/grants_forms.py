"""The support pages' forms read into the grants service's payloads, and its field names mapped back.

Amounts are typed in euro with a decimal comma (``1 234,50``) and sent in cents; a day is a date input's
``2027-03-28`` or a typed ``28.03.2027``. What the portal cannot read is marked at its input and sent as
unreadable, so the service's refusal names every other field's problem in the same round and nothing is
kept. Rows of a form that are left empty are not sent, so the service's ``criteria.1.weight`` may be the
form's third row: the aliases returned map each path back to the input that shows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from services.portal.forms import UNREADABLE, FormState, euro_to_cents, whole_number
from services.portal.i18n import localised
from services.portal.training_forms import parse_day
from shared.bg.geography import geography

CRITERIA_ROWS = 5
DOCUMENT_ROWS = 4
CRITERION_FIELDS = ("name_bg", "name_en", "weight", "max_points", "min_points")
DOCUMENT_FIELDS = ("name_bg", "name_en")
_ENVELOPE = re.compile(r"^envelopes\.(?P<code>[A-Z0-9]{2,8})(\.(key|value))?$")


def regions() -> list[tuple[str, str]]:
    """The planning regions as ``(code, "Южен централен (Пловдив)")``: each with its regional centre's town."""
    geo = geography()
    return [
        (region.code, f"{localised({'bg': region.name_bg, 'en': region.name_en})} "
         f"({localised({'bg': geo.centres[region.centre].city_bg, 'en': geo.centres[region.centre].city_en})})")
        for region in geo.regions.values()
    ]  # fmt: skip


def region_name(code: str | None) -> str:
    """A planning region's name in the page's language; an unknown code as it is."""
    return dict(regions()).get(code or "", code or "")


def region_name_bg(code: str) -> str:
    """The region's Bulgarian name (for the spreadsheets, whose columns are Bulgarian)."""
    region = geography().regions.get(code)
    return region.name_bg if region else code


def regions_of_centre(centre: str | None) -> list[str]:
    """The regions a centre's staff rank (the ministry's: every one)."""
    geo = geography()
    return [r.code for r in geo.regions.values() if centre in ("national", r.centre)]


def _amount(raw: str, name: str, state: FormState, *, required: bool) -> Any:
    """Cents, or None when left empty (the service then says what it needs), or UNREADABLE."""
    if not raw.strip():
        if required:
            state.add(name, _("Required."))
            return dict(UNREADABLE)
        return None
    cents = euro_to_cents(raw, name, state)
    return dict(UNREADABLE) if cents is None else cents


def _whole(raw: str, name: str, state: FormState) -> Any:
    if not raw.strip():
        return None
    value = whole_number(raw, name, state)
    return dict(UNREADABLE) if value is None else value


def _day(raw: str, name: str, state: FormState) -> str | None:
    """ISO date; a day that cannot be read is reported here and sent as typed (the service refuses it too)."""
    text = raw.strip()
    if not text:
        return None
    found = parse_day(text)
    if found is None:
        state.add(name, _("Enter a date, e.g. 28.03.2027."))
        return text
    return found.isoformat()


def _filled_rows(form: Any, group: str, rows: int, names: tuple[str, ...]) -> list[int]:
    return [row for row in range(rows) if any((form.get(f"{group}.{row}.{name}") or "").strip() for name in names)]


@dataclass
class CallForm:
    body: dict[str, Any] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)

    def shown_at(self, path: str) -> str:
        """The input (or group of inputs) that shows what the service says of ``path``."""
        if path in self.aliases:
            return self.aliases[path]
        if found := _ENVELOPE.match(path):
            code = found["code"]
            return f"envelopes.{code}" if code in dict(regions()) else "envelopes"
        for group in ("criteria", "required_documents", "categories", "envelopes"):
            if path.startswith(group + "."):
                return self.aliases.get(
                    ".".join(path.split(".")[:2]), "documents" if group == "required_documents" else group
                )
        return {"required_documents": "documents"}.get(path, path)


AMOUNTS = {"budget": "budget_cents", "max_per_enterprise": "max_per_enterprise_cents", "max_line": "max_line_cents"}


def call_from(form: Any, state: FormState) -> CallForm:
    """The ministry's call form as the service's payload (``POST /api/v1/calls``)."""
    read = CallForm()
    body = read.body
    body["title"] = (form.get("title") or "").strip()
    for name, api_name in AMOUNTS.items():
        value = _amount(form.get(name) or "", name, state, required=name != "max_line")
        if value is not None:
            body[api_name] = value
        read.aliases[api_name] = name
    envelopes: dict[str, Any] = {}
    for code, _name in regions():
        value = _amount(form.get(f"envelopes.{code}") or "", f"envelopes.{code}", state, required=False)
        if value is not None:
            envelopes[code] = value
    body["envelopes"] = envelopes
    body["categories"] = [c for c in form.getlist("categories") if c]
    for name in ("opens_on", "closes_on"):
        if (day := _day(form.get(name) or "", name, state)) is not None:
            body[name] = day
    score = _whole(form.get("pass_score") or "", "pass_score", state)
    if score is not None:
        body["pass_score"] = score
    _criteria(form, state, read)
    _documents(form, read)
    return read


def _criteria(form: Any, state: FormState, read: CallForm) -> None:
    criteria: list[dict[str, Any]] = []
    for row in _filled_rows(form, "criteria", CRITERIA_ROWS, CRITERION_FIELDS):
        sent, entered = f"criteria.{len(criteria)}", f"criteria.{row}"
        criterion: dict[str, Any] = {"code": f"c{row + 1}"}
        for name in CRITERION_FIELDS:
            raw = form.get(f"{entered}.{name}") or ""
            if name in ("name_bg", "name_en"):
                criterion[name] = raw.strip()
            elif (value := _whole(raw, f"{entered}.{name}", state)) is not None:
                criterion[name] = value
            read.aliases[f"{sent}.{name}"] = f"{entered}.{name}"
        read.aliases[sent] = f"{entered}.name_bg"
        criteria.append(criterion)
    read.body["criteria"] = criteria


def _documents(form: Any, read: CallForm) -> None:
    documents: list[dict[str, Any]] = []
    for row in _filled_rows(form, "documents", DOCUMENT_ROWS, DOCUMENT_FIELDS):
        sent, entered = f"required_documents.{len(documents)}", f"documents.{row}"
        document = {
            "code": f"d{row + 1}",
            **{name: (form.get(f"{entered}.{name}") or "").strip() for name in DOCUMENT_FIELDS},
        }
        if form.get(f"{entered}.at_submission"):
            document["at_submission"] = True
        documents.append(document)
        read.aliases[sent] = f"{entered}.name_bg"
        for name in DOCUMENT_FIELDS:
            read.aliases[f"{sent}.{name}"] = f"{entered}.{name}"
    read.body["required_documents"] = documents


def refused_call(state: FormState, error: Any, read: CallForm) -> FormState:
    """The service's refusal of a call, each message at the input (or group) that shows it."""
    return state.fail(error, {path: read.shown_at(path) for path in error.fields})


def money_fields(
    form: Any, state: FormState, prefix: str, amounts: dict[str, str], days: dict[str, str], texts: dict[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """A small staff or applicant form (``prefix.<input>``) as a payload; the aliases from the service's names.

    ``amounts``/``days``/``texts`` map each input to the service's field; every amount is required.
    """
    body: dict[str, Any] = {}
    aliases: dict[str, str] = {}
    for kinds, reader in ((amounts, "amount"), (days, "day"), (texts, "text")):
        for name, api_name in kinds.items():
            shown = f"{prefix}.{name}" if prefix else name
            raw = form.get(shown) or ""
            aliases[api_name] = shown
            if reader == "amount":
                body[api_name] = _amount(raw, shown, state, required=True)
            elif reader == "day":
                if (day := _day(raw, shown, state)) is not None:
                    body[api_name] = day
            elif raw.strip():
                body[api_name] = raw.strip()
    return body, aliases
