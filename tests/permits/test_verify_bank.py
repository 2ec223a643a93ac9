"""Verification a bank can use: masked holder, NIK yes/no, dates as printed, signer, time of the check, API."""

from __future__ import annotations

import io

import pytest
from openapi_schema_validator import OAS31Validator, validate
from openapi_spec_validator import validate as validate_spec

from extensions import db
from models.audit import AuditEvent
from services import documents, labels, verification
from services.permits import CERTIFICATE_TEMPLATE, certificate_context, permit_pdf
from tests.permits.helpers import add_business, add_official, any_kelurahan, issue

OWNER_NIK = "3171014503850003"
OTHER_NIK = "3171016607900011"


@pytest.fixture
def permit(app):
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    return issue(app, add_business(kelurahan, name="Warung Makan Bu Siti", nik=OWNER_NIK))


def test_names_are_masked_letter_by_letter():
    assert labels.mask_name("Cahyono Susilo") == "C****** S*****"
    assert labels.mask_name("  Siti   Rahayu ") == "S*** R*****"
    assert labels.mask_name(None) == ""


@pytest.mark.both_databases
def test_page_shows_masked_holder_printed_dates_signer_and_time_of_check(app, client, permit):
    html = client.get(f"/verify/{permit.token}").get_data(as_text=True)
    assert "S*** R*****" in html and "Siti Rahayu" not in html and OWNER_NIK not in html
    assert verification.printed(permit.issued_on) in html and verification.printed(permit.valid_until) in html
    assert permit.issued_on.isoformat() not in html  # dates as printed on the certificate, not ISO
    assert documents.DEMO_SIGNER_NAME in html and "Masa berlaku sertifikat penanda tangan" in html
    assert "Waktu pemeriksaan" in html and "WIB" in html
    later = client.get(f"/verify/{permit.token}").get_data(as_text=True)
    assert "Waktu pemeriksaan" in later and documents.DEMO_SIGNER_NAME in later  # the memoised page too


@pytest.mark.both_databases
def test_holder_check_answers_only_cocok_or_tidak_cocok_and_is_audited(client, permit):
    right = client.post(f"/verify/{permit.token}/pemegang", data={"nik": OWNER_NIK})
    assert right.status_code == 200 and "<strong>cocok</strong>" in right.get_data(as_text=True)
    wrong = client.post(f"/verify/{permit.token}/pemegang", data={"nik": OTHER_NIK})
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 200 and "<strong>tidak cocok</strong>" in body and OWNER_NIK not in body
    malformed = client.post(f"/verify/{permit.token}/pemegang", data={"nik": "3171-abc"})
    assert malformed.status_code == 422 and "16 angka" in malformed.get_data(as_text=True)
    events = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "permit.holder_check")).all()
    assert [e.summary.rsplit(": ", 1)[1] for e in events] == ["cocok", "tidak cocok"]
    assert all(OWNER_NIK not in (e.summary or "") and OTHER_NIK not in str(e.after) for e in events)


def test_holder_check_is_rate_limited(app_config):
    from app import create_app
    from tests.support import CsrfClient

    app_config["HOLDER_CHECK_RATE_LIMIT"] = "2 per minute"
    limited = create_app(app_config)
    limited.test_client_class = CsrfClient
    client = limited.test_client()
    codes = [client.post("/verify/tidak-ada/pemegang", data={"nik": OTHER_NIK}).status_code for _ in range(3)]
    assert codes == [404, 404, 429]


@pytest.mark.both_databases
def test_a_certificate_with_the_owners_name_swapped_fails_the_holder_check(app, client, permit, tmp_path):
    """A forger re-renders the certificate with another person's name and NIK, keeps the QR, signs it himself."""
    business = permit.business
    context = certificate_context(
        db.session,
        business,
        config=app.config,
        municipality=app.extensions["municipality"],
        number=permit.number,
        token=permit.token,
        issued_on=permit.issued_on,
        valid_until=permit.valid_until,
        official=permit.official,
        demo=False,
    )
    context.update(holder_name="Budi Hartono", holder_nik=OTHER_NIK)
    forger_key = documents.signing_key({"SIGNING_DEMO_DIR": str(tmp_path / "forger")}, str(tmp_path))
    forged = documents.sign_pdf(
        documents.html_to_pdf(documents.render_html(CERTIFICATE_TEMPLATE, **context), title="x"),
        forger_key,
        reason=f"Izin Usaha Mikro dan Kecil {permit.number}",
        location="Jakarta",
    )
    assert documents.check_signature(forged, forger_key.cert_path).ok  # a well-formed, validly signed forgery

    # The QR still leads to a valid permit, but the holder it names is not the one on the paper ...
    page = client.get(f"/verify/{permit.token}").get_data(as_text=True)
    assert "BERLAKU" in page and labels.mask_name("Budi Hartono") not in page and "S*** R*****" in page
    # ... the NIK on the KTP of the man presenting it does not match ...
    answer = client.post(f"/verify/{permit.token}/pemegang", data={"nik": OTHER_NIK}).get_data(as_text=True)
    assert "<strong>tidak cocok</strong>" in answer
    # ... and the file itself is not ours.
    upload = client.post("/verify/berkas", data={"berkas": (io.BytesIO(forged), "izin.pdf")})
    assert upload.status_code == 404 and "Bukan dokumen kami." in upload.get_data(as_text=True)


@pytest.mark.both_databases
def test_api_checks_hashes_and_files_as_described_by_the_openapi_document(app, client, permit):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate_spec(spec)

    def check(path, method, response, status="200"):
        operation = spec["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
        validate(response.get_json(), {**operation, "components": spec["components"]}, cls=OAS31Validator)

    data = permit_pdf(permit, app.config)
    by_token = client.get(f"/api/v1/verify/{permit.token}")
    check("/verify/{token}", "get", by_token)
    by_hash = client.get(f"/api/v1/verify/sha256/{permit.document_sha256.upper()}")
    assert by_hash.status_code == 200 and by_hash.get_json()["number"] == permit.number
    assert by_hash.get_json()["holder_name_masked"] == "S*** R*****"
    check("/verify/sha256/{digest}", "get", by_hash)
    missing = client.get("/api/v1/verify/sha256/" + "0" * 64)
    assert missing.status_code == 404
    check("/verify/sha256/{digest}", "get", missing, "404")

    verdicts = {}
    for name, payload in (("intact", data), ("changed", data + b"\n%%EOF\n"), ("foreign", b"%PDF-1.7\n%%EOF\n")):
        response = client.post("/api/v1/verify/file", data={"berkas": (io.BytesIO(payload), "f.pdf")})
        assert response.status_code == 200
        check("/verify/file", "post", response)
        verdicts[name] = (response.get_json()["verdict"], response.get_json()["label"])
    assert verdicts == {
        "intact": ("intact", "asli, utuh"),
        "changed": ("changed", "asli; ada perubahan setelah ditandatangani"),
        "foreign": ("foreign", "bukan dokumen kami"),
    }
    bad = client.post("/api/v1/verify/file", data={"berkas": (io.BytesIO(b"not a pdf"), "f.pdf")})
    assert bad.status_code == 422
    check("/verify/file", "post", bad, "422")
    for response in (by_token, by_hash):
        assert OWNER_NIK not in response.get_data(as_text=True) and "Siti Rahayu" not in response.get_data(as_text=True)


def test_verify_api_lives_in_the_api_blueprint(app):
    rules = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules()}
    assert rules["/api/v1/verify/<token>"].startswith("api.")
    assert rules["/api/v1/verify/file"].startswith("api.")
