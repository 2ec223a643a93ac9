"""A NIK typed in fullwidth or Arabic-Indic digits is the same NIK: one person, never a duplicate."""

from __future__ import annotations

import pytest

from extensions import db
from models.business import Business, Person
from services.digits import ascii_digits
from tests.permits.helpers import add_business, any_kelurahan
from tests.permits.test_backoffice_web import _form

NIK = "3171014503850003"
FULLWIDTH = NIK.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
ARABIC_INDIC = NIK.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


@pytest.mark.parametrize("typed", [FULLWIDTH, ARABIC_INDIC, f" {NIK} "])
def test_digits_of_any_script_become_ascii(typed):
    assert ascii_digits(typed) == NIK


@pytest.mark.parametrize("typed", [FULLWIDTH, ARABIC_INDIC])
def test_registering_with_the_same_nik_in_other_digits_finds_the_existing_person(client, auth, typed):
    auth.login_as("officer")
    kelurahan = any_kelurahan()
    existing = add_business(kelurahan).owner
    check = client.post("/kantor/usaha/validasi/owner_nik", data={"owner_nik": typed}).get_data(as_text=True)
    assert "Gunakan data pemilik ini" in check
    refused = client.post("/kantor/usaha/baru", data=_form(kelurahan.id, name="Usaha Kedua", owner_nik=typed))
    assert refused.status_code == 422 and "sudah terdaftar" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Person)) == 1
    assert db.session.scalar(db.select(Person.nik)) == existing.nik == NIK


def test_phone_and_nib_in_fullwidth_digits_are_stored_as_ascii(client, auth):
    auth.login_as("officer")
    kelurahan = any_kelurahan()
    response = client.post(
        "/kantor/usaha/baru",
        data=_form(kelurahan.id, owner_phone="０８１２-３４５６-７８９０", nib="９１２０００１２３４５６７"),
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    business = db.session.scalar(db.select(Business))
    assert business.owner.phone == "+6281234567890" and business.nib == "9120001234567"
