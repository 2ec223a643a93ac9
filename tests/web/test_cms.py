"""The CMS as editors and visitors meet it: writing, scheduling, revisions, slugs, media, roles."""

from __future__ import annotations

import io
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from PIL import Image

from extensions import db
from models.audit import AuditEvent
from models.base import utcnow
from models.business import Business
from models.content import NewsPost, Page, Revision
from models.user import COOPERATIVE, OFFICER
from services.clock import utc_to_local

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config["MEDIA_DIR"] = str(tmp_path / "media")
    return app_config


def _xml(data: bytes):
    return ElementTree.fromstring(data)  # noqa: S314 - our own server's output


def _png(width=20, height=10, fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def _post_news(client, action="publish", **fields):
    data = {"title": "Bazar UMKM di Balai Kota", "slug": "", "summary": "Ringkas.", "body": "Isi berita.", "note": ""}
    data.update(fields)
    data["action"] = action
    return client.post("/kantor/konten/berita/baru", data=data)


def _news(slug):
    db.session.expire_all()
    return db.session.scalar(db.select(NewsPost).where(NewsPost.slug == slug))


@pytest.mark.both_databases
def test_editor_publishes_news_and_visitor_reads_it_in_indonesian(client, auth):
    auth.login_as("editor")
    response = _post_news(client, title="Bazar UMKM di Balai Kota", body="## Jadwal\n\n- Jumat pagi\n- Sabtu sore")
    assert response.status_code == 303
    post = _news("bazar-umkm-di-balai-kota")
    assert post.state == "published" and post.live_revision_id is not None
    auth.logout()
    page = client.get("/berita/bazar-umkm-di-balai-kota").get_data(as_text=True)
    assert "<h1>Bazar UMKM di Balai Kota</h1>" in page
    assert "<h2>Jadwal</h2>" in page and "<li>Jumat pagi</li>" in page
    local_day = utc_to_local(post.published_at, "Asia/Jakarta")
    months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
              "November", "Desember"]  # fmt: skip
    assert f"{local_day.day} {months[local_day.month - 1]} {local_day.year}" in page
    assert '<meta property="og:title" content="Bazar UMKM di Balai Kota">' in page
    assert 'aria-label="Jejak halaman"' in page and 'href="/berita">Berita</a>' in page
    assert "Bazar UMKM di Balai Kota" in client.get("/").get_data(as_text=True)
    actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.object_type == "news")).all()
    assert "content.publish" in actions


def test_script_typed_in_the_body_never_reaches_the_page(client, auth):
    auth.login_as("editor")
    body = '<script>alert("x")</script>\n\n[klik](javascript:alert(1))\n\n<img src=x onerror=alert(1)>'
    assert _post_news(client, title="Aman", body=body).status_code == 303
    for url in ("/berita/aman", "/berita/feed.xml"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and 'href="javascript:' not in page and "<img src=x" not in page
    preview = client.post("/kantor/konten/pratinjau", data={"body": body}).get_data(as_text=True)
    assert "<script" not in preview and "&lt;script&gt;" in preview


def test_links_get_noopener_and_tables_render(client, auth):
    auth.login_as("editor")
    body = "[Situs](https://example.org)\n\n| Tahap | Isi |\n|---|---|\n| 1 | Daftar |"
    _post_news(client, title="Tautan", body=body)
    page = client.get("/berita/tautan").get_data(as_text=True)
    assert 'rel="noopener noreferrer"' in page and "<td>Daftar</td>" in page


def test_draft_of_a_published_post_stays_private_and_live_version_can_be_corrected(client, auth):
    auth.login_as("editor")
    _post_news(client, title="Pasar Murah", slug="pasar-murah", body="Versi pertama.")
    post = _news("pasar-murah")
    response = client.post(
        f"/kantor/konten/berita/{post.id}",
        data={"title": "Pasar Murah", "slug": "pasar-murah", "body": "Draf rahasia.", "action": "draft"},
    )
    assert response.status_code == 303
    assert "Versi pertama." in client.get("/berita/pasar-murah").get_data(as_text=True)
    edit = client.get(f"/kantor/konten/berita/{post.id}").get_data(as_text=True)
    assert "Ada draf yang belum terbit" in edit and "Terakhir diubah oleh Editor Test pada" in edit and "WIB" in edit
    response = client.post(
        f"/kantor/konten/berita/{post.id}/koreksi",
        data={"title": "Pasar Murah", "body": "Versi pertama, jamnya dikoreksi."},
    )
    assert response.status_code == 303
    public = client.get("/berita/pasar-murah").get_data(as_text=True)
    assert "jamnya dikoreksi" in public and "Draf rahasia." not in public
    assert _news("pasar-murah").body == "Draf rahasia."


def test_scheduled_post_goes_live_on_time_without_cron(app, client, auth):
    auth.login_as("editor")
    in_an_hour = utc_to_local(utcnow() + timedelta(hours=1), "Asia/Jakarta")
    response = _post_news(
        client, action="schedule", title="Jumat Beli Lokal", publish_at=in_an_hour.strftime("%Y-%m-%dT%H:%M")
    )
    assert response.status_code == 303
    assert client.get("/berita/jumat-beli-lokal").status_code == 404
    assert "Jumat Beli Lokal" not in client.get("/berita").get_data(as_text=True)
    app.config["SESSION_IDLE_MINUTES"] = 0  # the editor's session outlives the two-hour jump
    app.config["CLOCK"] = lambda: utcnow() + timedelta(hours=2)
    admin_list = client.get("/kantor/konten/").get_data(as_text=True)
    assert 'badge-at-risk">Lewat jadwal' in admin_list
    assert client.get("/berita/jumat-beli-lokal").status_code == 200
    assert _news("jumat-beli-lokal").state == "published"
    assert 'badge-at-risk">Lewat jadwal' not in client.get("/kantor/konten/").get_data(as_text=True)


def test_schedule_in_the_past_is_refused_with_a_message(client, auth):
    auth.login_as("editor")
    response = _post_news(client, action="schedule", title="Lama", publish_at="2020-01-01T08:00")
    assert response.status_code == 422
    assert "waktu terbit (WIB) yang belum lewat" in response.get_data(as_text=True)
    assert _news("lama") is None


def test_changing_a_slug_keeps_the_old_address_with_301(client, auth):
    auth.login_as("editor")
    _post_news(client, title="Kredit Pemula", slug="kredit-pemula")
    post = _news("kredit-pemula")
    client.post(
        f"/kantor/konten/berita/{post.id}",
        data={"title": "Kredit Pemula", "slug": "kredit-usaha-pemula", "body": "Isi.", "action": "publish"},
    )
    response = client.get("/berita/kredit-pemula")
    assert response.status_code == 301 and response.headers["Location"].endswith("/berita/kredit-usaha-pemula")
    assert client.get("/berita/kredit-usaha-pemula").status_code == 200


def test_bad_slug_is_refused_and_nothing_changes(client, auth):
    auth.login_as("editor")
    response = _post_news(client, title="Judul", slug="Bukan Slug!")
    assert response.status_code == 422 and "huruf kecil" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(NewsPost)) == 0


