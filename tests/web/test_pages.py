"""The public shell: home page, language switch, error pages, health check, htmx fragments."""

import shutil
from pathlib import Path

from demo.records import seed_businesses, seed_cooperatives
from extensions import db
from services.search import rebuild_index


def test_home_page_in_indonesian_with_live_figures(client, app):
    seed_businesses(db.session, 12, seed=3)
    seed_cooperatives(db.session, 4, seed=3)
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="id">' in page
    assert "Registri usaha mikro dan koperasi DKI Jakarta" in page
    assert "12</strong><span>usaha terdaftar" in page
    assert "4</strong><span>koperasi terdaftar" in page
    assert "Langsung ke konten utama" in page
    assert 'name="robots"' not in page


def test_language_switch_to_english_and_back(client):
    response = client.get("/bahasa/en?next=/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Micro-business and cooperative registry" in page
    client.get("/bahasa/id")
    assert '<html lang="id">' in client.get("/").get_data(as_text=True)


def test_language_switch_never_redirects_off_site(client):
    response = client.get("/bahasa/en?next=//evil.example/")
    assert response.headers["Location"] == "/"


def test_unknown_page_gets_friendly_404(client):
    response = client.get("/tidak-ada")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in page
    assert "Traceback" not in page


def test_server_error_gets_friendly_500_without_trace(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Terjadi kesalahan" in page
    assert "secret internals" not in page


def test_htmx_request_gets_only_the_block_and_varies(client):
    full = client.get("/tidak-ada")
    fragment = client.get("/tidak-ada", headers={"HX-Request": "true"})
    assert "<html" in full.get_data(as_text=True)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and "Halaman tidak ditemukan" in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_healthz_reports_database_and_index(app, client):
    seed_businesses(db.session, 3, seed=5)
    rebuild_index(db.session, app.config["SEARCH_INDEX_DIR"])
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["database"] == {"status": "ok"}
    assert body["search_index"] == {"status": "ok", "documents": 3}
    assert body["search"]["status"] == "ok" and body["search"]["backlog"] == 0


def test_healthz_says_degraded_when_index_is_missing_or_broken(app, client):
    body = client.get("/healthz").get_json()
    assert body["status"] == "degraded" and body["search_index"]["status"] == "missing"
    rebuild_index(db.session, app.config["SEARCH_INDEX_DIR"])
    index_root = app.config["SEARCH_INDEX_DIR"]
    current = Path(index_root, "CURRENT").read_text().strip()
    shutil.rmtree(f"{index_root}/{current}")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["search_index"]["status"] == "missing"


def test_security_headers_on_every_page(client):
    response = client.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_htmx_is_vendored_not_from_a_cdn(client):
    page = client.get("/").get_data(as_text=True)
    assert "/static/js/htmx-2.0.10.min.js" in page
    assert client.get("/static/js/htmx-2.0.10.min.js").status_code == 200
    assert "https://" not in page.split("</head>")[0]
