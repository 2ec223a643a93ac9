"""Real browser, keyboard only: a cooperative sends its RAT report through the portal, typing the meeting date
and first more attendees than it has members (the error); an officer follows the dashboard's link to the RAT
queue, opens the report, tries to reject it without a reason (the error), types the reason, gets the
confirmation dialog, cancels it with Escape (nothing happens), asks again and confirms with Tab and Enter.
The cooperative then reads the rejection and its reason in its portal."""

from __future__ import annotations

import re
from datetime import date

import pytest

from extensions import db
from models.cooperative import RAT_PENDING, RAT_REJECTED, RatReport
from models.user import COOPERATIVE, OFFICER
from services import clock
from tests.coop_factory import make_cooperative
from tests.e2e.harness import type_date, type_into
from tests.support import TEST_PASSWORD

pytestmark = pytest.mark.e2e

REASON = "Notulen belum ditandatangani pimpinan rapat."


@pytest.fixture
def app_config(app_config):
    app_config["RATELIMIT_ENABLED"] = False
    return app_config


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="id-ID")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.page_errors = errors
    yield tab
    context.close()


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/masuk/")
    page.locator("#username").focus()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/(kantor|portal)/$"))


def _focus_and_press(page, locator, key: str = "Enter") -> None:
    locator.focus()
    page.keyboard.press(key)


def test_officer_rejects_a_rat_report_with_a_reason_through_the_error_and_the_dialog(app, auth, app_site_url, page):
    cooperative = make_cooperative(
        name="Koperasi Konsumen Kumir Pinangsia Sejahtera", founding_date=date(2010, 1, 1), member_count=27
    )
    auth.create(OFFICER, username="petugas")
    auth.create(COOPERATIVE, username="kumir", cooperative_id=cooperative.id)
    today = clock.today()

    # The cooperative types its report: 9,999 attendees for 27 members is refused, with nothing lost.
    _log_in(page, app_site_url, "kumir")
    _focus_and_press(page, page.get_by_role("link", name="Kirim laporan RAT"))
    type_into(page, "#financial_year", str(today.year - 1))
    type_date(page, page.locator("#meeting_date"), min(today, date(today.year, 3, 14)))
    type_into(page, "#members_present", "9999")
    type_into(page, "#shu_rupiah", "12.500.000")
    _focus_and_press(page, page.get_by_role("button", name="Kirim laporan"))
    page.locator("#form-errors").wait_for()
    assert "Anggota hadir (9.999) melebihi jumlah anggota koperasi (27)." in page.locator("#form-errors").inner_text()
    assert page.locator("#shu_rupiah").input_value() == "12.500.000"
    type_into(page, "#members_present", "25")
    _focus_and_press(page, page.get_by_role("button", name="Kirim laporan"))
    page.wait_for_url(re.compile(r"/portal/#rat$"))
    report = db.session.scalar(db.select(RatReport).where(RatReport.cooperative_id == cooperative.id))
    assert report.status == RAT_PENDING and report.members_present == 25
    assert report.meeting_date == min(today, date(today.year, 3, 14))
    report_id = report.id

    page.context.clear_cookies()
    _log_in(page, app_site_url, "petugas")
    _focus_and_press(page, page.get_by_role("link", name="1 laporan RAT menunggu konfirmasi"))
    page.wait_for_url(re.compile(r"/kantor/koperasi/rat/menunggu$"))
    _focus_and_press(page, page.get_by_role("link", name=re.compile("Periksa laporan Koperasi Konsumen Kumir")))
    page.wait_for_url(re.compile(rf"/kantor/koperasi/rat/{report_id}\?"))

    # No reason: the server's error, no dialog, nothing changed.
    reject = page.get_by_role("button", name="Tolak laporan")
    _focus_and_press(page, reject)
    page.locator("#form-errors").wait_for()
    assert "Tulis alasan penolakan; koperasi akan membacanya." in page.locator("#form-errors").inner_text()
    assert page.get_by_role("dialog").count() == 0

    # The reason typed; the dialog names the consequence; Escape cancels and nothing happens.
    page.get_by_label("Alasan penolakan").focus()
    page.keyboard.type(REASON)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Tolak laporan"
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    assert "Koperasi melihat laporan ini sebagai ditolak" in dialog.inner_text()
    assert page.evaluate("document.activeElement.textContent") == "Batal"  # the safe choice has the focus
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    db.session.expire_all()
    assert db.session.get(RatReport, report_id).status == RAT_PENDING

    page.keyboard.press("Enter")  # focus went back to "Tolak laporan"
    dialog.wait_for()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Ya, tolak laporan"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/kantor/koperasi/rat/menunggu$"))
    assert "ditolak; koperasi melihat alasannya" in page.content()
    assert "Tidak ada laporan RAT yang menunggu konfirmasi." in page.content()
    db.session.expire_all()
    rejected = db.session.get(RatReport, report_id)
    assert rejected.status == RAT_REJECTED and rejected.rejection_reason == REASON
    assert page.page_errors == []

    page.context.clear_cookies()
    _log_in(page, app_site_url, "kumir")
    row = page.locator("#rat-reports tbody tr").first
    assert "Ditolak" in row.inner_text() and REASON in row.inner_text()
