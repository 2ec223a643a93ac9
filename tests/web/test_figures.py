"""The figures page: accessible SVG charts with the numbers in tables, CSV downloads, fresh after changes."""

from __future__ import annotations

import csv
import io

import pytest

from demo.records import seed_businesses, seed_cooperatives, seed_officials, seed_permits
from extensions import db
from models.permit import Permit
from services.permits import revoke_permit


def _issue(app, count: int) -> list[Permit]:
    seed_officials(db.session)
    seed_permits(
        db.session,
        count,
        config=app.config,
        municipality=app.extensions["municipality"],
        instance_path=app.instance_path,
    )
    return list(db.session.scalars(db.select(Permit).order_by(Permit.id)))


@pytest.mark.both_databases
def test_figures_page_draws_accessible_charts_with_tables(app, client):
    seed_businesses(db.session, 30, seed=8)
    seed_cooperatives(db.session, 6, seed=8)
    permits = _issue(app, 3)
    revoke_permit(db.session, permits[0], None, "pindah_wilayah", config=app.config)
    response = client.get("/angka")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('role="img"') == 6
    assert '<title id="usaha-per-kecamatan-svg-title">Usaha mikro berizin per kecamatan</title>' in page
    assert "<desc id=" in page and '<table class="data">' in page
    # Licensed means holding a valid permit: the revoked one no longer counts.
    assert '<td class="numeric">2</td></tr></tfoot>' in page
    month = permits[0].issued_on.strftime("%Y-%m")
    assert f'<th scope="row">{month}</th><td class="numeric">3</td>' in page
    assert "style=" not in page.split("<main")[1]


def test_figures_csv_matches_the_table_and_refreshes_after_a_change(app, client):
    seed_businesses(db.session, 10, seed=9)
    _issue(app, 2)
    first = list(csv.reader(io.StringIO(client.get("/angka/usaha-per-kecamatan.csv").get_data(as_text=True))))
    assert first[0] == ["\ufeffKecamatan", "Jumlah usaha"]
    assert len(first) == 1 + 44  # every DKI kecamatan, zeros included
    total_before = sum(int(row[1]) for row in first[1:])
    assert total_before == 2
    _issue(app, 1)  # an ORM commit: the cache must notice
    second = list(csv.reader(io.StringIO(client.get("/angka/usaha-per-kecamatan.csv").get_data(as_text=True))))
    assert sum(int(row[1]) for row in second[1:]) == 3
    assert client.get("/angka/tidak-ada.csv").status_code == 404


@pytest.mark.both_databases
def test_public_figures_show_cooperatives_by_the_dashboards_derived_status(db_kind, app, client, auth):
    from datetime import date

    from services import clock
    from tests.coop_factory import add_rat, founders, make_cooperative

    last_year = clock.today().year - 1
    active = make_cooperative(name="Koperasi Aktif", founding_date=date(2010, 1, 1))
    add_rat(active, last_year)
    dormant = make_cooperative(name="Koperasi Tidur", founding_date=date(2010, 1, 1), founders=founders(9, "317202"))
    add_rat(dormant, last_year - 1)
    make_cooperative(name="Koperasi Berisiko", founding_date=date(2010, 1, 1), founders=founders(9, "317203"))
    pending = make_cooperative(name="Koperasi Menunggu", founding_date=date(2010, 1, 1), founders=founders(9, "317204"))
    add_rat(pending, last_year, status="pending")  # not confirmed: does not count as active

    rows = dict(csv.reader(io.StringIO(client.get("/angka/koperasi-per-status.csv").data.decode("utf-8-sig"))))
    assert rows == {"Status": "Jumlah koperasi", "Aktif": "1", "Tidak aktif": "1", "Berisiko": "2"}
    assert "Terdaftar" not in client.get("/angka").get_data(as_text=True)

    auth.login_as("superadmin")
    dashboard = client.get("/kantor/koperasi/dasbor").get_data(as_text=True)
    tiles = dict(
        (label.split(" (")[0], int(number))
        for number, label in __import__("re").findall(r"<strong>(\d+)</strong><span>([^<]+)</span>", dashboard)
    )
    assert tiles["aktif"] == 1 and tiles["tidak aktif"] == 1 and tiles["berisiko"] == 2
