"""The browser harness gives gunicorn a test's own settings as a deployment would: environment variables."""

from __future__ import annotations

import pytest

from config import load_config
from tests.e2e.harness import env_for_config


def test_a_tests_settings_reach_gunicorn_as_the_environment_load_config_reads(tmp_path, monkeypatch):
    chosen = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'own.sqlite3'}",
        "SECRET_KEY": "a-secret-key-for-this-test-only-0123456789",
        "RATELIMIT_ENABLED": False,
        "TOTP_REQUIRED": True,
        "PUBLIC_BASE_URL": "http://127.0.0.1:8123",
        "MEDIA_DIR": str(tmp_path / "media"),
        "TESTING": True,
        "JOBS_IMMEDIATE": True,
        "LIVE_PORT": 8123,
    }
    env = env_for_config(chosen, tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    served = load_config(tmp_path / "instance")
    assert served["SQLALCHEMY_DATABASE_URI"] == chosen["SQLALCHEMY_DATABASE_URI"]
    for name in ("SECRET_KEY", "RATELIMIT_ENABLED", "TOTP_REQUIRED", "PUBLIC_BASE_URL", "MEDIA_DIR"):
        assert served[name] == chosen[name], name
    assert served["JOBS_URL"] == f"sqlite:///{tmp_path / 'jobs.sqlite3'}"  # its own queue, not instance/'s
    assert "TESTING" not in env and "JOBS_IMMEDIATE" not in env


def test_a_setting_no_environment_variable_carries_is_refused(tmp_path):
    with pytest.raises(ValueError, match="CLOCK"):
        env_for_config({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.sqlite3", "CLOCK": lambda: None}, tmp_path)
