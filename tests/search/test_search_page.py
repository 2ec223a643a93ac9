"""/cari as a public page: rate-limited like the API, and the way back from a record keeps the query."""

from __future__ import annotations

import pytest

from extensions import db
from services.search import rebuild_index
from tests.factories import make_business


@pytest.fixture
def app_config(app_config):
    app_config["SEARCH_RATE_LIMIT"] = "3 per minute"
    app_config["RATELIMIT_HEADERS_ENABLED"] = True
    return app_config


def test_search_and_its_csv_are_rate_limited_like_the_api(app, client):
    rebuild_index(db.session)
    for _ in range(3):
        assert client.get("/cari?q=warung").status_code == 200
    refused = client.get("/cari?q=warung")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert client.get("/cari/unduh.csv?q=warung").status_code == 429  # the same budget
    assert client.get("/healthz").status_code == 200  # other pages are not affected


def test_back_to_search_keeps_the_query_it_came_from(app, client):
    business = make_business("Bengkel Las Sinar")
    rebuild_index(db.session)
    detail = f"/usaha/{business.id}-bengkel-las-sinar"
    came_from = "http://localhost/cari?q=bengkel+las&status=operating"
    page = client.get(detail, headers={"Referer": came_from}).get_data(as_text=True)
    assert 'href="/cari?q=bengkel+las&amp;status=operating"' in page
    elsewhere = client.get(detail, headers={"Referer": "https://example.org/cari?q=x"}).get_data(as_text=True)
    assert 'href="/cari"' in elsewhere  # never a link to another site
