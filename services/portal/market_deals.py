"""Quote requests and orders as either side sees them: the buyer's purchases and the seller's sales.

Both sides list their deals narrowed to a state, open one and take steps on it. What differs is the
side (``buyer`` or ``seller``: the blueprint and the folder of its templates), which steps it may take
and what it is told after one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Literal

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from services.portal import auth
from services.portal.forms import FormState
from services.portal.market_api import api_path, market, send, told
from services.portal.market_forms import ORDER_STATES, QUOTE_STATES, chosen, form_state

Side = Literal["buyer", "seller"]
Kind = Literal["quotes", "orders"]
Page = Callable[[str, FormState | None, str, int], ResponseReturnValue]
"""A side's page of one deal: its id, the form state to show, the step whose form it belongs to, the status."""
STATES: dict[str, tuple[str, ...]] = {"quotes": QUOTE_STATES, "orders": ORDER_STATES}
ORDER_INPUTS = {"fulfil": ("note", "note"), "cancel": ("reason", "reason"), "dispute": ("reason", "dispute_reason")}
"""What a step on an order sends, and the input it is typed in (one page holds the cancel and the dispute form)."""


def deal_list(side: Side, kind: Kind) -> ResponseReturnValue:
    """The side's quote requests or orders, all or those in one state (``?state=offered``)."""
    state = chosen(request.args, STATES[kind])
    found = market().get(f"/api/v1/{kind}", auth.token(), params={"state": state})
    return render_template(f"{side}/{kind}.html", deals=found["items"], states=STATES[kind], chosen=state)


def fetch(kind: Kind, deal_id: str) -> dict[str, Any]:
    return market().get(api_path(f"/api/v1/{kind}/{{}}", deal_id), auth.token())


def deal_page(
    side: Side, kind: Kind, deal: dict[str, Any], state: FormState | None = None, failed: str = "", status: int = 200
) -> ResponseReturnValue:
    """One deal's page; ``failed`` names the step whose form shows ``state``."""
    return render_template(f"{side}/{kind[:-1]}.html", deal=deal, state=state, failed=failed), status


def order_page(
    side: Side, deal_id: str, state: FormState | None = None, failed: str = "", status: int = 200
) -> ResponseReturnValue:
    return deal_page(side, "orders", fetch("orders", deal_id), state, failed, status)


def deal_step(
    side: Side,
    kind: Kind,
    deal_id: str,
    step: str,
    body: dict[str, Any],
    state: FormState,
    *,
    page: Page,
    done: Callable[[dict[str, Any]], ResponseReturnValue],
    aliases: dict[str, str] | None = None,
) -> ResponseReturnValue:
    """A step on a quote request or an order. What is wrong with it is shown on the step's form on the
    deal's ``page``; a refusal that names no field (the deal moved on) at the top of the deal's page."""
    return send(
        api_path(f"/api/v1/{kind}/{{}}/{step}", deal_id),
        body,
        state,
        back=url_for(f"{side}.{kind[:-1]}", deal_id=deal_id),
        again=lambda failed: page(deal_id, failed, step, 422),
        done=done,
        aliases=aliases,
    )


def take_order_step(side: Side, deal_id: str, step: str, then: str) -> ResponseReturnValue:
    """A step on an order from either side, then on to ``then``. A dispute's reason has its own input,
    since the page also holds the cancel form's."""
    body: dict[str, Any] = {}
    if step in ORDER_INPUTS:
        name, typed_in = ORDER_INPUTS[step]
        body = {name: request.form.get(typed_in, "").strip()}
    return deal_step(
        side,
        "orders",
        deal_id,
        step,
        body,
        form_state(request.form),
        page=partial(order_page, side),
        done=lambda deal: told(_order_done(step, deal.get("order_number") or ""), then),
        aliases={"reason": "dispute_reason"} if step == "dispute" else None,
    )


def _order_done(step: str, number: str) -> str:
    return {
        "receive": _("You confirmed receipt of order %(number)s. Please rate it below.", number=number),
        "fulfil": _("Order %(number)s is marked as fulfilled. The buyer is asked to confirm receipt.", number=number),
        "cancel": _("Order %(number)s is cancelled.", number=number),
        "dispute": _("Order %(number)s is disputed. An administrator will decide.", number=number),
    }[step]
