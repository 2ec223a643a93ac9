"""Second factor: enrolment at first login where required, codes accepted once, recovery codes, reset."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from config import load_config
from extensions import db
from models.audit import AuditEvent
from models.base import utcnow
from models.user import COOPERATIVE, EDITOR, OFFICER, SUPERADMIN, RecoveryCode, User
from tests.support import TEST_PASSWORD


def _secret(page: str) -> str:
    return re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page).group(1)


def _enrol_at_login(app, auth, client, username):
    response = auth.login(username)
    assert response.status_code == 303 and response.headers["Location"] == "/masuk/autentikator"
    page = client.get("/masuk/autentikator")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert "<svg" in text
    secret = _secret(text)
    assert client.get("/kantor/").status_code == 302  # not logged in before the code
    wrong = client.post("/masuk/autentikator", data={"code": "000000"})
    assert wrong.status_code == 401 and "Kode tidak cocok" in wrong.get_data(as_text=True)
    done = client.post("/masuk/autentikator", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


@pytest.fixture
def totp_required(app):
    app.config["TOTP_REQUIRED"] = True


def test_totp_is_required_by_default_only_in_production(tmp_path, monkeypatch):
    monkeypatch.setenv("BALAI_ENV", "production")
    assert load_config(tmp_path)["TOTP_REQUIRED"] is True
    monkeypatch.setenv("BALAI_ENV", "development")
    assert load_config(tmp_path)["TOTP_REQUIRED"] is False


@pytest.mark.both_databases
def test_officer_enrols_at_first_login_then_needs_a_code(app, auth, client, totp_required, db_kind):
    auth.create(OFFICER, username="dua-langkah")
    secret, codes = _enrol_at_login(app, auth, client, "dua-langkah")
    assert client.get("/kantor/").status_code == 200
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.enable_totp")) is not None
    stored = db.session.scalars(select(RecoveryCode.code_sha256)).all()
    assert len(stored) == 10 and not set(stored) & {c.replace("-", "") for c in codes}
    auth.logout()

    assert auth.login("dua-langkah").headers["Location"] == "/masuk/kode"
    assert client.get("/kantor/").status_code == 302
    used_during_enrolment = pyotp.TOTP(secret).now()
    replay = client.post("/masuk/kode", data={"code": used_during_enrolment})
    assert replay.status_code == 401 and "sudah dipakai" in replay.get_data(as_text=True)
    app.config["CLOCK"] = lambda: utcnow() + timedelta(seconds=60)
    next_code = pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=60))
    assert client.post("/masuk/kode", data={"code": next_code}).status_code == 303
    assert client.get("/kantor/").status_code == 200


def test_recovery_code_works_once(app, auth, client, totp_required):
    auth.create(SUPERADMIN, username="pulih")
    _secret_value, codes = _enrol_at_login(app, auth, client, "pulih")
    auth.logout()
    auth.login("pulih")
    assert client.post("/masuk/kode", data={"code": codes[0].upper()}).status_code == 303
    auth.logout()
    auth.login("pulih")
    assert client.post("/masuk/kode", data={"code": codes[0]}).status_code == 401
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.use_recovery_code")) is not None


def test_wrong_codes_count_towards_the_login_throttle(app, auth, client, totp_required):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    auth.create(OFFICER, username="tebak-kode")
    _enrol_at_login(app, auth, client, "tebak-kode")  # one wrong code there
    auth.logout()
    auth.login("tebak-kode")
    assert client.post("/masuk/kode", data={"code": "111111"}).status_code == 401
    assert client.post("/masuk/kode", data={"code": "222222"}).status_code == 401
    assert client.post("/masuk/kode", data={"code": "333333"}).status_code == 429


def test_editor_and_cooperative_log_in_with_the_password_alone_and_may_opt_in(app, auth, client, totp_required):
    auth.create(EDITOR, username="editor-saja")
    assert auth.login("editor-saja").headers["Location"] == "/kantor/"
    auth.logout()
    auth.create(COOPERATIVE, username="koperasi-opsional")
    assert auth.login("koperasi-opsional").headers["Location"] == "/portal/"
    secret = _secret(client.get("/akun/autentikator").get_data(as_text=True))
    done = client.post("/akun/autentikator", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and "kode pemulihan" in done.get_data(as_text=True).lower()
    auth.logout()
    assert auth.login("koperasi-opsional").headers["Location"] == "/masuk/kode"


def test_superadmin_resets_a_lost_authenticator(app, auth, client, totp_required):
    auth.create(OFFICER, username="hilang-hp")
    _enrol_at_login(app, auth, client, "hilang-hp")
    auth.logout()
    officer = db.session.scalar(select(User).where(User.username == "hilang-hp"))
    admin = app.test_client()
    auth.create(SUPERADMIN, username="root")
    app.config["TOTP_REQUIRED"] = False  # the superadmin of this test logs in with the password alone
    assert auth.login("root", TEST_PASSWORD, client=admin).status_code == 303
    assert admin.post(f"/kantor/pengguna/{officer.id}/autentikator/reset").status_code == 303
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.reset_totp")) is not None
    app.config["TOTP_REQUIRED"] = True
    assert auth.login("hilang-hp").headers["Location"] == "/masuk/autentikator"


def test_pending_login_expires(app, auth, client, totp_required):
    auth.create(OFFICER, username="lambat")
    auth.login("lambat")
    app.config["CLOCK"] = lambda: utcnow() + timedelta(minutes=6)
    response = client.get("/masuk/autentikator")
    assert response.status_code == 302 and response.headers["Location"] == "/masuk/"
