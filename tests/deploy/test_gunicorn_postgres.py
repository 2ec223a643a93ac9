"""The README's deploy path: migrations and regions by `flask`, then gunicorn on PostgreSQL, healthy.

Each step runs as its own process with the environment a production server would have.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from tests.signing import make_certificate
from tests.support import (
    create_postgres_database,
    drop_postgres_database,
    postgres_available,
    postgres_database_url,
    require,
)

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the .venv/bin the suite runs from
START_TIMEOUT = 30


@pytest.fixture
def production_database():
    require(postgres_available(), "PostgreSQL on 127.0.0.1:5432")
    name = create_postgres_database()
    try:
        yield postgres_database_url(name)
    finally:
        drop_postgres_database(name)


def production_env(database_url: str, tmp_path: Path, secret_key: str | None) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("FLASK_DEBUG", "SESSION_COOKIE_SECURE")}
    seal = make_certificate("Dinas Koperasi UKM", organization="Pemerintah Kota")
    (tmp_path / "seal-key.pem").write_bytes(seal.key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    (tmp_path / "seal-cert.pem").write_bytes(seal.pem())
    env.update(
        FLASK_APP="app",
        BALAI_ENV="production",
        DATABASE_URL=database_url,
        SEARCH_INDEX_DIR=str(tmp_path / "search_index"),
        JOBS_URL=f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
        BATCH_DIR=str(tmp_path / "batches"),
        PUBLIC_BASE_URL="https://izin.example.go.id",
        SIGNING_KEY_PATH=str(tmp_path / "seal-key.pem"),
        SIGNING_CERT_PATH=str(tmp_path / "seal-cert.pem"),
    )
    env.pop("SECRET_KEY", None)
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    return env


def flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "flask"), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@contextmanager
def gunicorn(env: dict, log_path: Path):
    """Start `gunicorn -w 2 'app:create_app()'` on a free port; yield (process, base URL or None)."""
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-w",
                "2",
                "-b",
                "127.0.0.1:0",
                "--no-control-socket",  # parallel runs on one machine must not share ~/.gunicorn/gunicorn.ctl
                "app:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def wait_until_listening(process: subprocess.Popen, log_path: Path) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        match = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", log_path.read_text())
        if match:
            return match.group(1)
        if process.poll() is not None:
            break
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not start:\n{log_path.read_text()}")


def wait_until_healthy(base_url: str, log_path: Path) -> dict:
    deadline = time.monotonic() + START_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=5) as response:  # noqa: S310 - local URL
                if response.status == 200:
                    return json.load(response)
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}: {exc.read()[:300]!r}"
        except OSError as exc:
            last = repr(exc)
        time.sleep(0.2)
    pytest.fail(f"/healthz never answered 200 ({last}):\n{log_path.read_text()}")


@contextmanager
def job_worker(env: dict, log_path: Path):
    """`flask jobs worker` beside gunicorn, as the README's production set-up runs it."""
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(BIN / "flask"), "jobs", "worker"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_gunicorn_serves_a_healthy_site_on_postgresql(production_database, tmp_path):
    env = production_env(production_database, tmp_path, secret_key=secrets.token_hex(32))
    assert len(env["SECRET_KEY"]) == 64

    upgrade = flask(env, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    regions = flask(env, "regions", "load")
    assert regions.returncode == 0, regions.stderr
    assert "DKI Jakarta: 6 kota/kabupaten, 44 kecamatan, 267 kelurahan" in regions.stdout
    reindex = flask(env, "search", "reindex")
    assert reindex.returncode == 0, reindex.stderr

    log_path = tmp_path / "gunicorn.log"
    with gunicorn(env, log_path) as process, job_worker(env, tmp_path / "worker.log"):
        base_url = wait_until_listening(process, log_path)
        health = wait_until_healthy(base_url, log_path)
        assert health["database"] == {"status": "ok"}
        assert health["status"] == "ok" and health["search_index"]["status"] == "ok"
        assert health["jobs"]["status"] == "ok"

        with urllib.request.urlopen(base_url + "/masuk/", timeout=5) as response:  # noqa: S310 - local URL
            page = response.read().decode()
            cookie = response.headers["Set-Cookie"]
        assert "Masuk ke kantor Balai" in page
        # Production cookies: Secure, HttpOnly, SameSite=Lax.
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Traceback" not in log_path.read_text()


def test_production_without_secret_key_refuses_to_start(production_database, tmp_path):
    env = production_env(production_database, tmp_path, secret_key=None)
    expected = "Balai cannot start: production needs its own SECRET_KEY of at least 32 characters in the environment"

    upgrade = flask(env, "db", "upgrade")
    assert upgrade.returncode != 0
    assert upgrade.stderr.strip().splitlines() == [expected]

    log_path = tmp_path / "gunicorn.log"
    with gunicorn(env, log_path) as process:
        try:
            returncode = process.wait(timeout=START_TIMEOUT)
        except subprocess.TimeoutExpired:
            pytest.fail(f"gunicorn kept running without a SECRET_KEY:\n{log_path.read_text()}")
    log = log_path.read_text()
    assert returncode != 0
    ours = [line for line in log.splitlines() if not line.startswith("[")]  # gunicorn's own lines start "[time]"
    assert ours == [expected]
    assert "Booting worker" not in log  # the master refused before starting any worker
    assert "Traceback" not in log


def test_production_with_the_demo_key_or_without_a_public_address_refuses_to_start(production_database, tmp_path):
    env = production_env(production_database, tmp_path, secret_key=secrets.token_hex(32))
    demo = {key: value for key, value in env.items() if key not in ("SIGNING_KEY_PATH", "SIGNING_CERT_PATH")}
    refused = flask(demo, "db", "upgrade")
    assert refused.returncode != 0
    assert "Balai cannot start: production refuses the demo signing key" in refused.stderr
    no_address = {key: value for key, value in env.items() if key != "PUBLIC_BASE_URL"}
    refused = flask(no_address, "db", "upgrade")
    assert refused.returncode != 0
    assert "Balai cannot start: production needs PUBLIC_BASE_URL" in refused.stderr
