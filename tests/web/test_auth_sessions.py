"""Sessions that end on the server: replayed cookies after logout, password change and deactivation;
remember-me of at most 30 days; idle and absolute timeouts; log out everywhere; CSRF token rotation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from models.audit import AuditEvent
from models.base import utcnow
from models.user import COOPERATIVE, EDITOR, OFFICER, SUPERADMIN, UserSession
from services.users import set_password
from tests.support import TEST_PASSWORD

NEW_PASSWORD = "lembayung senja di teluk"


def _cookies(client) -> dict[str, str]:
    return {cookie.key: cookie.value for cookie in client._cookies.values()}


def _replay(app, cookies: dict[str, str]):
    """A fresh browser holding copies of `cookies` (as an attacker who copied them would)."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value, domain="localhost")
    return other


def _login(client, username, remember=False):
    data = {"username": username, "password": TEST_PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/masuk/", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


@pytest.mark.both_databases
def test_session_cookie_copied_before_logout_is_refused_after(app, auth, client):
    auth.create(OFFICER, username="salin")
    _login(client, "salin")
    copied = _cookies(client)
    assert _replay(app, copied).get("/kantor/").status_code == 200
    assert auth.logout().status_code == 303
    replay = _replay(app, copied).get("/kantor/")
    assert replay.status_code == 302 and "/masuk/" in replay.headers["Location"]
    ended = db.session.scalar(select(UserSession))
    assert ended.ended_reason == "logout"


def test_remember_cookie_alone_works_then_dies_with_logout(app, auth, client):
    auth.create(OFFICER, username="ingat")
    response = _login(client, "ingat", remember=True)
    remember = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token="))
    assert "Max-Age=2592000" in remember or "Expires=" in remember  # 30 days
    copied = _cookies(client)
    only_remember = {"remember_token": copied["remember_token"]}
    assert _replay(app, only_remember).get("/kantor/").status_code == 200
    auth.logout()
    assert _replay(app, only_remember).get("/kantor/").status_code == 302


def test_remember_me_ends_after_thirty_days(app, auth, client):
    auth.create(COOPERATIVE, username="koperasi-ingat")
    _login(client, "koperasi-ingat", remember=True)
    row = db.session.scalar(select(UserSession))
    assert row.remember_until - row.created_at == timedelta(days=30)
    only_remember = {"remember_token": _cookies(client)["remember_token"]}
    app.config["CLOCK"] = lambda: utcnow() + timedelta(days=30, minutes=1)
    assert _replay(app, only_remember).get("/portal/").status_code == 302


def test_remember_cookie_of_a_session_without_remember_me_is_refused(app, auth, client):
    """A forged remember cookie carrying a plain session's id does not restore it."""
    auth.create(OFFICER, username="tanpaingat")
    _login(client, "tanpaingat")
    session_id = _cookies(client)["session"]
    assert session_id
    from flask_login.utils import encode_cookie

    user_id = db.session.scalar(select(UserSession)).user_id
    with client.session_transaction() as flask_session:
        forged = encode_cookie(flask_session["_user_id"])
    assert str(user_id) in forged
    assert _replay(app, {"remember_token": forged}).get("/kantor/").status_code == 302


@pytest.mark.both_databases
def test_password_change_kills_copied_cookies_but_keeps_this_session(app, auth, client):
    auth.create(OFFICER, username="gantisandi")
    other_device = app.test_client()
    _login(other_device, "gantisandi", remember=True)
    stolen = _cookies(other_device)
    _login(client, "gantisandi")
    response = client.post(
        "/akun/kata-sandi",
        data={"current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert response.status_code == 303
    assert client.get("/kantor/").status_code == 200
    assert _replay(app, stolen).get("/kantor/").status_code == 302
    assert _replay(app, {"remember_token": stolen["remember_token"]}).get("/kantor/").status_code == 302
    assert auth.logout().status_code == 303
    assert auth.login("gantisandi", NEW_PASSWORD).status_code == 303


def test_password_set_by_the_service_ends_every_session(app, auth, client):
    user = auth.create(OFFICER, username="direset")
    _login(client, "direset", remember=True)
    copied = _cookies(client)
    set_password(db.session, user, NEW_PASSWORD)
    assert _replay(app, copied).get("/kantor/").status_code == 302


@pytest.mark.both_databases
def test_deactivation_kills_sessions_and_remember_cookies(app, auth, client):
    auth.create(OFFICER, username="nonaktif")
    victim = app.test_client()
    _login(victim, "nonaktif", remember=True)
    copied = _cookies(victim)
    target = db.session.scalar(select(UserSession)).user_id
    auth.login_as(SUPERADMIN, username="root")
    assert client.post(f"/kantor/pengguna/{target}/nonaktifkan").status_code == 303
    assert _replay(app, copied).get("/kantor/").status_code == 302
    assert _replay(app, {"remember_token": copied["remember_token"]}).get("/kantor/").status_code == 302
    assert auth.login("nonaktif", TEST_PASSWORD, client=victim).status_code == 401
    # Reactivated, the account logs in again, but the old cookies stay dead.
    assert client.post(f"/kantor/pengguna/{target}/aktifkan").status_code == 303
    assert _replay(app, copied).get("/kantor/").status_code == 302
    assert auth.login("nonaktif", TEST_PASSWORD, client=app.test_client()).status_code == 303


def test_log_out_everywhere_ends_every_device(app, auth, client):
    auth.create(OFFICER, username="semua")
    phone = app.test_client()
    _login(phone, "semua", remember=True)
    copied = _cookies(phone)
    _login(client, "semua")
    response = client.post("/akun/keluar-semua")
    assert response.status_code == 303
    assert client.get("/kantor/").status_code == 302
    assert _replay(app, copied).get("/kantor/").status_code == 302
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.logout_everywhere")) is not None


def test_staff_session_ends_after_the_idle_timeout(app, auth, client):
    app.config["SESSION_IDLE_MINUTES"] = 30
    auth.create(OFFICER, username="diam")
    _login(client, "diam")
    start = utcnow()
    app.config["CLOCK"] = lambda: start + timedelta(minutes=29)
    assert client.get("/kantor/").status_code == 200
    app.config["CLOCK"] = lambda: start + timedelta(minutes=29 + 29)  # active 29 minutes ago: still fine
    assert client.get("/kantor/").status_code == 200
    app.config["CLOCK"] = lambda: start + timedelta(minutes=29 + 29 + 31)
    response = client.get("/kantor/")
    assert response.status_code == 302
    assert db.session.scalar(select(UserSession.ended_reason)) == "idle"


def test_idle_timeout_is_configurable(app, auth, client):
    app.config["SESSION_IDLE_MINUTES"] = 5
    auth.create(EDITOR, username="editor5")
    _login(client, "editor5")
    start = utcnow()
    app.config["CLOCK"] = lambda: start + timedelta(minutes=6)
    assert client.get("/kantor/").status_code == 302


def test_session_ends_at_the_absolute_timeout_even_when_busy(app, auth, client):
    app.config["SESSION_MAX_HOURS"] = 2
    auth.create(OFFICER, username="sibuk")
    _login(client, "sibuk")
    start = utcnow()
    for minutes in range(20, 120, 20):
        app.config["CLOCK"] = lambda m=minutes: start + timedelta(minutes=m)
        assert client.get("/kantor/").status_code == 200
    app.config["CLOCK"] = lambda: start + timedelta(minutes=121)
    assert client.get("/kantor/").status_code == 302


def test_csrf_token_rotates_at_login(auth, client):
    auth.create(OFFICER, username="rotasi")
    client.get("/masuk/")
    with client.session_transaction() as flask_session:
        before = flask_session.get("csrf_token")
    assert before
    _login(client, "rotasi")
    with client.session_transaction() as flask_session:
        after = flask_session.get("csrf_token")
    assert after != before


def test_account_page_lists_live_sessions(auth, client):
    auth.login_as(OFFICER, username="daftar")
    page = client.get("/akun/")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert "Sesi aktif" in text and "Keluar dari semua perangkat" in text