def test_every_save_is_a_revision_that_can_be_compared_and_restored(client, auth):
    auth.login_as("editor")
    _post_news(client, title="Pelatihan", slug="pelatihan", body="Baris satu.\nBaris <b>dua</b>.")
    post = _news("pelatihan")
    client.post(
        f"/kantor/konten/berita/{post.id}",
        data={"title": "Pelatihan", "slug": "pelatihan", "body": "Baris satu.\nBaris tiga.", "action": "publish",
              "note": "ganti baris"},
    )  # fmt: skip
    revisions = db.session.scalars(db.select(Revision).order_by(Revision.id)).all()
    assert len(revisions) == 2 and revisions[1].note == "ganti baris" and revisions[1].author.username == "editor"
    first, second = revisions
    page = client.get(f"/kantor/konten/berita/{post.id}/revisi?a={first.id}&b={second.id}").get_data(as_text=True)
    assert "Baris &lt;b&gt;dua&lt;/b&gt;." in page or "&lt;b&gt;" in page
    assert "<b>dua</b>" not in page and "ganti baris" in page
    # Restoring live content publishes at once: without the confirmation field, a page that says so.
    asked = client.post(f"/kantor/konten/berita/{post.id}/revisi/{first.id}/pulihkan")
    assert asked.status_code == 200 and "langsung tayang di situs" in asked.get_data(as_text=True)
    assert "tiga" in client.get("/berita/pelatihan").get_data(as_text=True)
    response = client.post(f"/kantor/konten/berita/{post.id}/revisi/{first.id}/pulihkan", data={"konfirmasi": "1"})
    assert response.status_code == 303
    assert "dua" in client.get("/berita/pelatihan").get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Revision)) == 3


def test_officers_and_cooperatives_cannot_manage_content(client, auth):
    assert client.get("/kantor/konten/").status_code == 302
    for role in (OFFICER, COOPERATIVE):
        auth.login_as(role)
        assert client.get("/kantor/konten/").status_code == 403
        assert _post_news(client).status_code == 403
        assert client.post("/kantor/konten/pratinjau", data={"body": "x"}).status_code == 403
        auth.logout()
    assert db.session.scalar(db.select(db.func.count()).select_from(NewsPost)) == 0


