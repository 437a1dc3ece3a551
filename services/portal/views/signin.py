"""Signing in and out: OpenID Connect in production, a choice of demo people locally."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from services.portal import auth
from services.portal.clients import ServiceError, Services, current_services
from services.portal.config import PortalConfig
from services.portal.reference import choices
from shared.auth import Principal, Role, TokenCodec

blp = Blueprint("signin", __name__)
DEMO_PEOPLE = json.loads((Path(__file__).parent.parent / "demo_people.json").read_text(encoding="utf-8"))["people"]
DEV_TOKEN_TTL = timedelta(hours=12)
CUSTOM_ROLES = ("representative", "buyer", "clerk", "trainer", "learner")


def _config() -> PortalConfig:
    return current_app.extensions["portal_config"]


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host), so sign-in never redirects elsewhere."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("home.index")


@blp.get("/sign-in")
def page() -> ResponseReturnValue:
    config = _config()
    try:
        centres = choices("centres")
    except ServiceError:
        centres = []
    return render_template(
        "signin.html",
        centres=centres,
        dev=config.dev_sign_in,
        oidc=config.oidc is not None,
        people=DEMO_PEOPLE,
        roles=CUSTOM_ROLES,
        next=request.args.get("next", ""),
    )


@blp.post("/sign-in/demo")
def demo() -> ResponseReturnValue:
    """Development only: mint a token signed with the services' development secret for a demo person."""
    if not _config().dev_sign_in:
        abort(404)
    form = request.form
    preset = next((p for p in DEMO_PEOPLE if p["key"] == form.get("person")), None)
    if preset is None:
        preset = _custom_person(form)
        if preset is None:
            flash(_("Choose a role and enter a name and an e-mail address."), "error")
            return redirect(url_for("signin.page", next=form.get("next", "")))
    token = _demo_token(preset)
    person = auth.sign_in(token)
    flash(_("Signed in as %(name)s.", name=person.name), "success")
    return redirect(_safe_next(form.get("next")))


def _custom_person(form: Any) -> dict[str, Any] | None:
    role, name, email = form.get("role", ""), form.get("name", "").strip(), form.get("email", "").strip().lower()
    if role not in CUSTOM_ROLES or not name or "@" not in email:
        return None
    digest = hashlib.sha256(f"{role}:{email}".encode()).hexdigest()[:16]
    return {
        "roles": [role],
        "subject": f"dev-{role}-{digest}",
        "name": name,
        "email": email,
        "centre": (form.get("centre") or None) if role in {"clerk", "trainer"} else None,
        "enterprise_query": form.get("enterprise", "").strip() or None,
    }


def _demo_token(person: dict[str, Any]) -> str:
    services = current_services()
    codec = TokenCodec.from_settings(_config().settings)
    principal = Principal(
        subject=person["subject"],
        roles=frozenset(Role(r) for r in person["roles"]),
        name=person["name"],
        email=person.get("email", ""),
        centre=person.get("centre"),
    )
    enterprise_id = _enterprise_of(services, person, codec.encode(principal, DEV_TOKEN_TTL))
    if enterprise_id:
        principal = Principal(**{**principal.__dict__, "enterprise_id": enterprise_id})
    return codec.encode(principal, DEV_TOKEN_TTL)


def _enterprise_of(services: Services, person: dict[str, Any], token: str) -> str | None:
    """The enterprise a demo person acts for: named by a register search, or their latest application's."""
    try:
        if person.get("enterprise_query"):
            found = services.registry.get("/api/v1/register", params={"q": person["enterprise_query"]})
            return found["items"][0]["id"] if found["items"] else None
        if "representative" in person["roles"]:
            mine = services.registry.get("/api/v1/applications", token)["items"]
            return max(mine, key=lambda a: a["created_at"])["enterprise_id"] if mine else None
    except ServiceError:
        return None
    return None


@blp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    auth.sign_out()
    flash(_("You have signed out."), "success")
    return redirect(url_for("home.index"))


oauth = OAuth()


def install_oidc(app: Flask, config: PortalConfig) -> None:
    """Register the OpenID Connect provider, discovered from its issuer URL."""
    if config.oidc is None:
        return
    oauth.init_app(app)
    oauth.register(
        "provider",
        client_id=config.oidc.client_id,
        client_secret=config.oidc.client_secret,
        server_metadata_url=config.oidc.metadata_url,
        client_kwargs={"scope": config.oidc.scope, "code_challenge_method": "S256"},
    )


@blp.get("/sign-in/oidc")
def oidc_start() -> ResponseReturnValue:
    if _config().oidc is None:
        abort(404)
    session["after_sign_in"] = _safe_next(request.args.get("next"))
    return oauth.provider.authorize_redirect(url_for("signin.oidc_callback", _external=True))


@blp.get("/sign-in/oidc/callback")
def oidc_callback() -> ResponseReturnValue:
    if _config().oidc is None:
        abort(404)
    target = session.pop("after_sign_in", None)
    result = oauth.provider.authorize_access_token()
    person = auth.sign_in(result["access_token"])
    flash(_("Signed in as %(name)s.", name=person.name), "success")
    return redirect(_safe_next(target))
