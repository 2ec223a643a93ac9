"""One pager: `?halaman=` everywhere, the old `?page=`/`?hal=` still understood, links keep other arguments."""

from werkzeug.datastructures import MultiDict

from blueprints.pagination import page_number, page_url
from services.paging import Page


def test_the_page_asked_for_under_any_of_its_names():
    assert page_number(MultiDict({"halaman": "3"})) == 3
    assert page_number(MultiDict({"page": "4"})) == 4
    assert page_number(MultiDict({"hal": "5"})) == 5
    assert page_number(MultiDict({"halaman": "2", "page": "9"})) == 2
    for nonsense in ("", "abc", "-3", "0"):
        assert page_number(MultiDict({"halaman": nonsense})) == 1
    assert page_number(MultiDict()) == 1


def test_links_use_halaman_and_keep_the_other_arguments(app):
    with app.test_request_context("/cari?q=kedai&urut=nama&page=2"):
        assert page_url(3) == "/cari?q=kedai&urut=nama&halaman=3"
        assert page_url(1) == "/cari?q=kedai&urut=nama"


def test_page_counts_and_window():
    page = Page(items=[], page=6, per_page=10, total=200)
    assert (page.pages, page.has_prev, page.has_next, page.prev_num, page.next_num) == (20, True, True, 5, 7)
    assert page.window() == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert Page(items=[], page=1, per_page=10, total=0).pages == 1
    assert Page(items=[], page=2, per_page=10, total=20).window() == [1, 2]


def test_news_archive_pages_with_the_one_pager(client, app):
    from datetime import timedelta

    from extensions import db
    from models.base import utcnow
    from services import content

    for number in range(app.config["PER_PAGE"] + 1):
        content.save(
            db.session,
            content.NEWS,
            None,
            content.ContentInput(title=f"Berita nomor {number}", slug="", body="Isi."),
            None,
            content.PUBLISH,
            now=utcnow() - timedelta(hours=number + 1),
        )
    first = client.get("/berita").get_data(as_text=True)
    assert "Berita nomor 0" in first and "Berita nomor 20" not in first
    assert 'href="/berita?halaman=2"' in first
    assert "Berita nomor 20" in client.get("/berita?halaman=2").get_data(as_text=True)
    assert "Berita nomor 20" in client.get("/berita?hal=2").get_data(as_text=True)
    assert client.get("/berita?halaman=9").status_code == 404
