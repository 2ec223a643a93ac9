"""Names and addresses refuse what would corrupt a record or a signed certificate, with a clear message
in Indonesian; ids and page numbers out of range are 404/422, never 500."""

from __future__ import annotations

import pytest

from extensions import db
from models.business import Business
from tests.permits.helpers import any_kelurahan


def _business_form(kelurahan_id, **overrides):
    data = {
        "owner_nik": "3171014503850003",
        "owner_name": "Siti Rahayu",
        "owner_phone": "0812-3456-7890",
        "owner_address": "Jl. Kebon Sirih No. 5, RT 003/RW 002",
        "name": "Warung Makan Bu Siti",
        "legal_form": "perseorangan",
        "kelurahan_id": str(kelurahan_id),
        "address": "Jl. Kebon Sirih No. 5",
        "kbli_code": "56102",
        "activity": "Warung makan",
        "premises": "milik_sendiri",
        "capital_rupiah": "25000000",
        "workers": "2",
        "status": "operating",
    }
    data.update(overrides)
    return data


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("owner_name", "Siti \u202eahayuR", "pengubah arah tulisan (U+202E RIGHT-TO-LEFT OVERRIDE)"),
        ("owner_name", "Siti\x07Rahayu", "karakter kendali (U+0007)"),
        ("name", "Warung Bu Siti 😀", "Emoji dan simbol gambar"),
        ("address", "Jl. 中山 No. 5", "tidak dapat dicetak pada sertifikat"),
        ("owner_address", "Jl. Kebon\u200bSirih", "tak terlihat atau tidak dikenal (U+200B ZERO WIDTH SPACE)"),
        ("owner_birth_date", "0001-01-01", "Tanggal di luar rentang yang wajar"),
    ],
)
def test_hostile_names_addresses_dates_and_numbers_are_refused_with_a_message(
    client, auth, db_kind, field, value, message
):
    auth.login_as("officer")
    response = client.post("/kantor/usaha/baru", data=_business_form(any_kelurahan().id, **{field: value}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Business)) == 0


@pytest.mark.both_databases
def test_ordinary_indonesian_names_with_accents_and_line_breaks_in_addresses_pass(client, auth, db_kind):
    auth.login_as("officer")
    response = client.post(
        "/kantor/usaha/baru",
        data=_business_form(
            any_kelurahan().id, owner_name="Ni Ketut Sriwahyuni-Dewi", owner_address="Jl. Kenari No. 5\r\nRT 003/RW 002"
        ),
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]


@pytest.mark.both_databases
def test_nul_anywhere_is_a_400_with_a_message(client, auth, db_kind):
    auth.login_as("officer")
    response = client.post("/kantor/usaha/baru", data=_business_form(any_kelurahan().id, owner_name="Siti\x00"))
    assert response.status_code == 400 and "karakter NUL" in response.get_data(as_text=True)
    assert client.get("/cari?q=warung%00").status_code == 400
    assert client.get("/usaha/1%00-x").status_code in (400, 404)
    assert db.session.scalar(db.select(db.func.count()).select_from(Business)) == 0


@pytest.mark.both_databases
def test_ids_and_page_numbers_beyond_the_database_range_are_404_or_an_empty_page(client, auth, db_kind):
    auth.login_as("superadmin")
    for path in ("/kantor/usaha/2147483648", "/kantor/usaha/99999999999999999999/ubah", "/usaha/2147483648-x"):
        assert client.get(path).status_code == 404, path
    assert client.get("/kantor/usaha/?page=99999999999999999999").status_code == 200
    assert client.get("/kantor/koperasi/?halaman=99999999999999999999").status_code == 200
    assert client.get("/cari?halaman=99999999999999999999").status_code == 200
    assert client.get("/api/v1/businesses?page=99999999999999999999").status_code == 422


def test_every_whole_number_field_is_bounded_to_the_database_integer_range(app):
    from blueprints.cooperatives_admin.fields import WholeNumberField
    from werkzeug.datastructures import MultiDict
    from wtforms import IntegerField
    from wtforms.validators import Optional

    from blueprints.forms import BalaiSubform

    class Counts(BalaiSubform):
        members = WholeNumberField("Anggota", validators=[Optional()])
        staff = IntegerField("Pegawai", validators=[Optional()])

    refused = ["Angka di luar batas yang diterima."]
    with app.test_request_context("/"):
        form = Counts(MultiDict({"members": "2147483648", "staff": "-2147483649"}))
        assert not form.validate()
        assert form.errors == {"members": refused, "staff": refused}
        assert Counts(MultiDict({"members": "2147483647", "staff": ""})).validate()
