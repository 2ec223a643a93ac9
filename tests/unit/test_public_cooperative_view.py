"""What the public directory may show of a cooperative: facts and status, never founders' personal data."""

from datetime import date

from services.cooperatives import public_cooperative_view
from tests.coop_factory import add_rat, make_cooperative


def test_public_view_has_the_facts_and_no_personal_data(app):
    cooperative = make_cooperative(
        name="Koperasi Konsumen Komunitas Anak Kali Ciliwung",
        kelurahan="Ancol",
        kampung_names=["Kampung Lodan", "Kampung Tongkol", "Kampung Kerapu"],
        founding_date=date(2020, 9, 1),
    )
    add_rat(cooperative, 2024)
    view = public_cooperative_view(cooperative, today=date(2026, 2, 1))
    assert view["kampungs"] == ["Kampung Kerapu", "Kampung Lodan", "Kampung Tongkol"]
    assert (view["kelurahan"], view["kecamatan"]) == ("Ancol", "Pademangan")
    assert (view["status"], view["last_rat_year"]) == ("dormant", 2024)
    assert view["legal_entity_number"] == "AHU-0002089.AH.01.26.TAHUN 2020"
    flat = repr(view)
    for founder in cooperative.founders:
        assert founder.nik not in flat and founder.full_name not in flat and founder.address not in flat
    assert "founders" not in view and "birth" not in flat
