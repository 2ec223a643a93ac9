"""Helpers shared by the test suite: required tools, the PostgreSQL server, CSRF-aware clients."""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from contextlib import contextmanager

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
TEST_PASSWORD = "correct-horse-battery"


def require(available: bool, what: str) -> None:
    """Skip a test whose tool is missing on a laptop; in CI (CI=true) fail it instead."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available", pytrace=False)
    pytest.skip(f"{what} not available")


def postgres_available() -> bool:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM)


@contextmanager
def postgres_admin():
    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def postgres_database_url(name: str) -> str:
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def create_postgres_database(template: str | None = None) -> str:
    name = f"balai_test_{uuid.uuid4().hex[:12]}"
    with postgres_admin() as admin:
        suffix = f" TEMPLATE {template}" if template else ""
        admin.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    return name


def drop_postgres_database(name: str) -> None:
    with postgres_admin() as admin:
        admin.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class CsrfClient(FlaskClient):
    """A test client that sends a valid CSRF token with every unsafe request, as a browser form does.

    Pass csrf=False to send none (to test that such requests are refused).
    """

    def open(self, *args, csrf: bool = True, **kwargs):
        method = (kwargs.get("method") or "GET").upper()
        if csrf and method not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRFToken", self.csrf_token())
            kwargs["headers"] = headers
        # Each request gets its own app context (own db session, own `g`), as on a real server,
        # even though the test itself runs inside one.
        outer = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(outer)

    def csrf_token(self) -> str:
        app = self.application
        with self.session_transaction() as session:
            raw = session.get("csrf_token")
            if raw is None:
                raw = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 - same shape as Flask-WTF
                session["csrf_token"] = raw
        serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
        return serializer.dumps(raw)
