"""The back office as officers use it: register with inline checks, scope, lists, issue, download, revoke."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from extensions import db
from models.audit import AuditEvent
from models.business import Business, Person
from models.permit import Permit
from models.region import Region
from tests.permits.helpers import add_business, add_official, any_kelurahan


def _form(kelurahan_id, **overrides):
    data = {
        "owner_nik": "3171014503850003",
        "owner_name": "Siti Rahayu",
        "owner_phone": "0812-3456-7890",
        "owner_address": "Jl. Kebon Sirih No. 5, RT 003/RW 002",
        "name": "Warung Makan Bu Siti",
        "legal_form": "perseorangan",
        "kelurahan_id": str(kelurahan_id),
        "address": "Jl. Kebon Sirih No. 5",
        "kbli_code": "56102",
        "activity": "Warung makan",
        "premises": "milik_sendiri",
        "capital_rupiah": "25000000",
        "workers": "2",
        "status": "operating",
    }
    data.update(overrides)
    return data


def test_officer_registers_a_business_with_normalised_phone_and_audit(client, auth):
    officer = auth.login_as("officer")
    kelurahan = any_kelurahan()
    response = client.post("/kantor/usaha/baru", data=_form(kelurahan.id))
    assert response.status_code == 303, response.get_data(as_text=True)
    business = db.session.scalar(db.select(Business).where(Business.name == "Warung Makan Bu Siti"))
    assert business.owner.phone == "+6281234567890"
    assert business.owner.birth_date.isoformat() == "1985-03-05"  # from the NIK (day + 40: a woman)
    assert business.kbli_version == "2020"
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "business.register"))
    assert event.actor_id == officer.id and event.object_id == str(business.id)
    assert "3171014503850003" not in str(event.after)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("owner_nik", "31710145038500", "NIK harus 16 angka."),
        ("owner_nik", "3171019913850003", "Tanggal lahir pada NIK"),
        ("owner_nik", "0071014503850003", "kode provinsi"),
        ("owner_phone", "12345", "Nomor telepon tidak valid"),
        ("kbli_code", "99999", "Kode KBLI tidak dikenal"),
        ("name", "", "Wajib diisi."),
    ],
)
def test_bad_input_is_refused_with_an_indonesian_message_and_nothing_changes(client, auth, field, value, message):
    auth.login_as("officer")
    response = client.post("/kantor/usaha/baru", data=_form(any_kelurahan().id, **{field: value}))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Business)) == 0


def test_field_is_checked_as_the_officer_leaves_it(client, auth):
    auth.login_as("officer")
    bad = client.post("/kantor/usaha/validasi/owner_nik", data={"owner_nik": "3171"}, headers={"HX-Request": "true"})
    assert bad.status_code == 200
    html = bad.get_data(as_text=True)
    assert 'id="owner_nik-message"' in html and "NIK harus 16 angka." in html
    # Only the message slot comes back: the field being typed in is never replaced.
    assert "<input" not in html
    # Only that field's errors: the (empty) name field is not reported.
    assert "Wajib diisi." not in html
    good = client.post("/kantor/usaha/validasi/owner_phone", data={"owner_phone": "021 345 6789"})
    assert "field-error" not in good.get_data(as_text=True)
    assert client.post("/kantor/usaha/validasi/secret_field", data={}).status_code == 404


def test_duplicate_nik_offers_the_existing_person(client, auth):
    auth.login_as("officer")
    kelurahan = any_kelurahan()
    existing = add_business(kelurahan).owner
    check = client.post("/kantor/usaha/validasi/owner_nik", data={"owner_nik": existing.nik})
    assert "Siti Rahayu" in check.get_data(as_text=True) and "Gunakan data pemilik ini" in check.get_data(as_text=True)
    refused = client.post("/kantor/usaha/baru", data=_form(kelurahan.id, name="Usaha Kedua"))
    assert refused.status_code == 422 and "sudah terdaftar" in refused.get_data(as_text=True)
    accepted = client.post(
        "/kantor/usaha/baru", data=_form(kelurahan.id, name="Usaha Kedua", use_existing_owner=str(existing.id))
    )
    assert accepted.status_code == 303
    assert db.session.scalar(db.select(db.func.count()).select_from(Person)) == 1
    assert db.session.scalar(db.select(Business).where(Business.name == "Usaha Kedua")).owner_id == existing.id


def test_officer_of_one_kecamatan_sees_only_its_records(client, auth):
    kelurahan = any_kelurahan()
    other = db.session.scalars(
        db.select(Region).where(Region.level == "kelurahan", Region.parent_id != kelurahan.parent_id).limit(1)
    ).one()
    mine = add_business(kelurahan, name="Usaha Di Sini")
    theirs = add_business(other, name="Usaha Di Sana", nik="3171014503850007")
    auth.login_as("officer", kecamatan_id=kelurahan.parent_id)
    listing = client.get("/kantor/usaha/").get_data(as_text=True)
    assert "Usaha Di Sini" in listing and "Usaha Di Sana" not in listing
    assert "3171••••••••0003" in listing and "3171014503850003" not in listing
    assert client.get(f"/kantor/usaha/{mine.id}").status_code == 200
    assert client.get(f"/kantor/usaha/{theirs.id}").status_code == 404
    assert client.get(f"/kantor/usaha/{theirs.id}/ubah").status_code == 404
    assert client.post(f"/kantor/usaha/{theirs.id}/izin").status_code == 404
    # Registering in another kecamatan's kelurahan is refused.
    response = client.post("/kantor/usaha/baru", data=_form(other.id, owner_nik="3171014503850011"))
    assert response.status_code == 422 and "Pilih kelurahan dari daftar." in response.get_data(as_text=True)


def test_list_searches_filters_and_paginates(client, auth, app):
    app.config["PER_PAGE"] = 2
    kelurahan = any_kelurahan()
    for index in range(3):
        add_business(kelurahan, name=f"Kedai Kopi Nomor {index}", nik=f"31710145038500{20 + index}")
    add_business(kelurahan, name="Penjahit Tutup", nik="3171014503850030", status="closed")
    auth.login_as("officer")
    page1 = client.get("/kantor/usaha/?q=kedai").get_data(as_text=True)
    assert "3 usaha" in page1 and "Berikutnya" in page1 and "Penjahit" not in page1
    assert "Kedai Kopi Nomor 0" in client.get("/kantor/usaha/?q=kedai&page=2").get_data(as_text=True)
    closed = client.get("/kantor/usaha/?status=closed").get_data(as_text=True)
    assert "Penjahit Tutup" in closed and "Kedai" not in closed


def test_issue_download_revoke_reissue_through_the_web(client, auth, app):
    officer = auth.login_as("officer")
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    business = add_business(kelurahan)
    preview = client.get(f"/kantor/usaha/{business.id}/pratinjau.pdf")
    assert preview.status_code == 200 and "PRATINJAU" in PdfReader(io.BytesIO(preview.data)).pages[0].extract_text()
    assert db.session.scalar(db.select(db.func.count()).select_from(Permit)) == 0
    assert client.post(f"/kantor/usaha/{business.id}/izin").status_code == 303
    permit = db.session.scalar(db.select(Permit))
    again = client.post(f"/kantor/usaha/{business.id}/izin", follow_redirects=True)
    assert "sudah memiliki izin yang masih berlaku" in again.get_data(as_text=True)
    download = client.get(f"/kantor/izin/{permit.id}/unduh")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data == client.get(f"/kantor/izin/{permit.id}/unduh").data
    assert permit.number in PdfReader(io.BytesIO(download.data)).pages[0].extract_text()
    bad = client.post(f"/kantor/izin/{permit.id}/cabut", data={"reason_code": ""}, follow_redirects=True)
    assert "Pilih alasan pencabutan dari daftar." in bad.get_data(as_text=True)
    # Re-issuing and revoking ask first (without JavaScript: a page naming the consequence).
    asked = client.post(f"/kantor/izin/{permit.id}/terbit-ulang")
    assert asked.status_code == 200 and "tidak berlaku lagi" in asked.get_data(as_text=True)
    db.session.expire_all()
    assert permit.superseded_by_id is None
    client.post(f"/kantor/izin/{permit.id}/terbit-ulang", data={"konfirmasi": "1"})
    db.session.expire_all()
    assert permit.superseded_by_id is not None
    newer = db.session.get(Permit, permit.superseded_by_id)
    revoke = {"reason_code": "usaha_tutup", "note": "Pemilik menutup usaha"}
    asked = client.post(f"/kantor/izin/{newer.id}/cabut", data=revoke)
    assert asked.status_code == 200 and "Pencabutan tidak dapat dibatalkan" in asked.get_data(as_text=True)
    assert "Pemilik menutup usaha" in asked.get_data(as_text=True)  # the reason goes with the confirmation
    db.session.expire_all()
    assert newer.revoke_reason is None
    client.post(f"/kantor/izin/{newer.id}/cabut", data={**revoke, "konfirmasi": "1"})
    db.session.expire_all()
    assert (newer.revoke_reason_code, newer.revoke_reason) == ("usaha_tutup", "Pemilik menutup usaha")
    actions = {e.action for e in db.session.scalars(db.select(AuditEvent).where(AuditEvent.actor_id == officer.id))}
    assert {"permit.issue", "permit.download", "permit.reissue", "permit.revoke"} <= actions


def test_audit_log_is_for_superadmins_and_filterable(client, auth):
    add_business(any_kelurahan())
    auth.login_as("officer", username="petugas1")
    client.post("/kantor/usaha/baru", data=_form(any_kelurahan().id, owner_nik="3171014503850040", name="Usaha Audit"))
    assert client.get("/kantor/audit").status_code == 403
    auth.logout()
    auth.login_as("superadmin")
    page = client.get("/kantor/audit?action=business.register&actor=petugas1").get_data(as_text=True)
    assert "Usaha Audit" in page and "petugas1" in page
    assert "Usaha Audit" not in client.get("/kantor/audit?action=user.login").get_data(as_text=True)


def test_batch_print_builds_one_pdf_with_manifest_in_the_background(client, auth, app):
    import time

    auth.login_as("officer")
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    from tests.permits.helpers import issue

    for index in range(3):
        issue(app, add_business(kelurahan, name=f"Usaha Cetak {index}", nik=f"31710145038500{50 + index}"))
    today = db.session.scalar(db.select(Permit.issued_on).limit(1)).isoformat()
    listing = client.get(f"/kantor/izin/cetak?issued_on={today}&kelurahan_id={kelurahan.id}")
    assert "3 izin dipilih" in listing.get_data(as_text=True)
    started = client.post("/kantor/izin/cetak", data={"issued_on": today, "kelurahan_id": str(kelurahan.id)})
    assert started.status_code == 303
    status_url = started.headers["Location"]
    for _ in range(100):
        page = client.get(status_url).get_data(as_text=True)
        if "Unduh PDF cetak" in page:
            break
        time.sleep(0.1)
    pdf = client.get(status_url + "/unduh")
    assert pdf.status_code == 200
    reader = PdfReader(io.BytesIO(pdf.data))
    assert len(reader.pages) == 4
    manifest = reader.pages[0].extract_text()
    assert "DAFTAR ANTAR" in manifest and "Siti Rahayu" in manifest and "Tanda tangan" in manifest
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "permit_batch.print")) is not None


def test_batch_print_lists_the_permits_of_the_date_and_kelurahan_chosen(client, auth, app):
    """ "Tampilkan izin" sends the typed date and the kelurahan in the query: the list follows them."""
    from datetime import timedelta

    from tests.permits.helpers import issue

    auth.login_as("officer")
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    permit = issue(app, add_business(kelurahan, name="Usaha Tanggal Cetak", nik="3171014503850071"))
    other = db.session.scalar(db.select(Region.id).where(Region.level == "kelurahan", Region.id != kelurahan.id))

    def listed(query: str) -> str:
        response = client.get(f"/kantor/izin/cetak?{query}")
        assert response.status_code == 200
        return response.get_data(as_text=True)

    day = permit.issued_on
    assert "1 izin dipilih" in listed(f"issued_on={day}&kelurahan_id=0")
    assert "0 izin dipilih" in listed(f"issued_on={day - timedelta(days=1)}&kelurahan_id=0")
    assert 'value="' + str(day - timedelta(days=1)) + '"' in listed(f"issued_on={day - timedelta(days=1)}")
    assert "0 izin dipilih" in listed(f"issued_on={day}&kelurahan_id={other}")
    assert "1 izin dipilih" in listed(f"issued_on={day}&kelurahan_id={kelurahan.id}")
    assert "0 izin dipilih" in listed("issued_on=bukan-tanggal")  # a date that is none lists nothing, no 500


def test_batch_progress_is_read_from_the_database_by_any_worker_process(client, auth, app):
    from models.batch import RUNNING, BatchJob

    officer = auth.login_as("officer")
    db.session.add(BatchJob(id="abc123", owner_id=officer.id, state=RUNNING, permit_ids=[], total=500, done=125))
    db.session.commit()
    page = client.get("/kantor/izin/cetak/abc123").get_data(as_text=True)
    assert "125 dari 500 langkah" in page and "Sedang dibuat" in page
    assert client.get("/kantor/izin/cetak/..%2Fsecret").status_code == 404
    other = auth.create("officer", username="lain")
    db.session.add(BatchJob(id="def456", owner_id=other.id, permit_ids=[], total=1))
    db.session.commit()
    assert client.get("/kantor/izin/cetak/def456").status_code == 404
