"""Regions come from areaid for the configured municipality, with Kemendagri codes where known."""

import pytest
from flask_migrate import upgrade

from app import create_app
from extensions import db
from models.region import KECAMATAN, KELURAHAN, KOTA, Region
from services.municipality import resolve
from services.regions import load_regions, region_counts


@pytest.mark.both_databases
def test_dki_jakarta_has_6_wilayah_44_kecamatan_267_kelurahan(app):
    assert region_counts(db.session) == {KOTA: 6, KECAMATAN: 44, KELURAHAN: 267}


@pytest.mark.both_databases
def test_kemendagri_codes_are_stored_for_dki(app):
    def code(level, name):
        return db.session.scalar(db.select(Region.kemendagri_code).where(Region.level == level, Region.name == name))

    assert code(KOTA, "Kota Administrasi Jakarta Pusat") == "31.71"
    assert code(KOTA, "Kabupaten Administrasi Kepulauan Seribu") == "31.01"
    assert code(KECAMATAN, "Gambir") == "31.71.01"
    assert code(KECAMATAN, "Penjaringan") == "31.72.01"
    missing = db.session.scalar(
        db.select(db.func.count())
        .select_from(Region)
        .where(Region.level.in_([KOTA, KECAMATAN]), Region.kemendagri_code.is_(None))
    )
    assert missing == 0


def test_kelurahan_have_postal_codes(app):
    pari = db.session.scalar(db.select(Region).where(Region.name == "Pulau Pari"))
    assert pari.postal_code == "14520"
    assert pari.parent.name == "Kepulauan Seribu Selatan"
    assert pari.kota.name == "Kabupaten Administrasi Kepulauan Seribu"


def test_loading_again_changes_nothing(app):
    before = region_counts(db.session)
    load_regions(db.session, app.extensions["municipality"])
    assert region_counts(db.session) == before


def test_kota_bekasi_has_12_kecamatan_and_56_kelurahan(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'bekasi.sqlite3'}",
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
            "MUNICIPALITY": "Kota Bekasi",
        }
    )
    with app.app_context():
        upgrade()
        counts = load_regions(db.session, app.extensions["municipality"])
        assert counts == {KOTA: 1, KECAMATAN: 12, KELURAHAN: 56}
        assert db.session.scalar(db.select(Region.name).where(Region.level == KOTA)) == "Kota Bekasi"
        assert app.extensions["municipality"].head_title == "Wali Kota"
        db.engine.dispose()


@pytest.mark.parametrize(
    ("name", "expected", "province"),
    [
        ("DKI Jakarta", "DKI Jakarta", "Daerah Khusus Ibukota Jakarta"),
        ("kota bekasi", "Kota Bekasi", "Jawa Barat"),
        ("Kabupaten Bekasi", "Kabupaten Bekasi", "Jawa Barat"),
        ("Kota Bekasi, Jawa Barat", "Kota Bekasi", "Jawa Barat"),
    ],
)
def test_municipality_names_resolve(name, expected, province):
    municipality = resolve(name)
    assert municipality.name == expected
    assert municipality.province == province
