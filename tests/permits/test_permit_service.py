"""Issuing, numbering, refusing, revoking and reissuing permits; the certificate they produce."""

from __future__ import annotations

import io
import threading
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from extensions import db
from models.audit import AuditEvent
from models.permit import EXPIRED, REVOKED, SUPERSEDED, VALID, Permit
from services import clock, documents
from services.permits import (
    PermitError,
    find_by_number,
    permit_pdf,
    reissue_permit,
    revoke_permit,
)
from tests.permits.helpers import add_business, add_official, any_kelurahan, issue


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.both_databases
def test_parallel_issuing_gives_numbers_1_to_n_without_gaps(app):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    business_ids = [
        add_business(kelurahan, name=f"Usaha Paralel {i}", nik=f"31710145038500{i:02d}").id for i in range(8)
    ]
    errors = []
    barrier = threading.Barrier(4)

    def worker(ids):
        from models.business import Business

        with app.app_context():
            barrier.wait()
            for business_id in ids:
                try:
                    issue(app, db.session.get(Business, business_id))
                except Exception as exc:  # pragma: no cover - reported below
                    errors.append(repr(exc))
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(business_ids[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    permits = db.session.scalars(db.select(Permit)).all()
    assert sorted(p.seq for p in permits) == list(range(1, 9))
    assert len({p.number for p in permits}) == 8
    assert len({p.token for p in permits}) == 8


def test_number_follows_configured_pattern_with_the_kemendagri_code(app):
    app.config["PERMIT_NUMBER_PATTERN"] = "503/{seq:04d}/{kelurahan_code}/{year}"
    kelurahan = any_kelurahan("Gambir")
    assert kelurahan.kemendagri_code == "31.71.01.1001"
    add_official(kelurahan)
    permit = issue(app, add_business(kelurahan))
    assert permit.number == f"503/0001/31.71.01.1001/{clock.today().year}"
    assert permit.valid_until.year == permit.issued_on.year + 5


@pytest.mark.both_databases
def test_certificate_holds_every_field_on_one_page_and_says_demo(app):
    kelurahan = any_kelurahan()
    add_official(kelurahan, name="Drs. Ahmad Fauzi", nip="196912311990031005")
    business = add_business(kelurahan, name="Warung Makan Bu Siti", npwp="09.254.294.3-407.000", nib="1234567890123")
    permit = issue(app, business)
    data = permit_pdf(permit, app.config)
    text = _pdf_text(data)
    for expected in (
        "SURAT IZIN USAHA MIKRO DAN KECIL",
        permit.number,
        "PEMERINTAH PROVINSI DAERAH KHUSUS IBUKOTA JAKARTA",
        "Peraturan Pemerintah Nomor 7 Tahun 2021",
        "Skala usaha",
        "Usaha Mikro",
        "NIB",
        "Siti Rahayu",
        "3171014503850003",
        "+6281234567890",
        "Warung Makan Bu Siti",
        "Perseorangan",
        "09.254.294.3-407.000",
        "Milik sendiri",
        "Rp25.000.000",
        "1234567890123",
        "56102",
        "tidak dapat dipindahtangankan",
        "Drs. Ahmad Fauzi",
        "196912311990031005",
        "a.n. Gubernur",
        "DOKUMEN DEMO",
    ):
        assert expected in text, expected
    assert f"/verify/{permit.token}" in text.replace("\n", "")
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    assert data.startswith(b"%PDF-")
    xmp = PdfReader(io.BytesIO(data)).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="B"' in xmp  # PDF/A-3b


def test_header_strings_come_from_configuration(app):
    app.config["CERT_HEADER_GOVERNMENT"] = "PEMERINTAH PROVINSI DAERAH KHUSUS JAKARTA"
    app.config["CERT_HEADER_AGENCY"] = "UNIT PELAYANAN PTSP KELURAHAN"
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    text = _pdf_text(permit_pdf(issue(app, add_business(kelurahan)), app.config))
    assert "PEMERINTAH PROVINSI DAERAH KHUSUS JAKARTA" in text
    assert "IBUKOTA" not in text
    assert "UNIT PELAYANAN PTSP KELURAHAN" in text


@pytest.mark.both_databases
def test_long_name_and_address_still_fit_on_one_page(app):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    name = ("Usaha Dagang Sumber Rejeki Makmur Sejahtera Abadi " * 4)[:150]
    address = "Jalan " + "Raya Pelabuhan Baru Gang Kelinci Ujung " * 6 + "RT 015/RW 012"
    permit = issue(app, add_business(kelurahan, name=name, address=address))
    data = permit_pdf(permit, app.config)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    assert name[:40] in _pdf_text(data)


def test_signing_official_is_the_one_in_office_on_the_issue_date(app):
    kelurahan = any_kelurahan()
    add_official(
        kelurahan, name="Pejabat Lama", valid_from=date(2015, 1, 1), valid_to=clock.today() - timedelta(days=1)
    )
    add_official(kelurahan, name="Pejabat Sekarang", valid_from=clock.today() - timedelta(days=1))
    add_official(kelurahan, name="Pejabat Nanti", valid_from=clock.today() + timedelta(days=30))
    permit = issue(app, add_business(kelurahan))
    text = _pdf_text(permit_pdf(permit, app.config))
    assert "Pejabat Sekarang" in text
    assert "Pejabat Lama" not in text and "Pejabat Nanti" not in text


def test_without_an_official_in_office_issuing_is_refused(app):
    kelurahan = any_kelurahan()
    business = add_business(kelurahan)
    with pytest.raises(PermitError, match="pejabat"):
        issue(app, business)
    assert db.session.scalar(db.select(db.func.count()).select_from(Permit)) == 0


@pytest.mark.both_databases
def test_closed_business_and_second_valid_permit_are_refused(app):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    closed = add_business(kelurahan, name="Usaha Tutup", status="closed")
    with pytest.raises(PermitError, match="tutup"):
        issue(app, closed)
    business = add_business(kelurahan, nik="3171014503850009")
    first = issue(app, business)
    with pytest.raises(PermitError, match=first.number.replace("/", "\\/")):
        issue(app, business)
    # The refused attempt consumed no number: the next permit is number 2.
    other = issue(app, add_business(kelurahan, name="Usaha Lain", nik="3171014503850010"))
    assert other.seq == 2


def test_status_is_derived_expired_without_a_job(app):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    permit = issue(app, add_business(kelurahan))
    assert permit.status_on(clock.today()) == VALID
    assert permit.status_on(permit.valid_until + timedelta(days=1)) == EXPIRED


def test_revoke_keeps_reason_and_reissue_supersedes(app, auth):
    officer = auth.create("officer")
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    business = add_business(kelurahan)
    first = issue(app, business, officer)
    with pytest.raises(PermitError):
        revoke_permit(db.session, first, officer, "alasan karangan", config=app.config)
    business.name = "Warung Makan Bu Siti Rahayu"
    db.session.commit()
    second = reissue_permit(
        db.session,
        first,
        officer,
        config=app.config,
        municipality=app.extensions["municipality"],
        instance_path=app.instance_path,
    )
    db.session.refresh(first)
    assert first.status_on(clock.today()) == SUPERSEDED
    assert first.superseded_by.number == second.number
    assert "menggantikan izin Nomor " + first.number in _pdf_text(permit_pdf(second, app.config)).replace("\n", " ")
    revoke_permit(db.session, second, officer, "pindah_wilayah", note="Usaha pindah ke kota lain", config=app.config)
    assert second.status_on(clock.today()) == REVOKED
    assert (second.revoke_reason_code, second.revoke_reason) == ("pindah_wilayah", "Usaha pindah ke kota lain")
    actions = [e.action for e in db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id))]
    assert actions.count("permit.issue") == 2 and "permit.reissue" in actions and "permit.revoke" in actions
    assert find_by_number(db.session, second.number.lower()).id == second.id


