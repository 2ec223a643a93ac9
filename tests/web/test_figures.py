"""The figures page: accessible SVG charts with the numbers in tables, CSV downloads, fresh after changes."""

from __future__ import annotations

import csv
import io

import pytest

from extensions import db
from models.business import Business
from services.demo import seed_businesses, seed_cooperatives


def _operating() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Business).where(Business.status == "operating"))


@pytest.mark.both_databases
def test_figures_page_draws_accessible_charts_with_tables(client):
    seed_businesses(db.session, 30, seed=8)
    seed_cooperatives(db.session, 6, seed=8)
    response = client.get("/angka")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('role="img"') == 4  # permits chart is empty until permits exist
    assert '<title id="usaha-per-kecamatan-svg-title">Usaha mikro berizin per kecamatan</title>' in page
    assert "<desc id=" in page and '<table class="data">' in page
    operating = _operating()
    assert f'<td class="numeric">{operating}</td></tr></tfoot>' in page
    assert "Data izin belum tersedia." in page
    assert "style=" not in page.split("<main")[1]


def test_figures_csv_matches_the_table_and_refreshes_after_a_change(client):
    seed_businesses(db.session, 10, seed=9)
    first = list(csv.reader(io.StringIO(client.get("/angka/usaha-per-kecamatan.csv").get_data(as_text=True))))
    assert first[0] == ["\ufeffKecamatan", "Jumlah usaha"]
    assert len(first) == 1 + 44  # every DKI kecamatan, zeros included
    total_before = sum(int(row[1]) for row in first[1:])
    seed_businesses(db.session, 5, seed=10)  # an ORM commit: the cache must notice
    second = list(csv.reader(io.StringIO(client.get("/angka/usaha-per-kecamatan.csv").get_data(as_text=True))))
    operating = _operating()
    assert sum(int(row[1]) for row in second[1:]) == operating > total_before
    assert client.get("/angka/tidak-ada.csv").status_code == 404
