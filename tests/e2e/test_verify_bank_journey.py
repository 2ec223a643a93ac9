"""A bank clerk's check in a real browser: scan (open) the QR page, see the masked holder and the signer,
type the NIK from the customer's KTP, and upload the PDF the customer e-mailed (with bytes appended)."""

from __future__ import annotations

import pytest

from services.permits import permit_pdf
from tests.e2e.harness import axe_violations, describe_violations
from tests.permits.helpers import add_business, add_official, any_kelurahan, issue

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config.update(SIGNING_DEMO_DIR=str(tmp_path / "signing"), RATELIMIT_ENABLED=False)
    return app_config


def test_a_bank_clerk_checks_holder_and_file(app, app_site_url, browser, tmp_path):
    from playwright.sync_api import expect

    kelurahan = any_kelurahan()
    add_official(kelurahan)
    permit = issue(app, add_business(kelurahan, name="Warung Makan Bu Siti", nik="3171014503850003"))
    context = browser.new_context(locale="id-ID", bypass_csp=True)  # bypass: so that axe-core can be injected
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{app_site_url}/verify/{permit.token}")
        expect(page.locator(".verify-status")).to_contain_text("BERLAKU")
        expect(page.locator("main")).to_contain_text("S*** R*****")
        expect(page.locator("main")).to_contain_text("Masa berlaku sertifikat penanda tangan")

        page.locator("#nik").click()
        page.keyboard.type("3171016607900011")  # the KTP of someone else
        page.keyboard.press("Enter")
        expect(page.locator(".holder-check")).to_contain_text("tidak cocok")
        page.locator("#nik").press_sequentially("3171014503850003")
        page.keyboard.press("Enter")
        expect(page.locator(".holder-check [role=status]")).to_have_text(
            "cocok — NIK ini sama dengan NIK pemegang yang tercantum pada dokumen."
        )

        violations = axe_violations(page)
        assert not violations, describe_violations(violations)

        emailed = tmp_path / "izin.pdf"
        emailed.write_bytes(permit_pdf(permit, app.config) + b"\n% diteruskan lewat surel\n")
        page.goto(f"{app_site_url}/verify/")
        page.locator("#berkas").set_input_files(str(emailed))
        page.get_by_role("button", name="Periksa berkas").click()
        expect(page.locator("main")).to_contain_text("Asli; ada perubahan setelah ditandatangani.")
        expect(page.locator("main")).to_contain_text(permit.number)
    finally:
        context.close()
