"""Importing a cooperative register (one XLSX, a sheet per kind): the dry run's report in Indonesian,
all-or-nothing apply, a second import that changes nothing, the search index and the figures."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from extensions import db
from models.audit import AuditEvent
from models.cooperative import Cooperative, CooperativeFounder, CooperativeOfficial, RatReport
from models.imports import ImportedFile, ImportMapping
from models.search import SearchOutbox
from services import import_cooperatives
from services.import_files import read_sheets

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "import_sample_cooperatives.xlsx"
KOPERASI = (
    "Nomor Badan Hukum",
    "Nama Koperasi",
    "Jenis Koperasi",
    "Tingkat",
    "Alamat Kedudukan",
    "Kelurahan",
    "Kecamatan",
    "Kampung Dilayani",
    "Tanggal Pendirian",
    "Jumlah Anggota",
)
PENDIRI = ("Nomor Badan Hukum", "Nama Pendiri", "NIK", "Tempat Lahir", "Tanggal Lahir", "Alamat")
PENGURUS = ("Nomor Badan Hukum", "Organ", "Jabatan", "Nama")
RAT = ("Nomor Badan Hukum", "Tahun Buku", "Tanggal RAT", "Anggota Hadir", "SHU", "Total Aset")
BH_1 = "AHU-0001234.AH.01.26.TAHUN 2019"
BH_2 = "AHU-0005678.AH.01.26.TAHUN 2020"


def founders(number: str, count: int, first: int = 1) -> list[tuple]:
    return [
        (number, f"Pendiri {i}", f"317101450190{i:04d}", "Jakarta", "05/01/1990", f"Jl. Cideng No. {i}")
        for i in range(first, first + count)
    ]


def clean_sheets() -> dict[str, list[tuple]]:
    return {
        "Koperasi": [
            (
                BH_1,
                "Koperasi Warga Cideng Sejahtera",
                "Simpan Pinjam",
                "Primer",
                "Jl. Cideng Barat 12",
                "Cideng",
                "Gambir",
                "Kampung Cideng",
                "12/03/2019",
                120,
            ),
            (
                BH_2,
                "Koperasi Pedagang Petojo",
                "konsumen",
                "",
                "Jl. Petojo VIJ 3",
                "Petojo Utara",
                "Gambir",
                "Kampung Petojo; Kampung Duri",
                "2020-02-01",
                45,
            ),
        ],
        "Pendiri": founders(BH_1, 9) + founders(BH_2, 10, first=20),
        "Pengurus": [
            (BH_1, "Pengurus", "Ketua", "Siti Aminah"),
            (BH_1, "Pengurus", "Bendahara", "Budi Santoso"),
            (BH_1, "Pengawas", "Ketua Pengawas", "Rahmat Hidayat"),
            (BH_2, "Pengurus", "Ketua", "Dewi Lestari"),
        ],
        "RAT": [
            (BH_1, 2023, "20/03/2024", 98, 15_000_000, 450_000_000),
            (BH_1, 2024, "15/03/2025", 101, -2_500_000, 470_000_000),
            (BH_2, 2024, "01/04/2025", 40, 3_000_000, 80_000_000),
        ],
    }


def workbook(sheets: dict[str, list[tuple]], merged_header: bool = False) -> bytes:
    book = Workbook()
    book.remove(book.active)
    headers = {"Koperasi": KOPERASI, "Pendiri": PENDIRI, "Pengurus": PENGURUS, "RAT": RAT}
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        header = headers[title]
        if merged_header and title == "Pendiri":
            # "Pendiri" over "Nama Pendiri" and "NIK", as registers print it.
            sheet.append([header[0], "Pendiri", None, *header[3:]])
            sheet.append([None, "Nama", "NIK"])
            sheet.merge_cells("B1:C1")
            sheet.merge_cells("A1:A2")
            for col in "DEF":
                sheet.merge_cells(f"{col}1:{col}2")
        else:
            sheet.append(header)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _mapping(data: bytes, source: str = "Dinas Koperasi Jakarta Pusat"):
    headers = import_cooperatives.headers_of(data, "koperasi.xlsx")
    return import_cooperatives.mapping_for(db.session, source, headers)


def _plan(app, data: bytes):
    return import_cooperatives.plan(db.session, data, "koperasi.xlsx", "Dinkop", _mapping(data), app.config)


def _apply(app, data: bytes, name: str = "koperasi.xlsx"):
    return import_cooperatives.apply(db.session, data, name, "Dinkop", _mapping(data), app.config, None)


def _counts():
    return tuple(
        db.session.scalar(db.select(db.func.count()).select_from(m))
        for m in (Cooperative, CooperativeFounder, CooperativeOfficial, RatReport)
    )


@pytest.mark.both_databases
def test_broken_register_lists_every_problem_and_writes_nothing(app):
    sheets = clean_sheets()
    sheets["Koperasi"].append(sheets["Koperasi"][0])  # duplicate row
    sheets["Koperasi"].append(
        (
            "AHU-9",
            "Koperasi Entah",
            "simpan pinjam",
            "primer",
            "Jl. X",
            "Kelurahan Entah",
            "Gambir",
            "Kp. X",
            "31/02/2020",
            10,
        )
    )
    sheets["Pendiri"][0] = (BH_1, "Pendiri 1", "1234", "Jakarta", "05/01/1990", "Jl. Cideng 1")  # bad NIK
    del sheets["Pendiri"][12:]  # BH_2 keeps 3 founders: below the legal minimum of 9
    sheets["RAT"][2] = (BH_2, 2024, "01/04/2025", 60, 3_000_000, 80_000_000)  # 60 present of 45 members
    sheets["RAT"].append((BH_1, 2023, "20/03/2024", 98, 1, 1))  # the same year twice
    before = _counts()
    result = _plan(app, workbook(sheets))
    problems = {(p.row, p.column, p.message) for p in result.problems}
    assert (4, "Koperasi: Nomor Badan Hukum", "Baris ganda: nomor badan hukum sama dengan baris 2.") in problems
    assert (5, "Koperasi: Kelurahan", "Kelurahan 'Kelurahan Entah' tidak dikenal di Kecamatan Gambir.") in problems
    assert (5, "Koperasi: Tanggal Pendirian", "Tanggal '31/02/2020' tidak ada di kalender.") in problems
    assert (2, "Pendiri: NIK", "NIK harus 16 angka.") in problems
    minimum = "Koperasi primer didirikan oleh paling sedikit 9 orang; baru 3 pendiri diisi."
    assert (3, "Koperasi: pendiri", minimum) in problems
    assert (4, "RAT: Anggota Hadir", "Anggota hadir (60) melebihi jumlah anggota koperasi (45).") in problems
    assert (5, "RAT: Tahun Buku", "Baris ganda: RAT tahun buku 2023 sudah ada untuk koperasi ini.") in problems
    assert not result.ok
    with pytest.raises(import_cooperatives.ImportRefused):
        _apply(app, workbook(sheets))
    assert _counts() == before
    assert db.session.scalar(db.select(db.func.count()).select_from(ImportedFile)) == 0


@pytest.mark.both_databases
def test_clean_register_applies_and_a_second_import_changes_nothing(app):
    data = workbook(clean_sheets())
    dry = _plan(app, data)
    assert dry.problems == []
    assert dry.counts()["cooperatives"] == {"create": 2, "update": 0, "unchanged": 0}
    assert _counts() == (0, 0, 0, 0)
    result = _apply(app, data)
    assert result.counts()["founders"]["create"] == 19
    assert _counts() == (2, 19, 4, 3)
    cideng = db.session.scalar(db.select(Cooperative).where(Cooperative.legal_entity_number == BH_1))
    assert cideng.kind == "simpan_pinjam" and cideng.level == "primer" and cideng.member_count == 120
    assert [k.name for k in cideng.kampungs] == ["Kampung Cideng"]
    assert [(o.body, o.title, o.full_name) for o in cideng.officials] == [
        ("pengurus", "Ketua", "Siti Aminah"),
        ("pengurus", "Bendahara", "Budi Santoso"),
        ("pengawas", "Ketua Pengawas", "Rahmat Hidayat"),
    ]
    shu = {r.financial_year: (r.shu_rupiah, r.status) for r in cideng.rat_reports}
    assert shu == {2023: (15_000_000, "confirmed"), 2024: (-2_500_000, "confirmed")}
    outbox = set(db.session.scalars(db.select(SearchOutbox.record_id).where(SearchOutbox.kind == "cooperative")))
    assert cideng.id in outbox
    event = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "cooperative.import")).one()
    assert "3171014501900001" not in str(event.after)
    assert db.session.get(ImportMapping, ("cooperatives", "Dinkop")) is not None
    # The same bytes are refused; the same register saved again (other bytes) finds everything unchanged.
    with pytest.raises(import_cooperatives.ImportRefused, match="sudah pernah diimpor"):
        _apply(app, data)
    again = _apply(app, workbook(clean_sheets(), merged_header=True), "koperasi-lagi.xlsx")
    assert again.counts()["cooperatives"] == {"create": 0, "update": 0, "unchanged": 2}
    assert again.counts()["rat"] == {"create": 0, "update": 0, "unchanged": 3}
    assert _counts() == (2, 19, 4, 3)


def test_changed_register_updates_the_record_and_adds_the_new_rat(app):
    _apply(app, workbook(clean_sheets()))
    sheets = clean_sheets()
    first = list(sheets["Koperasi"][0])
    first[9] = 130
    sheets["Koperasi"][0] = tuple(first)
    sheets["RAT"].append((BH_2, 2023, "10/04/2024", 30, 0, 70_000_000))
    result = _apply(app, workbook(sheets), "koperasi-2.xlsx")
    assert result.counts()["cooperatives"] == {"create": 0, "update": 1, "unchanged": 1}
    assert result.counts()["rat"] == {"create": 1, "update": 0, "unchanged": 3}
    assert db.session.scalar(db.select(Cooperative.member_count).where(Cooperative.legal_entity_number == BH_1)) == 130
    assert _counts() == (2, 19, 4, 4)


def test_figures_count_imported_cooperatives(app, client):
    _apply(app, workbook(clean_sheets()))
    page = client.get("/angka").get_data(as_text=True)
    section = page.split('id="koperasi-per-kecamatan"')[1].split("</section>")[0]
    assert '<tr><th scope="row">Gambir</th><td class="numeric">2</td></tr>' in section


def test_cli_imports_the_sample_in_docs(app, runner):
    assert set(read_sheets(SAMPLE.read_bytes(), SAMPLE.name)) == {"Koperasi", "Pendiri", "Pengurus", "RAT"}
    dry = runner.invoke(args=["import", "cooperatives", str(SAMPLE), "--source", "Dinkop", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "cooperatives: 2 new" in dry.output and _counts() == (0, 0, 0, 0)
    done = runner.invoke(args=["import", "cooperatives", str(SAMPLE), "--source", "Dinkop"])
    assert done.exit_code == 0, done.output
    assert "Imported import_sample_cooperatives.xlsx" in done.output
    assert _counts()[0] == 2


def test_cli_dry_run_report_of_a_broken_register(app, runner, tmp_path):
    sheets = clean_sheets()
    sheets["Pendiri"][3] = (BH_1, "Pendiri 4", "3171019999900004", "Jakarta", "05/01/1990", "Jl. Cideng 4")
    path = tmp_path / "koperasi.xlsx"
    path.write_bytes(workbook(sheets))
    report = tmp_path / "laporan.xlsx"
    result = runner.invoke(
        args=["import", "cooperatives", str(path), "--source", "Dinkop", "--dry-run", "--report", str(report)]
    )
    assert result.exit_code == 1
    rows = list(load_workbook(report).worksheets[0].iter_rows(values_only=True))
    assert (5, "Pendiri: NIK", "Tanggal lahir pada NIK (angka ke-7 sampai ke-12) tidak valid.") in rows


def test_upload_reads_the_same_titles_from_the_header_rows_alone():
    from services.import_files import read_headers

    for data, name in (
        (workbook(clean_sheets(), merged_header=True), "koperasi.xlsx"),
        (workbook(clean_sheets()), "koperasi.xlsx"),
        (SAMPLE.read_bytes(), SAMPLE.name),
        (Path(SAMPLE.parent / "import_sample_businesses.csv").read_bytes(), "import_sample_businesses.csv"),
    ):
        full = {title: [c for c in table.header if c] for title, table in read_sheets(data, name).items()}
        assert {title: [c for c in header if c] for title, header in read_headers(data, name).items()} == full
    merged = read_headers(workbook(clean_sheets(), merged_header=True), "koperasi.xlsx")["Pendiri"]
    assert merged[:3] == ["Nomor Badan Hukum", "Pendiri Nama", "Pendiri NIK"]
