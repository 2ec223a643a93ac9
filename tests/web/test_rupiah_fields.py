"""Every rupiah field reads amounts as Indonesians type them: "1.000.000" and "Rp 1.000.000" are one million."""

from __future__ import annotations

import pytest

from extensions import db
from models.business import Business
from models.cooperative import Cooperative
from tests.permits.helpers import any_kelurahan
from tests.permits.test_backoffice_web import _form
from tests.web.test_cooperatives_admin import form_data


@pytest.mark.both_databases
@pytest.mark.parametrize("typed", ["1.000.000", "Rp 1.000.000", "Rp1.000.000,00", "1000000"])
def test_business_capital_is_one_million(db_kind, client, auth, typed):
    auth.login_as("officer")
    response = client.post("/kantor/usaha/baru", data=_form(any_kelurahan().id, capital_rupiah=typed))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert db.session.scalar(db.select(Business.capital_rupiah)) == 1_000_000


def test_business_capital_in_words_is_refused_with_a_clear_message(client, auth):
    auth.login_as("officer")
    response = client.post("/kantor/usaha/baru", data=_form(any_kelurahan().id, capital_rupiah="satu juta"))
    assert response.status_code == 422
    assert "Tulis jumlah rupiah dengan angka, misalnya 1.000.000 atau Rp 1.000.000." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Business.id)) is None


@pytest.mark.both_databases
def test_cooperative_savings_are_read_the_same_way(db_kind, client, auth):
    auth.login_as("officer")
    data = form_data(simpanan_pokok_rupiah="Rp 1.000.000", simpanan_wajib_rupiah="1.000.000")
    assert client.post("/kantor/koperasi/baru", data=data).status_code == 303
    cooperative = db.session.scalar(db.select(Cooperative))
    assert cooperative.simpanan_pokok_rupiah == 1_000_000 and cooperative.simpanan_wajib_rupiah == 1_000_000
    edit = client.get(f"/kantor/koperasi/{cooperative.id}/ubah").get_data(as_text=True)
    assert 'value="1.000.000"' in edit  # shown again as it was typed, grouped
