"""Configuration: safe defaults, and bad settings stop start-up with one line that says what to fix."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigError, check_production, load_config

ROOT = Path(__file__).resolve().parents[2]


def _start(env_changes: dict, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "FLASK_APP": "app", **env_changes}
    env.pop("FLASK_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "flask", "routes"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://root@localhost/balai"}, "does not support"),
        ({"DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"}, "cannot connect"),
        ({"MUNICIPALITY": "Kota Atlantis"}, "unknown municipality 'Kota Atlantis'"),
        ({"BALAI_ENV": "production"}, "SECRET_KEY"),
        ({"BALAI_ENV": "produksi"}, "BALAI_ENV is 'produksi'"),
        ({"BALAI_ENV": "staging"}, "use one of development, production"),
    ],
)
def test_bad_configuration_stops_startup_with_one_line(env, expected, tmp_path):
    result = _start(env, tmp_path)
    assert result.returncode == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Balai cannot start:")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


def test_secret_key_is_generated_once_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config(tmp_path)["SECRET_KEY"]
    second = load_config(tmp_path)["SECRET_KEY"]
    assert first == second and len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_defaults_are_sqlite_in_instance_and_jakarta(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "MUNICIPALITY", "TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    config = load_config(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'balai.sqlite3'}"
    assert config["MUNICIPALITY"] == "DKI Jakarta"
    assert config["TIMEZONE"] == "Asia/Jakarta"
    assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"


PRODUCTION_OK = {
    "BALAI_ENV": "production",
    "DEBUG": False,
    "SECRET_KEY": "x" * 40,
    "SECRET_KEY_FROM_ENV": True,
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_SECURE": True,
    "PUBLIC_BASE_URL": "https://izin.example.go.id",
    "SIGNING_PKCS12_PATH": __file__,  # any readable file: the check is about configuration, not the key
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"DEBUG": True}, "debug"),
        ({"SECRET_KEY_FROM_ENV": False}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"SESSION_COOKIE_SECURE": False}, "Secure"),
        ({"PUBLIC_BASE_URL": ""}, "PUBLIC_BASE_URL"),
        ({"PUBLIC_BASE_URL": "http://127.0.0.1:5000"}, "PUBLIC_BASE_URL"),
        ({"SIGNING_PKCS12_PATH": None}, "demo signing key"),
        ({"SIGNING_PKCS12_PATH": "/nonexistent/seal.p12"}, "SIGNING_PKCS12_PATH"),
    ],
)
def test_production_self_check_refuses_unsafe_settings(change, message):
    check_production(PRODUCTION_OK)
    with pytest.raises(ConfigError, match=message):
        check_production({**PRODUCTION_OK, **change})


def test_production_cookies_are_secure_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("BALAI_ENV", "production")
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    config = load_config(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]


def test_production_has_no_default_public_address(tmp_path, monkeypatch):
    monkeypatch.setenv("BALAI_ENV", "production")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    assert load_config(tmp_path)["PUBLIC_BASE_URL"] == ""
    monkeypatch.setenv("BALAI_ENV", "development")
    assert load_config(tmp_path)["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"PERMIT_VALIDITY_YEARS": "lima"}, "PERMIT_VALIDITY_YEARS must be a whole number, not 'lima'"),
        ({"MEDIA_MAX_BYTES": "5MB"}, "MEDIA_MAX_BYTES must be a whole number"),
        ({"COOP_INVITATION_HOURS": "0"}, "COOP_INVITATION_HOURS must be a whole number of at least 1"),
        ({"FIGURES_CACHE_SECONDS": "-5"}, "FIGURES_CACHE_SECONDS must be a whole number of at least 0"),
        ({"COOP_AT_RISK_AFTER_YEARS": "1"}, "COOP_AT_RISK_AFTER_YEARS must be more than COOP_DORMANT_AFTER_YEARS"),
        ({"PERMIT_NUMBER_PATTERN": "{nomor}/IUMK/{year}"}, "PERMIT_NUMBER_PATTERN '{nomor}/IUMK/{year}' is not a"),
        ({"PERMIT_NUMBER_PATTERN": "IUMK/{year}"}, "must contain {seq}"),
        ({"COOP_DEED_NUMBER_FORMAT": "{cooperative_id:05d}/AKTA/{year"}, "COOP_DEED_NUMBER_FORMAT"),
        ({"COOP_DEED_NUMBER_FORMAT": "{cooperative_id}/AKTA/{year}"}, "must contain {version}"),
    ],
)
def test_bad_numbers_and_number_patterns_stop_startup_with_one_line(env, expected, tmp_path):
    result = _start(env, tmp_path)
    assert result.returncode == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Balai cannot start:"), result.stderr
    assert expected in lines[0]


def test_a_bad_override_is_refused_too(tmp_path):
    from app import create_app

    with pytest.raises(ConfigError, match="PER_PAGE"):
        create_app({"TESTING": True, "PER_PAGE": 0, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})
