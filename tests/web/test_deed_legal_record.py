"""The cooperative's legal record and the Dinas' registry copy: honest about what it is and what changed."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from extensions import db
from models.audit import AuditEvent
from models.cooperative import DeedAmendment, NotarialCopy
from models.user import COOPERATIVE, OFFICER
from services import clock, deeds
from services.deeds import AmendmentInput, DeedError, deed_pdf, issue_deed, record_amendment
from tests.coop_factory import founders, kecamatan_named, make_cooperative
from tests.pdfa import assert_pdfa_3b

NAME = "Koperasi Konsumen Akuarium Bangkit Mandiri"


def issue(app, cooperative, note=None):
    return issue_deed(
        db.session, cooperative, None, config=app.config, instance_path=app.instance_path, correction_note=note
    )


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def amendment(number="15", deed_date=date(2023, 8, 17), changes="Bidang usaha ditambah simpan pinjam", **fields):
    values = dict(
        number=number,
        deed_date=deed_date,
        notary_name="Rina Marlina, S.H., M.Kn.",
        ministry_act="persetujuan",
        ministry_number="AHU-0004321.AH.01.27.TAHUN 2023",
        ministry_date=deed_date + timedelta(days=10) if deed_date else None,
        changes=changes,
    )
    values.update(fields)
    return AmendmentInput(**values)


@pytest.mark.both_databases
def test_an_amendment_leaves_the_founding_deed_untouched_and_appears_on_the_registry_copy(app, client):
    cooperative = make_cooperative(name=NAME)
    first = issue(app, cooperative)
    record_amendment(db.session, cooperative, None, amendment(), config=app.config)
    db.session.expire_all()
    assert (cooperative.deed_number, cooperative.deed_date) == ("12", date(2020, 5, 4))  # the founding deed

    second = issue(app, cooperative)
    assert second.occasion == "amendment" and first.superseded_by_id == second.id
    text = text_of(deed_pdf(second, app.config))
    assert "Nomor 12, tanggal 4 Mei 2020" in text  # founding deed: number and date as they always were
    assert "D. Akta Perubahan Anggaran Dasar" in text
    assert "Nomor 15, tanggal 17 Agustus 2023" in text and "Rina Marlina, S.H., M.Kn." in text
    assert "Persetujuan Nomor AHU-0004321" in text and "27 Agustus 2023" in text  # the ministry's approval
    assert "Bidang usaha ditambah simpan pinjam" in text
    assert "Tidak ada akta perubahan" in text_of(deed_pdf(first, app.config))
    assert "DIGANTIKAN" in client.get(f"/verify/{first.verification_token}").get_data(as_text=True)


def test_the_registry_copy_speaks_in_the_dinas_voice_and_holds_the_whole_record(app):
    cooperative = make_cooperative(name=NAME, founders=founders(11), member_count=240)
    cooperative.nib = "9120301234567"
    cooperative.nomor_induk_koperasi = "3171010020001"
    cooperative.legal_entity_ministry = "Kementerian Hukum dan Hak Asasi Manusia"
    db.session.commit()
    pdf = deed_pdf(issue(app, cooperative), app.config)
    text = text_of(pdf)
    assert "SALINAN REGISTER BADAN HUKUM KOPERASI" in text and "tercatat di Dinas" in text
    assert "menghadap kepada saya" not in text and "AKTA PENDIRIAN KOPERASI" not in text
    assert "bukan akta notaris" in text
    assert "1. Saksi Pertama, S.H." in text and "2. Saksi Kedua" in text
    assert "9120301234567" in text and "3171010020001" in text
    assert "Kementerian Hukum dan Hak Asasi Manusia" in text
    assert "pada saat pendirian berjumlah 11 orang" in text and "240" not in text  # founding count, not today's
    assert "Pengurus pertama, dipilih dari dan oleh para pendiri" in text and "Ketua: Pendiri Nomor 1" in text
    assert "diwakili oleh" not in text  # no founder signs for everyone: the office seals its copy
    assert "Disegel secara elektronik dengan segel elektronik" in text
    assert_pdfa_3b(pdf)


def test_a_board_member_who_is_not_a_founder_is_refused(app):
    from services.cooperatives import OfficialInput, save_cooperative
    from tests.coop_factory import cooperative_input

    cooperative = make_cooperative(name=NAME)
    data = cooperative_input(name=NAME, board=[OfficialInput("Orang Luar", "Ketua")])
    save_cooperative(db.session, None, data, cooperative)
    with pytest.raises(DeedError, match="bukan pendiri: Orang Luar"):
        issue(app, cooperative)
    assert cooperative.deeds == []


def test_an_incomplete_legal_record_gets_no_copy(app):
    cooperative = make_cooperative(name=NAME, witnesses=None)
    with pytest.raises(DeedError, match="saksi pertama, saksi kedua"):
        issue(app, cooperative)
    assert cooperative.deeds == []


@pytest.mark.both_databases
def test_a_typo_correction_is_a_marked_new_version_and_a_change_of_articles_needs_an_amendment(app):
    from services.cooperatives import save_cooperative
    from tests.coop_factory import cooperative_input

    cooperative = make_cooperative(name=NAME)
    first = issue(app, cooperative)
    fixed = founders(9)
    fixed[3].full_name = "Pendiri Nomor Empat"
    save_cooperative(db.session, None, cooperative_input(name=NAME, founders=fixed), cooperative)
    with pytest.raises(DeedError, match="Tuliskan kesalahan tulis"):
        issue(app, cooperative)
    second = issue(app, cooperative, note="nama pendiri nomor 4")
    assert second.occasion == "correction" and second.correction_note == "nama pendiri nomor 4"
    text = text_of(deed_pdf(second, app.config))
    assert "PERBAIKAN SALINAN" in text and "nama pendiri nomor 4" in text and "Pendiri Nomor Empat" in text
    assert f"menggantikan versi 1 ({first.number})" in text

    save_cooperative(db.session, None, cooperative_input(name=NAME, founders=fixed, purpose="Tujuan lain"), cooperative)
    with pytest.raises(DeedError, match=r"\(maksud dan tujuan\) memerlukan akta perubahan"):
        issue(app, cooperative, note="salah ketik")
    assert len(cooperative.deeds) == 2


@pytest.mark.both_databases
def test_a_dissolved_cooperative_documents_verify_as_dissolved(app, client):
    cooperative = make_cooperative(name=NAME)
    first = issue(app, cooperative)
    record_amendment(db.session, cooperative, None, amendment(), config=app.config)
    second = issue(app, cooperative)
    with pytest.raises(DeedError, match="masa depan"):
        deeds.dissolve(db.session, cooperative, None, decree="Keputusan RAT", dissolved_on=clock.today() + timedelta(1))
    assert cooperative.dissolved_on is None
    deeds.dissolve(
        db.session, cooperative, None, decree="Keputusan Rapat Anggota Nomor 3/2026", dissolved_on=date(2026, 3, 1)
    )
    for deed in (first, second):
        page = client.get(f"/verify/{deed.verification_token}").get_data(as_text=True)
        assert "KOPERASI BUBAR" in page and "1 Maret 2026" in page and "Keputusan Rapat Anggota Nomor 3/2026" in page
        assert "BERLAKU" not in page
    assert client.get(f"/api/v1/verify/{second.verification_token}").get_json()["status"] == "dissolved"
    with pytest.raises(DeedError, match="sudah dibubarkan"):
        record_amendment(db.session, cooperative, None, amendment(number="16"), config=app.config)
    final = issue(app, cooperative)
    assert final.occasion == "dissolution"
    assert "KOPERASI INI TELAH DIBUBARKAN pada 1 Maret 2026" in text_of(deed_pdf(final, app.config))


def test_bad_amendments_are_refused_and_change_nothing(app):
    cooperative = make_cooperative(name=NAME)
    for bad, message in (
        (amendment(number=" "), "Nomor akta perubahan wajib diisi"),
        (amendment(deed_date=clock.today() + timedelta(days=1)), "masa depan"),
        (amendment(deed_date=date(2019, 1, 1)), "lebih awal dari akta pendirian"),
        (amendment(ministry_act="lainnya"), "persetujuan atau pemberitahuan"),
        (amendment(number="12", deed_date=date(2020, 5, 4)), "bukan akta perubahan"),
        (amendment(changes=""), "Yang diubah wajib diisi"),
    ):
        with pytest.raises(DeedError, match=message):
            record_amendment(db.session, cooperative, None, bad, config=app.config)
    assert db.session.scalar(select(func.count(DeedAmendment.id))) == 0
    with pytest.raises(DeedError, match="PDF"):
        record_amendment(db.session, cooperative, None, amendment(), config=app.config, notary_pdf=b"GIF89a")
    assert db.session.scalar(select(func.count(DeedAmendment.id))) == 0


@pytest.mark.both_databases
def test_the_notarys_pdf_is_stored_once_and_the_cooperative_downloads_it_beside_the_copy(app, client, auth):
    cooperative = make_cooperative(name=NAME)
    notary_pdf = b"%PDF-1.7\n% akta pendirian dari notaris, bertanda tangan notaris\n%%EOF\n"
    first = deeds.attach_founding_deed_pdf(db.session, cooperative, None, notary_pdf, config=app.config)
    record_amendment(db.session, cooperative, None, amendment(), config=app.config, notary_pdf=notary_pdf)
    assert db.session.scalar(select(func.count(NotarialCopy.id))) == 1  # same bytes, one stored copy
    assert first.sha256 == deeds.documents.sha256(notary_pdf)
    copy = issue(app, cooperative)
    user = auth.login_as(COOPERATIVE, cooperative_id=cooperative.id)
    page = client.get("/portal/akta").get_data(as_text=True)
    assert f"/portal/akta/{copy.id}/unduh" in page and f"/portal/akta-notaris/{first.id}/unduh" in page
    download = client.get(f"/portal/akta-notaris/{first.id}/unduh")
    assert download.status_code == 200 and download.data == notary_pdf
    assert "no-store" in download.headers["Cache-Control"]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "notarial_copy")).all()
    assert [e.actor_id for e in events] == [user.id]


def test_officer_records_witnesses_amendment_and_notary_pdf_through_the_back_office(app, client, auth):
    auth.login_as(OFFICER, kecamatan_id=kecamatan_named("Penjaringan").id)
    cooperative = make_cooperative(name=NAME, witnesses=None)
    url = f"/kantor/koperasi/{cooperative.id}/hukum"
    same = client.post(url + "/pendirian", data={"witness_1": "Ani", "witness_2": " ani "}, follow_redirects=True)
    assert "dua orang yang berbeda" in same.get_data(as_text=True) and cooperative.founding_witness_1 is None
    saved = client.post(url + "/pendirian", data={"witness_1": "Ani Suryani", "witness_2": "Budi Hartono"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith("#hukum")
    db.session.expire_all()
    assert (cooperative.founding_witness_1, cooperative.founding_witness_2) == ("Ani Suryani", "Budi Hartono")
    form = {
        "number": "15",
        "deed_date": "2023-08-17",
        "notary_name": "Rina Marlina, S.H., M.Kn.",
        "ministry_act": "pemberitahuan",
        "ministry_number": "AHU-AH.01.10-0012345",
        "changes": "Alamat kedudukan",
        "berkas": (io.BytesIO(b"%PDF-1.7\n%notaris\n"), "akta-perubahan.pdf"),
    }
    recorded = client.post(url + "/perubahan", data=form, follow_redirects=True)
    assert "Akta perubahan nomor 15 dicatat" in recorded.get_data(as_text=True)
    bad_date = client.post(url + "/perubahan", data={**form, "berkas": (io.BytesIO(b""), ""), "deed_date": "17/08"})
    assert bad_date.status_code == 303
    db.session.expire_all()
    assert len(cooperative.amendments) == 1 and cooperative.amendments[0].notary_copy_id is not None
    detail = client.get(f"/kantor/koperasi/{cooperative.id}").get_data(as_text=True)
    assert "Alamat kedudukan" in detail and "Unduh PDF notaris" in detail
