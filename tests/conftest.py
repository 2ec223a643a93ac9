"""Fixtures: a fresh migrated database per test (SQLite, and PostgreSQL where marked), app, clients."""

from __future__ import annotations

import shutil

import pytest

from app import create_app
from extensions import db
from models.user import COOPERATIVE, EDITOR, OFFICER, SUPERADMIN
from tests.support import (
    IN_CI,
    TEST_PASSWORD,
    CsrfClient,
    create_postgres_database,
    drop_postgres_database,
    postgres_available,
    postgres_database_url,
    require,
)


def pytest_generate_tests(metafunc):
    if "db_kind" in metafunc.fixturenames:
        kinds = ["sqlite"]
        if metafunc.definition.get_closest_marker("both_databases"):
            kinds.append("postgresql")
        metafunc.parametrize("db_kind", kinds)


def _prepare_database(url: str, index_dir) -> None:
    """Migrate and load the reference data (regions, KBLI) once, into a template database."""
    from flask_migrate import upgrade

    from services.kbli import load_kbli
    from services.regions import load_regions

    app = create_app(_test_config(url, index_dir))
    with app.app_context():
        upgrade()
        load_regions(db.session, app.extensions["municipality"])
        load_kbli(db.session)
        db.session.remove()
        db.engine.dispose()


def _test_config(url: str, index_dir, **extra) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SEARCH_INDEX_DIR": str(index_dir),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "MUNICIPALITY": "DKI Jakarta",
        "JOBS_IMMEDIATE": True,  # jobs run in the calling process; tests of the worker turn this off
        "RENDER_PROCESSES": 0,  # the render thread (monkeypatchable); tests of the render processes turn this on
        **extra,
    }


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _prepare_database(f"sqlite:///{path}", tmp_path_factory.mktemp("template-index"))
    return path


@pytest.fixture(scope="session")
def postgres_template(tmp_path_factory):
    require(postgres_available(), "PostgreSQL on 127.0.0.1:5432")
    name = create_postgres_database()
    try:
        _prepare_database(postgres_database_url(name), tmp_path_factory.mktemp("pg-template-index"))
        yield name
    finally:
        drop_postgres_database(name)


@pytest.fixture
def db_url(db_kind, request, tmp_path):
    if db_kind == "sqlite":
        target = tmp_path / "balai.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        yield f"sqlite:///{target}"
        return
    template = request.getfixturevalue("postgres_template")
    name = create_postgres_database(template=template)
    try:
        yield postgres_database_url(name)
    finally:
        drop_postgres_database(name)


@pytest.fixture
def app_config(db_url, tmp_path):
    """The configuration of the app under test; tests may add keys before `app` is built."""
    return _test_config(db_url, tmp_path / "search_index")


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    app.test_client_class = CsrfClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Create users and log a client in as them, as the flaskr tutorial does."""

    def __init__(self, app, client):
        self._app = app
        self._client = client

    def create(self, role: str, username: str | None = None, **fields):
        from services.users import create_user

        if role == COOPERATIVE and "cooperative_id" not in fields:
            fields["cooperative_id"] = _any_cooperative_id()
        return create_user(db.session, username or role, TEST_PASSWORD, role, f"{role.title()} Test", **fields)

    def login(self, username: str, password: str = TEST_PASSWORD, follow_redirects: bool = False, client=None):
        return (client or self._client).post(
            "/masuk/", data={"username": username, "password": password}, follow_redirects=follow_redirects
        )

    def login_as(self, role: str, **fields):
        user = self.create(role, **fields)
        response = self.login(user.username)
        assert response.status_code == 303, response.get_data(as_text=True)
        return user

    def logout(self):
        return self._client.post("/masuk/keluar")


def _any_cooperative_id() -> int:
    from demo.records import seed_cooperatives
    from models.cooperative import Cooperative

    cooperative_id = db.session.scalar(db.select(Cooperative.id).limit(1))
    if cooperative_id is None:
        seed_cooperatives(db.session, 1, seed=99)
        cooperative_id = db.session.scalar(db.select(Cooperative.id).limit(1))
    return cooperative_id


@pytest.fixture
def auth(app, client):
    return AuthActions(app, client)


@pytest.fixture(params=[SUPERADMIN, OFFICER, EDITOR, COOPERATIVE])
def any_role(request):
    return request.param


def pytest_sessionfinish(session, exitstatus):
    """In CI nothing may skip: a skipped test there fails the run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if IN_CI and reporter is not None and reporter.stats.get("skipped"):
        reporter.write_line("CI=true: tests were skipped; failing the run.", red=True)
        session.exitstatus = 1
