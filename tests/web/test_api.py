"""The open-data API: same search as the pages, real responses valid against /api/v1/openapi.json, rate limits."""

from __future__ import annotations

import pytest
from openapi_schema_validator import OAS31Validator, validate
from openapi_spec_validator import validate as validate_spec

from extensions import db
from services.search import rebuild_index
from tests.factories import make_business, make_cooperative


@pytest.fixture
def seeded(app):
    rebuild_index(db.session)
    shop = make_business("Toko Kelontong Sutrisno", nib="9120001234567")
    make_business("Warung Makan Bu Sri", kbli="56102", status="closed")
    coop = make_cooperative("KSP Sejahtera Bersama", legal_entity_number="AHU-0002089.AH.01.26.TAHUN 2020")
    return shop, coop


def _schema(spec: dict, path: str, status: str = "200") -> dict:
    operation = spec["paths"][path]["get"]
    return operation["responses"][status]["content"]["application/json"]["schema"]


def _check(spec, path, response, status="200"):
    schema = {**_schema(spec, path, status), "components": spec["components"]}
    validate(response.get_json(), schema, cls=OAS31Validator)


def test_openapi_document_is_valid_and_matches_real_responses(client, seeded):
    shop, coop = seeded
    spec = client.get("/api/v1/openapi.json").get_json()
    validate_spec(spec)
    listing = client.get("/api/v1/businesses?q=kelontomg")
    _check(spec, "/businesses", listing)
    assert [item["name"] for item in listing.get_json()["items"]] == ["Toko Kelontong Sutrisno"]
    _check(spec, "/cooperatives", client.get("/api/v1/cooperatives"))
    _check(spec, "/businesses/{id}", client.get(f"/api/v1/businesses/{shop.id}"))
    _check(spec, "/cooperatives/{id}", client.get(f"/api/v1/cooperatives/{coop.id}"))
    missing = client.get("/api/v1/businesses/99999")
    assert missing.status_code == 404
    _check(spec, "/businesses/{id}", missing, "404")
    bad = client.get("/api/v1/businesses?per_page=500")
    assert bad.status_code == 422 and "per_page" in bad.get_json()["error"]["message"]
    _check(spec, "/businesses", bad, "422")


def test_api_answers_the_same_search_with_filters_and_facets(client, seeded):
    body = client.get("/api/v1/businesses?status=closed").get_json()
    assert body["total"] == 1 and body["items"][0]["name"] == "Warung Makan Bu Sri"
    assert body["page"] == 1 and body["per_page"] == 20
    assert {"value": "closed", "label": "closed", "count": 1} in body["facets"]["status"]
    first = client.get("/api/v1/businesses?per_page=1").get_json()
    everything = client.get("/api/v1/businesses?per_page=1&halaman=2").get_json()
    assert everything["total"] == 2 and len(everything["items"]) == 1 and everything["page"] == 2
    assert everything["items"] != first["items"]
    # The one page parameter is `halaman`; a client written against the older `page` still gets page 2.
    assert client.get("/api/v1/businesses?per_page=1&page=2").get_json()["items"] == everything["items"]
    bad = client.get("/api/v1/businesses?halaman=0")
    assert bad.status_code == 422 and "halaman" in bad.get_json()["error"]["message"]
    assert client.get("/api/v1/cooperatives?q=ksp").get_json()["items"][0]["name"] == "KSP Sejahtera Bersama"


def test_api_never_returns_personal_data(client, seeded):
    shop, _ = seeded
    body = client.get(f"/api/v1/businesses/{shop.id}").get_data(as_text=True)
    assert shop.owner.nik not in body and shop.owner.phone not in body and "Rumah Pribadi" not in body
    assert "owner" not in body and "address" not in body


def test_api_is_rate_limited_with_standard_headers(app, client, seeded):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    first = client.get("/api/v1/businesses")
    assert first.headers["RateLimit-Limit"] == "3" and first.headers["RateLimit-Remaining"] == "2"
    client.get("/api/v1/businesses")
    client.get("/api/v1/businesses")
    limited = client.get("/api/v1/businesses")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert limited.get_json()["error"]["code"] == 429 and limited.headers["RateLimit-Remaining"] == "0"