@pytest.mark.both_databases
def test_published_content_is_archived_not_deleted_unless_a_superadmin_purges_it(db_kind, client, auth):
    auth.login_as("editor")
    _post_news(client, title="Sementara")
    post = _news("sementara")
    editor_page = client.get(f"/kantor/konten/berita/{post.id}").get_data(as_text=True)
    assert "Hapus permanen" not in editor_page and "Hanya superadmin yang dapat menghapusnya permanen." in editor_page
    assert client.post(f"/kantor/konten/berita/{post.id}/hapus", data={"konfirmasi": "1"}).status_code == 403
    assert _news("sementara") is not None

    assert client.post(f"/kantor/konten/berita/{post.id}/arsipkan").status_code == 303
    assert client.get("/berita/sementara").status_code == 404
    # Archiving is undone: back as a draft, then published again.
    assert client.post(f"/kantor/konten/berita/{post.id}/keluarkan-dari-arsip").status_code == 303
    assert _news("sementara").state == "draft"
    client.post(
        f"/kantor/konten/berita/{post.id}",
        data={"title": "Sementara", "slug": "sementara", "body": "Isi.", "action": "publish"},
    )
    assert client.get("/berita/sementara").status_code == 200
    auth.logout()

    auth.login_as("superadmin")
    page = client.get(f"/kantor/konten/berita/{post.id}").get_data(as_text=True)
    assert "Hapus permanen" in page and 'data-confirm-title="Hapus permanen' in page
    asked = client.post(f"/kantor/konten/berita/{post.id}/hapus")
    assert asked.status_code == 200 and "tidak dapat dibatalkan" in asked.get_data(as_text=True)
    assert _news("sementara") is not None
    assert client.post(f"/kantor/konten/berita/{post.id}/hapus", data={"konfirmasi": "1"}).status_code == 303
    assert _news("sementara") is None
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"content.publish", "content.archive", "content.unarchive", "content.purge"} <= actions


def test_an_editor_deletes_a_draft_that_never_went_live_after_confirming(client, auth):
    auth.login_as("editor")
    _post_news(client, action="draft", title="Coretan")
    post = _news("coretan")
    assert "Hapus draf" in client.get(f"/kantor/konten/berita/{post.id}").get_data(as_text=True)
    asked = client.post(f"/kantor/konten/berita/{post.id}/hapus")
    assert asked.status_code == 200 and "belum pernah terbit" in asked.get_data(as_text=True)
    assert client.post(f"/kantor/konten/berita/{post.id}/hapus", data={"konfirmasi": "1"}).status_code == 303
    assert _news("coretan") is None
    assert "content.delete" in set(db.session.scalars(db.select(AuditEvent.action)))


def test_pages_form_a_tree_with_breadcrumbs_and_menu(client, auth):
    auth.login_as("editor")
    base = {"summary": "", "body": "Isi.", "action": "publish", "menu_order": "1"}
    client.post(
        "/kantor/konten/halaman/baru", data={**base, "title": "Program", "slug": "program", "show_in_menu": "y"}
    )
    parent = db.session.scalar(db.select(Page).where(Page.slug == "program"))
    response = client.post(
        "/kantor/konten/halaman/baru",
        data={**base, "title": "Jakpreneur", "slug": "jakpreneur", "parent_id": str(parent.id)},
    )
    assert response.status_code == 303
    auth.logout()
    page = client.get("/halaman/jakpreneur").get_data(as_text=True)
    assert '<li><a href="/halaman/program">Program</a></li>' in page  # breadcrumb and menu
    assert '<li aria-current="page">Jakpreneur</li>' in page
    assert 'href="/halaman/jakpreneur">Jakpreneur</a>' in client.get("/").get_data(as_text=True)


