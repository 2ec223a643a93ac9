"""Real browser: an editor writes, schedules, edits and restores a news post; a visitor finds it everywhere."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from PIL import Image

from extensions import db
from models.base import utcnow
from models.content import NewsPost
from services.clock import utc_to_local
from tests.e2e.harness import free_port, type_datetime
from tests.support import TEST_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config["MEDIA_DIR"] = str(tmp_path / "media")
    app_config["RATELIMIT_ENABLED"] = False
    # The feed and the sitemap speak of the public address: the one this test serves on.
    app_config["LIVE_PORT"] = free_port()
    app_config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{app_config['LIVE_PORT']}"
    return app_config


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), (20, 120, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def test_editor_schedules_edits_and_restores_a_post_and_visitor_finds_it(app, auth, app_site_url, browser):
    auth.create("editor", username="editor")
    base = app_site_url
    editor = browser.new_page()
    errors: list[str] = []
    editor.on("pageerror", lambda error: errors.append(str(error)))

    editor.goto(f"{base}/masuk/")
    editor.locator("input[name=username]").press_sequentially("editor")
    editor.keyboard.press("Tab")
    editor.keyboard.type(TEST_PASSWORD)
    editor.keyboard.press("Enter")
    editor.wait_for_url(re.compile(r".*/kantor/.*"))

    # An image into the media library; its Markdown snippet goes into the post.
    editor.goto(f"{base}/kantor/konten/media")
    editor.set_input_files("input[name=file]", files=[{"name": "bazar.png", "mimeType": "image/png", "buffer": _png()}])
    editor.locator("input[name=alt_text]").press_sequentially("Lapak bazar UMKM")
    editor.get_by_role("button", name="Unggah").click()
    snippet = editor.locator("td code").first.inner_text()
    assert snippet.startswith("![Lapak bazar UMKM](/media/")

    # Write the post, watch the live preview, schedule it ten minutes ahead (WIB), typed into the field.
    editor.goto(f"{base}/kantor/konten/berita/baru")
    editor.locator("input[name=title]").press_sequentially("Bazar UMKM Jumat Ini")
    editor.locator("textarea[name=summary]").press_sequentially("Bazar produk lokal di halaman balai kota.")
    editor.locator("textarea[name=body]").focus()
    editor.keyboard.type(f"## Lokasi\n\nHalaman balai kota.\n\n{snippet}\n\n<script>window.__pwned = 1</script>")
    editor.locator("#preview h2").wait_for()
    assert editor.locator("#preview h2").inner_text() == "Lokasi"
    ahead = utc_to_local(utcnow() + timedelta(minutes=10), "Asia/Jakarta")
    type_datetime(editor, editor.locator("input[name=publish_at]"), ahead)
    editor.get_by_role("button", name="Jadwalkan").click()
    editor.wait_for_url(re.compile(r".*/kantor/konten/berita/\d+$"))
    assert "Terjadwal" in editor.locator("#state").inner_text()
    assert "WIB" in editor.content()
    post_url = editor.url

    home = browser.new_page()
    home.goto(f"{base}/")
    assert "Bazar UMKM Jumat Ini" not in home.content()

    # The scheduled minute passes (the served app's clock cannot be moved from here, so the post's own
    # time is moved into the past instead): the next visit shows it, no cron involved.
    post = db.session.scalar(db.select(NewsPost).where(NewsPost.title == "Bazar UMKM Jumat Ini"))
    assert post.state == "scheduled" and post.publish_at > utcnow()
    post.publish_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    home.goto(f"{base}/")
    home.get_by_role("link", name="Bazar UMKM Jumat Ini").click()
    home.wait_for_url(re.compile(r".*/berita/bazar-umkm-jumat-ini$"))
    assert home.locator("article img[alt='Lapak bazar UMKM']").count() == 1
    assert home.evaluate("window.__pwned") is None
    assert "<script>window.__pwned" not in home.content()

    # Edit and publish; then restore the first revision.
    editor.goto(post_url)
    editor.locator("input[name=title]").focus()
    editor.keyboard.press("Control+A")
    editor.keyboard.type("Bazar UMKM Diundur")
    editor.get_by_role("button", name="Terbitkan sekarang").click()
    editor.get_by_text("Diterbitkan.").wait_for()
    home.goto(f"{base}/")
    assert "Bazar UMKM Diundur" in home.content()
    editor.goto(f"{post_url}/revisi")
    editor.locator("button", has_text=re.compile(r"^Pulihkan #\d+$")).last.click()
    dialog = editor.get_by_role("dialog")
    assert "langsung tayang di situs" in dialog.inner_text()
    dialog.get_by_role("button", name="Ya, pulihkan dan terbitkan").click()
    editor.get_by_text(re.compile(r"Revisi #\d+ dipulihkan")).wait_for()
    home.goto(f"{base}/berita/bazar-umkm-jumat-ini")
    assert home.locator("h1").inner_text() == "Bazar UMKM Jumat Ini"

    # An anonymous visitor finds the post in the feed and the sitemap.
    visitor = browser.new_context().new_page()
    feed = ElementTree.fromstring(visitor.request.get(f"{base}/berita/feed.xml").body())  # noqa: S314
    titles = [node.text for node in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert "Bazar UMKM Jumat Ini" in titles
    sitemap = visitor.request.get(f"{base}/sitemap.xml").text()
    assert f"{base}/berita/bazar-umkm-jumat-ini" in sitemap
    assert errors == []
