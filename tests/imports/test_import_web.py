"""The officers' import pages: upload, mapping, dry-run report and download, apply as a job with a status page."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from extensions import db
from models.business import Business
from models.permit import Permit
from models.region import Region
from tests.imports.test_import_businesses import BROKEN

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "import_sample_businesses.csv"


def _upload(client, data: bytes, name: str, source: str = "IUMK Gambir", kind: str = "businesses"):
    return client.post(
        "/kantor/impor/",
        data={"source": source, "kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _confirm_mapping(client, location: str):
    page = client.get(location)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<option value="NIK Pemilik" selected>' in text
    fields = {
        "owner_nik": "NIK Pemilik",
        "owner_name": "Nama Pemilik",
        "name": "Nama Usaha",
        "address": "Alamat Usaha",
        "kelurahan": "Kelurahan",
        "kecamatan": "Kecamatan",
        "nib": "NIB",
        "capital": "Modal Usaha",
        "permit_number": "Nomor Izin",
        "permit_issued_on": "Tanggal Terbit",
    }
    posted = client.post(location, data=fields)
    if posted.status_code != 303:
        return posted
    assert posted.headers["Location"] == location
    return client.get(location)


def test_broken_file_shows_the_report_and_it_downloads(client, auth):
    auth.login_as("superadmin")
    response = _upload(client, BROKEN, "register.csv")
    assert response.status_code == 303
    location = response.headers["Location"]
    page = _confirm_mapping(client, location)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<td>3</td><td>NIK Pemilik</td><td>NIK harus 16 angka.</td>" in text
    assert "Tanggal &#39;31/02/2021&#39; tidak ada di kalender." in text
    assert "Terapkan impor" not in text
    download = client.get(location + "laporan.xlsx")
    assert download.status_code == 200
    rows = list(load_workbook(io.BytesIO(download.data)).worksheets[0].iter_rows(values_only=True))
    assert (3, "NIK Pemilik", "NIK harus 16 angka.") in rows
    csv_report = client.get(location + "laporan.csv").get_data(as_text=True)
    assert "3,NIK Pemilik,NIK harus 16 angka." in csv_report


def test_clean_file_applies_as_a_job_and_the_page_shows_the_counts(client, auth):
    auth.login_as("superadmin")
    assert 'href="/kantor/impor/"' in client.get("/kantor/usaha/").get_data(as_text=True)
    before = db.session.scalar(db.select(db.func.count()).select_from(Business))
    location = _upload(client, SAMPLE.read_bytes(), SAMPLE.name).headers["Location"]
    page = _confirm_mapping(client, location)
    assert "Terapkan impor" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Business)) == before
    applied = client.post(location + "terapkan")
    assert applied.status_code == 303
    status = client.get(applied.headers["Location"]).get_data(as_text=True)
    assert "Selesai" in status and "Usaha: 3 baru, 0 diperbarui, 0 tetap." in status
    assert db.session.scalar(db.select(db.func.count()).select_from(Business)) == before + 3
    assert db.session.scalar(db.select(Permit).where(Permit.number == "00041/IUMK/31.71.01.1002/2021")) is not None
    # Back to the dry-run report (the Back button): no button to apply again, a link to the result instead;
    # a second press (an old tab, a double click) shows the same result, not a failed import.
    back = client.get(location).get_data(as_text=True)
    assert "Terapkan impor" not in back and "Impor ini sudah diterapkan." in back
    again = client.post(location + "terapkan")
    status = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Selesai" in status and "Usaha: 3 baru, 0 diperbarui, 0 tetap." in status and "Gagal" not in status
    assert db.session.scalar(db.select(db.func.count()).select_from(Business)) == before + 3
    again = _confirm_mapping(client, location).get_data(as_text=True)
    assert "Berkas ini sudah pernah diimpor" in again


def test_officer_outside_the_kecamatan_is_refused_and_others_cannot_see_an_upload(client, auth):
    elsewhere = db.session.scalars(
        db.select(Region).where(Region.level == "kecamatan", Region.name != "Gambir").limit(1)
    ).one()
    auth.login_as("officer", kecamatan_id=elsewhere.id)
    location = _upload(client, SAMPLE.read_bytes(), SAMPLE.name).headers["Location"]
    text = _confirm_mapping(client, location).get_data(as_text=True)
    assert "Kelurahan Cideng di luar wilayah kerja Anda." in text
    auth.logout()
    auth.login_as("superadmin")
    assert client.get(location).status_code == 404
    assert client.post(location + "terapkan").status_code == 404


def test_unreadable_upload_says_why(client, auth):
    auth.login_as("officer")
    response = _upload(client, b"PK\x03\x04 not a workbook", "register.xlsx")
    assert response.status_code == 400
    assert "tidak dapat dibuka" in response.get_data(as_text=True)
    assert _upload(client, b"", "kosong.csv").status_code == 400
    auth.logout()
    assert client.get("/kantor/impor/").status_code in (302, 303)


@pytest.fixture
def queued_jobs(app_config, tmp_path):
    """Jobs go to a real queue (no worker): the web request only queues the dry run."""
    app_config.update(JOBS_IMMEDIATE=False, JOBS_URL=f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    return app_config


def test_dry_run_is_a_job_the_page_polls_until_the_report(queued_jobs, client, auth):
    from services.jobs import huey

    auth.login_as("superadmin")
    location = _upload(client, BROKEN, "register.csv").headers["Location"]
    queued = _confirm_mapping(client, location)
    text = queued.get_data(as_text=True)
    assert queued.status_code == 200
    assert "Dalam antrean" in text and 'hx-trigger="every 2s"' in text
    assert "NIK harus 16 angka." not in text
    assert client.get(location + "laporan.csv").status_code == 303  # no report before the dry run ran
    task = huey.dequeue()
    assert task is not None and task.name.endswith("run_check")
    huey.execute(task)
    polled = client.get(location, headers={"HX-Request": "true"})
    body = polled.get_data(as_text=True)
    assert polled.status_code == 200
    assert body.lstrip().startswith('<section id="import-check"')
    assert "<td>3</td><td>NIK Pemilik</td><td>NIK harus 16 angka.</td>" in body
    assert "hx-trigger" not in body  # done: the polling stops
    assert "3,NIK Pemilik,NIK harus 16 angka." in client.get(location + "laporan.csv").get_data(as_text=True)


def test_cooperative_register_through_the_web(client, auth):
    from models.cooperative import Cooperative
    from tests.imports.test_import_cooperatives import BH_1, clean_sheets, workbook

    auth.login_as("superadmin")
    sheets = clean_sheets()
    sheets["RAT"][0] = (BH_1, 2023, "20/03/2024", 500, 15_000_000, 450_000_000)  # 500 present of 120 members
    broken = client.post(
        "/kantor/impor/",
        data={"source": "Dinkop Jakpus", "kind": "cooperatives", "file": (io.BytesIO(workbook(sheets)), "kop.xlsx")},
        content_type="multipart/form-data",
    )
    assert broken.status_code == 303
    location = broken.headers["Location"]
    form = client.get(location).get_data(as_text=True)
    # Each field offers the columns of its own sheet: the RAT's year, the founders' NIK.
    assert '<option value="Tahun Buku" selected>' in form and '<option value="NIK" selected>' in form
    fields = {}
    for select in re.findall(r"<select .*?</select>", form, re.S):
        chosen = re.search(r'<option value="([^"]+)" selected>', select)
        if chosen:
            fields[re.search(r'name="([^"]+)"', select).group(1)] = chosen.group(1)
    page = client.post(location, data=fields)
    assert page.status_code == 303
    text = client.get(location).get_data(as_text=True)
    assert (
        "<td>2</td><td>RAT: Anggota Hadir</td><td>Anggota hadir (500) melebihi jumlah anggota koperasi (120).</td>"
        in text
    )
    assert "Terapkan impor" not in text
    clean = client.post(
        "/kantor/impor/",
        data={
            "source": "Dinkop Jakpus",
            "kind": "cooperatives",
            "file": (io.BytesIO(workbook(clean_sheets())), "k.xlsx"),
        },
        content_type="multipart/form-data",
    )
    location = clean.headers["Location"]
    assert client.post(location, data=fields).status_code == 303
    checked = client.get(location).get_data(as_text=True)
    assert "<th>Koperasi</th><td>2</td><td>0</td><td>0</td>" in checked and "Terapkan impor" in checked
    applied = client.post(location + "terapkan")
    status = client.get(applied.headers["Location"]).get_data(as_text=True)
    assert "Selesai" in status and "Pendiri: 19 baru, 0 diperbarui, 0 tetap." in status
    assert db.session.scalar(db.select(db.func.count()).select_from(Cooperative)) == 2


def test_cooperative_upload_without_the_koperasi_sheet_says_so(client, auth):
    from tests.imports.test_import_cooperatives import clean_sheets, workbook

    auth.login_as("officer")
    sheets = clean_sheets()
    data = workbook({"Pendiri": sheets["Pendiri"], "RAT": sheets["RAT"]})
    response = _upload(client, data, "koperasi.xlsx", kind="cooperatives")
    assert response.status_code == 400
    assert "Lembar &#39;Koperasi&#39; tidak ditemukan" in response.get_data(as_text=True)
