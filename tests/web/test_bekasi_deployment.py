"""Run for Kota Bekasi: the certificate says "a.n. Wali Kota Bekasi" (never "Wali Kota Kota Bekasi"), the
business address names its kelurahan once, and the demo NIKs start with Bekasi's own region code (3275)."""

from __future__ import annotations

import io

import pytest
from flask_migrate import upgrade
from pypdf import PdfReader
from sqlalchemy import select

from app import create_app
from demo import records as demo
from extensions import db
from models.business import Business, Person
from services.kbli import load_kbli
from services.permits import preview_certificate
from services.regions import load_regions


@pytest.fixture
def bekasi(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'bekasi.sqlite3'}",
            "SEARCH_INDEX_DIR": str(tmp_path / "index"),
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "MUNICIPALITY": "Kota Bekasi",
        }
    )
    with app.app_context():
        upgrade()
        load_regions(db.session, app.extensions["municipality"])
        load_kbli(db.session)
        yield app
        db.session.remove()
        db.engine.dispose()


def test_a_kota_bekasi_certificate_names_the_wali_kota_and_each_place_once(bekasi):
    demo.seed_businesses(db.session, 30, seed=3)
    demo.seed_officials(db.session, seed=3)
    niks = list(db.session.scalars(select(Person.nik)))
    assert niks and all(nik.startswith("3275") for nik in niks), niks[:5]

    business = db.session.scalars(select(Business).order_by(Business.id)).first()
    pdf = preview_certificate(
        db.session, business, config=bekasi.config, municipality=bekasi.extensions["municipality"]
    )
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    assert "a.n. Wali Kota Bekasi" in text
    assert "Kota Kota" not in text
    kelurahan = business.kelurahan.name
    assert text.count(f"Kel. {kelurahan}") == 1, text
