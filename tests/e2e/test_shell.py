"""The public shell in a real browser: home page, language switch, login, keyboard navigation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import DEMO_BUSINESSES, DEMO_COOPERATIVES

pytestmark = pytest.mark.e2e


def _shown(tile) -> int:
    return int(tile.locator("strong").inner_text().replace(".", ""))


def _rows(site, table: str) -> int:
    return site.query(f"SELECT count(*) FROM {table}")[0][0]  # noqa: S608 - a table name of this file


def test_home_page_shows_the_registry_and_its_figures(page, gunicorn_site):
    response = page.goto(gunicorn_site.page_url("/"))
    assert response.status == 200
    expect(page).to_have_title("Registri usaha mikro dan koperasi · DKI Jakarta")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_have_text("Registri usaha mikro dan koperasi DKI Jakarta")
    figures = page.get_by_role("region", name="Angka utama").locator(".figure-tile")
    expect(figures).to_have_count(4)
    # Journeys share the site and register their own records; each worker keeps the home counts up to a
    # minute: the figures lie between the demo data and what the database holds now.
    assert DEMO_BUSINESSES <= _shown(figures.filter(has_text="usaha terdaftar")) <= _rows(gunicorn_site, "business")
    cooperatives = _shown(figures.filter(has_text="koperasi terdaftar"))
    assert DEMO_COOPERATIVES <= cooperatives <= _rows(gunicorn_site, "cooperative")
    expect(figures.filter(has_text="kecamatan")).to_contain_text("44")
    expect(figures.filter(has_text="kecamatan")).to_contain_text("267 kelurahan")
    # The stylesheet and htmx are served and applied (no CSP refusal, no 404).
    assert page.evaluate("() => typeof window.htmx") == "object"
    assert page.evaluate("() => getComputedStyle(document.querySelector('.skip-link')).position") == "absolute"


def test_language_switch_to_english_and_back(page, gunicorn_site):
    page.goto(gunicorn_site.page_url("/"))
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Micro-business and cooperative registry of DKI Jakarta")
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    assert page.url == gunicorn_site.page_url("/")

    page.get_by_role("link", name="Bahasa Indonesia").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_have_text("Registri usaha mikro dan koperasi DKI Jakarta")


def test_language_switch_keeps_the_current_page(page, gunicorn_site):
    page.goto(gunicorn_site.page_url("/masuk/"))
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(gunicorn_site.page_url("/masuk/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to the Balai back office")


def test_login_lands_on_the_back_office(page, gunicorn_site):
    account = gunicorn_site.account("superadmin")
    page.goto(gunicorn_site.page_url("/"))
    page.get_by_role("link", name="Masuk").click()
    page.get_by_label("Nama pengguna").press_sequentially(account.username)
    page.keyboard.press("Tab")
    page.keyboard.type(account.password)
    page.locator("#login-form").get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(gunicorn_site.page_url("/kantor/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Selamat datang, {account.full_name}")
    expect(page.get_by_role("button", name=f"Keluar ({account.username})")).to_be_visible()

    page.get_by_role("button", name=f"Keluar ({account.username})").click()
    expect(page).to_have_url(gunicorn_site.page_url("/"))
    expect(page.get_by_text("Anda telah keluar.")).to_be_visible()


def test_wrong_password_shows_the_error_and_stays_on_the_form(page, gunicorn_site):
    page.goto(gunicorn_site.page_url("/masuk/"))
    page.get_by_label("Nama pengguna").press_sequentially(gunicorn_site.account("officer").username)
    page.keyboard.press("Tab")
    page.keyboard.type("not-the-password")
    page.locator("#login-form").get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("alert")).to_contain_text("Nama pengguna atau kata sandi salah.")
    expect(page.get_by_label("Kata sandi")).to_have_attribute("aria-invalid", "true")
    expect(page).to_have_url(gunicorn_site.page_url("/masuk/"))


def test_login_helper_logs_in_other_roles(page, gunicorn_site, login):
    account = login(page, "editor")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Selamat datang, {account.full_name}")


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, gunicorn_site):
    page.goto(gunicorn_site.page_url("/"))
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Langsung ke konten utama")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()  # hidden until focused, then shown
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    expect(page).to_have_url(re.compile(r"#main$"))
