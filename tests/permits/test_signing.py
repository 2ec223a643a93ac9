"""Signatures honestly attributed: the printed signer is the holder of the signing certificate."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from extensions import db
from models.permit import Permit
from models.signature import SignedDocument
from services import documents
from services.permits import PermitError, permit_pdf
from tests.permits.helpers import add_business, add_official, any_kelurahan, issue
from tests.signing import LocalTSA, make_certificate, write_pkcs12


def _text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


@pytest.mark.both_databases
def test_office_seal_is_printed_as_the_seal_not_as_the_lurahs_signature(app):
    kelurahan = any_kelurahan()
    add_official(kelurahan, name="Drs. Ahmad Fauzi")
    permit = issue(app, add_business(kelurahan))
    text = _text(permit_pdf(permit, app.config))
    assert "Disegel secara elektronik dengan segel elektronik" in text
    assert documents.DEMO_SIGNER_NAME in text
    assert "Pejabat yang menetapkan: Drs. Ahmad Fauzi" in text
    assert "Ditandatangani secara elektronik oleh" not in text
    row = db.session.get(SignedDocument, permit.document_sha256)
    assert row.signer_kind == "demo" and row.signer_name == documents.DEMO_SIGNER_NAME
    assert row.certificate_not_before < row.certificate_not_after
    assert row.holder_name == "Siti Rahayu" and "3171014503850003" not in row.holder_nik_sha256


def test_an_official_with_a_personal_certificate_signs_with_it_and_its_passphrase(app, tmp_path):
    app.config["SIGNING_OFFICIALS_DIR"] = str(tmp_path / "officials")
    kelurahan = any_kelurahan()
    official = add_official(kelurahan, name="Budi Santoso, S.Sos.", nip="197805122005011003")
    ca = make_certificate("Balai Test CA", ca=True)
    personal = make_certificate("Budi Santoso", issuer=ca)
    write_pkcs12(tmp_path / "officials" / f"{official.nip}.p12", personal, "rahasia-budi", chain=[ca])
    business = add_business(kelurahan)

    with pytest.raises(PermitError, match="frasa sandi"):
        issue(app, business)
    with pytest.raises(PermitError, match="salah"):
        issue(app, business, signing_passphrase="bukan-ini")
    assert db.session.scalar(db.select(db.func.count(Permit.id))) == 0

    permit = issue(app, business, signing_passphrase="rahasia-budi")
    data = permit_pdf(permit, app.config)
    text = _text(data)
    assert "Ditandatangani secara elektronik oleh pemegang sertifikat Budi Santoso" in text
    assert "Disegel" not in text
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding

    root = asn1_x509.Certificate.load(ca.cert.public_bytes(Encoding.DER))
    check = documents.check_signature(data, trust_roots=[root])
    assert check.ok and "Budi Santoso" in check.signer
    row = db.session.get(SignedDocument, permit.document_sha256)
    assert row.signer_kind == "personal" and row.signer_name == "Budi Santoso" and row.issuer.endswith("Balai Test CA")


def test_with_a_time_stamping_authority_the_signature_carries_a_timestamp_and_validation_data(app, tmp_path):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    with LocalTSA() as tsa:
        roots = tmp_path / "tsa-roots.pem"
        roots.write_bytes(tsa.root.pem())
        app.config.update(TSA_URL=tsa.url, TSA_TRUST_ROOTS=str(roots))
        permit = issue(app, add_business(kelurahan))
        assert tsa.requests >= 1
    data = permit_pdf(permit, app.config)
    stamped = documents.timestamp_time(data)
    assert stamped is not None
    assert db.session.get(SignedDocument, permit.document_sha256).timestamped_at == stamped
    dss = PdfReader(io.BytesIO(data)).trailer["/Root"]["/DSS"].get_object()
    assert len(dss["/Certs"]) >= 2  # the signer's and the time-stamping authority's chain (B-LT)
    assert documents.check_signature(data, documents.signing_key(app.config, app.instance_path).cert_path).ok


def test_without_a_time_stamping_authority_there_is_no_timestamp(app):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    permit = issue(app, add_business(kelurahan))
    assert documents.timestamp_time(permit_pdf(permit, app.config)) is None


def test_an_unreachable_time_stamping_authority_issues_nothing(app):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    app.config["TSA_URL"] = "http://127.0.0.1:9/tsa"
    with pytest.raises(PermitError, match="tidak dapat ditandatangani"):
        issue(app, add_business(kelurahan))
    assert db.session.scalar(db.select(db.func.count(Permit.id))) == 0


def test_an_officials_certificate_is_registered_only_if_it_opens_and_names_the_official(app, runner, tmp_path):
    app.config["SIGNING_OFFICIALS_DIR"] = str(tmp_path / "officials")
    official = add_official(any_kelurahan(), name="Drs. Budi Santoso, S.Sos.", nip="197805122005011003")
    ca = make_certificate("Balai Test CA", ca=True)
    mine = write_pkcs12(tmp_path / "budi.p12", make_certificate("Budi Santoso", issuer=ca), "rahasia")
    other = write_pkcs12(tmp_path / "ani.p12", make_certificate("Ani Wijaya", issuer=ca), "rahasia")
    target = tmp_path / "officials" / f"{official.nip}.p12"

    wrong = runner.invoke(args=["officials", "certificate", official.nip, str(mine)], input="salah\n")
    assert wrong.exit_code != 0 and not target.exists()
    stranger = runner.invoke(args=["officials", "certificate", official.nip, str(other)], input="rahasia\n")
    assert stranger.exit_code != 0 and "not the official" in stranger.output and not target.exists()
    ok = runner.invoke(args=["officials", "certificate", official.nip, str(mine)], input="rahasia\n")
    assert ok.exit_code == 0 and "now signs with" in ok.output
    assert target.read_bytes() == mine.read_bytes() and oct(target.stat().st_mode)[-3:] == "600"
