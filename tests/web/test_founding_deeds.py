"""Registry copies of the legal record through the one document pipeline: issue, versions, downloads, verification."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from extensions import db
from models.audit import AuditEvent
from models.user import COOPERATIVE, OFFICER, SUPERADMIN
from services import documents
from services.cooperatives import save_cooperative
from services.deeds import DOCUMENT_KIND, AmendmentInput, DeedError, deed_pdf, issue_deed, record_amendment
from tests.coop_factory import cooperative_input, founders, kecamatan_named, make_cooperative
from tests.unit.test_founding_deed_template import ARTICLES

NAME = "Koperasi Konsumen Akuarium Bangkit Mandiri"


def issue(app, cooperative, actor=None, note=None):
    return issue_deed(
        db.session, cooperative, actor, config=app.config, instance_path=app.instance_path, correction_note=note
    )


def amend(app, cooperative, number="7", changes="Nama koperasi"):
    data = AmendmentInput(
        number, date(2024, 2, 1), "Notaris Baru, S.H.", "persetujuan", "AHU-0001.AH.01.27", None, changes
    )
    return record_amendment(db.session, cooperative, None, data, config=app.config)


def edit(cooperative, **changes):
    """Save the cooperative again through the back office's service, with some fields changed."""
    values = dict(name=cooperative.name, founders=founders(len(cooperative.founders)))
    values.update(changes)
    return save_cooperative(db.session, None, cooperative_input(**values), cooperative)


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.both_databases
def test_issued_deed_is_signed_multi_page_and_holds_the_record(app):
    cooperative = make_cooperative(name=NAME, founders=founders(32), kampung_names=["Kampung Akuarium"])
    deed = issue(app, cooperative)
    pdf = deed_pdf(deed, app.config)
    assert documents.sha256(pdf) == deed.document_sha256 and len(pdf) == deed.document_size
    pages = pages_of(pdf)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Halaman {number} dari {len(pages)}" in page
    founder_pages = [page for page in pages if "317201000000" in page]  # founders' NIKs: only in the table
    assert len(founder_pages) >= 2 and all("Nomor KTP" in page for page in founder_pages)
    text = "\n".join(pages)
    assert NAME.upper() in text and "3172010000000032" in text and deed.number in text
    flat = re.sub(r"\s+", " ", text)
    positions = [flat.index(title) for title in ARTICLES]
    assert positions == sorted(positions)
    assert "DOKUMEN DEMO" in text  # no office key configured in tests

    key = documents.signing_key(app.config, app.instance_path)
    check = documents.check_signature(pdf, key.cert_path)
    assert check.ok and "DEMO" in check.signer and deed.demo_signature
    assert b"Default RGB" in pdf
    tampered = documents.check_signature(pdf.replace(b"Default RGB", b"Default RGC", 1), key.cert_path)
    assert tampered.signed and not tampered.intact and not tampered.ok


@pytest.mark.both_databases
def test_editing_then_issuing_again_makes_a_new_version_and_the_old_one_verifies_as_superseded(app, client):
    cooperative = make_cooperative(name=NAME)
    first = issue(app, cooperative)
    with pytest.raises(DeedError, match="sudah sesuai"):
        issue(app, cooperative)  # nothing changed: no pointless second version
    edit(cooperative, name=NAME + " Jaya")
    with pytest.raises(DeedError, match="memerlukan akta perubahan"):
        issue(app, cooperative, note="salah ketik")  # a new name is a change of the articles
    amend(app, cooperative, changes="Nama koperasi menjadi " + NAME + " Jaya")
    second = issue(app, cooperative)
    assert (first.version, second.version) == (1, 2) and first.superseded_by_id == second.id
    second_text = "\n".join(pages_of(deed_pdf(second, app.config)))
    assert "Versi 2 · diterbitkan" in second_text and (NAME + " Jaya").upper() in second_text
    assert "Versi 2" not in "\n".join(pages_of(deed_pdf(first, app.config)))

    old = client.get(f"/verify/{first.verification_token}").get_data(as_text=True)
    assert "DIGANTIKAN" in old and second.number in old and DOCUMENT_KIND in old
    assert NAME in old and NAME + " Jaya" not in old  # the name as printed on that version
    assert f"/verify/{second.verification_token}" in old
    new = client.get(f"/verify/{second.verification_token}").get_data(as_text=True)
    assert "BERLAKU" in new and NAME + " Jaya" in new and "Penjaringan" in new and second.document_sha256 in new


@pytest.mark.both_databases
def test_verification_finds_deeds_by_number_file_and_api_and_shows_nothing_personal(app, client):
    cooperative = make_cooperative(name=NAME)
    deed = issue(app, cooperative)
    found = client.get("/verify/", query_string={"nomor": " " + deed.number.lower() + " "})
    assert found.status_code == 303 and found.headers["Location"].endswith(f"/verify/{deed.verification_token}")

    pdf = deed_pdf(deed, app.config)
    upload = client.post("/verify/berkas", data={"berkas": (io.BytesIO(pdf), "akta.pdf")})
    html = upload.get_data(as_text=True)
    assert upload.status_code == 200 and "Asli, utuh." in html and NAME in html
    changed = client.post("/verify/berkas", data={"berkas": (io.BytesIO(pdf + b"\n%x"), "akta.pdf")})
    assert changed.status_code == 200 and "Asli; ada perubahan setelah ditandatangani." in changed.get_data(
        as_text=True
    )

    api = client.get(f"/api/v1/verify/{deed.verification_token}")
    data = api.get_json()
    assert api.status_code == 200 and data["status"] == "valid" and data["document_kind"] == DOCUMENT_KIND
    assert (
        data["cooperative_name"] == NAME
        and data["kelurahan"] == "Penjaringan"
        and data["sha256"] == deed.document_sha256
    )
    page = client.get(f"/verify/{deed.verification_token}").get_data(as_text=True)
    for founder in cooperative.founders:
        for secret in (founder.nik, founder.full_name, founder.address):
            assert secret not in page and secret not in api.get_data(as_text=True)


