"""The officer's day, typed as a person types, with JavaScript on, against gunicorn (issue 9).

Every step goes through the keyboard (press_sequentially, Tab, Enter, arrow keys) and through the
error states an officer meets: a mistyped NIK, a NIK already registered, a missing kelurahan, a KBLI
word with no code. axe checks each error state.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

import pytest

from tests.e2e.harness import axe_violations, describe_violations, type_date, type_datetime

pytestmark = pytest.mark.e2e

TYPING_DELAY_MS = 20


def type_in(page, text: str) -> None:
    page.keyboard.type(text, delay=TYPING_DELAY_MS)


def tab(page, times: int = 1) -> None:
    for _ in range(times):
        page.keyboard.press("Tab")


def focused_id(page) -> str:
    return page.evaluate("() => document.activeElement && document.activeElement.id")


def assert_accessible(page, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe found serious/critical violations on {what}:\n{describe_violations(violations)}"


def log_in_by_keyboard(page, site, role: str = "officer") -> None:
    account = site.account(role)
    page.goto(site.page_url("/masuk/"))
    page.get_by_label("Nama pengguna").focus()
    type_in(page, account.username)
    tab(page)
    type_in(page, account.password)
    page.keyboard.press("Enter")
    page.wait_for_url(site.page_url("/kantor/"))


def query(site, sql: str, *args):
    with sqlite3.connect(site.database_path) as connection:
        return connection.execute(sql, args).fetchall()


def test_keyboard_only_from_an_empty_form_to_an_issued_permit(gunicorn_site, officer_page):
    from playwright.sync_api import expect

    page, site = officer_page, gunicorn_site
    log_in_by_keyboard(page, site, "superadmin")
    page.goto(site.page_url("/kantor/usaha/baru"))
    page.locator("#owner_nik").focus()

    # A NIK one digit short: the message appears under the field; the typing and the focus move on untouched.
    type_in(page, "317101450385077")
    tab(page)
    expect(page.locator("#owner_nik-message .field-error")).to_have_text("NIK harus 16 angka.")
    expect(page.locator("#owner_nik")).to_have_attribute("aria-invalid", "true")
    assert focused_id(page) == "owner_name"
    type_in(page, "Siti Rahmawati")  # typed while the check answers: nothing is reset
    expect(page.locator("#owner_name")).to_have_value("Siti Rahmawati")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("End")
    type_in(page, "7")
    tab(page)
    expect(page.locator("#owner_nik-message .field-error")).to_have_count(0)
    expect(page.locator("#owner_nik")).not_to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "the business form after an inline NIK error")

    tab(page)  # name is filled: on to the phone
    type_in(page, "0812 3456 7788")
    tab(page)
    type_in(page, "Jl. Kebon Sirih No. 7, RT 003/RW 002")
    # The birth date: its month, day and year segments take the digits (see type_date), then Tab goes
    # past the field's calendar button to the business name.
    tab(page)
    type_in(page, "03051985")
    expect(page.locator("#owner_birth_date")).to_have_value("1985-03-05")
    tab(page, 2)
    expect(page.locator("#name")).to_be_focused()
    type_in(page, "Binatu Kilat Bu Siti")
    # Leave the kelurahan empty and send with Enter: the errors come back as on a full page.
    page.keyboard.press("Enter")
    summary = page.locator("#form-errors")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    items = summary.locator("li")
    expect(items.first).to_contain_text("Kelurahan")
    expect(page.locator("#owner_nik")).to_have_value("3171014503850777")
    expect(page.locator("#name")).to_have_value("Binatu Kilat Bu Siti")
    assert_accessible(page, "the business form with its error summary")

    # From the summary to the kelurahan with the keyboard, then type its name into the select.
    tab(page)
    expect(summary.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#kelurahan_id")).to_be_focused()
    page.keyboard.type("Kebon Kelapa", delay=40)
    expect(page.locator("#kelurahan_id option:checked")).to_contain_text("Kebon Kelapa")
    page.wait_for_timeout(800)  # the inline checks of every keystroke have answered
    expect(page.locator("#kelurahan_id option:checked")).to_contain_text("Kebon Kelapa")
    expect(page.locator("#kelurahan_id")).to_be_focused()

    tab(page)
    type_in(page, "Jl. Kebon Kelapa Raya No. 7")
    tab(page)
    expect(page.locator("#kbli_code")).to_be_focused()
    # A word that names no code: the form stays, the field keeps the text, a message says so.
    type_in(page, "laundry")
    status = page.locator("#kbli-listbox-status")
    expect(status).not_to_be_empty()
    expect(page.locator("#business-form")).to_have_count(1)
    expect(page.locator("#kbli_code")).to_have_value("laundry")
    expect(page.locator("#kbli_code")).to_be_focused()
    # Words of the title find the code; arrow down and Enter choose it.
    page.keyboard.press("Control+A")
    type_in(page, "warung makan")
    expect(page.locator("#kbli-listbox [role=option]").first).to_be_visible()
    expect(page.locator("#kbli_code")).to_have_attribute("aria-expanded", "true")
    assert_accessible(page, "the KBLI combobox open")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#kbli_code")).to_have_attribute("aria-activedescendant", "kbli-option-2020-56102")
    page.keyboard.press("Enter")
    expect(page.locator("#kbli_code")).to_have_value("56102")
    expect(page.locator("#kbli_code")).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#business-form")).to_have_count(1)  # Enter chose the code; it did not send the form

    tab(page)
    if focused_id(page) == "kbli_other":  # the other KBLI codes: none
        tab(page)
    expect(page.locator("#activity")).to_be_focused()
    type_in(page, "Jasa binatu kiloan")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Binatu Kilat Bu Siti")

    issue = page.get_by_role("button", name="Terbitkan izin")
    issue.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("diterbitkan.", timeout=30_000)
    rows = query(
        site,
        "SELECT permit.number, business.kbli_code, region.name FROM permit"
        " JOIN business ON business.id = permit.business_id"
        " JOIN region ON region.id = business.kelurahan_id WHERE business.name = ?",
        "Binatu Kilat Bu Siti",
    )
    assert len(rows) == 1 and rows[0][1] == "56102" and rows[0][2] == "Kebon Kelapa"


def test_duplicate_nik_is_caught_while_typing_and_on_sending(gunicorn_site, officer_page):
    from playwright.sync_api import expect

    page, site = officer_page, gunicorn_site
    (nik, owner_name) = query(
        site, "SELECT nik, full_name FROM person WHERE id IN (SELECT owner_id FROM business) ORDER BY id LIMIT 1"
    )[0]
    log_in_by_keyboard(page, site, "superadmin")
    page.goto(site.page_url("/kantor/usaha/baru"))
    page.locator("#owner_nik").focus()
    type_in(page, nik)
    tab(page)
    notice = page.locator("#owner_nik-message .notice-existing")
    expect(notice).to_contain_text(owner_name)
    for field, text in (
        ("#owner_name", "Nama Lain"),
        ("#owner_phone", "0813 1111 2222"),
        ("#owner_address", "Jl. Lain No. 1"),
        ("#name", "Kedai Kopi Kedua"),
        ("#address", "Jl. Kedua No. 2"),
        ("#activity", "Kedai kopi"),
    ):
        page.locator(field).focus()
        type_in(page, text)
    page.locator("#kelurahan_id").focus()
    page.keyboard.type("Gambir", delay=40)
    page.locator("#activity").focus()
    page.keyboard.press("Enter")
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("NIK ini sudah terdaftar atas nama")
    assert_accessible(page, "the business form refusing a duplicate NIK")
    checkbox = page.get_by_label("Gunakan data pemilik ini")
    checkbox.focus()
    page.keyboard.press("Space")
    page.locator("#activity").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kedai Kopi Kedua")
    owners = query(
        site,
        "SELECT person.nik FROM business JOIN person ON person.id = business.owner_id WHERE business.name = ?",
        "Kedai Kopi Kedua",
    )
    assert owners == [(nik,)]


def test_business_edit_errors_come_back_with_javascript(gunicorn_site, officer_page):
    from playwright.sync_api import expect

    page, site = officer_page, gunicorn_site
    (business_id,) = query(site, "SELECT id FROM business ORDER BY id LIMIT 1")[0]
    log_in_by_keyboard(page, site, "superadmin")
    page.goto(site.page_url(f"/kantor/usaha/{business_id}/ubah"))
    page.locator("#name").focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.locator("#activity").focus()
    page.keyboard.press("Enter")
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Nama usaha")
    assert_accessible(page, "the business edit form with errors")


def test_an_expired_session_says_so_and_keeps_what_was_typed(gunicorn_site, officer_page):
    from playwright.sync_api import expect

    page, site = officer_page, gunicorn_site
    log_in_by_keyboard(page, site, "superadmin")
    page.goto(site.page_url("/kantor/usaha/baru"))
    page.locator("#name").focus()
    type_in(page, "Warung Sesi Habis")
    page.context.clear_cookies()  # the session ends while the officer types
    page.locator("#owner_nik").focus()
    type_in(page, "3171014503850088")
    tab(page)
    status = page.locator("#request-status")
    expect(status).to_contain_text("Sesi Anda telah berakhir")
    expect(page.locator("#business-form")).to_have_count(1)  # no login page swapped into a field
    expect(page.locator("#name")).to_have_value("Warung Sesi Habis")
    status.get_by_role("button", name="Masuk lagi").press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk ke kantor Balai")
    account = site.account("superadmin")
    page.get_by_label("Nama pengguna").focus()
    type_in(page, account.username)
    tab(page)
    type_in(page, account.password)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Kirim isian saya").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Daftarkan usaha")
    assert page.url == site.page_url("/kantor/usaha/baru")
    expect(page.locator("#name")).to_have_value("Warung Sesi Habis")
    expect(page.locator("#owner_nik")).to_have_value("3171014503850088")


def test_a_failing_request_is_announced(gunicorn_site, officer_page):
    from playwright.sync_api import expect

    page, site = officer_page, gunicorn_site
    log_in_by_keyboard(page, site, "superadmin")
    page.goto(site.page_url("/kantor/usaha/baru"))
    page.route("**/kantor/usaha/validasi/**", lambda route: route.fulfill(status=500, body="boom"))
    page.locator("#owner_nik").focus()
    type_in(page, "3171014503850099")
    tab(page)
    expect(page.locator("#request-status")).to_contain_text("kode 500")
    page.route("**/kantor/usaha/validasi/**", lambda route: route.abort())
    page.locator("#owner_name").focus()
    type_in(page, "Putus")
    tab(page)
    expect(page.locator("#request-status")).to_contain_text("Tidak dapat terhubung")


def _type_into(page, selector: str, text: str) -> None:
    page.locator(selector).focus()
    type_in(page, text)


def _type_founder(page, index: int, nik: str) -> None:
    row = f'input[name="founders-{index}-'
    _type_into(page, row + 'full_name"]', f"Warga Ketik {index + 1}")
    _type_into(page, row + 'nik"]', nik)
    _type_into(page, row + 'birth_place"]', "Jakarta")
    type_date(page, page.locator(row + 'birth_date"]'), date(1970 + index, 1 + index % 9, 10 + index % 9))
    _type_into(page, row + 'address"]', f"Kampung Ketik RT 00{1 + index % 9}/RW 004")


def test_cooperative_with_founders_typed_through_its_errors(gunicorn_site, officer_page):
    from playwright.sync_api import expect

    page, site = officer_page, gunicorn_site
    log_in_by_keyboard(page, site, "superadmin")
    page.goto(site.page_url("/kantor/koperasi/baru"))
    _type_into(page, "#name", "Koperasi Konsumen Ketik Mandiri")
    _type_into(page, "#seat_address", "Jl. Pasar Ikan No. 3")
    page.locator("#kelurahan_id").focus()
    page.keyboard.type("Penjaringan", delay=40)
    expect(page.locator("#kelurahan_id option:checked")).to_have_text("Penjaringan")
    _type_into(page, "#kampungs", "Kampung Ketik")
    _type_into(page, "#simpanan_pokok_rupiah", "100.000")
    _type_into(page, "#simpanan_wajib_rupiah", "20.000")
    _type_into(page, 'input[name="board-0-full_name"]', "Dharma Diani")
    tab(page)
    type_in(page, "Ketua")
    _type_into(page, 'input[name="supervisors-0-full_name"]', "Topaz Juanda")
    tab(page)
    type_in(page, "Ketua Pengawas")

    _type_founder(page, 0, "3172014107800101")
    add = page.get_by_role("button", name="Tambah pendiri")
    for index in range(1, 8):
        add.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector(f'input[name="founders-{index}-nik"]')
        _type_founder(page, index, f"31720141078001{index + 1:02d}")

    # Eight founders: too few for a primer cooperative; the errors come back, focused, nothing lost.
    page.get_by_role("button", name="Simpan", exact=True).focus()
    page.keyboard.press("Enter")
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("9")
    expect(page.locator('input[name="founders-3-full_name"]')).to_have_value("Warga Ketik 4")
    assert_accessible(page, "the cooperative form with too few founders")

    # A ninth founder with the first one's NIK: refused inline, then fixed.
    page.get_by_role("button", name="Tambah pendiri").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector('input[name="founders-8-nik"]')
    _type_founder(page, 8, "3172014107800101")
    page.get_by_role("button", name="Simpan", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#founders-8-nik-error")).to_contain_text("NIK ini sudah dipakai pendiri nomor 1.")
    expect(page.locator("#form-errors")).to_be_focused()
    nik = page.locator('input[name="founders-8-nik"]')
    nik.focus()
    page.keyboard.press("Control+A")
    type_in(page, "3172014107800109")
    page.get_by_role("button", name="Simpan", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Koperasi Konsumen Ketik Mandiri")).to_be_visible()
    founders = query(
        site,
        "SELECT count(*) FROM cooperative_founder"
        " JOIN cooperative ON cooperative.id = cooperative_founder.cooperative_id WHERE cooperative.name = ?",
        "Koperasi Konsumen Ketik Mandiri",
    )
    assert founders == [(9,)]


def test_cms_schedule_typed_through_its_error(gunicorn_site, officer_page):
    from playwright.sync_api import expect

    page, site = officer_page, gunicorn_site
    log_in_by_keyboard(page, site, "editor")
    page.goto(site.page_url("/kantor/konten/berita/baru"))
    _type_into(page, "#title", "Bazar Ketik Jumat Ini")
    tab(page, 2)
    type_in(page, "Bazar produk lokal di halaman balai kota.")
    _type_into(page, "#body", "## Lokasi\n\nHalaman balai kota.")
    expect(page.locator("#preview h2")).to_have_text("Lokasi")

    # "Jadwalkan" without a date and time: the error is swapped in and focused; the text stays.
    page.get_by_role("button", name="Jadwalkan").focus()
    page.keyboard.press("Enter")
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Waktu terbit")
    expect(page.locator("#title")).to_have_value("Bazar Ketik Jumat Ini")
    assert_accessible(page, "the news editor refusing a schedule without a date")

    type_datetime(page, page.locator("#publish_at"), datetime(2099, 12, 31, 9, 30))
    page.get_by_role("button", name="Jadwalkan").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#state")).to_have_text("Terjadwal")
    expect(page.locator("main")).to_contain_text("WIB")
    rows = query(site, "SELECT state FROM content_news WHERE title = ?", "Bazar Ketik Jumat Ini")
    assert rows == [("scheduled",)]
