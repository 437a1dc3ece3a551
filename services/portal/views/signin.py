"""Signing in and out: OpenID Connect in production, a choice of demo people locally."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from authlib.integrations.requests_client import OAuth2Session
from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from services.portal import auth
from services.portal.clients import ServiceError, Services, current_services
from services.portal.config import PortalConfig
from services.portal.redirects import safe_target
from services.portal.reference import choices
from shared.auth import Principal, Role, TokenCodec
from shared.web.ratelimit import sign_in_limit

log = logging.getLogger(__name__)
blp = Blueprint("signin", __name__)
DEMO_PEOPLE = json.loads((Path(__file__).parent.parent / "demo_people.json").read_text(encoding="utf-8"))["people"]
CUSTOM_ROLES = ("representative", "buyer", "clerk", "trainer", "learner")
DEV, OIDC = "dev", "oidc"
RENEWAL_MARGIN_SECONDS = 30
"""A provider's token is renewed this long before it expires."""


def _config() -> PortalConfig:
    return current_app.extensions["portal_config"]


def _safe_next(target: str | None) -> str:
    """Only a plain path on this site, so sign-in never redirects elsewhere."""
    return safe_target(target, url_for("home.index"))


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
@sign_in_limit
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
    person = auth.sign_in(token, DEV, _config().token_renewal.total_seconds())
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


def _dev_token_ttl() -> timedelta:
    """A development token outlives its renewal by a minute, so a page in progress never meets an expired one."""
    return _config().token_renewal + timedelta(minutes=1)


def _demo_token(person: dict[str, Any]) -> str:
    """The demo people are known, so their e-mail counts as verified."""
    services = current_services()
    codec = TokenCodec.from_settings(_config().settings)
    principal = Principal(
        subject=person["subject"],
        roles=frozenset(Role(r) for r in person["roles"]),
        name=person["name"],
        email=person.get("email", ""),
        centre=person.get("centre"),
        email_verified=True,
    )
    enterprise_id = _enterprise_of(services, person, codec.encode(principal, _dev_token_ttl()))
    if enterprise_id:
        principal = Principal(**{**principal.__dict__, "enterprise_id": enterprise_id})
    return codec.encode(principal, _dev_token_ttl())


def _reminted(person: auth.Person) -> str | None:
    """The developer sign-in's renewal: the same claims in a new short-lived token (while it is allowed)."""
    if not _config().dev_sign_in:
        return None
    principal = Principal(
        subject=person.subject,
        roles=frozenset(Role(r) for r in person.roles),
        name=person.name,
        email=person.email,
        enterprise_id=person.enterprise_id,
        centre=person.centre,
        email_verified=person.email_verified,
    )
    return TokenCodec.from_settings(_config().settings).encode(principal, _dev_token_ttl())


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
    """Forget the person, revoke their refresh token, and end their session at the provider too when it
    offers that (RP-initiated logout)."""
    ended = auth.sign_out()
    flash(_("You have signed out."), "success")
    if ended.get("method") == OIDC and _config().oidc is not None:
        _revoke(ended.get("refresh_token"))
        if _provider_metadata().get("end_session_endpoint"):
            logout = _provider().create_logout_url(
                post_logout_redirect_uri=url_for("home.index", _external=True),
                id_token_hint=ended.get("id_token"),
                client_id=_config().oidc.client_id,
            )
            return redirect(logout["url"])
    return redirect(url_for("home.index"))


def keep_session_fresh() -> None:
    """Before every request: end a session idle or too old, and renew its token when due.

    A session that cannot be renewed (the refresh token was revoked by signing out, the developer
    sign-in was switched off) ends here, so the page shows the person signed out.
    """
    state = auth.signed_in_state()
    if not state:
        if auth.SESSION_KEY in session:
            auth.sign_out()  # a session from before these rules: start again
        return
    config, now = _config(), auth.now()
    idle = now - float(state.get("seen", 0)) > config.session_idle.total_seconds()
    too_old = now - float(state.get("since", 0)) > config.session_lifetime.total_seconds()
    if idle or too_old or now < float(state.get("since", 0)) - 60:
        _end(_("Your session has ended. Please sign in again."))
        return
    if now >= float(state.get("renew_at", 0)) and not _renew(state):
        _end(_("Your session has ended. Please sign in again."))
        return
    auth.touch()


def _end(message: str) -> None:
    ended = auth.sign_out()
    if ended.get("method") == OIDC:
        _revoke(ended.get("refresh_token"))
    flash(message, "error")


def _renew(state: dict[str, Any]) -> bool:
    person = auth.current_person()
    if person is None:
        return False
    renewal = _config().token_renewal.total_seconds()
    if state.get("method") == DEV:
        token = _reminted(person)
        if token is not None:
            auth.renewed(token, renewal)
        return token is not None
    if state.get("method") == OIDC and _config().oidc is not None and state.get("refresh_token"):
        return _refresh(person, str(state["refresh_token"]), renewal)
    return False


