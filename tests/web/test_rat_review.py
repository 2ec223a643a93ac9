"""RAT reports under review: reject with a reason (kept, shown to the cooperative), confirmation asked before
rejecting (a page without JavaScript), attendance within the member count, the officers' queue, the minutes."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfWriter
from sqlalchemy import func, select

from extensions import db
from models.audit import AuditEvent
from models.cooperative import RAT_CONFIRMED, RAT_PENDING, RAT_REJECTED, RatReport
from models.user import COOPERATIVE, OFFICER
from services import clock
from tests.coop_factory import add_rat, founders, kecamatan_named, make_cooperative

REASON = "Notulen tidak ditandatangani pimpinan rapat; mohon kirim ulang."


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def last_year() -> int:
    return clock.today().year - 1


def rat_form(**overrides):
    data = {
        "financial_year": str(last_year()),
        "meeting_date": date(last_year() + 1, 1, 15).isoformat(),
        "members_present": "25",
        "shu_rupiah": "Rp 1.000.000",
        "total_assets_rupiah": "50.000.000",
    }
    data.update(overrides)
    return data


@pytest.mark.both_databases
def test_rejecting_needs_a_reason_asks_for_confirmation_and_keeps_the_report(db_kind, app, auth, client):
    cooperative = make_cooperative(founding_date=date(2010, 1, 1))
    report = add_rat(cooperative, last_year(), status=RAT_PENDING)
    report_id = report.id
    auth.login_as(OFFICER)

    # No reason: the officer's error, nothing changes.
    empty = client.post(f"/kantor/koperasi/rat/{report_id}/tolak", data={"reason": "   "})
    assert empty.status_code == 422
    assert "Tulis alasan penolakan; koperasi akan membacanya." in empty.get_data(as_text=True)
    # A reason but not yet confirmed (no JavaScript): the confirmation page names the consequence.
    asked = client.post(f"/kantor/koperasi/rat/{report_id}/tolak", data={"reason": REASON})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "Tolak laporan RAT tahun buku" in page and "Koperasi melihat laporan ini sebagai ditolak" in page
    assert 'name="konfirmasi" value="1"' in page and REASON in page
    db.session.expire_all()
    assert db.session.get(RatReport, report_id).status == RAT_PENDING

    done = client.post(f"/kantor/koperasi/rat/{report_id}/tolak", data={"reason": REASON, "konfirmasi": "1"})
    assert done.status_code == 303
    db.session.expire_all()
    kept = db.session.get(RatReport, report_id)
    assert kept.status == RAT_REJECTED and kept.rejection_reason == REASON and kept.rejected_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cooperative.rat_reject"))
    assert event.after["reason"] == REASON
    # A rejected report does not count: still at risk.
    assert "Berisiko" in client.get(f"/kantor/koperasi/{cooperative.id}").get_data(as_text=True)
    # Rejecting twice is not possible.
    assert (
        client.post(f"/kantor/koperasi/rat/{report_id}/tolak", data={"reason": REASON, "konfirmasi": "1"}).status_code
        == 404
    )

    # The cooperative sees the rejection and the reason in its portal, and may submit the year again.
    client.post("/masuk/keluar")
    auth.login_as(COOPERATIVE, username="koperasi1", cooperative_id=cooperative.id)
    home = client.get("/portal/").get_data(as_text=True)
    assert "Ditolak" in home and REASON in home
    own = client.get(f"/portal/rat/{report_id}").get_data(as_text=True)
    assert REASON in own and "Kirim laporan yang diperbaiki" in own
    again = client.post("/portal/rat", data=rat_form())
    assert again.status_code == 303
    statuses = sorted(db.session.scalars(select(RatReport.status).where(RatReport.cooperative_id == cooperative.id)))
    assert statuses == [RAT_PENDING, RAT_REJECTED]


def test_reason_too_short_or_report_already_confirmed(auth, client):
    cooperative = make_cooperative(founding_date=date(2010, 1, 1))
    pending = add_rat(cooperative, last_year(), status=RAT_PENDING)
    confirmed = add_rat(cooperative, last_year() - 1, status=RAT_CONFIRMED)
    auth.login_as(OFFICER)
    short = client.post(f"/kantor/koperasi/rat/{pending.id}/tolak", data={"reason": "salah", "konfirmasi": "1"})
    assert short.status_code == 422 and "terlalu singkat" in short.get_data(as_text=True)
    assert (
        client.post(
            f"/kantor/koperasi/rat/{confirmed.id}/tolak", data={"reason": REASON, "konfirmasi": "1"}
        ).status_code
        == 404
    )
    db.session.expire_all()
    assert db.session.get(RatReport, pending.id).status == RAT_PENDING


@pytest.mark.both_databases
def test_attendance_cannot_exceed_the_member_count(db_kind, app, auth, client):
    cooperative = make_cooperative(founding_date=date(2010, 1, 1), member_count=27)
    auth.login_as(OFFICER)
    response = client.post(f"/kantor/koperasi/{cooperative.id}/rat", data=rat_form(members_present="9.999"))
    assert response.status_code == 422
    assert "Anggota hadir (9.999) melebihi jumlah anggota koperasi (27)." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(RatReport.id))) == 0
    ok = client.post(f"/kantor/koperasi/{cooperative.id}/rat", data=rat_form(members_present="27"))
    assert ok.status_code == 303
    assert db.session.scalar(select(RatReport.members_present)) == 27


def test_cooperative_cannot_submit_more_attendees_than_members(auth, client):
    cooperative = make_cooperative(founding_date=date(2010, 1, 1), member_count=27)
    auth.login_as(COOPERATIVE, cooperative_id=cooperative.id)
    response = client.post("/portal/rat", data=rat_form(members_present="9999"))
    assert response.status_code == 422 and "melebihi jumlah anggota" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(RatReport.id))) == 0


@pytest.mark.both_databases
def test_queue_lists_pending_reports_in_the_officers_scope_linked_from_the_dashboards(db_kind, app, auth, client):
    mine = make_cooperative(name="Koperasi Penjaringan Jaya", kelurahan="Penjaringan", founding_date=date(2010, 1, 1))
    other = make_cooperative(
        name="Koperasi Pinangsia Makmur",
        kelurahan="Pinangsia",
        founders=founders(9, "317300"),
        founding_date=date(2010, 1, 1),
    )
    add_rat(mine, last_year(), status=RAT_PENDING)
    add_rat(mine, last_year() - 1, status=RAT_CONFIRMED)
    add_rat(other, last_year(), status=RAT_PENDING)
    auth.login_as(OFFICER, kecamatan_id=kecamatan_named("Penjaringan").id)
    assert "1 laporan RAT menunggu konfirmasi" in client.get("/kantor/").get_data(as_text=True)
    assert "1 laporan RAT menunggu konfirmasi" in client.get("/kantor/koperasi/dasbor").get_data(as_text=True)
    queue = client.get("/kantor/koperasi/rat/menunggu").get_data(as_text=True)
    assert "Koperasi Penjaringan Jaya" in queue and "Koperasi Pinangsia Makmur" not in queue
    assert queue.count("Periksa laporan") == 1


def test_minutes_upload_checked_by_content_stored_once_and_downloadable_by_the_right_people(app, auth, client):
    app.config["RAT_MINUTES_MAX_BYTES"] = 50_000
    cooperative = make_cooperative(founding_date=date(2010, 1, 1))
    stranger = make_cooperative(name="Koperasi Lain", founders=founders(9, "317299"))
    auth.create(COOPERATIVE, username="pemilik", cooperative_id=cooperative.id)
    auth.create(COOPERATIVE, username="lain", cooperative_id=stranger.id)
    auth.login("pemilik")
    minutes = pdf_bytes()

    fake = client.post(
        "/portal/rat",
        data={**rat_form(), "minutes": (io.BytesIO(b"%PDF-1.4 not really a pdf"), "notulen.pdf")},
        content_type="multipart/form-data",
    )
    assert fake.status_code == 422 and "bukan PDF yang dapat dibaca" in fake.get_data(as_text=True)
    image = client.post(
        "/portal/rat",
        data={**rat_form(), "minutes": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 100), "notulen.pdf")},
        content_type="multipart/form-data",
    )
    assert image.status_code == 422 and "Notulen harus berkas PDF." in image.get_data(as_text=True)
    big = client.post(
        "/portal/rat",
        data={**rat_form(), "minutes": (io.BytesIO(minutes + b"\0" * 60_000), "notulen.pdf")},
        content_type="multipart/form-data",
    )
    assert big.status_code == 422 and "lebih dari" in big.get_data(as_text=True)
    assert db.session.scalar(select(func.count(RatReport.id))) == 0

    sent = client.post(
        "/portal/rat",
        data={**rat_form(), "minutes": (io.BytesIO(minutes), "notulen.pdf")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303
    report = db.session.scalar(select(RatReport))
    import hashlib

    assert report.minutes_sha256 == hashlib.sha256(minutes).hexdigest() and report.minutes_size == len(minutes)
    own = client.get(f"/portal/rat/{report.id}/notulen.pdf")
    assert own.status_code == 200 and own.data == minutes and "no-store" in own.headers["Cache-Control"]

    client.post("/masuk/keluar")
    auth.login("lain")
    assert client.get(f"/portal/rat/{report.id}/notulen.pdf").status_code == 404
    assert client.get(f"/kantor/koperasi/rat/{report.id}/notulen.pdf").status_code in (403, 404)
    client.post("/masuk/keluar")
    auth.login_as(OFFICER, username="petugas-pinangsia", kecamatan_id=kecamatan_named("Taman Sari").id)
    assert client.get(f"/kantor/koperasi/rat/{report.id}/notulen.pdf").status_code == 404
    client.post("/masuk/keluar")
    auth.login_as(OFFICER, username="petugas-penjaringan", kecamatan_id=kecamatan_named("Penjaringan").id)
    officer = client.get(f"/kantor/koperasi/rat/{report.id}/notulen.pdf")
    assert officer.status_code == 200 and officer.data == minutes
    downloads = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "cooperative.rat_minutes_download")
    )
    assert downloads == 2


def test_officer_attaches_minutes_to_an_existing_report(auth, client):
    cooperative = make_cooperative(founding_date=date(2010, 1, 1))
    report = add_rat(cooperative, last_year(), status=RAT_PENDING)
    auth.login_as(OFFICER)
    page = client.get(f"/kantor/koperasi/rat/{report.id}").get_data(as_text=True)
    assert "Belum dilampirkan" in page
    empty = client.post(f"/kantor/koperasi/rat/{report.id}/notulen", data={}, content_type="multipart/form-data")
    assert empty.status_code == 422 and "Berkas notulen kosong." in empty.get_data(as_text=True)
    done = client.post(
        f"/kantor/koperasi/rat/{report.id}/notulen",
        data={"minutes": (io.BytesIO(pdf_bytes(2)), "n.pdf")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 303
    assert "Unduh notulen (PDF" in client.get(f"/kantor/koperasi/rat/{report.id}").get_data(as_text=True)
