"""sharetrack: privacy-first share and promotion tracking for crowdfunding campaigns."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import cache, config, inputs, metrics, page_cache, ratelimit, security
from .auth import passwords
from .extensions import SessionInterface, csrf, db, login, mail, migrate
from .html import common as html_common
from .links.middleware import RedirectMiddleware
from .services import Services, install

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, CLI. Nothing else runs here."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    if overrides and overrides.get("TESTING"):
        app.testing = True
    config.load(app, overrides)
    cfg = app.config
    passwords.configure(
        int(cfg["ARGON2_TIME_COST"]), int(cfg["ARGON2_MEMORY_COST"]), int(cfg["ARGON2_PARALLELISM"])
    )
    # Flask 2.3+ ignores the JSON_SORT_KEYS setting; keep fields in the documented order.
    app.session_interface = SessionInterface()
    app.json.sort_keys = bool(app.config["JSON_SORT_KEYS"])  # type: ignore[attr-defined]
    inputs.init_app(app)

    # Share-link clicks are answered in front of Flask's request machinery (ADR 0008).
    app.wsgi_app = RedirectMiddleware(app, app.wsgi_app)  # type: ignore[method-assign]
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )

    from .leaflets.qr import Memo
    from .signing import Tokens

    built = install(
        app,
        Services(
            tokens=Tokens(app.config["SECRET_KEY"], app.config["SECRET_KEYS"]), qr_images=Memo()
        ),
    )
    html_common.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login.init_app(app)
    mail.init_app(app)
    _sqlite_pragmas(app)
    _redirect_statements(app, built)
    ratelimit.init_app(app)
    cache.init_app(app)
    page_cache.init_app(app)
    security.init_app(app)
    metrics.init_app(app)

    _register_blueprints(app)
    _register_tasks()
    from . import cli
    from .errors import register_error_handlers

    register_error_handlers(app)
    cli.register(app)
    return app


def _register_blueprints(app: Flask) -> None:
    """The JSON API and the HTML pages."""
    from .api import bp as api_bp
    from .api import (  # noqa: F401
        campaigns,
        estimates,
        experiments,
        keys,
        leaflets,
        moderation,
        openapi,
        pledges,
        promoters,
        reports,
        shares,
        stripe_webhook,
        tasks,
        webhooks,
    )
    from .html.auth.key_pages import bp as api_keys_bp
    from .html.auth.views import bp as auth_bp
    from .html.campaigns.payments import bp as payments_bp
    from .html.campaigns.views import bp as campaigns_bp
    from .html.embed.views import bp as embed_bp
    from .html.experiments.views import bp as experiments_bp
    from .html.leaflets.views import bp as leaflets_bp
    from .html.links.views import bp as links_bp
    from .html.ops.views import bp as ops_bp
    from .html.organiser.views import bp as organiser_bp
    from .html.pledges.views import bp as campaign_page_bp
    from .html.promoters.views import bp as promoters_bp
    from .html.webhooks.views import bp as webhooks_bp

    # The API authenticates by bearer key or webhook signature, never by cookie: no CSRF there.
    csrf.exempt(api_bp)
    app.register_blueprint(links_bp)
    app.register_blueprint(experiments_bp)
    app.register_blueprint(leaflets_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(campaigns_bp)
    app.register_blueprint(payments_bp)
    app.register_blueprint(api_keys_bp)
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(promoters_bp)
    app.register_blueprint(campaign_page_bp)
    app.register_blueprint(embed_bp)
    app.register_blueprint(ops_bp)
    app.register_blueprint(organiser_bp)


def _register_tasks() -> None:
    """Import every module that defines queued tasks, so the worker knows them by name."""
    from .promoters import tasks  # noqa: F401
    from .webhooks import tasks as webhook_tasks  # noqa: F401


def _redirect_statements(app: Flask, built: Services) -> None:
    """The redirect's driver-level statements for this app's engine (links/redirect_sql.py),
    and the worker's recent share targets (links/redirect.py)."""
    from .links import redirect, redirect_sql

    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "postgresql":
        engine = redirect_sql.click_engine(engine, app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    built.redirect_statements = redirect_sql.Statements(engine)
    built.targets = redirect.Targets()


def _sqlite_pragmas(app: Flask) -> None:
    """WAL lets readers run beside the single writer; NORMAL sync is safe under WAL."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()
