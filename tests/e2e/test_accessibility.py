"""axe-core (vendored, tests/e2e/vendor) finds no serious or critical WCAG violation on any page."""

from __future__ import annotations

import pytest

from tests.e2e.harness import axe_violations, describe_violations

pytestmark = pytest.mark.e2e


def assert_accessible(page, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe found serious/critical violations on {what}:\n{describe_violations(violations)}"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/masuk/", 200),
        ("/halaman-yang-tidak-ada", 404),
        ("/cari", 200),
        ("/cari?q=warung&sort=name", 200),
        ("/cari?q=kelontomg", 200),
        ("/usaha/1", 200),
        ("/koperasi/1", 200),
        ("/angka", 200),
        ("/berita", 200),
        ("/verify/", 200),
        ("/verify/tidak-ada-token-seperti-ini", 404),
        ("/data-terbuka", 200),
    ],
    ids=[
        "home",
        "login",
        "not-found",
        "search",
        "search-results",
        "search-typo",
        "business",
        "cooperative",
        "figures",
        "news",
        "verify",
        "verify-unknown",
        "open-data",
    ],
)
def test_public_pages_are_accessible(axe_page, gunicorn_site, path, status):
    response = axe_page.goto(gunicorn_site.page_url(path))
    assert response.status == status
    assert_accessible(axe_page, path)


def test_login_with_errors_is_accessible(axe_page, gunicorn_site):
    axe_page.goto(gunicorn_site.page_url("/masuk/"))
    axe_page.locator("#login-form").get_by_role("button", name="Masuk").click()
    axe_page.get_by_text("Nama pengguna wajib diisi.").first.wait_for()
    assert_accessible(axe_page, "the login form with empty fields")

    axe_page.get_by_label("Nama pengguna").press_sequentially("petugas")
    axe_page.get_by_label("Kata sandi").press_sequentially("wrong-password-for-axe")
    axe_page.locator("#login-form").get_by_role("button", name="Masuk").click()
    axe_page.get_by_text("Nama pengguna atau kata sandi salah.").first.wait_for()
    assert_accessible(axe_page, "the login form after a wrong password")


def test_admin_dashboard_is_accessible(axe_page, gunicorn_site, login):
    login(axe_page, "superadmin")
    assert_accessible(axe_page, "the admin dashboard")


@pytest.mark.parametrize(
    "path",
    [
        "/kantor/usaha/",
        "/kantor/usaha/baru",
        "/kantor/izin/",
        "/kantor/koperasi/",
        "/kantor/koperasi/dasbor",
        "/kantor/koperasi/baru",
        "/kantor/koperasi/1",
        "/kantor/konten/",
        "/kantor/konten/halaman/baru",
        "/kantor/konten/berita/baru",
        "/kantor/konten/media",
        "/kantor/izin/cetak",
        "/kantor/audit",
        "/kantor/kbli?q=warung",
        "/kantor/usaha/1",
        "/kantor/usaha/1/ubah",
        "/kantor/koperasi/1",
        "/kantor/koperasi/1/ubah",
    ],
)
def test_back_office_pages_are_accessible(axe_page, gunicorn_site, login, path):
    login(axe_page, "superadmin")
    response = axe_page.goto(gunicorn_site.page_url(path))
    assert response.status == 200
    assert_accessible(axe_page, path)


@pytest.mark.parametrize(
    ("path", "button"),
    [
        ("/kantor/usaha/baru", "Simpan"),
        ("/kantor/usaha/1/ubah", "Simpan"),
        ("/kantor/koperasi/baru", "Simpan"),
        ("/kantor/konten/halaman/baru", "Jadwalkan"),
        ("/kantor/konten/berita/baru", "Simpan draf"),
        ("/kantor/konten/media", "Unggah"),
    ],
)
def test_back_office_error_states_are_accessible(axe_page, gunicorn_site, login, path, button):
    """Each form sent with its required fields empty (JavaScript on: htmx swaps the errors in)."""
    login(axe_page, "superadmin")
    axe_page.goto(gunicorn_site.page_url(path))
    if path.endswith("/ubah") and path.startswith("/kantor/usaha"):
        axe_page.locator("#name").press("Control+A")
        axe_page.keyboard.press("Delete")
    axe_page.locator("main").get_by_role("button", name=button, exact=True).first.click()
    axe_page.locator(".form-errors").first.wait_for()
    assert_accessible(axe_page, f"{path} with errors")


def test_english_home_is_accessible(axe_page, gunicorn_site):
    axe_page.goto(gunicorn_site.page_url("/bahasa/en?next=/"))
    assert axe_page.locator("html").get_attribute("lang") == "en"
    assert_accessible(axe_page, "the English home page")


def test_axe_reports_a_real_violation(axe_page, gunicorn_site):
    """The check can fail: an image without alt text and an unlabelled field are caught."""
    axe_page.goto(gunicorn_site.page_url("/"))
    axe_page.evaluate(
        """() => {
            const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend', '<img src="/static/none.png"><input type="text">');
        }"""
    )
    rules = {violation["id"] for violation in axe_violations(axe_page)}
    assert {"image-alt", "label"} <= rules, describe_violations(axe_violations(axe_page))
