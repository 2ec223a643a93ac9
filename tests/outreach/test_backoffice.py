"""The officers' side: the queue per kecamatan, visits, registering from a request, and AJIB delivery runs."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from extensions import db
from models.business import Business
from models.outreach import Delivery, DeliveryRun
from models.permit import Permit
from models.user import EDITOR, OFFICER, SUPERADMIN
from services import clock
from tests.outreach.helpers import PHONE_STORED, REPORTER, kelurahan_in, other_kecamatan_id, send_report
from tests.permits.helpers import add_business, add_official, issue


@pytest.fixture
def reported(client):
    """A report sent through the public form."""
    return send_report(client, kelurahan_in())


def _plan(client, item, officer_id, day=None):
    return client.post(
        f"/kantor/jemput-bola/{item.id}/jadwal",
        data={"visit_on": (day or clock.today()).isoformat(), "officer_id": str(officer_id)},
    )


def _visit(client, item, outcome="dikunjungi", reason=""):
    return client.post(
        f"/kantor/jemput-bola/{item.id}/hasil",
        data={"outcome": outcome, "visited_on": clock.today().isoformat(), "reason": reason},
    )


@pytest.mark.both_databases
def test_officer_sees_only_their_kecamatan(client, auth, reported):
    outsider = auth.create(OFFICER, "luar", kecamatan_id=other_kecamatan_id(reported.kelurahan))
    auth.login(outsider.username)
    assert "Warung Kopi Pak Darto" not in client.get("/kantor/jemput-bola/").get_data(as_text=True)
    assert client.get(f"/kantor/jemput-bola/{reported.id}").status_code == 404
    assert _plan(client, reported, outsider.id).status_code == 404
    auth.logout()

    insider = auth.create(OFFICER, "dalam", kecamatan_id=reported.kelurahan.parent_id)
    auth.login(insider.username)
    queue = client.get("/kantor/jemput-bola/").get_data(as_text=True)
    assert "Warung Kopi Pak Darto" in queue
    detail = client.get(f"/kantor/jemput-bola/{reported.id}").get_data(as_text=True)
    assert REPORTER in detail and PHONE_STORED in detail  # the officer needs them to arrange the visit


def test_other_roles_are_refused(client, auth, reported):
    auth.login_as(EDITOR)
    assert client.get("/kantor/jemput-bola/").status_code == 403
    assert client.get("/kantor/antar/").status_code == 403
    auth.logout()
    assert client.get("/kantor/jemput-bola/").status_code in (302, 303)


@pytest.mark.both_databases
def test_plan_visit_and_record_outcomes(client, auth, reported, app):
    officer = auth.login_as(OFFICER, kecamatan_id=reported.kelurahan.parent_id)
    # An officer of another kecamatan cannot be assigned.
    outsider = auth.create(OFFICER, "luar", kecamatan_id=other_kecamatan_id(reported.kelurahan))
    response = _plan(client, reported, outsider.id)
    assert response.status_code == 422 and "Pilih petugas dari daftar." in response.get_data(as_text=True)
    response = _plan(client, reported, officer.id, day=clock.today() - timedelta(days=1))
    assert response.status_code == 422 and "sebelum hari ini" in response.get_data(as_text=True)
    assert _visit(client, reported).status_code == 422  # nothing planned yet
    assert _plan(client, reported, officer.id).status_code == 303

    response = _visit(client, reported, "tidak_memenuhi", "")
    assert response.status_code == 422 and "Pilih alasan dari daftar." in response.get_data(as_text=True)
    assert _visit(client, reported, "tidak_memenuhi", "sudah_berizin").status_code == 303
    assert _visit(client, reported).status_code == 422  # already recorded

    page = client.get(f"/lacak/{reported.code}").get_data(as_text=True)
    assert "Sudah memiliki izin usaha" in page
    assert officer.full_name not in page


@pytest.mark.both_databases
def test_register_from_request_then_deliver_shows_diantar(client, auth, reported, app):
    kelurahan = reported.kelurahan
    add_official(kelurahan)
    officer = auth.login_as(OFFICER, kecamatan_id=kelurahan.parent_id)
    _plan(client, reported, officer.id)
    assert _visit(client, reported).status_code == 303
    detail = client.get(f"/kantor/jemput-bola/{reported.id}").get_data(as_text=True)
    assert f"/kantor/usaha/baru?permintaan={reported.id}" in detail

    form = client.get(f"/kantor/usaha/baru?permintaan={reported.id}").get_data(as_text=True)
    assert 'value="Warung Kopi Pak Darto"' in form
    assert 'value="warung kopi dan gorengan"' in form
    assert f'<option selected value="{kelurahan.id}"' in form or f'value="{kelurahan.id}" selected' in form

    response = client.post(
        f"/kantor/usaha/baru?permintaan={reported.id}",
        data={
            "owner_nik": "3171014503850003",
            "owner_name": "Darto Sutrisno",
            "owner_phone": "0812 5555 1212",
            "owner_address": "Jl. Melati No. 7",
            "name": "Warung Kopi Pak Darto",
            "legal_form": "perseorangan",
            "kelurahan_id": str(kelurahan.id),
            "address": "Jl. Melati No. 7, RT 002/RW 005",
            "kbli_code": "56102",
            "activity": "warung kopi dan gorengan",
            "premises": "milik_sendiri",
            "capital_rupiah": "10000000",
            "workers": "1",
            "status": "operating",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.expire_all()
    business = db.session.scalar(db.select(Business).where(Business.name == "Warung Kopi Pak Darto"))
    assert db.session.get(type(reported), reported.id).business_id == business.id

    permit = issue(app, business, officer)
    track = client.get(f"/lacak/{reported.code}").get_data(as_text=True)
    assert 'data-stage="izin_terbit"' in track and track.count('class="done"') == 4
    assert "Belum diantar" in client.get(f"/kantor/usaha/{business.id}").get_data(as_text=True)

    response = client.post(
        "/kantor/antar/",
        data={
            "kecamatan_id": str(kelurahan.parent_id),
            "run_on": clock.today().isoformat(),
            "courier_user_id": "0",
            "courier_name": "Joko Kurir",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    run = db.session.scalar(db.select(DeliveryRun))
    stop = db.session.scalar(db.select(Delivery).where(Delivery.permit_id == permit.id))
    assert stop.run_id == run.id and run.courier_name == "Joko Kurir"
    assert f"Dalam rombongan antar {run.id}" in client.get(f"/kantor/usaha/{business.id}").get_data(as_text=True)

    now_local = clock.utc_to_local(clock.now(), app.config["TIMEZONE"]).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/kantor/antar/{run.id}/{stop.id}",
        data={"result": "diterima", "received_by": "Bu Darto", "received_at": now_local},
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert "Diantar: diterima oleh Bu Darto" in client.get(f"/kantor/usaha/{business.id}").get_data(as_text=True)
    track = client.get(f"/lacak/{reported.code}").get_data(as_text=True)
    assert track.count('class="done"') == 5 and "Diantar" in track
    assert "Bu Darto" not in track and "Darto Sutrisno" not in track and "5555" not in track

    # Recorded once only.
    again = client.post(
        f"/kantor/antar/{run.id}/{stop.id}", data={"result": "diterima", "received_by": "X", "received_at": now_local}
    )
    assert again.status_code == 422 and "sudah dicatat" in again.get_data(as_text=True)


@pytest.mark.both_databases
def test_failed_delivery_needs_a_reason_and_joins_the_next_run(client, auth, app):
    kelurahan = kelurahan_in()
    add_official(kelurahan)
    officer = auth.login_as(SUPERADMIN)
    permit = issue(app, add_business(kelurahan), officer)
    run_form = {
        "kecamatan_id": str(kelurahan.parent_id),
        "run_on": clock.today().isoformat(),
        "courier_user_id": str(officer.id),
        "courier_name": "",
    }
    assert client.post("/kantor/antar/", data=run_form).status_code == 303
    # Nothing left to deliver: a second run is refused.
    response = client.post("/kantor/antar/", data=run_form)
    assert response.status_code == 422 and "Tidak ada izin yang menunggu" in response.get_data(as_text=True)
    stop = db.session.scalar(db.select(Delivery).where(Delivery.permit_id == permit.id))

    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    bad = [
        ({"result": "gagal", "reason": "", "rescheduled_on": tomorrow}, "Pilih alasan gagal dari daftar."),
        ({"result": "gagal", "reason": "usaha_tutup", "rescheduled_on": ""}, "antar ulang"),
        ({"result": "diterima", "received_by": "", "received_at": "2026-11-30T10:00"}, "Isi nama penerima."),
        ({"result": "diterima", "received_by": "A", "received_at": "kemarin"}, "Isi tanggal dan jam"),
        ({"result": "diterima", "received_by": "A", "received_at": "2099-01-01T10:00"}, "masa depan"),
        ({"result": ""}, "Pilih hasil pengantaran."),
    ]
    for data, message in bad:
        response = client.post(f"/kantor/antar/{stop.run_id}/{stop.id}", data=data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), data
    db.session.expire_all()
    assert db.session.get(Delivery, stop.id).state == "menunggu"

    response = client.post(
        f"/kantor/antar/{stop.run_id}/{stop.id}",
        data={"result": "gagal", "reason": "usaha_tutup", "rescheduled_on": tomorrow},
    )
    assert response.status_code == 303
    assert "Gagal diantar; dijadwalkan ulang" in client.get(f"/kantor/usaha/{permit.business_id}").get_data(
        as_text=True
    )
    assert client.post("/kantor/antar/", data=run_form).status_code == 303
    runs = db.session.scalars(db.select(Delivery).where(Delivery.permit_id == permit.id)).all()
    assert len(runs) == 2


def test_runs_are_scoped_and_manifest_is_printable(client, auth, app):
    kelurahan = kelurahan_in()
    add_official(kelurahan)
    admin = auth.login_as(SUPERADMIN)
    permits = [
        issue(app, add_business(kelurahan, name=f"Usaha {n}", nik=f"31710145038500{n:02d}"), admin) for n in range(1, 4)
    ]
    response = client.post(
        "/kantor/antar/",
        data={
            "kecamatan_id": str(kelurahan.parent_id),
            "run_on": clock.today().isoformat(),
            "courier_user_id": "0",
            "courier_name": "Joko Kurir",
        },
    )
    assert response.status_code == 303
    run = db.session.scalar(db.select(DeliveryRun))
    pdf = client.get(f"/kantor/antar/{run.id}/manifest.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "no-store" in pdf.headers["Cache-Control"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    for expected in (
        "Joko Kurir",
        "Halaman 1 dari",
        "DATA PRIBADI",
        "Diterima oleh",
        "Catatan",
        "Diserahkan",
    ):
        assert expected in text, expected
    squeezed = "".join(text.split())
    assert all(p.number in squeezed for p in permits)  # a number may wrap inside its cell
    auth.logout()

    auth.login_as(OFFICER, kecamatan_id=other_kecamatan_id(kelurahan))
    assert client.get(f"/kantor/antar/{run.id}").status_code == 404
    assert client.get(f"/kantor/antar/{run.id}/manifest.pdf").status_code == 404
    assert "Joko Kurir" not in client.get("/kantor/antar/").get_data(as_text=True)
    stop = run.deliveries[0]
    assert client.post(f"/kantor/antar/{run.id}/{stop.id}", data={"result": "gagal"}).status_code == 404
    response = client.post(
        "/kantor/antar/",
        data={
            "kecamatan_id": str(kelurahan.parent_id),
            "run_on": clock.today().isoformat(),
            "courier_user_id": "0",
            "courier_name": "X",
        },
    )
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(DeliveryRun)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Permit)) == 3
