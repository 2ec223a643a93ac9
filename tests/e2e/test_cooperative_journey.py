"""A new officer's journey in a real browser: register a cooperative with founders added in place, fix one
validation error inline, preview and issue the founding deed, invite the cooperative; the invited person sets
a password, logs in, sees the record, downloads the deed (its text holds the name and the articles a–p), and
another cooperative's deed by URL is a 404.
"""

from __future__ import annotations

import io
import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from extensions import db
from models.user import OFFICER
from services.deeds import issue_deed
from tests.coop_factory import founders, make_cooperative
from tests.e2e.harness import choose, free_port, type_date, type_into
from tests.support import TEST_PASSWORD
from tests.unit.test_founding_deed_template import ARTICLES

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "bangkit bersama kampung 2026"  # must not contain the user name (akuarium)


@pytest.fixture
def app_config(app_config):
    port = free_port()  # invitation links are absolute against PUBLIC_BASE_URL: the live server's own address
    app_config.update(RATELIMIT_ENABLED=False, PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", LIVE_PORT=port)
    return app_config


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="id-ID")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    errors: list[str] = []
    tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.console_errors = errors
    yield tab
    context.close()


def _type_founder(page, index: int, nik: str) -> None:
    row = f'input[name="founders-{index}-'
    type_into(page, row + 'full_name"]', f"Warga Akuarium {index + 1}")
    type_into(page, row + 'nik"]', nik)
    type_into(page, row + 'birth_place"]', "Jakarta")
    type_date(page, page.locator(row + 'birth_date"]'), date(1970 + index, 1 + index % 9, 10 + index % 9))
    type_into(page, row + 'address"]', f"Kampung Akuarium RT 00{1 + index % 9}/RW 004")


