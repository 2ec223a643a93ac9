"""Odd query keys and methods never reach the router as anything but ordinary input."""

from __future__ import annotations

import re

import pytest

from extensions import db
from models.user import OFFICER
from services.search import rebuild_index
from tests.factories import make_business

RESERVED = {"_anchor": "x", "_method": "POST", "_scheme": "javascript", "_external": "1", "_x": "y"}


def test_reserved_url_for_keys_in_the_query_are_dropped_from_links(client):
    rebuild_index(db.session)
    for number in range(25):
        make_business(f"Warung Uji {number:02d}")
    response = client.get("/cari", query_string={"q": "warung", **RESERVED})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    links = [link for link in re.findall(r'href="([^"]*)"', page) if not link.startswith("/bahasa/")]
    assert links and not [link for link in links if "javascript" in link or link.endswith("#x") or "_method" in link]
    assert "/cari/unduh.csv?q=warung" in page


def test_back_office_pagination_ignores_reserved_keys(auth, client):
    auth.login_as(OFFICER)
    response = client.get("/kantor/usaha/", query_string={"page": "1", **RESERVED})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    links = [link for link in re.findall(r'href="([^"]*)"', page) if "/bahasa/" not in link]
    assert not [link for link in links if "javascript" in link or "_scheme" in link]


@pytest.mark.parametrize(("method", "path", "allowed"), [("PUT", "/cari", "GET"), ("DELETE", "/masuk/", "POST")])
def test_method_not_allowed_says_which_methods_are(client, method, path, allowed):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert allowed in response.headers["Allow"]
    assert "<h1>" in response.get_data(as_text=True)
