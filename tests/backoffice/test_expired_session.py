"""An officer whose session ended: htmx gets 401 (no login page swapped into a field), a full-page POST
gets the login page carrying what was typed, and after logging in the same page gets it back."""

from __future__ import annotations

import re
import time

import pyotp

from extensions import db
from models.business import Business
from models.user import OFFICER
from services import two_factor
from tests.support import TEST_PASSWORD

HERE = "http://localhost"
TYPED = {"owner_nik": "3171014503850003", "name": "Warung Sesi Habis", "owner_address": "Jl. Satu\nRT 1"}


def test_htmx_request_without_a_session_gets_401_not_the_login_page(client):
    response = client.post(
        "/kantor/usaha/validasi/owner_nik", data={"owner_nik": "3171"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 401
    assert response.headers["HX-Reswap"] == "none"
    assert "<form" not in response.text and "Sesi Anda telah berakhir" in response.text


def test_htmx_request_whose_csrf_session_is_gone_gets_401(client):
    response = client.post("/kantor/usaha/baru", data=TYPED, headers={"HX-Request": "true"}, csrf=False)
    assert response.status_code == 401 and "<form" not in response.text


def test_page_without_a_session_is_redirected_to_login(client):
    response = client.get("/kantor/usaha/baru")
    assert response.status_code == 302 and "/masuk/" in response.headers["Location"]


def test_full_page_post_carries_the_typed_fields_through_login_and_back(client, auth):
    auth.create(OFFICER, username="petugas")
    expired = client.post("/kantor/usaha/baru", data=TYPED, headers={"Origin": HERE}, csrf=False)
    assert expired.status_code == 401
    assert expired.headers["Cache-Control"] == "no-store"
    page = expired.text
    assert "Sesi Anda telah berakhir" in page
    assert 'action="/masuk/?next=/kantor/usaha/baru"' in page
    assert 'name="carry:owner_nik" value="3171014503850003"' in page
    assert "3171014503850003" not in expired.headers.get("Location", "")

    carried = dict(re.findall(r'name="(carry:[^"]+)" value="([^"]*)"', page))
    assert carried["carry:owner_address"] == "Jl. Satu\nRT 1"
    logged_in = client.post(
        "/masuk/?next=/kantor/usaha/baru", data={"username": "petugas", "password": TEST_PASSWORD, **carried}
    )
    assert logged_in.status_code == 200 and logged_in.headers["Cache-Control"] == "no-store"
    resend = logged_in.text
    assert 'action="/kantor/usaha/baru"' in resend and 'name="csrf_token"' in resend
    assert 'name="owner_nik" value="3171014503850003"' in resend and "Kirim isian saya" in resend

    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', resend))
    back = client.post("/kantor/usaha/baru", data=fields, csrf=False)
    assert back.status_code == 422  # the rest of the form is still to be filled, with the typed values kept
    assert 'value="Warung Sesi Habis"' in back.text and 'value="3171014503850003"' in back.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Business)) == 0


def test_nothing_is_carried_from_another_site(client):
    expired = client.post("/kantor/usaha/baru", data=TYPED, headers={"Origin": "https://evil.example"}, csrf=False)
    assert expired.status_code == 401
    assert "carry:" not in expired.text and "3171014503850003" not in expired.text


def test_plain_login_without_carried_fields_still_redirects(client, auth):
    auth.create(OFFICER, username="petugas")
    response = auth.login("petugas")
    assert response.status_code == 303


def _expired_post(client) -> dict[str, str]:
    """The officer's form sent after the session ended: the carried fields of the login page that answers."""
    expired = client.post("/kantor/usaha/baru", data=TYPED, headers={"Origin": HERE}, csrf=False)
    assert expired.status_code == 401
    return dict(re.findall(r'name="(carry:[^"]+)" value="([^"]*)"', expired.text))


def _hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


def _assert_resend_keeps_the_fields(client, page: str) -> None:
    assert 'action="/kantor/usaha/baru"' in page and "Kirim isian saya" in page
    fields = _hidden(page)
    assert fields["owner_nik"] == TYPED["owner_nik"] and fields["owner_address"] == TYPED["owner_address"]
    back = client.post("/kantor/usaha/baru", data=fields, csrf=False)
    assert back.status_code == 422  # the rest of the form is still to be filled, with the typed values kept
    assert 'value="Warung Sesi Habis"' in back.text and 'value="3171014503850003"' in back.text


def test_carried_fields_survive_the_authenticator_code_step(client, auth):
    officer = auth.create(OFFICER, username="petugas")
    secret = two_factor.pending_secret(db.session, officer)
    totp = pyotp.TOTP(secret)
    # Enrolled with the previous step's code, so that the current code is still unused.
    assert two_factor.confirm_enrolment(db.session, officer, totp.at(time.time() - totp.interval)) is not None
    carried = _expired_post(client)

    password = client.post(
        "/masuk/?next=/kantor/usaha/baru", data={"username": "petugas", "password": TEST_PASSWORD, **carried}
    )
    assert password.status_code == 200  # the code page itself, not a redirect that would drop the fields
    assert 'action="/masuk/kode"' in password.text and "Sesi Anda telah berakhir" in password.text
    assert _hidden(password.text)["carry:owner_nik"] == TYPED["owner_nik"]
    assert client.get("/kantor/").status_code == 302  # not logged in before the code

    wrong = client.post("/masuk/kode", data={"code": "000000", **carried})
    assert wrong.status_code == 401 and "Kode salah" in wrong.text
    assert _hidden(wrong.text)["carry:owner_address"] == TYPED["owner_address"]

    right = client.post("/masuk/kode", data={"code": totp.now(), **carried})
    assert right.status_code == 200 and right.headers["Cache-Control"] == "no-store"
    _assert_resend_keeps_the_fields(client, right.text)
    assert db.session.scalar(db.select(db.func.count()).select_from(Business)) == 0


def test_carried_fields_survive_setting_up_the_authenticator(app, client, auth):
    app.config["TOTP_REQUIRED"] = True
    auth.create(OFFICER, username="petugas")
    carried = _expired_post(client)

    password = client.post(
        "/masuk/?next=/kantor/usaha/baru", data={"username": "petugas", "password": TEST_PASSWORD, **carried}
    )
    assert password.status_code == 200 and 'action="/masuk/autentikator"' in password.text
    assert _hidden(password.text)["carry:name"] == TYPED["name"]
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', password.text).group(1)

    enrolled = client.post("/masuk/autentikator", data={"code": pyotp.TOTP(secret).now(), **carried})
    assert enrolled.status_code == 200 and "Simpan kode pemulihan Anda" in enrolled.text
    _assert_resend_keeps_the_fields(client, enrolled.text)


def test_without_carried_fields_the_code_step_is_still_a_redirect(client, auth):
    officer = auth.create(OFFICER, username="petugas")
    secret = two_factor.pending_secret(db.session, officer)
    totp = pyotp.TOTP(secret)
    two_factor.confirm_enrolment(db.session, officer, totp.at(time.time() - totp.interval))
    response = auth.login("petugas")
    assert response.status_code == 303 and response.headers["Location"] == "/masuk/kode"
