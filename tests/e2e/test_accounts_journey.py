"""Real browser, typing like a person: a superadmin creates an officer (through the error states),
the officer sets a password with the link, changes it, logs out; the old cookie is refused."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from extensions import db
from models.region import Region
from models.user import User
from tests.support import TEST_PASSWORD

pytestmark = pytest.mark.e2e

CHOSEN = "pohon mangga berbuah lebat"
CHANGED = "hujan turun di kebun teh"


@pytest.fixture
def app_config(app_config):
    app_config["RATELIMIT_ENABLED"] = False
    return app_config


def _type_into(page, selector: str, text: str) -> None:
    field = page.locator(selector)
    field.click()
    field.press("Control+a")
    field.press("Backspace")
    field.press_sequentially(text)


def _choose(page, selector: str, label: str) -> None:
    """Pick an option by typing its name into the focused select (the browser's type-ahead)."""
    page.locator(selector).focus()
    page.keyboard.type(label, delay=40)


def test_superadmin_creates_an_officer_who_sets_and_changes_the_password(app, auth, app_site_url, browser):
    from playwright.sync_api import expect

    auth.create("superadmin", username="root")
    admin = browser.new_page()
    errors: list[str] = []
    admin.on("pageerror", lambda error: errors.append(str(error)))

    admin.goto(f"{app_site_url}/masuk/")
    admin.locator("#username").press_sequentially("root")
    admin.keyboard.press("Tab")
    admin.keyboard.type(TEST_PASSWORD)
    admin.keyboard.press("Enter")
    admin.wait_for_url(re.compile(r".*/kantor/$"))
    admin.get_by_role("link", name="Pengguna").click()
    admin.get_by_role("link", name="Tambah pengguna").click()

    # Error state: a user name with a space and no full name; htmx swaps the 422 form in place.
    _type_into(admin, "#username", "siti aminah")
    _choose(admin, "#role", "Petugas")
    _choose(admin, "#kecamatan", "Gambir")
    admin.get_by_role("button", name="Buat akun").click()
    summary = admin.locator("#form-errors")
    summary.wait_for()
    assert "Nama pengguna 3 sampai 80 karakter" in summary.inner_text()
    assert "Nama lengkap wajib diisi." in summary.inner_text()
    assert admin.locator("#kecamatan option:checked").inner_text() == "Gambir"  # nothing typed was lost

    _type_into(admin, "#username", "siti.aminah")
    _type_into(admin, "#full_name", "Siti Aminah")
    admin.get_by_role("button", name="Buat akun").click()
    link = admin.locator("#password-link code")
    link.wait_for()
    url = link.inner_text()
    assert "/masuk/kata-sandi/" in url
    assert "Gambir" in admin.content()

    # Another kecamatan and an e-mail address on the account page: a bad address comes back, focused,
    # with the new scope still chosen; fixed, the change is saved.
    _type_into(admin, "#email", "siti.aminah@")
    _choose(admin, "#kecamatan", "Menteng")
    admin.get_by_role("button", name="Simpan perubahan").press("Enter")
    summary = admin.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Alamat surel tidak valid.")
    expect(admin.locator("#kecamatan option:checked")).to_have_text("Menteng")
    _type_into(admin, "#email", "siti.aminah@balai.example")
    admin.get_by_role("button", name="Simpan perubahan").press("Enter")
    expect(admin.get_by_text("Perubahan akun siti.aminah disimpan.")).to_be_visible()
    db.session.expire_all()
    saved = db.session.scalar(db.select(User).where(User.username == "siti.aminah"))
    assert saved.email == "siti.aminah@balai.example"
    assert db.session.get(Region, saved.kecamatan_id).name == "Menteng"

    officer = browser.new_context().new_page()
    officer.goto(app_site_url + urlsplit(url).path)
    _type_into(officer, "#password", "siti123456789")
    _type_into(officer, "#password_again", "siti123456789")
    officer.keyboard.press("Enter")
    officer.locator("#form-errors").wait_for()
    assert "nama pengguna" in officer.locator("#form-errors").inner_text()
    _type_into(officer, "#password", CHOSEN)
    _type_into(officer, "#password_again", CHOSEN)
    officer.keyboard.press("Enter")
    officer.wait_for_url(re.compile(r".*/masuk/$"))
    officer.locator("#username").press_sequentially("siti.aminah")
    officer.locator("#password").press_sequentially(CHOSEN)
    officer.keyboard.press("Enter")
    officer.wait_for_url(re.compile(r".*/kantor/$"))

    officer.get_by_role("link", name="Akun saya").click()
    _type_into(officer, "#current_password", CHOSEN)
    _type_into(officer, "#password", CHANGED)
    _type_into(officer, "#password_again", CHANGED)
    officer.get_by_role("button", name="Simpan kata sandi baru").click()
    officer.get_by_text("Kata sandi diganti.").wait_for()

    cookies = officer.context.cookies()
    officer.get_by_role("button", name=re.compile(r"Keluar \(siti\.aminah\)")).click()
    officer.wait_for_url(re.compile(r".*/$"))
    replay = browser.new_context()
    replay.add_cookies(cookies)
    copied = replay.new_page()
    copied.goto(f"{app_site_url}/kantor/")
    assert "/masuk/" in copied.url
    assert errors == []


@pytest.mark.parametrize(
    "path",
    ["/kantor/pengguna/", "/kantor/pengguna/baru", "/kantor/pengguna/1", "/akun/", "/akun/autentikator"],
)
def test_account_pages_are_accessible(axe_page, gunicorn_site, login, path):
    from tests.e2e.test_accessibility import assert_accessible

    login(axe_page, "superadmin")
    response = axe_page.goto(gunicorn_site.page_url(path))
    assert response.status == 200
    assert_accessible(axe_page, path)


def test_account_error_states_and_link_page_are_accessible(axe_page, gunicorn_site, login):
    from tests.e2e.test_accessibility import assert_accessible

    login(axe_page, "superadmin")
    axe_page.goto(gunicorn_site.page_url("/kantor/pengguna/baru"))
    axe_page.get_by_role("button", name="Buat akun").click()
    axe_page.locator("#form-errors").wait_for()
    assert_accessible(axe_page, "the new-user form with errors")
    axe_page.goto(gunicorn_site.page_url("/akun/"))
    axe_page.get_by_role("button", name="Simpan kata sandi baru").click()
    axe_page.locator("#form-errors").wait_for()
    assert_accessible(axe_page, "the password change form with errors")
    response = axe_page.goto(gunicorn_site.page_url("/masuk/kata-sandi/tidak-ada-tautan-seperti-ini"))
    assert response.status == 404
    assert_accessible(axe_page, "the invalid link page")
