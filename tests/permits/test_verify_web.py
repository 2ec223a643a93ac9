"""Public verification: anyone checks a certificate by QR token, number or file; nothing personal is shown."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from extensions import db
from services.permits import permit_pdf, revoke_permit
from tests.permits.helpers import add_business, add_official, any_kelurahan, issue

PERSONAL = ("3171014503850003", "+6281234567890", "Kebon Sirih No. 5, RT 003", "Siti Rahayu")


@pytest.fixture
def permit(app):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    return issue(app, add_business(kelurahan, name="Warung Makan Bu Siti"))


@pytest.mark.both_databases
def test_valid_permit_page_shows_public_facts_only(client, permit):
    response = client.get(f"/verify/{permit.token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for expected in ("BERLAKU", permit.number, "Warung Makan Bu Siti", permit.kelurahan.name, permit.document_sha256):
        assert expected in html
    for secret in PERSONAL:
        assert secret not in html


def test_expired_revoked_and_superseded_are_shown_as_such(app, client, permit):
    permit.valid_until = permit.issued_on - timedelta(days=1)
    db.session.commit()
    assert "KEDALUWARSA" in client.get(f"/verify/{permit.token}").get_data(as_text=True)
    revoke_permit(db.session, permit, None, "Usaha pindah ke luar kota", config=app.config)
    html = client.get(f"/verify/{permit.token}").get_data(as_text=True)
    assert "DICABUT" in html and "Usaha pindah ke luar kota" in html


def test_superseded_permit_names_its_successor(app, client, permit):
    from services.permits import reissue_permit

    newer = reissue_permit(
        db.session,
        permit,
        None,
        config=app.config,
        municipality=app.extensions["municipality"],
        instance_path=app.instance_path,
    )
    html = client.get(f"/verify/{permit.token}").get_data(as_text=True)
    assert "DIGANTIKAN" in html and newer.number in html


def test_unknown_token_gets_a_friendly_404(client):
    response = client.get("/verify/tidak-ada-kode-seperti-ini")
    assert response.status_code == 404
    assert "Dokumen tidak ditemukan" in response.get_data(as_text=True)
    assert client.get("/verify/" + "x" * 300).status_code == 404
    api = client.get("/api/v1/verify/unknown")
    assert api.status_code == 404 and api.is_json


def test_lookup_by_typed_number(client, permit):
    found = client.get("/verify/", query_string={"nomor": " " + permit.number.lower() + " "})
    assert found.status_code == 303 and found.headers["Location"].endswith(f"/verify/{permit.token}")
    missing = client.get("/verify/", query_string={"nomor": "99999/IUMK/1/2020"})
    assert missing.status_code == 404 and "Tidak ada izin atau akta dengan nomor" in missing.get_data(as_text=True)


@pytest.mark.both_databases
def test_upload_finds_the_signed_revision(app, client, permit):
    data = permit_pdf(permit, app.config)
    same = client.post("/verify/berkas", data={"berkas": (io.BytesIO(data), "izin.pdf")})
    assert same.status_code == 200 and "Asli, utuh." in same.get_data(as_text=True)
    appended = client.post("/verify/berkas", data={"berkas": (io.BytesIO(data + b"\n% catatan\n"), "izin.pdf")})
    page = appended.get_data(as_text=True)
    assert appended.status_code == 200
    assert "Asli; ada perubahan setelah ditandatangani." in page and permit.number in page
    inside = data.replace(b"Warung Makan Bu Siti", b"Warung Makan Bu Sita", 1)
    if inside == data:  # the name is in a compressed stream: change a byte inside the signed revision instead
        inside = data[:200] + bytes([data[200] ^ 1]) + data[201:]
    forged = client.post("/verify/berkas", data={"berkas": (io.BytesIO(inside), "izin.pdf")})
    assert forged.status_code == 404 and "Bukan dokumen kami." in forged.get_data(as_text=True)
    not_pdf = client.post("/verify/berkas", data={"berkas": (io.BytesIO(b"hello"), "x.pdf")})
    assert not_pdf.status_code == 422


def test_api_gives_the_same_facts_as_json(client, permit):
    response = client.get(f"/api/v1/verify/{permit.token}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "valid" and body["number"] == permit.number
    assert body["business_name"] == "Warung Makan Bu Siti" and body["sha256"] == permit.document_sha256
    for secret in PERSONAL:
        assert secret not in response.get_data(as_text=True)


def test_verification_is_rate_limited(app_config, tmp_path):
    from app import create_app
    from tests.support import CsrfClient

    app_config["VERIFY_RATE_LIMIT"] = "3 per minute"
    limited = create_app(app_config)
    limited.test_client_class = CsrfClient
    client = limited.test_client()
    codes = [client.get("/verify/nope").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]


@pytest.mark.both_databases
def test_verdict_is_never_stale_and_a_revocation_shows_at_once(app, client, permit):
    first = client.get(f"/verify/{permit.token}")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"  # it says when it checked
    assert "Set-Cookie" not in first.headers  # an anonymous check writes no session
    api = client.get(f"/api/v1/verify/{permit.token}")
    assert api.headers["Cache-Control"] == "no-cache" and api.headers["ETag"]
    again = client.get(f"/api/v1/verify/{permit.token}", headers={"If-None-Match": api.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""

    revoke_permit(db.session, permit, None, "Usaha pindah ke luar kota", config=app.config)
    after = client.get(f"/verify/{permit.token}")
    assert after.status_code == 200 and "DICABUT" in after.get_data(as_text=True)
    api_after = client.get(f"/api/v1/verify/{permit.token}", headers={"If-None-Match": api.headers["ETag"]})
    assert api_after.status_code == 200 and api_after.get_json()["status"] == "revoked"


def test_the_verdict_page_keeps_the_site_frame_in_the_readers_language(client, permit):
    client.get("/bahasa/en")
    html = client.get(f"/verify/{permit.token}").get_data(as_text=True)
    assert 'lang="en"' in html and "Bahasa Indonesia" in html and "/verify/" in html and "balai.css" in html
