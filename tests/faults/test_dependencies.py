"""Dependencies fail soft and say so: Redis down keeps login and verification working on in-process
limits; the database down gives everyone (staff included) a friendly 503 with Retry-After and one
log line per request; /healthz tells which part is unhealthy."""

from __future__ import annotations

import logging
import socket

import pytest
from sqlalchemy import text

from extensions import db
from models.user import OFFICER
from services.search import rebuild_index
from tests.permits.helpers import add_business, add_official, any_kelurahan, issue
from tests.support import TEST_PASSWORD, create_postgres_database, drop_postgres_database, postgres_database_url


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens here once the probe is closed


class TestRedisDown:
    @pytest.fixture
    def app_config(self, app_config, tmp_path):
        app_config["RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:{_closed_port()}/0"
        app_config["SIGNING_DEMO_DIR"] = str(tmp_path / "signing")
        return app_config

    def test_login_verification_and_api_keep_working_and_healthz_says_so(self, app, client, auth, caplog):
        kelurahan = any_kelurahan()
        add_official(kelurahan)
        permit = issue(app, add_business(kelurahan))
        auth.create(OFFICER, username="petugas")
        rebuild_index(db.session)
        with caplog.at_level(logging.WARNING):
            assert client.post("/masuk/", data={"username": "petugas", "password": "salah-sekali"}).status_code == 401
            assert auth.login("petugas").status_code == 303
            assert "Warung Makan Bu Siti" in client.get(f"/verify/{permit.token}").get_data(as_text=True)
            assert client.get(f"/api/v1/verify/{permit.token}").status_code == 200
            assert client.get("/api/v1/businesses").status_code == 200
            for _ in range(3):
                assert client.get("/verify/").status_code == 200
        fallbacks = [r for r in caplog.records if "falling back to in-memory" in r.getMessage()]
        assert len(fallbacks) == 1, [r.getMessage() for r in caplog.records]

        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.get_json()["status"] == "degraded"
        assert health.get_json()["redis"]["status"] == "unreachable"

    def test_in_process_limits_still_stop_password_guessing(self, app, client, auth):
        auth.create(OFFICER, username="penebak")
        codes = [
            client.post("/masuk/", data={"username": "penebak", "password": f"tebakan-{i}"}).status_code
            for i in range(7)
        ]
        assert codes[:5] == [401] * 5 and codes[-1] == 429
        assert client.post("/masuk/", data={"username": "penebak", "password": TEST_PASSWORD}).status_code == 429


class TestDatabaseDown:
    """PostgreSQL: the test's own database is dropped under the running app, as if the server went away."""

    @pytest.fixture
    def db_url(self, postgres_template):
        name = create_postgres_database(template=postgres_template)
        self.database = name
        try:
            yield postgres_database_url(name)
        finally:
            drop_postgres_database(name)

    def _stop_database(self):
        db.session.remove()
        db.engine.dispose()
        drop_postgres_database(self.database)

    def test_everyone_gets_a_friendly_503_with_retry_after_and_one_log_line(self, app, client, auth, caplog):
        auth.login_as(OFFICER)
        assert client.get("/kantor/usaha/").status_code == 200
        self._stop_database()

        with caplog.at_level(logging.WARNING):
            for path in ("/kantor/usaha/", "/", "/cari?q=warung", "/verify/abc", "/tidak-ada"):
                response = client.get(path)
                body = response.get_data(as_text=True)
                assert response.status_code == 503, (path, body[:300])
                assert int(response.headers["Retry-After"]) >= 30
                assert "Layanan sedang tidak tersedia" in body and "Internal Server Error" not in body
            api = client.get("/api/v1/businesses")
            assert api.status_code == 503 and int(api.headers["Retry-After"]) >= 30
            assert api.get_json()["error"]["code"] == 503
            login = client.post("/masuk/", data={"username": "x", "password": "y"})
            assert login.status_code == 503

        lines = [r for r in caplog.records if r.name == app.logger.name and r.levelno >= logging.WARNING]
        assert len(lines) == 7, [r.getMessage() for r in lines]
        assert all(r.exc_info is None and "Database unavailable" in r.getMessage() for r in lines)

        health = client.get("/healthz")
        assert health.status_code == 503 and health.get_json()["status"] == "down"

    def test_the_site_recovers_when_the_database_returns(self, app, client, postgres_template):
        assert client.get("/").status_code == 200
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        self._stop_database()
        assert client.get("/").status_code == 503
        create_postgres_database_named(self.database, postgres_template)
        assert client.get("/").status_code == 200


def create_postgres_database_named(name: str, template: str) -> None:
    from tests.support import postgres_admin

    with postgres_admin() as admin:
        admin.execute(text(f'CREATE DATABASE "{name}" TEMPLATE {template}'))
