"""Calls to the registry service shared by the register, application and clerk pages."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, redirect
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from services.portal import auth
from services.portal.clients import ServiceClient, ServiceError, current_services
from services.portal.forms import FormState
from services.portal.i18n import localised
from services.portal.registry_forms import place, request_payload, without_blanks

_KEY = re.compile(r"[A-Za-z0-9\u0400-\u04FF][A-Za-z0-9\u0400-\u04FF_-]{0,63}")
SHOWN_REFUSALS = frozenset({403, 409, 422})
"""Refusals a page shows on its form or as a message; others (404, 503) get the error page."""


def registry() -> ServiceClient:
    return current_services().registry


def checked(value: str) -> str:
    """An id (or a registration number such as ``СП-00005``) from the address bar; anything that cannot be
    one is a missing page, never part of an API path."""
    if not _KEY.fullmatch(value):
        abort(404)
    return value


def api(template: str, *keys: str) -> str:
    return template.format(*(checked(key) for key in keys))


def application(application_id: str) -> dict[str, Any]:
    return registry().get(api("/api/v1/applications/{}", application_id), auth.token())


def enterprise_file(enterprise_id: str) -> dict[str, Any]:
    return registry().get(api("/api/v1/enterprises/{}/file", enterprise_id), auth.token())


def eligibility(form: MultiDict[str, str]) -> tuple[dict[str, Any] | None, FormState]:
    """Every rule's outcome for the figures in a form, from the service; or what stops the check."""
    state = FormState.of(form)
    body = without_blanks(request_payload(form, state))
    if not state.ok:
        return None, state
    try:
        return registry().post("/api/v1/eligibility", auth.token(), json=body), state
    except ServiceError as error:
        if error.status != 422:
            raise
        return None, place(state, error)


def refused(error: ServiceError, page: str) -> ResponseReturnValue:
    """A refusal with no field to show it on: said at the top of the page the step was taken from."""
    if error.status not in SHOWN_REFUSALS:
        raise error
    flash(localised(error.message), "error")
    return redirect(page)


def told(message: str, page: str) -> ResponseReturnValue:
    flash(message, "success")
    return redirect(page)