def test_image_upload_checked_by_content_alt_required_and_served_safely(app, client, auth):
    auth.login_as("editor")
    no_alt = client.post("/kantor/konten/media", data={"file": (io.BytesIO(_png()), "foto.png"), "alt_text": ""})
    assert no_alt.status_code == 422 and "Teks alternatif wajib" in no_alt.get_data(as_text=True)
    fake = client.post(
        "/kantor/konten/media", data={"file": (io.BytesIO(b"<svg onload=alert(1)>"), "foto.png"), "alt_text": "x"}
    )
    assert fake.status_code == 422 and "Jenis berkas tidak didukung" in fake.get_data(as_text=True)
    svg = client.post(
        "/kantor/konten/media",
        data={"file": (io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"/>'), "a.svg"), "alt_text": "x"},
    )
    assert svg.status_code == 422
    good = client.post(
        "/kantor/konten/media", data={"file": (io.BytesIO(_png(fmt="WEBP")), "Foto Bazar.png"), "alt_text": "Bazar"}
    )
    assert good.status_code == 303
    from models.content import MediaFile

    stored = db.session.scalar(db.select(MediaFile))
    assert stored.content_type == "image/webp" and stored.stored_name.endswith(".webp")
    assert "Foto" not in stored.stored_name
    served = client.get(f"/media/{stored.stored_name}")
    assert served.status_code == 200 and served.mimetype == "image/webp"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert "![Bazar](/media/" in client.get("/kantor/konten/media").get_data(as_text=True)
    # Deleting asks first (without JavaScript: a page naming the consequence), then deletes.
    asked = client.post(f"/kantor/konten/media/{stored.id}/hapus")
    assert asked.status_code == 200 and "kehilangan gambar atau tautannya" in asked.get_data(as_text=True)
    assert client.get(f"/media/{stored.stored_name}").status_code == 200
    assert client.post(f"/kantor/konten/media/{stored.id}/hapus", data={"konfirmasi": "1"}).status_code == 303
    assert client.get(f"/media/{stored.stored_name}").status_code == 404


def test_pdf_is_downloaded_not_shown_and_oversized_files_are_refused(app, client, auth):
    auth.login_as("editor")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    assert client.post("/kantor/konten/media", data={"file": (io.BytesIO(pdf), "Panduan.pdf")}).status_code == 303
    from models.content import MediaFile

    stored = db.session.scalar(db.select(MediaFile))
    served = client.get(f"/media/{stored.stored_name}")
    assert served.mimetype == "application/pdf"
    assert (
        served.headers["Content-Disposition"].startswith("attachment")
        and "Panduan.pdf" in served.headers["Content-Disposition"]
    )
    app.config["MEDIA_MAX_BYTES"] = 1000
    big = client.post("/kantor/konten/media", data={"file": (io.BytesIO(_png(400, 400)), "b.png"), "alt_text": "b"})
    assert big.status_code == 422 and "Berkas terlalu besar" in big.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 2000
    huge = client.post("/kantor/konten/media", data={"file": (io.BytesIO(b"x" * 5000), "c.pdf")})
    assert huge.status_code == 413 and "Berkas terlalu besar" in huge.get_data(as_text=True)


def test_image_markdown_without_alt_is_refused(client, auth):
    auth.login_as("editor")
    response = _post_news(client, title="Tanpa alt", body="![](/media/x.png)")
    assert response.status_code == 422 and "teks alternatif" in response.get_data(as_text=True)


def test_sitemap_feed_and_robots(client, auth, app):
    from demo.records import seed_businesses, seed_cooperatives

    app.config["PUBLIC_BASE_URL"] = "https://balai.contoh.go.id"
    seed_businesses(db.session, 5, seed=2)
    seed_cooperatives(db.session, 2, seed=2)
    auth.login_as("editor")
    _post_news(client, title="Kabar Koperasi", summary="Ringkasan kabar.")
    auth.logout()
    sitemap = _xml(client.get("/sitemap.xml").data)
    locs = [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://balai.contoh.go.id/berita/kabar-koperasi" in locs
    assert any("/usaha/" in loc for loc in locs) and any("/koperasi/" in loc for loc in locs)
    feed_response = client.get("/berita/feed.xml")
    assert feed_response.mimetype == "application/atom+xml"
    feed = _xml(feed_response.data)
    titles = [entry.find(f"{ATOM}title").text for entry in feed.iter(f"{ATOM}entry")]
    assert titles == ["Kabar Koperasi"]
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Disallow: /admin" in robots and "Disallow: /masuk" in robots and "Disallow: /portal" in robots
    assert "Sitemap: https://balai.contoh.go.id/sitemap.xml" in robots


def test_large_sitemap_becomes_an_index_of_small_files(client, app):
    from demo.records import seed_businesses

    seed_businesses(db.session, 7, seed=4)
    app.config["SITEMAP_MAX_URLS"] = 3
    app.config["PUBLIC_BASE_URL"] = "https://balai.contoh.go.id/"
    index = _xml(client.get("/sitemap.xml").data)
    assert index.tag.endswith("sitemapindex")
    files = [loc.text for loc in index.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://balai.contoh.go.id/sitemap-usaha-1.xml" in files
    total = 0
    for url in files:
        part = _xml(client.get(url.removeprefix("https://balai.contoh.go.id")).data)
        urls = list(part.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}url"))
        assert len(urls) <= 3
        total += len(urls)
    operating = db.session.scalar(
        db.select(db.func.count()).select_from(Business).where(Business.status == "operating")
    )
    assert total == operating + 3  # + home, news index, figures


def test_demo_seed_adds_site_content_once(runner):
    first = runner.invoke(args=["demo", "seed", "--businesses", "0", "--cooperatives", "0"])
    assert first.exit_code == 0, first.output
    pages = db.session.scalar(db.select(db.func.count()).select_from(Page))
    news = db.session.scalar(db.select(db.func.count()).select_from(NewsPost))
    assert pages >= 4 and news >= 3
    runner.invoke(args=["demo", "seed", "--businesses", "0", "--cooperatives", "0"])
    assert db.session.scalar(db.select(db.func.count()).select_from(Page)) == pages
