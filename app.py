"""Balai: the application factory."""

from __future__ import annotations

import sys
from pathlib import Path

from flask import Flask, g, request, session
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from config import BASE_DIR, ConfigError, check_production, check_settings, load_config
from extensions import babel, csrf, db, htmx, limiter, login_manager, migrate

SUPPORTED_DATABASES = ("sqlite", "postgresql")


def create_app(config: dict | None = None) -> Flask:
    """Build the app. With no `config` (a real start), bad configuration ends the process with one line."""
    try:
        return _create_app(config)
    except ConfigError as exc:
        if config is not None:
            raise
        _refuse(exc)


def refuse_bad_configuration() -> None:
    """What create_app refuses, checked without building the app: gunicorn's master calls it before
    forking any worker (gunicorn.conf.py), so a bad setting stops the server with one line."""
    instance_path = BASE_DIR / "instance"
    try:
        config = load_config(instance_path)
        _validate(config, instance_path)
        engine = create_engine(config["SQLALCHEMY_DATABASE_URI"])
        try:
            _check_connection(engine)
        finally:
            engine.dispose()
    except ConfigError as exc:
        _refuse(exc)


def _refuse(exc: ConfigError):
    print(f"Balai cannot start: {exc}", file=sys.stderr)
    # 4 is gunicorn's "App failed to load": should a worker get here, the master stops instead of respawning.
    raise SystemExit(4) from None


def _validate(config: dict, instance_path: Path) -> None:
    from services.municipality import resolve

    check_production(config)
    check_settings(config)
    _check_database_url(config["SQLALCHEMY_DATABASE_URI"], instance_path)
    resolve(config["MUNICIPALITY"])
    _check_accounts_settings(config)


def _check_accounts_settings(config: dict) -> None:
    """TRUSTED_PROXIES and SMTP_URL are read at start-up, so a typo stops the server instead of a request."""
    from blueprints.proxies import parse_trusted_proxies
    from services.mail import SmtpSettings

    try:
        parse_trusted_proxies(config.get("TRUSTED_PROXIES", ""))
        if (config.get("SMTP_URL") or "").strip():
            SmtpSettings.parse(config["SMTP_URL"])
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _create_app(overrides: dict | None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(BASE_DIR / "instance"),
        template_folder="templates",
        static_folder="static",
    )
    instance_path = Path(app.instance_path)
    app.config.update(load_config(instance_path))
    if overrides:
        app.config.update(overrides)
    _validate(app.config, instance_path)

    from services.municipality import resolve

    app.extensions["municipality"] = resolve(app.config["MUNICIPALITY"])

    _init_extensions(app)
    from blueprints import edge

    edge.init_app(app)
    _register_blueprints(app)
    _trust_proxies(app)

    from blueprints.errors import register_error_handlers
    from cli import register_cli

    register_error_handlers(app)
    register_cli(app)
    _register_request_hooks(app)
    from blueprints import confirmation, formatting

    confirmation.register_template_helpers(app)
    formatting.register(app)

    if not app.config.get("TESTING") and not app.config.get("SKIP_DATABASE_CHECK"):
        with app.app_context():
            _check_connection(db.engine)
    return app


def _trust_proxies(app: Flask) -> None:
    from blueprints.proxies import TrustedProxyFix, parse_trusted_proxies

    networks = parse_trusted_proxies(app.config.get("TRUSTED_PROXIES", ""))  # checked in _validate
    if networks:
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, networks)


def _check_database_url(url: str, instance_path: Path) -> None:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            "DATABASE_URL is not a database URL: use sqlite:///path/to/file.sqlite3 "
            "or postgresql+psycopg://user:password@host/dbname"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED_DATABASES:
        raise ConfigError(f"DATABASE_URL uses '{backend}', which Balai does not support: use sqlite or postgresql")
    if backend == "postgresql" and parsed.get_driver_name() not in ("psycopg", "psycopg2"):
        raise ConfigError("DATABASE_URL must use the psycopg driver: write postgresql+psycopg://…")
    if backend == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        instance_path.mkdir(parents=True, exist_ok=True)


