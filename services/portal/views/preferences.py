"""A signed-in person's notification settings: the language of their messages, channels and topics."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from services.portal import auth
from services.portal.clients import ServiceError, current_services
from services.portal.forms import FormState

blp = Blueprint("preferences", __name__, url_prefix="/settings")
PATH = "/api/v1/preferences"


@blp.get("")
@auth.signed_in()
def show() -> ResponseReturnValue:
    current = current_services().notifications.get(PATH, auth.token())
    return render_template("preferences.html", current=current, state=FormState())


@blp.post("")
@auth.signed_in()
def save() -> ResponseReturnValue:
    form = request.form
    chosen = {
        "language": form.get("language", "bg"),
        "email": form.get("email") == "1",
        "inbox": form.get("inbox") == "1",
        "opted_out": form.getlist("opted_out"),
    }
    notifications = current_services().notifications
    try:
        notifications.put(PATH, auth.token(), json=chosen)
    except ServiceError as error:
        if error.status not in (400, 422):
            raise
        current = {**notifications.get(PATH, auth.token()), **chosen}
        return render_template("preferences.html", current=current, state=FormState().fail(error)), error.status
    flash(_("Your notification settings are saved."), "success")
    return redirect(url_for("preferences.show"))
