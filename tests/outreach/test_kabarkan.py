"""The public side of "jemput bola": report a business, get a tracking code, follow its progress."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date

from extensions import db
from models.outreach import OutreachRequest
from services import outreach
from tests.outreach.helpers import PHONE_STORED, PHONE_TYPED, REPORTER, kelurahan_in, report_form, send_report


def _count() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(OutreachRequest))


@pytest.mark.both_databases
def test_report_gives_a_readable_code_and_keeps_the_phone_private(client, app):
    kelurahan = kelurahan_in()
    form = client.get("/kabarkan")
    assert form.status_code == 200
    assert kelurahan.name in form.get_data(as_text=True)

    saved = send_report(client, kelurahan)
    assert saved.reporter_phone == PHONE_STORED
    assert saved.reporter_name == REPORTER
    assert len(saved.code) == 10 and set(saved.code) <= set(outreach.CODE_ALPHABET)
    assert not set(saved.code) & set("01ILO")

    page = client.get(f"/lacak/{saved.code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Warung Kopi Pak Darto" in html and kelurahan.name in html
    reported_on = format_date(saved.created_at.astimezone(ZoneInfo(app.config["TIMEZONE"])).date(), "long", locale="id")
    assert "Diterima" in html and reported_on in html
    for personal in (PHONE_STORED, PHONE_TYPED, "81277773141", REPORTER, "Jl. Melati"):
        assert personal not in html
    assert page.headers["Cache-Control"] == "no-store"


def test_codes_are_random_and_unambiguous():
    codes = {outreach.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 10 and not set(c) & set("01ILO") for c in codes)


def test_lookup_form_accepts_the_code_as_read_over_the_phone(client):
    saved = send_report(client, kelurahan_in())
    typed = f"{saved.code[:5].lower()} {saved.code[5:].lower()}"
    response = client.get("/lacak", query_string={"kode": typed})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/lacak/{saved.code}")


def test_unknown_code_is_404_with_a_message(client):
    response = client.get("/lacak/ABCDEFGHJK")
    assert response.status_code == 404
    assert "Tidak ada permintaan dengan kode ini." in response.get_data(as_text=True)
    assert client.get("/lacak", query_string={"kode": "XYZ"}).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"business_name": ""}, "Wajib diisi."),
        ({"kelurahan_id": "0"}, "Pilih kelurahan dari daftar."),
        ({"kelurahan_id": "999999"}, "Pilih kelurahan dari daftar."),
        ({"kelurahan_id": "abc"}, "Pilih kelurahan dari daftar."),
        ({"reporter_phone": "12"}, "Nomor telepon"),
        ({"reporter_phone": "+44 20 7946 0958"}, "+62"),
        ({"reporter_role": "polisi"}, "Pilih salah satu."),
        ({"address": ""}, "Wajib diisi."),
        ({"business_name": "x" * 201}, "Paling banyak 200 karakter."),
        ({"activity": "warung\u202ekopi"}, ""),
    ],
)
def test_bad_input_is_refused_in_indonesian_and_nothing_is_saved(client, overrides, message):
    response = client.post("/kabarkan", data=report_form(kelurahan_in(), **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert "Periksa kembali isian berikut" in response.get_data(as_text=True)
    assert _count() == 0


def test_a_kecamatan_is_not_a_kelurahan(client):
    kecamatan_id = kelurahan_in().parent_id
    response = client.post("/kabarkan", data=report_form(kelurahan_in(), kelurahan_id=str(kecamatan_id)))
    assert response.status_code == 422
    assert _count() == 0


def test_report_without_csrf_token_is_refused(client):
    response = client.post("/kabarkan", data=report_form(kelurahan_in()), csrf=False)
    assert response.status_code == 400
    assert _count() == 0


def test_reports_are_rate_limited_per_address(app_config):
    from app import create_app
    from tests.support import CsrfClient

    app_config["OUTREACH_REPORT_LIMIT"] = "2 per hour"
    app = create_app(app_config)
    app.test_client_class = CsrfClient
    with app.app_context():
        client = app.test_client()
        kelurahan = kelurahan_in()
        assert client.post("/kabarkan", data=report_form(kelurahan)).status_code == 200
        assert client.post("/kabarkan", data=report_form(kelurahan)).status_code == 200
        assert client.post("/kabarkan", data=report_form(kelurahan)).status_code == 429
        assert _count() == 2
        assert client.get("/kabarkan").status_code == 200  # reading the form is not a report
        db.session.remove()
        db.engine.dispose()


def test_tracking_pages_are_rate_limited_like_verify(app_config):
    from app import create_app

    app_config["VERIFY_RATE_LIMIT"] = "3 per minute"
    app = create_app(app_config)
    with app.app_context():
        client = app.test_client()
        statuses = [client.get("/lacak/ABCDEFGHJK").status_code for _ in range(4)]
        assert statuses == [404, 404, 404, 429]
        db.session.remove()
        db.engine.dispose()