def _check_connection(engine: Engine) -> None:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise ConfigError(f"cannot connect to the database in DATABASE_URL ({reason})") from None


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """SQLite: enforce foreign keys, and WAL so that readers never wait for a writer."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def _init_extensions(app: Flask) -> None:
    import models  # noqa: F401  (every table registered before migrations look)
    from blueprints.auth.sessions import load_user
    from blueprints.i18n import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(BASE_DIR / "translations"),
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)

    from services import jobs, search

    search.init_app(app)
    jobs.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from blueprints.account import bp as account_bp
    from blueprints.admin import bp as admin_bp
    from blueprints.admin import legacy as admin_legacy_bp
    from blueprints.api import bp as api_bp
    from blueprints.auth import bp as auth_bp
    from blueprints.backoffice import bp as backoffice_bp
    from blueprints.cms import bp as cms_bp
    from blueprints.cooperatives_admin import bp as cooperatives_admin_bp
    from blueprints.directory import bp as directory_bp
    from blueprints.health import bp as health_bp
    from blueprints.i18n import bp as i18n_bp
    from blueprints.imports import bp as imports_bp
    from blueprints.outreach import admin as outreach_admin_bp
    from blueprints.outreach import bp as outreach_bp
    from blueprints.portal import bp as portal_bp
    from blueprints.public import bp as public_bp
    from blueprints.site import bp as site_bp
    from blueprints.users_admin import bp as users_admin_bp
    from blueprints.verify import bp as verify_bp

    for blueprint in (
        public_bp,
        directory_bp,
        site_bp,
        verify_bp,
        outreach_bp,
        api_bp,
        health_bp,
        i18n_bp,
        auth_bp,
        account_bp,
        admin_bp,
        admin_legacy_bp,
        backoffice_bp,
        outreach_admin_bp,
        imports_bp,
        cooperatives_admin_bp,
        cms_bp,
        portal_bp,
        users_admin_bp,
    ):
        app.register_blueprint(blueprint)


# Pages of these blueprints are for logged-in staff or cooperatives: never in a search engine.
NOINDEX_BLUEPRINTS = frozenset(
    {
        "admin",
        "auth",
        "account",
        "portal",
        "cms",
        "backoffice",
        "outreach_admin",
        "imports",
        "cooperatives_admin",
        "users_admin",
    }
)


# Blueprints whose responses may show personal data to staff or to a cooperative.
STAFF_BLUEPRINTS = frozenset(
    {"admin", "auth", "portal", "cms", "backoffice", "outreach_admin", "imports", "cooperatives_admin"}
)


def _is_noindex() -> bool:
    return bool(getattr(g, "noindex", False)) or request.blueprint in NOINDEX_BLUEPRINTS


def _register_request_hooks(app: Flask) -> None:
    from blueprints import pagination, request_ids, request_log

    request_ids.init_app(app)
    request_log.init_app(app)
    pagination.register(app)
    from flask_babel import get_locale
    from flask_login import current_user

    from blueprints.formatting import number
    from blueprints.links import url_with_query
    from services import authorization

    app.jinja_env.filters["number"] = number
    app.jinja_env.globals["url_with_query"] = url_with_query
    app.jinja_env.globals["can"] = lambda action: authorization.can(current_user, action)

    @app.context_processor
    def inject_site():
        return {
            "municipality": app.extensions["municipality"],
            "site_name": app.config["SITE_NAME"],
            "current_locale": str(get_locale()),
            "noindex": _is_noindex(),
        }

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
        )
        if _is_noindex():
            response.headers["X-Robots-Tag"] = "noindex, nofollow"
        if request.blueprint in STAFF_BLUEPRINTS:
            # Back-office pages carry full NIKs and addresses: never kept by a browser or proxy cache.
            response.headers["Cache-Control"] = "no-store"
        if app.config["BALAI_ENV"] == "production":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if "lang" in session:
            response.vary.add("Cookie")
        return response
