"""The figures page on a 390 px phone: every chart label is drawn at least 11 px high and fits the screen."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

MIN_LABEL_PX = 11


def test_chart_labels_are_readable_on_a_390px_phone(gunicorn_site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="id-ID")
    page = context.new_page()
    page.goto(gunicorn_site.page_url("/angka"))
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('svg.bar-chart text.bar-label')].map(text => {
            const scale = text.getScreenCTM().a;
            const box = text.getBoundingClientRect();
            return {label: text.textContent, px: scale * parseFloat(getComputedStyle(text).fontSize),
                    left: box.left, right: box.right};
        })"""
    )
    context.close()
    assert sizes, "no chart labels on the figures page"
    small = [size for size in sizes if size["px"] < MIN_LABEL_PX]
    assert small == [], small[:3]
    outside = [size for size in sizes if size["left"] < 0 or size["right"] > 390]
    assert outside == [], outside[:3]
