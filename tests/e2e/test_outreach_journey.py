"""Jemput bola on phones (390 px), typing like people: a resident reports a business, an officer of that
kecamatan plans and records the visit, registers and issues, the permit joins a delivery run, the courier
marks it delivered, and the resident's tracking page shows "Diantar"."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from extensions import db
from models.outreach import OutreachRequest
from services import clock
from tests.e2e.harness import choose, free_port, type_date
from tests.outreach.helpers import kelurahan_in
from tests.permits.helpers import add_official
from tests.support import TEST_PASSWORD

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "id-ID", "is_mobile": True, "has_touch": True}


@pytest.fixture
def app_config(app_config, tmp_path):
    port = free_port()
    app_config.update(
        SIGNING_DEMO_DIR=str(tmp_path / "signing"),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        LIVE_PORT=port,
        RATELIMIT_ENABLED=False,
    )
    return app_config


def _type(page, selector: str, text: str) -> None:
    page.locator(selector).click()
    page.keyboard.type(text)


def test_report_visit_register_issue_deliver_track(app, auth, app_site_url, browser, tmp_path):
    from playwright.sync_api import expect

    kelurahan = kelurahan_in()
    add_official(kelurahan)
    officer = auth.create("officer", username="petugas.lapangan", kecamatan_id=kelurahan.parent_id)

    resident = browser.new_context(**PHONE).new_page()
    resident.set_default_timeout(15_000)
    resident.goto(f"{app_site_url}/kabarkan")
    _type(resident, "#business_name", "Bengkel Motor Mas Yanto")
    resident.keyboard.press("Tab")
    resident.keyboard.type("tambal ban dan servis motor")
    choose(resident, resident.locator("#kelurahan_id"), kelurahan.name)
    _type(resident, "#address", "Jl. Kenanga No. 12, RT 004/RW 001")
    resident.get_by_label("Tetangga atau warga").check()
    _type(resident, "#reporter_name", "Bu Ani")
    _type(resident, "#reporter_phone", "0813 1111 2222")
    resident.keyboard.press("Enter")
    expect(resident.get_by_role("heading", level=1)).to_have_text("Terima kasih, kabar Anda kami terima")
    resident.screenshot(path=str(tmp_path / "reported.png"))
    code = db.session.scalar(db.select(OutreachRequest.code).where(OutreachRequest.business_name.like("Bengkel%")))

    page = browser.new_context(**PHONE).new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{app_site_url}/masuk/")
    _type(page, "#username", officer.username)
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/kantor/$"))
    page.goto(f"{app_site_url}/kantor/jemput-bola/")
    page.get_by_role("link", name="Bengkel Motor Mas Yanto").click()
    assert "0813" in page.content() or "+6281311112222" in page.content()  # the officer calls the reporter
    # The visit date typed in the date field: yesterday is refused, today is planned.
    today = clock.today()
    type_date(page, page.locator("#visit_on"), today - timedelta(days=1))
    page.get_by_role("button", name="Simpan jadwal").click()
    expect(page.locator("#visit_on-error")).to_have_text("Tanggal kunjungan tidak boleh sebelum hari ini.")
    type_date(page, page.locator("#visit_on"), today)
    page.get_by_role("button", name="Simpan jadwal").click()
    expect(page.get_by_text("Kunjungan dijadwalkan.")).to_be_visible()
    page.get_by_label("Dikunjungi", exact=True).check()
    type_date(page, page.locator("#visited_on"), today)
    page.get_by_role("button", name="Simpan hasil").click()
    expect(page.get_by_text("Hasil kunjungan dicatat.")).to_be_visible()
    page.screenshot(path=str(tmp_path / "visit.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone

    page.get_by_role("link", name="Daftarkan usaha dari permintaan ini").click()
    expect(page.locator("#name")).to_have_value("Bengkel Motor Mas Yanto")
    expect(page.locator("#activity")).to_have_value("tambal ban dan servis motor")
    _type(page, "#owner_nik", "3171014503850003")
    _type(page, "#owner_name", "Suyanto")
    _type(page, "#owner_phone", "0812 9999 0000")
    _type(page, "#owner_address", "Jl. Kenanga No. 12")
    _type(page, "#kbli_code", "56102")
    _type(page, "#capital_rupiah", "15000000")
    page.get_by_role("button", name="Simpan", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bengkel Motor Mas Yanto")
    page.get_by_role("button", name="Terbitkan izin").click()
    expect(page.get_by_text(re.compile(r"^Izin .+ diterbitkan\.$"))).to_be_visible(timeout=60_000)

    page.goto(f"{app_site_url}/kantor/antar/")
    _type(page, "#courier_name", "Joko Kurir")
    page.get_by_role("button", name="Buat rombongan").click()
    expect(page.get_by_text(re.compile(r"Rombongan antar \d+ dibuat\."))).to_be_visible()
    page.get_by_label("Diterima", exact=True).first.check()
    page.locator("[id^=received_by-]").first.click()
    page.keyboard.type("Pak Yanto")
    page.get_by_role("button", name="Simpan").first.click()
    expect(page.get_by_text(re.compile(r"Pengantaran .+ dicatat\."))).to_be_visible()
    expect(page.get_by_text(re.compile(r"Diterima oleh Pak Yanto"))).to_be_visible()
    page.screenshot(path=str(tmp_path / "run.png"), full_page=True)

    resident.goto(f"{app_site_url}/lacak")
    _type(resident, "#kode", code.lower())
    resident.keyboard.press("Enter")
    expect(resident.locator('[data-stage="diantar"]')).to_have_class("done")
    for stage in ("diterima", "dijadwalkan", "dikunjungi", "izin_terbit"):
        expect(resident.locator(f'[data-stage="{stage}"]')).to_have_class("done")
    body = resident.content()
    assert "Bu Ani" not in body and "1111" not in body and "Suyanto" not in body and "Pak Yanto" not in body
    resident.screenshot(path=str(tmp_path / "track.png"), full_page=True)
