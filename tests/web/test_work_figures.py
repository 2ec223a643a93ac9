"""Figures of the work: requests, visits, permits issued and delivered per WIB day and per kecamatan on the
officers' dashboard (scoped, downloadable), and permits issued per month per kecamatan on the public page."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from extensions import db
from models.outreach import DELIVERED, PENDING, Delivery, DeliveryRun, OutreachRequest
from models.permit import Permit
from models.region import Region
from services import imports

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # 17:00 WIB
HEADER = "NIK Pemilik;Nama Pemilik;Nama Usaha;Alamat Usaha;Kelurahan;Kecamatan;Nomor Izin;Tanggal Terbit"
REGISTER = "\n".join(
    (
        HEADER,
        "3171014501900003;Siti Aminah;Warung Siti;Jl. Cideng1;Cideng;Gambir;00001/IUMK/31.71.01.1002/2026;29/11/2026",
        "3171014501900003;Siti Aminah;Katering Siti;Jl. Cideng2;Cideng;Gambir;00002/IUMK/31.71.01.1002/2026;29/11/2026",
        "3171010203850004;Budi Santoso;Bengkel Budi;Jl. Cideng3;Cideng;Gambir;00003/IUMK/31.71.01.1002/2026;30/11/2026",
        "3171010203850004;Budi Santoso;Toko Budi;Jl. Cideng4;Cideng;Gambir;00004/IUMK/31.71.01.1002/2026;01/10/2026",
        "3171016604920001;Rina Wati;Salon Rina;Jl. Kebon Kacang 5;Kebon Kacang;Tanah Abang;"
        "00005/IUMK/31.71.07.1006/2026;30/11/2026",
    )
).encode()


def _row(label: str, *values: int) -> str:
    return f'<tr><th scope="row">{label}</th>' + "".join(f'<td class="numeric">{v}</td>' for v in values) + "</tr>"


def _kelurahan(name: str) -> Region:
    return db.session.scalars(db.select(Region).where(Region.level == "kelurahan", Region.name == name)).one()


def _request(code: str, kelurahan: Region, created_at: datetime, visited_on: date | None = None) -> None:
    db.session.add(
        OutreachRequest(
            code=code,
            business_name="Warung tanpa izin",
            activity="warung",
            kelurahan_id=kelurahan.id,
            address="Jl. Contoh 1",
            reporter_role="tetangga",
            reporter_name="Pelapor Rahasia",
            reporter_phone="+6281200000001",
            created_at=created_at,
            visited_on=visited_on,
            outcome="dikunjungi" if visited_on else None,
        )
    )


@pytest.fixture
def work(app):
    """Real rows: permits through the register import, outreach requests, one delivery run."""
    app.config["CLOCK"] = lambda: NOW
    header = imports.read_table(REGISTER, "register.csv").header
    mapping = imports.mapping_for(db.session, "Arsip", header)
    imports.apply(db.session, REGISTER, "register.csv", "Arsip", mapping, app.config, None)
    cideng, kebon_kacang = _kelurahan("Cideng"), _kelurahan("Kebon Kacang")
    # 17:30 UTC on the 29th is 00:30 WIB on the 30th: it counts on the 30th.
    _request("AAAA000001", cideng, datetime(2026, 11, 29, 17, 30, tzinfo=UTC))
    _request("AAAA000002", cideng, datetime(2026, 11, 29, 3, 0, tzinfo=UTC))
    _request("AAAA000003", kebon_kacang, datetime(2026, 11, 30, 2, 0, tzinfo=UTC), visited_on=date(2026, 11, 30))
    _request("AAAA000004", cideng, datetime(2026, 11, 10, 3, 0, tzinfo=UTC))  # outside the last 14 days
    permits = {p.number[:5]: p for p in db.session.scalars(db.select(Permit))}
    run = DeliveryRun(kecamatan_id=cideng.parent_id, run_on=date(2026, 11, 30), courier_name="Kurir Andi")
    run.deliveries = [
        Delivery(
            permit_id=permits["00001"].id,
            position=1,
            state=DELIVERED,
            received_by="Siti Aminah",
            delivered_at=datetime(2026, 11, 30, 3, 0, tzinfo=UTC),
        ),
        Delivery(permit_id=permits["00002"].id, position=2, state=PENDING),
    ]
    db.session.add(run)
    db.session.commit()
    return {"gambir": cideng.parent_id}


@pytest.mark.both_databases
def test_dashboard_counts_per_wib_day_and_kecamatan_city_wide(client, auth, work):
    auth.login_as("superadmin")
    page = client.get("/kantor/").get_data(as_text=True)
    assert "Angka kerja" in page
    assert "17 November 2026 sampai 30 November 2026" in page
    per_day = page.split('id="work-per-day"')[1].split("</table>")[0]
    assert _row("30 November 2026", 2, 1, 2, 1) in per_day
    assert _row("29 November 2026", 1, 0, 2, 0) in per_day
    assert _row("28 November 2026", 0, 0, 0, 0) in per_day
    assert "<tfoot>" + _row("Jumlah", 3, 1, 4, 1) in per_day
    per_kecamatan = page.split('id="work-per-kecamatan"')[1].split("</table>")[0]
    assert _row("Gambir", 2, 0, 3, 1) in per_kecamatan
    assert _row("Tanah Abang", 1, 1, 1, 0) in per_kecamatan
    assert "Pelapor Rahasia" not in page and "6281200000001" not in page
    wider = client.get("/kantor/?hari=30").get_data(as_text=True)
    assert _row("Gambir", 3, 0, 3, 1) in wider.split('id="work-per-kecamatan"')[1]
    # An odd range falls back to the default of 14 days.
    assert "17 November 2026 sampai" in client.get("/kantor/?hari=abc").get_data(as_text=True)


@pytest.mark.both_databases
def test_officer_sees_their_kecamatan_and_downloads_it(client, auth, work):
    auth.login_as("officer", kecamatan_id=work["gambir"])
    page = client.get("/kantor/").get_data(as_text=True)
    per_day = page.split('id="work-per-day"')[1].split("</table>")[0]
    assert _row("30 November 2026", 1, 0, 1, 1) in per_day
    assert _row("29 November 2026", 1, 0, 2, 0) in per_day
    per_kecamatan = page.split('id="work-per-kecamatan"')[1].split("</table>")[0]
    assert _row("Gambir", 2, 0, 3, 1) in per_kecamatan
    assert "Tanah Abang" not in per_kecamatan
    response = client.get("/kantor/angka-kerja.csv?hari=14")
    assert response.status_code == 200
    assert 'filename="angka-kerja-2026-11-17-2026-11-30.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [
        ["Tanggal", "Kecamatan", "Permohonan diterima", "Kunjungan dilakukan", "Izin terbit", "Izin diantar"],
        ["2026-11-29", "Gambir", "1", "0", "2", "0"],
        ["2026-11-30", "Gambir", "1", "0", "1", "1"],
    ]
    workbook = client.get("/kantor/angka-kerja.xlsx")
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.data)).worksheets[0]
    assert list(sheet.iter_rows(values_only=True))[1:] == [
        ("2026-11-29", "Gambir", 1, 0, 2, 0),
        ("2026-11-30", "Gambir", 1, 0, 1, 1),
    ]
    assert client.get("/kantor/angka-kerja.pdf").status_code == 404


def test_editor_dashboard_has_no_work_figures(client, auth, work):
    auth.login_as("editor")
    assert "Angka kerja" not in client.get("/kantor/").get_data(as_text=True)
    assert client.get("/kantor/angka-kerja.csv").status_code == 403


@pytest.mark.both_databases
def test_public_page_shows_permits_per_month_per_kecamatan(client, work):
    page = client.get("/angka").get_data(as_text=True)
    section = page.split('id="izin-per-kecamatan-2026-11"')[1].split("</section>")[0]
    assert '<option value="2026-11" selected>November 2026</option>' in section
    assert '<option value="2026-10">Oktober 2026</option>' in section
    assert _row("Gambir", 3) in section and _row("Tanah Abang", 1) in section
    assert '<td class="numeric">4</td></tr></tfoot>' in section
    assert 'role="img"' in section
    october = client.get("/angka?bulan=2026-10").get_data(as_text=True)
    section = october.split('id="izin-per-kecamatan-2026-10"')[1].split("</section>")[0]
    assert _row("Gambir", 1) in section and _row("Tanah Abang", 0) in section
    assert "Bulan Oktober 2026" in section
    download = client.get("/angka/izin-per-kecamatan-2026-11.csv")
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert ["Gambir", "3"] in rows and ["Tanah Abang", "1"] in rows
    assert client.get("/angka/izin-per-kecamatan-2025-01.csv").status_code == 404
    assert client.get("/angka?bulan=x' OR 1=1").status_code == 200
    # A month without permits shows the latest, and asking for many such months keeps the cache as it is.
    from services import figures

    kept = len(figures._entries)
    for year in range(1990, 2000):
        other = client.get(f"/angka?bulan={year}-01").get_data(as_text=True)
        assert 'id="izin-per-kecamatan-2026-11"' in other
    assert len(figures._entries) == kept
    assert "Siti Aminah" not in page and "3171014501900003" not in page
