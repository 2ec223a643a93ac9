"""The OSS era: NIB first-class and unique, size class from the rules file, several KBLI per business,
"KBLI belum ditentukan" in words, and the official KBLI table loaded by `flask kbli import`."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from extensions import db
from models.business import Business
from models.kbli import KbliCode, KbliRelease
from services import oss, permits
from tests.permits.helpers import add_business, add_official, any_kelurahan, issue
from tests.permits.test_backoffice_web import _form


def _text(permit, app) -> str:
    data = permits.permit_pdf(permit, app.config)
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_size_class_follows_the_configured_pp_7_2021_thresholds(app, tmp_path):
    rules = oss.rules(app.config)
    assert rules.size_class(1_000_000_000).name == "mikro"
    assert rules.size_class(1_000_000_001).name == "kecil"
    assert rules.size_class(5_000_000_000).name == "kecil"
    assert rules.size_class(5_000_000_001) is None
    assert "Nomor 7 Tahun 2021" in rules.size_source
    own = tmp_path / "rules.toml"
    own.write_text(oss.DEFAULT_RULES_FILE.read_text().replace("1_000_000_000", "2_000_000_000"))
    app.config["OSS_RULES_FILE"] = str(own)
    assert oss.rules(app.config).size_class(1_500_000_000).name == "mikro"


def test_a_small_business_of_rp3_miliar_registers_and_above_rp5_miliar_is_refused(client, auth):
    auth.login_as("officer")
    kelurahan = any_kelurahan()
    refused = client.post("/kantor/usaha/baru", data=_form(kelurahan.id, capital_rupiah="5000000001"))
    assert refused.status_code == 422 and "bukan usaha mikro atau kecil" in refused.get_data(as_text=True)
    saved = client.post("/kantor/usaha/baru", data=_form(kelurahan.id, capital_rupiah="3000000000"))
    assert saved.status_code == 303
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Usaha Kecil" in page


def test_nib_is_unique_and_several_kbli_codes_are_kept_with_one_main(client, auth):
    auth.login_as("officer")
    kelurahan = any_kelurahan()
    first = client.post(
        "/kantor/usaha/baru", data=_form(kelurahan.id, nib="9120001234567", kbli_other="10710, 56210 99999")
    )
    assert first.status_code == 422 and "Kode KBLI tidak dikenal: 99999" in first.get_data(as_text=True)
    first = client.post("/kantor/usaha/baru", data=_form(kelurahan.id, nib="9120001234567", kbli_other="10710, 56210"))
    assert first.status_code == 303
    business = db.session.scalar(select(Business))
    assert business.kbli_code == "56102" and [o.kbli_code for o in business.other_kbli] == ["10710", "56210"]
    second = client.post(
        "/kantor/usaha/baru",
        data=_form(kelurahan.id, nib="9120001234567", owner_nik="3171014503850099", name="Usaha Lain"),
    )
    assert second.status_code == 422 and "NIB ini sudah tercatat" in second.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Business.id))) == 1


@pytest.mark.both_databases
def test_certificate_prints_nib_size_class_and_every_kbli(app, db_kind):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    business = add_business(kelurahan, nib="9120001234567", capital_rupiah=2_500_000_000)
    from models.business import BusinessKbli

    business.other_kbli = [BusinessKbli(kbli_version="2020", kbli_code="56210", position=0)]
    db.session.commit()
    text = _text(issue(app, business), app)
    assert "NIB 9120001234567" in text
    assert "Usaha Kecil" in text
    assert "56102 (KBLI 2020) Rumah/Warung Makan (utama)" in text
    assert "56210 (KBLI 2020) Jasa Boga" in text
    assert "REG-" not in text and "Nomor pendaftaran" not in text


def test_without_nib_or_kbli_nothing_is_invented(app):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    business = add_business(kelurahan, kbli_code=None, kbli_version=None)
    business.activity = "Jasa setrika pakaian keliling"
    db.session.commit()
    text = _text(issue(app, business), app)
    assert "Belum memiliki NIB" in text and "REG-" not in text
    assert "KBLI belum ditentukan — Jasa setrika pakaian keliling" in text


@pytest.mark.both_databases
def test_kbli_import_loads_the_official_table_idempotently(app, runner, tmp_path, db_kind):
    table = tmp_path / "kbli.csv"
    table.write_text(
        "code,title,description,risk\n"
        "S,Aktivitas Jasa Lainnya,,\n"
        "96,Aktivitas Jasa Perorangan Lainnya,,\n"
        "96200,Aktivitas Binatu,Kegiatan pencucian pakaian,rendah\n"
        '56102,Rumah/Warung Makan,"Usaha makan, minum",\n'
        "01111,Pertanian Jagung,,\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["kbli", "import", str(table), "--version", "2020", "--source", "BPS"])
    assert result.exit_code == 0, result.output
    assert "1 codes added, 2 changed" in result.output  # 01111 new; 96200 and 56102 gain descriptions, risk
    again = runner.invoke(args=["kbli", "import", str(table), "--version", "2020", "--source", "BPS"])
    assert "0 codes added, 0 changed" in again.output
    laundry = db.session.get(KbliCode, ("2020", "96200"))
    assert laundry.risk_level == "rendah" and laundry.section == "S" and laundry.description
    assert db.session.get(KbliCode, ("2020", "01111")).section == "A"
    assert db.session.get(KbliRelease, "2020").source == "BPS"
    bad = tmp_path / "bad.csv"
    bad.write_text("kode,judul\n1,x\n", encoding="utf-8")
    refused = runner.invoke(args=["kbli", "import", str(bad)])
    assert refused.exit_code != 0 and "no column code" in refused.output


def test_kbli_import_reads_xlsx(app, runner, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Code", "Title", "Description"])
    sheet.append(["96111", "Aktivitas Pangkas Rambut", "Pangkas rambut"])
    path = tmp_path / "kbli.xlsx"
    book.save(path)
    result = runner.invoke(args=["kbli", "import", str(path), "--version", "2025"])
    assert result.exit_code == 0 and "1 codes added" in result.output, result.output
    assert db.session.get(KbliCode, ("2025", "96111")).title == "Aktivitas Pangkas Rambut"
