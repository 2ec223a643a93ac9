"""Permits issued per month per kecamatan on the public figures page, read on a 390 px phone: the table fits
the screen, the chart labels are readable, and another month is chosen with the picker."""

from __future__ import annotations

import pytest

from tests.e2e.harness import choose, site_config, start_gunicorn

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site_with_permits(sqlite_template, tmp_path_factory):
    """A gunicorn site whose register was brought in by the importer (permits in October and November 2026)."""
    from app import create_app
    from extensions import db
    from services import imports
    from tests.web.test_work_figures import REGISTER

    workdir = tmp_path_factory.mktemp("figures-month")
    site = start_gunicorn(workdir, template=sqlite_template)
    app = create_app(site_config(site.database_path, workdir / "index-import"))
    with app.app_context():
        header = imports.read_table(REGISTER, "register.csv").header
        mapping = imports.mapping_for(db.session, "Arsip", header)
        imports.apply(db.session, REGISTER, "register.csv", "Arsip", mapping, app.config, None)
        db.session.remove()
        db.engine.dispose()
    yield site
    site.stop()
    assert "Traceback" not in site.log(), site.log()


def test_month_table_reads_on_a_phone_and_the_picker_changes_month(site_with_permits, browser):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="id-ID")
    page = context.new_page()
    page.goto(site_with_permits.page_url("/angka"))
    section = page.locator("section", has=page.locator("h2", has_text="Izin terbit per bulan per kecamatan"))
    table = section.locator("table.data")
    assert table.locator("tr", has_text="Gambir").locator("td").inner_text() == "3"
    fits = table.evaluate("t => t.getBoundingClientRect().right <= 390 && t.scrollWidth <= t.parentElement.clientWidth")
    assert fits, "the month table does not fit a 390 px screen"
    sizes = section.evaluate(
        """s => [...s.querySelectorAll('svg.bar-chart text.bar-label')].map(
            t => t.getScreenCTM().a * parseFloat(getComputedStyle(t).fontSize))"""
    )
    assert sizes and min(sizes) >= 11, sizes
    choose(page, section.get_by_label("Bulan", exact=True), "Oktober 2026")
    page.keyboard.press("Tab")
    expect(section.get_by_role("button", name="Tampilkan")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**bulan=2026-10**")
    section = page.locator("section", has=page.locator("h2", has_text="Izin terbit per bulan per kecamatan"))
    assert "Bulan Oktober 2026" in section.inner_text()
    assert section.locator("table.data tr", has_text="Gambir").locator("td").inner_text() == "1"
    context.close()