def test_officer_registers_issues_the_deed_and_invites_the_cooperative_which_downloads_it(
    app, auth, app_site_url, page
):
    auth.create(OFFICER, username="petugas")
    other = make_cooperative(name="Koperasi Lain Sekali", kelurahan="Pinangsia", founders=founders(9, "317300"))
    others_deed = issue_deed(db.session, other, None, config=app.config, instance_path=app.instance_path)

    page.goto(f"{app_site_url}/masuk/")
    type_into(page, "#username", "petugas")
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Koperasi", exact=True).first.click()
    page.get_by_role("link", name="Daftarkan koperasi").first.click()

    type_into(page, "#name", "Koperasi Konsumen Akuarium Bangkit Mandiri")
    choose(page, page.locator("#kind"), "Konsumen")
    type_into(page, "#seat_address", "Jl. Pasar Ikan, Kampung Akuarium")
    choose(page, page.locator("#kelurahan_id"), "Penjaringan")
    type_into(page, "#kampungs", "Kampung Akuarium")
    type_into(page, "#simpanan_pokok_rupiah", "100.000")
    type_into(page, "#simpanan_wajib_rupiah", "20.000")
    type_into(page, "#deed_number", "12")
    type_date(page, page.locator("#deed_date"), date(2020, 5, 4))
    type_into(page, "#notary_name", "Notaris Contoh, S.H., M.Kn.")
    type_into(page, "#notary_npak_decree", "AHU-00123.AH.02.01.TAHUN 2019")
    # The first board and supervisors are chosen from the founders.
    type_into(page, 'input[name="board-0-full_name"]', "Warga Akuarium 1")
    type_into(page, 'input[name="board-0-title"]', "Ketua")
    type_into(page, 'input[name="supervisors-0-full_name"]', "Warga Akuarium 2")
    type_into(page, 'input[name="supervisors-0-title"]', "Ketua Pengawas")

    _type_founder(page, 0, "3172014107800001")
    for index in range(1, 9):
        with page.expect_response(re.compile(r"/kantor/koperasi/baris/founders$")) as added:
            page.get_by_role("button", name="Tambah pendiri").click()
        assert added.value.status == 200  # an htmx row fragment, not a full-page submit
        page.wait_for_selector(f'input[name="founders-{index}-nik"]')
        # The last founder repeats the first one's NIK: the mistake the officer then fixes inline.
        _type_founder(page, index, "3172014107800001" if index == 8 else f"31720141078000{index + 1:02d}")
    assert page.locator("#rows-founders tr").count() == 9

    page.get_by_role("button", name="Simpan").click()
    error = page.locator("#founders-8-nik-error")
    error.wait_for()
    assert "NIK ini sudah dipakai pendiri nomor 1." in error.inner_text()
    assert page.locator("#form-errors").is_visible()
    assert page.input_value('input[name="founders-3-full_name"]') == "Warga Akuarium 4"  # nothing typed was lost
    type_into(page, 'input[name="founders-8-nik"]', "3172014107800009")
    page.get_by_role("button", name="Simpan").click()

    page.wait_for_url(re.compile(r"/kantor/koperasi/\d+$"))
    assert page.get_by_role("heading", name="Koperasi Konsumen Akuarium Bangkit Mandiri").is_visible()
    assert "Kampung Akuarium" in page.content()

    # The founding deed's two witnesses complete the legal record, typed as an officer would.
    page.get_by_text("Saksi akta pendirian dan kementerian penerbit badan hukum").click()
    page.locator("#witness_1").press_sequentially("Saksi Satu")
    page.keyboard.press("Tab")
    page.keyboard.type("Saksi Dua")
    page.keyboard.press("Enter")
    page.get_by_text("Catatan akta pendirian disimpan.").wait_for()

    preview_link = page.get_by_role("link", name="Pratinjau salinan")
    preview = page.request.get(app_site_url + preview_link.get_attribute("href"))
    assert preview.status == 200 and preview.headers["content-type"] == "application/pdf"
    page.get_by_role("button", name="Terbitkan salinan register").click()
    page.get_by_text("Salinan register versi 1 diterbitkan").wait_for()
    assert page.get_by_role("link", name="Unduh PDF versi 1").is_visible()

    type_into(page, "#contact_name", "Ibu Ketua Akuarium")
    page.get_by_role("button", name="Buat undangan portal").click()
    link = page.locator("#invitation-link code").inner_text()
    assert "/portal/undangan/" in link
    page.get_by_role("button", name=re.compile("Keluar")).click()

    page.goto(app_site_url + urlsplit(link).path)  # the link is on PUBLIC_BASE_URL, the test server elsewhere
    type_into(page, "#username", "akuarium")
    type_into(page, "#password", NEW_PASSWORD)
    type_into(page, "#password_again", NEW_PASSWORD)
    page.get_by_role("button", name="Buat akun").click()
    page.wait_for_url(re.compile(r"/masuk/$"))
    type_into(page, "#username", "akuarium")
    page.keyboard.press("Tab")
    page.keyboard.type(NEW_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/portal/$"))
    assert page.get_by_role("heading", name="Koperasi Konsumen Akuarium Bangkit Mandiri").is_visible()
    assert "3172••••••••0001" in page.content() and "3172014107800001" not in page.content()

    with page.expect_download() as downloaded:
        page.get_by_role("link", name="Unduh PDF versi 1").first.click()
    pdf = open(downloaded.value.path(), "rb").read()  # noqa: PTH123, SIM115 - the browser's temporary file
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert "KOPERASI KONSUMEN AKUARIUM BANGKIT MANDIRI" in text and "Warga Akuarium 9" in text
    positions = [text.index(title) for title in ARTICLES]
    assert positions == sorted(positions)

    for url in (f"/portal/akta/{others_deed.id}/unduh", f"/portal/akta/{others_deed.id}"):
        response = page.goto(f"{app_site_url}{url}")
        assert response.status == 404 and "Koperasi Lain Sekali" not in page.content()
    # No script error and nothing refused by the strict CSP (404s of the last step and favicon aside).
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []
