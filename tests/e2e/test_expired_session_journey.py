"""Real browser, keyboard only, on gunicorn: an officer whose account uses an authenticator app types into the
business form, the session ends, and what was typed survives the password and the code steps of logging in
again (issue 9: "brings them back to the same page with what they typed kept")."""

from __future__ import annotations

import time

import pyotp
import pytest

from extensions import db
from models.user import OFFICER
from services import two_factor
from tests.support import TEST_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_config(app_config):
    app_config["RATELIMIT_ENABLED"] = False
    return app_config


def _password_step(page, username: str) -> None:
    page.get_by_label("Nama pengguna").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")


def _code_step(page, code: str) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", level=1)).to_have_text("Masukkan kode autentikator")
    expect(page.locator("#code")).to_be_focused()
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_what_was_typed_survives_logging_in_again_with_the_authenticator(app, auth, app_site_url, officer_page):
    from playwright.sync_api import expect

    page = officer_page
    officer = auth.create(OFFICER, username="petugas.totp")
    totp = pyotp.TOTP(two_factor.pending_secret(db.session, officer))
    # Enrolled with the previous step's code: the current one is still unused for the second login.
    recovery_codes = two_factor.confirm_enrolment(db.session, officer, totp.at(time.time() - totp.interval))
    assert recovery_codes

    page.goto(f"{app_site_url}/masuk/")
    _password_step(page, "petugas.totp")
    _code_step(page, recovery_codes[0])  # the first login: a recovery code, the same code step
    page.wait_for_url(f"{app_site_url}/kantor/")

    page.goto(f"{app_site_url}/kantor/usaha/baru")
    page.locator("#name").focus()
    page.keyboard.type("Warung Dua Langkah")
    page.context.clear_cookies()  # the session ends while the officer types
    page.locator("#owner_nik").focus()
    page.keyboard.type("3171014503850088")
    page.keyboard.press("Tab")
    status = page.locator("#request-status")
    expect(status).to_contain_text("Sesi Anda telah berakhir")
    status.get_by_role("button", name="Masuk lagi").press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk ke kantor Balai")
    _password_step(page, "petugas.totp")
    expect(page.get_by_role("alert")).to_contain_text("isian Anda belum hilang")  # said on the code page too
    _code_step(page, totp.now())
    expect(page.get_by_role("heading", level=1)).to_have_text("Isian Anda belum tersimpan")
    expect(page.get_by_role("button", name="Kirim isian saya")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Daftarkan usaha")
    assert page.url == f"{app_site_url}/kantor/usaha/baru"
    expect(page.locator("#name")).to_have_value("Warung Dua Langkah")
    expect(page.locator("#owner_nik")).to_have_value("3171014503850088")
    expect(page.locator("#form-errors")).to_be_focused()  # the rest of the form is still to be filled
