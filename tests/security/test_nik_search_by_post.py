"""An officer finds a business by its owner's NIK through a POST: the NIK never enters a URL or a log line."""

from __future__ import annotations

from models.user import OFFICER
from tests.permits.helpers import add_business, any_kelurahan

NIK = "3171014503850003"


def test_nik_search_is_a_post_and_finds_the_owner_within_scope(auth, client):
    kelurahan = any_kelurahan()
    add_business(kelurahan, name="Usaha Milik Siti")
    auth.login_as(OFFICER, kecamatan_id=kelurahan.parent_id)
    page = client.get("/kantor/usaha/").get_data(as_text=True)
    assert 'action="/kantor/usaha/cari-nik"' in page and 'method="post"' in page

    found = client.post("/kantor/usaha/cari-nik", data={"nik": NIK})
    assert found.status_code == 200 and "Usaha Milik Siti" in found.get_data(as_text=True)
    assert NIK not in found.get_data(as_text=True), "the list shows masked NIKs only"


def test_a_nik_in_the_url_finds_nothing(auth, client):
    add_business(any_kelurahan(), name="Usaha Milik Siti")
    auth.login_as(OFFICER)
    page = client.get(f"/kantor/usaha/?q={NIK}").get_data(as_text=True)
    assert "Usaha Milik Siti" not in page


def test_a_malformed_nik_is_refused_with_a_message(auth, client):
    auth.login_as(OFFICER)
    response = client.post("/kantor/usaha/cari-nik", data={"nik": "3171"})
    assert response.status_code == 422 and "NIK harus 16 angka." in response.get_data(as_text=True)


def test_nik_search_needs_a_csrf_token(auth, client):
    auth.login_as(OFFICER)
    assert client.post("/kantor/usaha/cari-nik", data={"nik": NIK}, csrf=False).status_code == 400
