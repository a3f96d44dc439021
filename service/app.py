"""The application factory."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import swagger_ui_bundle
from flask import Flask, request, send_from_directory, session
from flask_babel import get_locale

from service import access, body_limits, headers
from service.api import BEARER_SCHEME, FairpactApi
from service.billing.setup import init_app as init_billing
from service.config import load_config
from service.errors import register_error_handlers
from service.extensions import babel, csrf, db, limiter, login_manager, migrate
from service.jobs import install_job_hooks
from tenants.scoping import install_scoping

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> Flask:
    """Build the app: validated config, extensions, tenancy hooks, blueprints, error handlers, CLI."""
    app = Flask(__name__, instance_path=None)
    app.config.update(load_config(env))
    if overrides:
        app.config.update(overrides)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    _init_extensions(app)
    install_scoping()
    install_job_hooks()
    access.init_app(app)
    init_billing(app)  # after access: its read-only hook needs the principal
    headers.init_app(app)
    body_limits.init_app(app)  # first of the before_request hooks, whenever it is registered
    _trust_proxies(app)
    _register_api(app)
    _register_web(app)
    register_error_handlers(app)
    _register_cli(app)
    _load_rule_packs()
    return app


def _load_rule_packs() -> None:
    """Read and check every rule pack now: a broken pack stops the start, not the first check."""
    from service.contracts.fairness.rulebook import rule_book
    from service.disclosure.rulebook import default_rule_book

    rule_book()
    default_rule_book()


def _trust_proxies(app: Flask) -> None:
    """Behind a load balancer, take the client address and scheme from the given number of proxies."""
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def _select_locale() -> str:
    chosen = session.get("locale")
    if chosen in ("en", "de"):
        return chosen
    return request.accept_languages.best_match(["en", "de"]) or "en"


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "web_auth.login"
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_identity)
    app.jinja_env.globals["get_locale"] = get_locale


def _load_identity(identity: str) -> Any:
    """The user or creator a session cookie names, if the cookie is of their current sign-in generation."""
    from service.accounts.models import Creator, User

    kind, _, rest = identity.partition(":")
    raw_id, _, generation = rest.partition(":")
    models: dict[str, type[User] | type[Creator]] = {"user": User, "creator": Creator}
    model = models.get(kind)
    try:
        found = cast("User | Creator | None", db.session.get(model, uuid.UUID(raw_id)) if model else None)
    except ValueError:
        return None
    # A cookie from before the last sign-out (a copy someone kept) signs no one in.
    return found if found is not None and generation == str(found.session_generation) else None


def _register_api(app: Flask) -> None:
    from service.routes import API_BLUEPRINTS

    # One Api per app (tests build several apps; flask-smorest keeps per-app spec state).
    api = FairpactApi(app)
    app.extensions["fairpact_api"] = api
    api.spec.components.security_scheme("apiKey", BEARER_SCHEME)
    for blueprint in API_BLUEPRINTS:
        api.register_blueprint(blueprint)
    # The API authenticates with bearer keys only, so browser CSRF tokens do not apply to it.
    for blueprint in API_BLUEPRINTS:
        csrf.exempt(blueprint)
    assets = Path(swagger_ui_bundle.swagger_ui_path)
    app.add_url_rule(
        "/api/v1/docs/assets/<path:filename>", "swagger_assets", lambda filename: send_from_directory(assets, filename)
    )


def _register_web(app: Flask) -> None:
    from service.routes import WEB_BLUEPRINTS

    for blueprint in WEB_BLUEPRINTS:
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from service.cli import register_commands

    register_commands(app)