@pytest.mark.both_databases
def test_signature_validates_and_a_tampered_copy_is_detected(app, tmp_path):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    permit = issue(app, add_business(kelurahan))
    data = permit_pdf(permit, app.config)
    cert = documents.signing_key(app.config, app.instance_path).cert_path
    check = documents.check_signature(data, cert)
    assert check.ok, check
    assert "DEMO" in check.signer
    # Change one byte inside the signed range (an uncompressed string), keeping the structure.
    assert b"Default RGB" in data
    tampered = data.replace(b"Default RGB", b"Default RGC", 1)
    check = documents.check_signature(tampered, cert)
    assert check.signed and not check.intact and not check.ok
    # Signed by someone else's key: intact but not trusted.
    other = documents.ensure_demo_key(tmp_path / "other")[1]
    assert not documents.check_signature(data, other).ok


def test_downloads_return_the_same_bytes_from_a_shared_document_store(app, tmp_path):
    app.config["DOCUMENT_STORE"] = str(tmp_path / "docs")
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    permit = issue(app, add_business(kelurahan))
    assert permit.document_pdf is None and permit.document_path
    first = permit_pdf(permit, app.config)
    assert documents.sha256(first) == permit.document_sha256
    assert permit_pdf(permit, app.config) == first
    (tmp_path / "docs" / permit.document_path).write_bytes(first[:-10])
    with pytest.raises(documents.DocumentError):
        permit_pdf(permit, app.config)


def test_demo_seed_creates_officials_and_issues_permits(runner, app):
    result = runner.invoke(args=["demo", "seed", "--businesses", "12", "--cooperatives", "0", "--permits", "3"])
    assert result.exit_code == 0, result.output
    assert "Issued 3 demo IUMK permits." in result.output
    permits = db.session.scalars(db.select(Permit)).all()
    assert [p.seq for p in sorted(permits, key=lambda p: p.seq)] == [1, 2, 3]
    assert all(p.document_sha256 and p.official_id for p in permits)
