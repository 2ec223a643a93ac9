"""Real browser: a visitor finds a demo business by typing part of its name with a typo, narrows the
results with a filter, and gets the same answer without JavaScript and from the API."""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

import pytest

pytestmark = pytest.mark.e2e


def _target(site) -> tuple[int, str, str]:
    """A business whose last word (6+ letters) is its own: its id, its name, and that word with one letter changed."""
    names = site.query("SELECT id, name FROM business ORDER BY id")
    words = Counter(word.lower() for _, name in names for word in name.split())
    for business_id, name in names:
        last = name.split()[-1]
        if len(last) >= 6 and last.isalpha() and words[last.lower()] == 1:
            middle = len(last) // 2
            typo = last[:middle] + ("a" if last[middle].lower() != "a" else "e") + last[middle + 1 :]
            return business_id, name, typo.lower()
    raise AssertionError("the demo data has no business with a distinctive 6+ letter word")


def _top_names(page, count: int = 5) -> list[str]:
    return page.locator("ol.results > li h3").all_inner_texts()[:count]


def test_typing_part_of_a_name_with_a_typo_finds_it_and_filters_narrow(gunicorn_site, page):
    _, name, typo = _target(gunicorn_site)
    first_word = name.split()[0].lower()
    page.goto(gunicorn_site.page_url("/cari"))
    page.locator("#q").press_sequentially(f"{first_word[:4]} {typo}", delay=40)
    page.wait_for_url(re.compile(r".*/cari\?.*q=.*"))  # hx-push-url keeps the search shareable
    page.get_by_role("heading", level=3, name=name).wait_for()
    assert name in _top_names(page)
    assert typo in page.url

    status = page.locator("aside.facets details", has_text="Status")
    counts = status.locator(".count").all_inner_texts()
    assert counts and all(text.strip().replace(".", "").isdigit() for text in counts)
    choice = status.locator("label", has_text="Beroperasi")
    operating = int(choice.locator(".count").inner_text().replace(".", ""))
    choice.locator("input").check()
    page.wait_for_url(re.compile(r".*status=operating.*"))
    page.locator("#result-title", has_text=f"{operating} hasil").wait_for()
    badges = page.locator("ol.results .badge-status").all_inner_texts()
    assert badges and set(badges) == {"Beroperasi"}


def test_search_works_without_javascript_and_the_api_agrees(gunicorn_site, browser):
    business_id, name, typo = _target(gunicorn_site)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(gunicorn_site.page_url("/cari"))
        page.locator("#q").press_sequentially(typo)
        page.locator("#q").press("Enter")
        page.wait_for_url(re.compile(r".*/cari\?.*q=.*"))
        assert name in _top_names(page)

        answer = context.request.get(gunicorn_site.page_url(f"/api/v1/businesses?q={typo}&per_page=5"))
        assert answer.ok
        assert business_id in [item["id"] for item in answer.json()["items"]]
    finally:
        context.close()


def _args(**expected):
    """A wait_for_url predicate: the URL's query has these arguments (None: absent or empty)."""

    def matches(url: str) -> bool:
        args = dict(parse_qsl(urlsplit(url).query))
        return all(args.get(name) == value if value else not args.get(name) for name, value in expected.items())

    return matches


def _typed_searches(page) -> list[str]:
    """Collects the URLs of the htmx search requests the page sends."""
    sent: list[str] = []
    page.on("request", lambda request: sent.append(request.url) if "/cari?" in request.url else None)
    return sent


def test_the_search_page_as_people_use_it(gunicorn_site, page):
    page.goto(gunicorn_site.page_url("/cari"))
    start = page.evaluate("history.length")
    sent = _typed_searches(page)
    box = page.locator("#q")
    box.press_sequentially("kedai", delay=450)  # slower than the debounce: a request per letter
    page.locator("#result-title", has_text="untuk “kedai”").wait_for()
    assert len(sent) >= 3
    assert page.evaluate("history.length") == start + 1  # one entry for the whole typing run

    page.wait_for_timeout(1800)  # the query settles
    box.press_sequentially(" kopi", delay=450)
    page.locator("#result-title", has_text="untuk “kedai kopi”").wait_for()
    assert page.evaluate("history.length") == start + 2

    # A facet group the user opened stays open, and focus stays on the filter they chose.
    kecamatan = page.locator("details[data-facet='kecamatan_id']")
    if not kecamatan.evaluate("d => d.open"):
        kecamatan.locator("summary").click()
    page.wait_for_load_state("networkidle")  # leaving the box sent the search once more (replacing it)
    status = page.locator("details[data-facet='status']")
    choice = status.locator("label", has_text="Beroperasi").locator("input")
    choice.focus()
    page.keyboard.press("Space")
    page.wait_for_url(_args(q="kedai kopi", status="operating"))
    page.locator("details[data-facet='status'] .facet-remove").wait_for()
    assert page.locator("details[data-facet='kecamatan_id']").evaluate("d => d.open")
    assert page.evaluate("document.activeElement.name + '=' + document.activeElement.value") == "status=operating"

    # Back goes to each settled query, with its text in the box and its results.
    page.go_back()
    page.wait_for_url(_args(q="kedai kopi", status=None))
    page.locator("#result-title", has_text="untuk “kedai kopi”").wait_for()
    assert box.input_value() == "kedai kopi"
    page.go_back()
    page.wait_for_url(_args(q="kedai", status=None))
    page.locator("#result-title", has_text="untuk “kedai”").wait_for()
    assert box.input_value() == "kedai"

    # "Kembali ke pencarian" on a record keeps the query.
    page.locator("ol.results > li h3 a").first.click()
    page.get_by_role("link", name="Kembali ke pencarian").click()
    page.wait_for_url(_args(q="kedai"))
    assert box.input_value() == "kedai"

    # An active filter with nothing left stays visible, with its remove link.
    page.goto(gunicorn_site.page_url("/cari?q=kedai&status=closed&kbli=01111"))
    kbli = page.locator("details[data-facet='kbli_code']")
    assert kbli.locator("input[value='01111']").is_checked()
    kbli.get_by_role("link", name=re.compile("Hapus filter")).click()
    page.wait_for_url(_args(q="kedai", status="closed", kbli=None))

    # A failed request says so.
    page.route(re.compile(r".*/cari\?.*"), lambda route: route.fulfill(status=500, body="galat"))
    box.press_sequentially("x", delay=50)
    page.locator("#cari-galat").wait_for(state="visible")
    assert "tidak dapat dimuat" in page.locator("#cari-galat").inner_text()


def test_on_a_phone_the_first_results_are_on_the_first_screen(gunicorn_site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(gunicorn_site.page_url("/cari?q=kedai"))
        first = page.locator("ol.results > li").first.bounding_box()
        assert first is not None and first["y"] + first["height"] <= 844
        page.get_by_role("link", name="Saring hasil").click()
        assert page.locator("#filter-title").is_visible()
    finally:
        context.close()
