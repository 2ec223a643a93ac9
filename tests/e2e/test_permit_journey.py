"""A new officer's journey in a real browser: log in, register (fixing a typo inline), issue, download, verify, revoke.

The live-server and browser fixtures live here (not in a shared conftest) so this file stands alone.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from extensions import db
from models.business import Business
from models.permit import Permit
from tests.e2e.harness import choose, free_port, type_date, type_into
from tests.permits.helpers import add_official, any_kelurahan
from tests.support import TEST_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_config(app_config, tmp_path):
    port = free_port()
    app_config.update(
        SIGNING_DEMO_DIR=str(tmp_path / "signing"),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        LIVE_PORT=port,
    )
    return app_config


@pytest.fixture
def browser_page(browser):
    context = browser.new_context(accept_downloads=True, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _qr_text(pdf: bytes) -> list[str]:
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=4).to_pil()
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def test_officer_registers_issues_downloads_and_anyone_verifies(app, auth, app_site_url, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    kelurahan = any_kelurahan()
    add_official(kelurahan, name="Drs. Ahmad Fauzi")
    auth.create("officer", username="petugas")

    page.goto(f"{app_site_url}/masuk/")
    page.get_by_label("Nama pengguna").press_sequentially("petugas")
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{app_site_url}/kantor/")

    page.get_by_role("link", name="Daftarkan usaha").first.click()
    type_into(page, "#owner_nik", "317101450385003")  # one digit short: a typo
    page.keyboard.press("Tab")
    expect(page.locator("#owner_nik-message .field-error")).to_contain_text("NIK harus 16 angka.")
    type_into(page, "#owner_nik", "3171014503850003")
    page.keyboard.press("Tab")
    expect(page.locator("#owner_nik-message .field-error")).to_have_count(0)
    type_into(page, "#owner_name", "Siti Rahayu")
    type_into(page, "#owner_phone", "0812 3456 7890")
    type_into(page, "#owner_address", "Jl. Kebon Sirih No. 5, RT 003/RW 002")
    type_into(page, "#name", "Warung Makan Bu Siti")
    choose(page, page.locator("#kelurahan_id"), kelurahan.name)
    type_into(page, "#address", "Jl. Kebon Sirih No. 5")
    type_into(page, "#kbli_code", "56102")
    type_into(page, "#activity", "Warung makan")
    type_into(page, "#capital_rupiah", "25000000")
    page.get_by_role("button", name="Simpan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Warung Makan Bu Siti")

    page.get_by_role("button", name="Terbitkan izin").click()
    expect(page.get_by_text(re.compile(r"^Izin .+ diterbitkan\.$"))).to_be_visible()
    business = db.session.scalar(db.select(Business).where(Business.name == "Warung Makan Bu Siti"))
    permit = db.session.scalar(db.select(Permit).where(Permit.business_id == business.id))
    assert business.owner.phone == "+6281234567890"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Unduh PDF").click()
    pdf = Path(download_info.value.path()).read_bytes()
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert permit.number in text and "Warung Makan Bu Siti" in text
    verify_url = f"{app_site_url}/verify/{permit.token}"
    assert _qr_text(pdf) == [verify_url]

    page.goto(verify_url)
    expect(page.locator(".verify-status")).to_contain_text("BERLAKU")
    expect(page.locator("body")).not_to_contain_text("3171014503850003")

    # The day's permits for the delivery run, chosen by the issue date typed into the date field.
    page.goto(f"{app_site_url}/kantor/izin/cetak")
    type_date(page, page.locator("#issued_on"), permit.issued_on - timedelta(days=1))
    page.get_by_role("button", name="Tampilkan izin").click()
    expect(page.get_by_role("heading", name="0 izin dipilih")).to_be_visible()
    type_date(page, page.locator("#issued_on"), permit.issued_on)
    page.get_by_role("button", name="Tampilkan izin").click()
    expect(page.get_by_role("heading", name="1 izin dipilih")).to_be_visible()
    expect(page.locator("table.data")).to_contain_text(permit.number)

    page.goto(f"{app_site_url}/kantor/usaha/{business.id}")
    choose(page, page.get_by_label("Alasan pencabutan"), "Usaha pindah ke luar wilayah")
    page.get_by_label("Catatan internal").press_sequentially("Pemilik pindah ke Bogor")
    page.get_by_role("button", name="Cabut izin").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Pencabutan tidak dapat dibatalkan")
    dialog.get_by_role("button", name="Ya, cabut izin").click()
    expect(page.get_by_text("dicabut.")).to_be_visible()
    page.goto(verify_url)
    expect(page.locator(".verify-status")).to_contain_text("DICABUT")
    expect(page.locator(".verify-status")).to_contain_text("Usaha pindah ke luar wilayah")
    expect(page.locator("body")).not_to_contain_text("Bogor")
