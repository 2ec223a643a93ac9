"""Portal invitations (single use, 48 hours, only the hash stored) and what a cooperative account can do."""

import hashlib
import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from extensions import db
from models.audit import AuditEvent
from models.base import utcnow
from models.cooperative import RAT_PENDING, CooperativeInvitation, RatReport
from models.user import COOPERATIVE, OFFICER, User
from services import clock
from tests.coop_factory import add_rat, kecamatan_named, make_cooperative

NEW_PASSWORD = "kata-sandi-koperasi-1"


def _invite(client, cooperative_id, name="Bu Ketua"):
    response = client.post(f"/kantor/koperasi/{cooperative_id}/undangan", data={"contact_name": name})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    link = re.search(r"<code>(https?://[^<]+)</code>", response.get_data(as_text=True)).group(1)
    assert link.startswith(client.application.config["PUBLIC_BASE_URL"].rstrip("/") + "/portal/undangan/")
    return urlsplit(link).path


@pytest.mark.both_databases
def test_invited_cooperative_sets_its_password_and_logs_in(auth, client):
    cooperative = make_cooperative(name="Koperasi Konsumen Akuarium Bangkit Mandiri")
    auth.login_as(OFFICER)
    path = _invite(client, cooperative.id)
    token = path.rsplit("/", 1)[1]
    invitation = db.session.scalar(select(CooperativeInvitation))
    assert invitation.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cooperative.invite")).after
    )
    assert invitation.expires_at - invitation.created_at == timedelta(hours=48)
    auth.logout()

    form = client.get(path)
    assert form.status_code == 200 and "Koperasi Konsumen Akuarium Bangkit Mandiri" in form.get_data(as_text=True)
    done = client.post(path, data={"username": "akuarium", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"] == "/masuk/"
    account = db.session.scalar(select(User).where(User.username == "akuarium"))
    assert account.role == COOPERATIVE and account.cooperative_id == cooperative.id
    assert account.password_hash.startswith("$argon2id$")

    login = auth.login("akuarium", NEW_PASSWORD)
    assert login.status_code == 303 and login.headers["Location"] == "/portal/"
    assert "Koperasi Konsumen Akuarium Bangkit Mandiri" in client.get("/portal/").get_data(as_text=True)
    auth.logout()

    again = client.post(path, data={"username": "kedua", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert again.status_code == 404 and "Tautan undangan tidak berlaku" in again.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "kedua")) is None


def test_expired_invitation_is_refused(auth, client):
    cooperative = make_cooperative()
    auth.login_as(OFFICER)
    path = _invite(client, cooperative.id)
    invitation = db.session.scalar(select(CooperativeInvitation))
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(path).status_code == 404
    assert client.get("/portal/undangan/not-a-real-token").status_code == 404


def test_invitation_form_errors_keep_the_link_usable(auth, client):
    cooperative = make_cooperative()
    auth.create(OFFICER, username="sudahada")
    auth.login_as(OFFICER, username="petugas2")
    path = _invite(client, cooperative.id)
    auth.logout()
    mismatch = client.post(path, data={"username": "baru", "password": NEW_PASSWORD, "password_again": "lain-lain-123"})
    assert mismatch.status_code == 422 and "Kedua kata sandi tidak sama." in mismatch.get_data(as_text=True)
    taken = client.post(path, data={"username": "sudahada", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert taken.status_code == 422 and "sudah dipakai" in taken.get_data(as_text=True)
    assert client.get(path).status_code == 200
    assert db.session.scalar(select(CooperativeInvitation)).used_at is None


def test_several_accounts_per_cooperative(auth, client):
    cooperative = make_cooperative()
    auth.login_as(OFFICER)
    first, second = _invite(client, cooperative.id, "Ketua"), _invite(client, cooperative.id, "Bendahara")
    auth.logout()
    for path, username in ((first, "ketua"), (second, "bendahara")):
        response = client.post(
            path, data={"username": username, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
        )
        assert response.status_code == 303
    accounts = db.session.scalars(select(User.username).where(User.cooperative_id == cooperative.id)).all()
    assert sorted(accounts) == ["bendahara", "ketua"]


def test_officer_outside_the_kecamatan_cannot_invite(auth, client):
    cooperative = make_cooperative(kelurahan="Penjaringan")
    auth.login_as(OFFICER, kecamatan_id=kecamatan_named("Gambir").id)
    assert client.post(f"/kantor/koperasi/{cooperative.id}/undangan", data={"contact_name": "X"}).status_code == 404
    assert db.session.scalar(select(CooperativeInvitation)) is None


@pytest.mark.both_databases
def test_cooperative_submits_rat_for_an_officer_to_confirm(auth, client):
    cooperative = make_cooperative(founding_date=date(2010, 1, 1))
    add_rat(cooperative, clock.today().year - 3)
    auth.login_as(COOPERATIVE, cooperative_id=cooperative.id)
    year = clock.today().year - 1
    response = client.post(
        "/portal/rat",
        data={"financial_year": str(year), "meeting_date": clock.today().isoformat(), "members_present": "28"},
    )
    assert response.status_code == 303
    report = db.session.scalar(select(RatReport).where(RatReport.financial_year == year))
    assert report.status == RAT_PENDING and report.cooperative_id == cooperative.id
    home = client.get("/portal/").get_data(as_text=True)
    assert "Menunggu konfirmasi" in home and "Berisiko" in home  # pending reports do not count yet
    assert client.get(f"/portal/rat/{report.id}").status_code == 200


def test_rat_submission_errors_are_shown_inline(auth, client):
    cooperative = make_cooperative()
    auth.login_as(COOPERATIVE, cooperative_id=cooperative.id)
    response = client.post(
        "/portal/rat", data={"financial_year": "abc", "meeting_date": "kemarin"}, headers={"HX-Request": "true"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and page.lstrip().startswith("<form")
    assert "Tahun buku: Tulis dengan angka saja." in page
    assert "Tanggal tidak valid" in page and "Jumlah anggota hadir wajib diisi." in page


def test_an_invitation_link_cannot_be_used_to_probe_many_user_names(app, auth, client):
    app.config["LINK_FAILURE_LIMIT"] = "3 per hour"
    cooperative = make_cooperative()
    auth.login_as(OFFICER, username="petugas3")
    path = _invite(client, cooperative.id)
    auth.logout()
    for name in ("petugas3", "petugas4", "petugas5"):  # the first is taken: refused; the others: typo
        data = {"username": name, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD + "x" * (name != "petugas3")}
        assert client.post(path, data=data).status_code == 422
    data = {"username": "bebas", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    assert client.post(path, data=data).status_code == 429