def _download_events(deed_id: int) -> list[AuditEvent]:
    query = select(AuditEvent).where(
        AuditEvent.action == "deed.download",
        AuditEvent.object_type == "founding_deed",
        AuditEvent.object_id == str(deed_id),
    )
    return list(db.session.scalars(query))


@pytest.mark.both_databases
def test_officer_previews_issues_and_downloads_every_version_each_download_audited(app, client, auth):
    officer = auth.login_as(OFFICER, kecamatan_id=kecamatan_named("Penjaringan").id)
    cooperative = make_cooperative(name=NAME)
    detail = client.get(f"/kantor/koperasi/{cooperative.id}").get_data(as_text=True)
    assert "Pratinjau salinan" in detail and "Terbitkan salinan register" in detail

    preview = client.get(f"/kantor/koperasi/{cooperative.id}/akta/pratinjau.pdf")
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    assert "PRATINJAU" in pages_of(preview.data)[0]
    assert cooperative.deeds == [] and b"/ByteRange" not in preview.data  # unsigned, nothing stored

    issued = client.post(f"/kantor/koperasi/{cooperative.id}/akta", follow_redirects=True)
    assert issued.status_code == 200 and "Salinan register versi 1 diterbitkan" in issued.get_data(as_text=True)
    edit(cooperative, member_count=55)
    refused = client.post(f"/kantor/koperasi/{cooperative.id}/akta", follow_redirects=True)
    assert "Tuliskan kesalahan tulis yang diperbaiki" in refused.get_data(as_text=True)
    client.post(f"/kantor/koperasi/{cooperative.id}/akta", data={"correction_note": "jumlah anggota salah ketik"})
    db.session.expire_all()
    second, first = cooperative.deeds
    page = client.get(f"/kantor/koperasi/{cooperative.id}").get_data(as_text=True)
    assert "Unduh PDF versi 1" in page and "Unduh PDF versi 2" in page and "sudah sesuai" in page
    assert "jumlah anggota salah ketik" in " ".join(" ".join(pages_of(deed_pdf(second, app.config))).split())

    for deed in (first, second):
        response = client.get(f"/kantor/koperasi/akta/{deed.id}/unduh")
        assert response.status_code == 200 and response.data == deed_pdf(deed, app.config)
        assert "attachment" in response.headers["Content-Disposition"]
        assert "no-store" in response.headers["Cache-Control"]
        events = _download_events(deed.id)
        assert len(events) == 1 and events[0].actor_id == officer.id
    head = client.head(f"/kantor/koperasi/akta/{first.id}/unduh")
    assert head.status_code == 200 and head.data == b"" and int(head.headers["Content-Length"]) == first.document_size


@pytest.mark.both_databases
def test_cooperative_account_downloads_its_own_versions_and_gets_404_for_another(app, client, auth):
    own = make_cooperative(name=NAME)
    other = make_cooperative(name="Koperasi Kumir", kelurahan="Pinangsia", founders=founders(9, "317300"))
    first = issue(app, own)
    edit(own, member_count=77)
    second = issue(app, own, note="jumlah anggota")
    others = issue(app, other)
    user = auth.login_as(COOPERATIVE, cooperative_id=own.id)

    deeds_page = client.get("/portal/akta").get_data(as_text=True)
    assert f"/portal/akta/{first.id}/unduh" in deeds_page and f"/portal/akta/{second.id}/unduh" in deeds_page
    for deed in (first, second):
        response = client.get(f"/portal/akta/{deed.id}/unduh")
        assert response.status_code == 200 and response.data == deed_pdf(deed, app.config)
        assert [event.actor_id for event in _download_events(deed.id)] == [user.id]
    missing = client.get(f"/portal/akta/{others.id}/unduh")
    assert missing.status_code == 404 and b"%PDF" not in missing.data and "Kumir" not in missing.get_data(as_text=True)
    assert _download_events(others.id) == []
    assert client.get("/portal/akta/999999/unduh").status_code == 404


def test_a_deed_recorded_without_a_stored_document_is_not_served(app, client, auth):
    from services.deeds import new_deed_version

    auth.login_as(SUPERADMIN)
    cooperative = make_cooperative()
    deed = new_deed_version(db.session, None, cooperative)
    db.session.commit()
    assert client.get(f"/kantor/koperasi/akta/{deed.id}/unduh").status_code == 404


def test_deeds_use_the_document_store_when_configured(app, tmp_path):
    app.config["DOCUMENT_STORE"] = str(tmp_path / "docs")
    deed = issue(app, make_cooperative())
    assert deed.document_pdf is None and deed.document_path
    assert documents.sha256(deed_pdf(deed, app.config)) == deed.document_sha256
