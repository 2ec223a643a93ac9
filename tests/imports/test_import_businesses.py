"""Importing an agency's register: the dry run's report, all-or-nothing apply, idempotence, numbering."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from extensions import db
from models.audit import AuditEvent
from models.business import Business, Person
from models.imports import ImportedFile, ImportMapping
from models.permit import Permit, PermitCounter
from models.search import SearchOutbox
from services import clock, imports
from tests.permits.helpers import add_official, issue

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "import_sample_businesses.csv"
HEADER = (
    "NIK Pemilik;Nama Pemilik;Nama Usaha;Alamat Usaha;Kelurahan;Kecamatan;NIB;Modal Usaha;Nomor Izin;Tanggal Terbit"
)


def _csv(*lines: str) -> bytes:
    return ("\n".join((HEADER, *lines)) + "\n").encode()


def _plan(app, data: bytes, filename: str = "register.csv", source: str = "IUMK Gambir"):
    header = imports.read_table(data, filename).header
    mapping = imports.mapping_for(db.session, source, header)
    return imports.plan(db.session, data, filename, source, mapping, app.config), mapping


def _apply(app, data: bytes, filename: str = "register.csv", source: str = "IUMK Gambir"):
    header = imports.read_table(data, filename).header
    mapping = imports.mapping_for(db.session, source, header)
    return imports.apply(db.session, data, filename, source, mapping, app.config, None)


def _counts():
    return tuple(
        db.session.scalar(db.select(db.func.count()).select_from(model)) for model in (Person, Business, Permit)
    )


BROKEN = _csv(
    "3171014501900003;Siti Aminah;Warung Bu Siti;Jl. Cideng Barat 12;Cideng;Gambir;;15000000;;",
    "1234;Budi;Bengkel Budi;Jl. Petojo 3;Petojo Utara;Gambir;;;;",
    "3171010203850004;Budi Santoso;Bengkel Budi;Jl. Petojo 3;Kelurahan Entah;Gambir;;;;",
    "3171014501900003;Siti Aminah;Warung Bu Siti;Jl. Cideng Barat 12;Cideng;Gambir;;15000000;;",
    "3171010203850004;Budi Santoso;Toko Budi;Jl. Petojo 4;Petojo Utara;;;;00001/IUMK/31.71.01.1003/2021;31/02/2021",
    "3171010203850004;Budi Santoso;Pabrik Budi;Jl. Petojo 5;Petojo Utara;Gambir;123;9000000000;;",
)


def test_broken_file_lists_every_problem_by_row_and_column_and_writes_nothing(app, runner, tmp_path):
    before = _counts()
    result, _ = _plan(app, BROKEN)
    found = {(p.row, p.column, p.message) for p in result.problems}
    assert (3, "NIK Pemilik", "NIK harus 16 angka.") in found
    assert (4, "Kelurahan", "Kelurahan 'Kelurahan Entah' tidak dikenal di Kecamatan Gambir.") in found
    assert any(row == 5 and "Baris ganda" in message and "baris 2" in message for row, _, message in found)
    assert (6, "Tanggal Terbit", "Tanggal '31/02/2021' tidak ada di kalender.") in found
    assert (7, "NIB", "NIB harus 13 angka.") in found
    assert any(row == 7 and column == "Modal Usaha" and "melebihi batas" in message for row, column, message in found)
    assert not result.ok

    with pytest.raises(imports.ImportRefused, match="masalah"):
        _apply(app, BROKEN)
    assert _counts() == before
    assert db.session.scalar(db.select(db.func.count()).select_from(ImportedFile)) == 0

    path = tmp_path / "broken.csv"
    path.write_bytes(BROKEN)
    report = tmp_path / "laporan.xlsx"
    outcome = runner.invoke(
        args=["import", "businesses", str(path), "--source", "IUMK Gambir", "--report", str(report)]
    )
    assert outcome.exit_code != 0
    assert "row 3, NIK Pemilik: NIK harus 16 angka." in outcome.output
    rows = list(load_workbook(report).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == imports.REPORT_HEADER
    assert (3, "NIK Pemilik", "NIK harus 16 angka.") in rows
    assert _counts() == before


def test_xlsx_with_merged_header_cells_is_read_and_reported(app):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Pemilik", None, "Usaha", None, "Kelurahan", "Kecamatan"])
    sheet.append(["NIK", "Nama", "Nama", "Alamat", None, None])
    sheet.merge_cells("A1:B1")
    sheet.merge_cells("C1:D1")
    sheet.merge_cells("E1:E2")
    sheet.merge_cells("F1:F2")
    sheet.append(["3171014501900003", "Siti Aminah", "Warung Bu Siti", "Jl. Cideng 12", "Cideng", "Gambir"])
    sheet.append(["3171019999900003", "Ani", "Toko Ani", "Jl. Cideng 13", "Cideng", "Gambir"])
    sheet.append(["3171010203850004", "Budi Santoso", "Bengkel Budi", "Jl. Petojo 3", "Antah Berantah", "Gambir"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()

    table = imports.read_table(data, "register.xlsx")
    assert table.header == ["Pemilik NIK", "Pemilik Nama", "Usaha Nama", "Usaha Alamat", "Kelurahan", "Kecamatan"]
    result, mapping = _plan(app, data, "register.xlsx")
    assert mapping["owner_nik"] == "Pemilik NIK" and mapping["name"] == "Usaha Nama"
    found = {(p.row, p.column) for p in result.problems}
    assert found == {(4, "Pemilik NIK"), (5, "Kelurahan")}
    assert result.persons.create == 1 and result.businesses.create == 1


@pytest.mark.both_databases
def test_sample_file_applies_once_and_a_second_import_changes_nothing(app, db_kind):
    data = SAMPLE.read_bytes()
    before = _counts()
    dry, _ = _plan(app, data, SAMPLE.name)
    assert dry.ok, dry.problems
    assert (dry.persons.create, dry.businesses.create, dry.permits.create) == (2, 3, 2)
    assert _counts() == before

    result = _apply(app, data, SAMPLE.name)
    assert _counts() == (before[0] + 2, before[1] + 3, before[2] + 2)
    permit = db.session.scalar(db.select(Permit).where(Permit.number == "00042/IUMK/31.71.01.1003/2021"))
    assert (permit.seq, permit.year, str(permit.issued_on), str(permit.valid_until)) == (
        42,
        2021,
        "2021-06-15",
        "2026-06-15",
    )
    assert permit.business.nib == "1234567890123" and permit.business.owner.full_name == "Budi Santoso"
    siti = db.session.scalar(db.select(Person).where(Person.nik == "3171014501900003"))
    assert siti.phone == "+6281234567890" and len(siti.businesses) == 2
    assert db.session.get(PermitCounter, ("IUMK", 2021, "")).last_seq == 42
    queued = set(db.session.scalars(db.select(SearchOutbox.record_id).where(SearchOutbox.kind == "business")))
    assert {b.id for b in db.session.scalars(db.select(Business).where(Business.name.like("%Siti%")))} <= queued
    events = list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "business.import")))
    assert len(events) == 1 and events[0].after["businesses"]["create"] == 3
    assert db.session.get(ImportMapping, ("businesses", "IUMK Gambir")).columns["owner_nik"] == "NIK Pemilik"
    assert result.sha256 == db.session.scalars(db.select(ImportedFile.sha256)).one()

    with pytest.raises(imports.ImportRefused, match="sudah pernah diimpor"):
        _apply(app, data, SAMPLE.name)
    # The same register saved again (other bytes: comma-separated, CRLF) finds everything in place.
    resaved = data.decode().replace(";", ",").replace("Rp 15.000.000", "15000000").replace("Rp 8.000.000", "8000000")
    again = _apply(app, resaved.replace("\n", "\r\n").encode(), "lagi.csv")
    assert (again.persons.create, again.persons.update, again.persons.unchanged) == (0, 0, 2)
    assert (again.businesses.create, again.businesses.update, again.businesses.unchanged) == (0, 0, 3)
    assert (again.permits.create, again.permits.unchanged) == (0, 2)
    assert _counts() == (before[0] + 2, before[1] + 3, before[2] + 2)


@pytest.mark.both_databases
def test_next_issued_number_follows_the_highest_imported_and_imported_permit_verifies(app, client, db_kind):
    year = clock.today().year
    data = _csv(
        f"3171014501900003;Siti Aminah;Warung;Cideng 12;Cideng;Gambir;;;00007/IUMK/31.71.01.1002/{year};02/01/{year}",
        f"3171010203850004;Budi Santoso;Bengkel;Petojo 3;Petojo Utara;;;;00120/IUMK/31.71.01.1003/{year};03/01/{year}",
        "3171016203900005;Rina Wati;Toko Rina;Jl. Petojo 9;Petojo Utara;Gambir;;;;",
    )
    _apply(app, data)
    imported = db.session.scalar(db.select(Permit).where(Permit.seq == 120))
    page = client.get(f"/verify/{imported.token}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert imported.number in text and "Bengkel" in text and "3171010203850004" not in text
    by_number = client.get("/verify/", query_string={"nomor": imported.number})
    assert by_number.status_code in (302, 303) and by_number.headers["Location"].endswith(imported.token)

    rina = db.session.scalar(db.select(Business).where(Business.name == "Toko Rina"))
    add_official(rina.kelurahan)
    permit = issue(app, rina)
    assert permit.seq == 121
    assert permit.number == f"00121/IUMK/31.71.01.1003/{year}"


def test_bad_mapping_is_refused_with_a_message(app):
    data = _csv("3171014501900003;Siti Aminah;Warung;Jl. Cideng 12;Cideng;Gambir;;;;")
    with pytest.raises(imports.ImportRefused, match="Nama usaha"):
        imports.plan(db.session, data, "x.csv", "IUMK", {"owner_nik": "NIK Pemilik"}, app.config)
    with pytest.raises(imports.ImportRefused, match="tidak ada di berkas"):
        imports.plan(
            db.session, data, "x.csv", "IUMK", {**imports.guess_mapping(HEADER.split(";")), "nib": "NPWP"}, app.config
        )
