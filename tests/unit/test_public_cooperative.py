"""What the public directory shows of a cooperative (page, API, open data): facts and status, never
founders' personal data."""

from datetime import UTC, date, datetime

from extensions import db
from services import directory
from tests.coop_factory import add_rat, make_cooperative


def test_public_record_has_the_facts_and_no_personal_data(app):
    cooperative = make_cooperative(
        name="Koperasi Konsumen Komunitas Anak Kali Ciliwung",
        kelurahan="Ancol",
        kampung_names=["Kampung Lodan", "Kampung Tongkol", "Kampung Kerapu"],
        founding_date=date(2020, 9, 1),
    )
    add_rat(cooperative, 2024)
    app.config["CLOCK"] = lambda: datetime(2026, 2, 1, 3, 0, tzinfo=UTC)
    record = directory.public_cooperative(db.session, cooperative.id)
    assert record["kampungs"] == ["Kampung Kerapu", "Kampung Lodan", "Kampung Tongkol"]
    assert (record["kelurahan"], record["kecamatan"]) == ("Ancol", "Pademangan")
    assert (record["activity_status"], record["last_rat_year"]) == ("dormant", 2024)
    assert record["legal_entity_number"] == "AHU-0002089.AH.01.26.TAHUN 2020"
    flat = repr(record)
    for founder in cooperative.founders:
        assert founder.nik not in flat and founder.full_name not in flat and founder.address not in flat
    assert "founders" not in record and "birth" not in flat and "seat_address" not in record


def test_an_unknown_cooperative_has_no_public_record(app):
    assert directory.public_cooperative(db.session, 424242) is None
