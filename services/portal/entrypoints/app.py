"""The portal's Flask application: pages, languages, sign-in, and calls to the services."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import Babel, get_locale
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from services.portal import auth
from services.portal.clients import ServiceClient, ServiceError, Services
from services.portal.config import SERVICE, PortalConfig
from services.portal.documents import room_for_documents
from services.portal.formatting import FILTERS
from services.portal.i18n import (
    catalogue_directories,
    compile_catalogues,
    localised,
    select_language,
    with_language,
)
from services.portal.navigation import enterprise_registered, navigation, not_yet_registered, unread_count
from services.portal.views import VIEWS, signin
from shared.bg.units import unit_choices
from shared.logs import configure_logging, set_correlation_id
from shared.web.health import health_blueprint
from shared.web.metrics import install_metrics
from shared.web.ratelimit import install_rate_limits

PORTAL_ROOT = Path(__file__).resolve().parent.parent  # templates/, static/ and translations/
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


def create_app(config: PortalConfig | None = None, **overrides: Any) -> Flask:
    config = config or PortalConfig.from_env()
    config.check_secrets()
    configure_logging(SERVICE, config.settings.log_level)
    compile_catalogues()
    app = Flask(SERVICE, root_path=str(PORTAL_ROOT))
    app.config.update(
        SECRET_KEY=config.secret_key,
        SESSION_COOKIE_NAME="portal_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.secure_cookies,
        PERMANENT_SESSION_LIFETIME=config.session_lifetime,
        BABEL_DEFAULT_LOCALE="bg",
        BABEL_DEFAULT_TIMEZONE="Europe/Sofia",
        BABEL_TRANSLATION_DIRECTORIES=";".join(catalogue_directories()),
        MAX_CONTENT_LENGTH=config.settings.max_request_bytes,
        WTF_CSRF_TIME_LIMIT=None,
        **overrides,
    )
    timeout = config.request_timeout_seconds
    app.extensions["portal_config"] = config
    app.extensions["services"] = Services(
        registry=ServiceClient("registry", config.registry_url, timeout),
        marketplace=ServiceClient("marketplace", config.marketplace_url, timeout),
        training=ServiceClient("training", config.training_url, timeout),
        notifications=ServiceClient("notifications", config.notifications_url, timeout),
        grants=ServiceClient("grants", config.grants_url, timeout),
        events=ServiceClient("events", config.events_url, timeout),
    )
    Babel(app, locale_selector=select_language)
    app.before_request(room_for_documents)  # before the CSRF check reads the form
    app.before_request(not_yet_registered)  # a seller's page for an enterprise not in the register: why
    CSRFProtect(app)
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals.update(
        localised=localised,
        with_language=with_language,
        current_person=auth.current_person,
        config=config,
        unit_choices=unit_choices,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _page_context() -> dict[str, Any]:
        person = auth.current_person()
        return {
            "lang": str(get_locale()),
            "person": person,
            "nav": navigation(person),
            "registered_seller": enterprise_registered(person),
            "unread": unread_count(person),
        }

    @app.before_request
    def _correlate() -> None:
        set_correlation_id(request.headers.get("X-Correlation-ID"))

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
            response.headers["Content-Language"] = str(get_locale())
        return response

    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError) -> ResponseReturnValue:
        if error.status == 401:
            auth.sign_out()
        return render_template("error.html", status=error.status, message=localised(error.message)), error.status

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> ResponseReturnValue:
        return render_template("error.html", status=400, message=None, csrf=True), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        return render_template("error.html", status=error.code, message=None), error.code or 500

    signin.install(app, config)
    for blueprint in VIEWS:
        app.register_blueprint(blueprint)
    install_rate_limits(app, render=lambda: render_template("error.html", status=429, message=None))
    app.register_blueprint(health_blueprint({}))
    install_metrics(app)
    return app
