"""Real browser: a visitor finds a demo business by typing part of its name with a typo, narrows the
results with a filter, and gets the same answer without JavaScript and from the API."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from extensions import db
from models.business import Business

pytestmark = pytest.mark.e2e


def _target(live_server) -> tuple[Business, str]:
    """A demo business whose last word (6+ letters) is its own, and that word with one letter changed."""
    with live_server.app.app_context():
        businesses = db.session.scalars(db.select(Business).order_by(Business.id)).all()
        words = Counter(word.lower() for business in businesses for word in business.name.split())
        for business in businesses:
            last = business.name.split()[-1]
            if len(last) >= 6 and last.isalpha() and words[last.lower()] == 1:
                db.session.expunge(business)
                middle = len(last) // 2
                typo = last[:middle] + ("a" if last[middle].lower() != "a" else "e") + last[middle + 1 :]
                return business, typo.lower()
    raise AssertionError("the demo data has no business with a distinctive 6+ letter word")


def _top_names(page, count: int = 5) -> list[str]:
    return page.locator("ol.results > li h3").all_inner_texts()[:count]


def test_typing_part_of_a_name_with_a_typo_finds_it_and_filters_narrow(live_server, page):
    business, typo = _target(live_server)
    first_word = business.name.split()[0].lower()
    page.goto(live_server.page_url("/cari"))
    page.locator("#q").press_sequentially(f"{first_word[:4]} {typo}", delay=40)
    page.wait_for_url(re.compile(r".*/cari\?.*q=.*"))  # hx-push-url keeps the search shareable
    page.get_by_role("heading", level=3, name=business.name).wait_for()
    assert business.name in _top_names(page)
    assert typo in page.url

    status = page.locator("aside.facets details", has_text="Status")
    counts = status.locator(".count").all_inner_texts()
    assert counts and all(text.strip().replace(".", "").isdigit() for text in counts)
    choice = status.locator("label", has_text="Beroperasi")
    operating = int(choice.locator(".count").inner_text().replace(".", ""))
    choice.locator("input").check()
    page.wait_for_url(re.compile(r".*status=operating.*"))
    page.locator("#result-title", has_text=f"{operating} hasil").wait_for()
    badges = page.locator("ol.results .badge:not(.badge-muted)").all_inner_texts()
    assert badges and set(badges) == {"Beroperasi"}


def test_search_works_without_javascript_and_the_api_agrees(live_server, browser):
    business, typo = _target(live_server)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.page_url("/cari"))
        page.locator("#q").fill(typo)
        page.locator("#q").press("Enter")
        page.wait_for_url(re.compile(r".*/cari\?.*q=.*"))
        assert business.name in _top_names(page)

        answer = context.request.get(live_server.page_url(f"/api/v1/businesses?q={typo}&per_page=5"))
        assert answer.ok
        assert business.id in [item["id"] for item in answer.json()["items"]]
    finally:
        context.close()