def _refresh(person: auth.Person, refresh_token: str, renewal: float) -> bool:
    """A new access token from the provider; an unreachable provider is tried again on the next page
    while the current token is still valid."""
    try:
        with _provider_client() as client:
            answer = client.refresh_token(_provider_metadata()["token_endpoint"], refresh_token=refresh_token)
    except AuthlibBaseError as refused:
        log.info("the provider refused to renew a session", extra={"error": str(refused)})
        return False
    except (requests.RequestException, KeyError) as failed:
        log.warning("could not renew a session at the provider", extra={"error": str(failed)})
        expires = float(auth.token_claims(person.token).get("exp", 0))
        return auth.now() < expires - RENEWAL_MARGIN_SECONDS
    auth.renewed(
        answer["access_token"],
        _renewal_of(answer, renewal),
        refresh_token=answer.get("refresh_token") or refresh_token,
        id_token=answer.get("id_token") or "",
    )
    return True


def _renewal_of(answer: dict[str, Any], renewal: float) -> float:
    """Renew at the configured interval, or earlier when the provider's token expires sooner."""
    expires_in = answer.get("expires_in")
    if isinstance(expires_in, int | float) and expires_in > 0:
        return max(min(renewal, float(expires_in) - RENEWAL_MARGIN_SECONDS), 1.0)
    return renewal


def _revoke(refresh_token: str | None) -> None:
    """RFC 7009 at the provider's revocation endpoint, when it has one; a failure is logged, not shown."""
    endpoint = _provider_metadata().get("revocation_endpoint")
    if not refresh_token or not endpoint:
        return
    try:
        with _provider_client() as client:
            response = client.revoke_token(endpoint, token=refresh_token, token_type_hint="refresh_token")  # noqa: S106
        response.raise_for_status()
    except (requests.RequestException, AuthlibBaseError) as failed:
        log.warning("could not revoke a refresh token at the provider", extra={"error": str(failed)})


def _provider_client() -> OAuth2Session:
    oidc = _config().oidc
    assert oidc is not None
    return OAuth2Session(oidc.client_id, oidc.client_secret, default_timeout=_config().request_timeout_seconds)


def _provider_metadata() -> dict[str, Any]:
    try:
        return dict(_provider().load_server_metadata())
    except (requests.RequestException, ValueError) as failed:
        log.warning("could not read the provider's metadata", extra={"error": str(failed)})
        return {}


def _provider() -> Any:
    """This application's OpenID Connect client (one per application, so each keeps its own provider)."""
    return current_app.extensions["portal_oauth"].provider


def install(app: Flask, config: PortalConfig) -> None:
    """Sessions kept fresh on every request, and the OpenID Connect provider when there is one."""
    app.before_request(keep_session_fresh)
    install_oidc(app, config)


def install_oidc(app: Flask, config: PortalConfig) -> None:
    """Register the OpenID Connect provider, discovered from its issuer URL."""
    if config.oidc is None:
        return
    oauth = OAuth(app)
    app.extensions["portal_oauth"] = oauth
    oauth.register(
        "provider",
        client_id=config.oidc.client_id,
        client_secret=config.oidc.client_secret,
        server_metadata_url=config.oidc.metadata_url,
        client_kwargs={"scope": config.oidc.scope, "code_challenge_method": "S256"},
    )


@blp.get("/sign-in/oidc")
@sign_in_limit
def oidc_start() -> ResponseReturnValue:
    if _config().oidc is None:
        abort(404)
    session["after_sign_in"] = _safe_next(request.args.get("next"))
    return _provider().authorize_redirect(url_for("signin.oidc_callback", _external=True))


@blp.get("/sign-in/oidc/callback")  # not counted again: only the provider can send people here with a code
def oidc_callback() -> ResponseReturnValue:
    if _config().oidc is None:
        abort(404)
    target = session.pop("after_sign_in", None)
    result = _provider().authorize_access_token()
    userinfo = result.get("userinfo") or {}
    access = auth.token_claims(result["access_token"])
    renewal = _config().token_renewal.total_seconds()
    if not result.get("refresh_token"):  # nothing to renew with: the session ends with its token
        renewal = float(access.get("exp", 0)) - auth.now() - RENEWAL_MARGIN_SECONDS
    person = auth.sign_in(
        result["access_token"],
        OIDC,
        _renewal_of(result, renewal),
        email_verified=userinfo.get("email_verified") is True and userinfo.get("email") == access.get("email"),
        refresh_token=result.get("refresh_token") or "",
        id_token=result.get("id_token") or "",
    )
    flash(_("Signed in as %(name)s.", name=person.name), "success")
    return redirect(_safe_next(target))
