"""Absolute links come from PUBLIC_BASE_URL, never from the Host header; staff pages are never cached."""

from __future__ import annotations

import pytest

from extensions import db
from models.user import OFFICER
from services.search import rebuild_index
from tests.coop_factory import make_cooperative
from tests.factories import make_business

EVIL = "attacker.invalid"
BASE = "https://balai.contoh.go.id"


@pytest.fixture
def app_config(app_config):
    app_config["PUBLIC_BASE_URL"] = BASE + "/"
    return app_config


def _get(client, path):
    response = client.get(path, headers={"Host": EVIL, "X-Forwarded-Host": EVIL})
    assert response.status_code == 200, (path, response.status_code)
    return response


@pytest.mark.parametrize(
    "path",
    ["/sitemap.xml", "/robots.txt", "/berita/feed.xml", "/api/v1/openapi.json", "/api/v1/businesses?q=warung"],
)
def test_public_absolute_links_ignore_the_host_header(client, path):
    rebuild_index(db.session)
    business = make_business("Warung Tegal Bahari")
    body = _get(client, path).get_data(as_text=True)
    assert EVIL not in body
    if path.startswith("/api/v1/businesses"):
        assert f'"url":"{BASE}/usaha/{business.id}-' in body.replace(" ", "")
    elif path != "/berita/feed.xml":
        assert BASE in body


def test_api_record_url_and_csv_links_use_the_public_address(client):
    rebuild_index(db.session)
    business = make_business("Warung Tegal Bahari")
    record = _get(client, f"/api/v1/businesses/{business.id}").get_json()
    assert record["url"].startswith(f"{BASE}/usaha/{business.id}-")
    assert f"{BASE}/usaha/{business.id}-" in _get(client, "/cari/unduh.csv?q=warung").get_data(as_text=True)


def test_invitation_link_uses_the_public_address(auth, client):
    client.environ_base["HTTP_HOST"] = EVIL  # every request of this officer claims the attacker's host
    auth.login_as(OFFICER)
    cooperative = make_cooperative()
    response = client.post(
        f"/kantor/koperasi/{cooperative.id}/undangan",
        data={"contact_name": "Ibu Ketua"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert f"{BASE}/portal/undangan/" in page and EVIL not in page


def test_back_office_pages_are_never_cached_and_public_pages_may_be(auth, client):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    assert client.get("/masuk/").headers["Cache-Control"] == "no-store"
    auth.login_as(OFFICER)
    for path in ("/kantor/", "/kantor/usaha/", "/kantor/koperasi/"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_hsts_only_in_production(app, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    app.config["BALAI_ENV"] = "production"
    assert client.get("/").headers["Strict-Transport-Security"].startswith("max-age=31536000")
