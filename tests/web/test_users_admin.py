"""User management by superadmins (/kantor/pengguna/): create, role and scope, deactivate, set-password
links (single use, 48 hours, only the hash stored, shown again or revoked), e-mail through real SMTP."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from models.audit import AuditEvent
from models.base import utcnow
from models.region import Region
from models.user import EDITOR, OFFICER, SUPERADMIN, PasswordLink, User
from tests.smtp import self_signed_certificate, smtp_server

LINK = re.compile(r"https?://[^\s<\"]+/masuk/kata-sandi/[A-Za-z0-9_-]+")
CHOSEN = "pohon mangga berbuah lebat"


def _kecamatan(name="Gambir") -> Region:
    return db.session.scalar(select(Region).where(Region.level == "kecamatan", Region.name == name))


def _create(client, username="wati", email="", role=OFFICER, kecamatan=None, headers=None):
    data = {"username": username, "full_name": "Wati Susanti", "email": email, "role": role}
    data["kecamatan"] = str(kecamatan.id) if kecamatan else ""
    return client.post("/kantor/pengguna/baru", data=data, headers=headers or {})


def _without_csrf(page: str) -> str:
    """The page without what differs by visitor or URL (CSRF token, the language switch's return path)."""
    return re.sub(r'"X-CSRFToken": "[^"]+"|name="csrf_token" value="[^"]+"|kata-sandi/[A-Za-z0-9_-]+', "", page)


def _actions(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.both_databases
def test_superadmin_creates_an_officer_and_the_link_sets_the_password_once(app, auth, client, db_kind):
    auth.login_as(SUPERADMIN, username="root")
    gambir = _kecamatan()
    response = _create(client, kecamatan=gambir)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    url = LINK.search(page).group(0)
    assert url.startswith(app.config["PUBLIC_BASE_URL"])
    token = url.rsplit("/", 1)[1]
    user = db.session.scalar(select(User).where(User.username == "wati"))
    assert user.role == OFFICER and user.kecamatan_id == gambir.id
    link = db.session.scalar(select(PasswordLink))
    assert link.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (link.nonce + link.token_sha256)
    assert link.expires_at - link.created_at == timedelta(hours=48)
    assert _actions("user.create")[-1].after["kecamatan_id"] == gambir.id

    holder = app.test_client()
    form = holder.get(f"/masuk/kata-sandi/{token}")
    assert form.status_code == 200 and "wati" in form.get_data(as_text=True)
    weak = holder.post(
        f"/masuk/kata-sandi/{token}", data={"password": "wati12345678", "password_again": "wati12345678"}
    )
    assert weak.status_code == 422 and "nama pengguna" in weak.get_data(as_text=True)
    done = holder.post(f"/masuk/kata-sandi/{token}", data={"password": CHOSEN, "password_again": CHOSEN})
    assert done.status_code == 303
    assert auth.login("wati", CHOSEN, client=holder).status_code == 303
    again = app.test_client().post(
        f"/masuk/kata-sandi/{token}", data={"password": CHOSEN + "x", "password_again": CHOSEN + "x"}
    )
    assert again.status_code == 404


def test_link_pages_do_not_tell_unknown_used_expired_or_revoked_apart(app, auth, client):
    auth.login_as(SUPERADMIN, username="root")
    _create(client, username="dua")
    target = db.session.scalar(select(User).where(User.username == "dua"))
    first = LINK.search(client.post(f"/kantor/pengguna/{target.id}/tautan").get_data(as_text=True)).group(0)
    second_page = client.post(f"/kantor/pengguna/{target.id}/tautan").get_data(as_text=True)
    second = LINK.search(second_page).group(0)
    pages = {
        "unknown": app.test_client().get("/masuk/kata-sandi/tidak-ada-tautan-seperti-ini"),
        "replaced": app.test_client().get(first.split("127.0.0.1:5000")[1]),
    }
    link = db.session.scalar(select(PasswordLink).where(PasswordLink.revoked_at.is_(None)))
    assert client.post(f"/kantor/pengguna/tautan/{link.id}/cabut").status_code == 303
    pages["revoked"] = app.test_client().get(second.split("127.0.0.1:5000")[1])
    bodies = {name: (r.status_code, _without_csrf(r.get_data(as_text=True))) for name, r in pages.items()}
    assert {status for status, _ in bodies.values()} == {404}
    assert len({body for _, body in bodies.values()}) == 1
    assert "dua" not in bodies["revoked"][1]


def test_an_unused_link_can_be_shown_again_and_then_revoked(app, auth, client):
    auth.login_as(SUPERADMIN, username="root")
    first = LINK.search(_create(client, username="tiga").get_data(as_text=True)).group(0)
    link = db.session.scalar(select(PasswordLink))
    shown = client.post(f"/kantor/pengguna/tautan/{link.id}/tampilkan")
    assert shown.status_code == 200 and LINK.search(shown.get_data(as_text=True)).group(0) == first
    assert _actions("user.show_password_link")
    client.post(f"/kantor/pengguna/tautan/{link.id}/cabut")
    assert _actions("user.revoke_password_link")
    refused = client.post(f"/kantor/pengguna/tautan/{link.id}/tampilkan", follow_redirects=True)
    assert first not in refused.get_data(as_text=True)
    assert "sudah dipakai, kedaluwarsa, atau dicabut" in refused.get_data(as_text=True)


def test_expired_link_is_refused(app, auth, client):
    auth.login_as(SUPERADMIN, username="root")
    url = LINK.search(_create(client, username="empat").get_data(as_text=True)).group(0)
    app.config["CLOCK"] = lambda: utcnow() + timedelta(hours=48, minutes=1)
    path = url.split("127.0.0.1:5000")[1]
    assert app.test_client().get(path).status_code == 404


def test_links_are_emailed_when_smtp_is_configured(app, auth, client):
    with smtp_server("balai", "rahasia-smtp") as (inbox, url):
        app.config["SMTP_URL"] = url
        app.config["MAIL_FROM"] = "balai@kota.example"
        auth.login_as(SUPERADMIN, username="root")
        response = _create(client, username="lima", email="lima@kantor.example")
        assert response.status_code == 303
        assert LINK.search(client.get(response.headers["Location"]).get_data(as_text=True)) is None
        assert inbox.authenticator.logins == ["balai"]
        message = inbox.messages[-1]
        assert message["To"].addresses[0].addr_spec == "lima@kantor.example"
        assert "kata sandi" in message["Subject"]
        body = inbox.body()
        assert "Nama pengguna: lima" in body and "48 jam" in body
        token = LINK.search(body).group(0).rsplit("/", 1)[1]
        assert db.session.scalar(select(PasswordLink)).emailed_at is not None
        holder = app.test_client()
        assert (
            holder.post(f"/masuk/kata-sandi/{token}", data={"password": CHOSEN, "password_again": CHOSEN}).status_code
            == 303
        )


def test_mail_failure_falls_back_to_showing_the_link(app, auth, client):
    from tests.e2e.harness import free_port

    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    auth.login_as(SUPERADMIN, username="root")
    response = _create(client, username="enam", email="enam@kantor.example")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Surel tidak dapat dikirim" in page and LINK.search(page)


def test_cooperative_invitation_is_emailed_when_smtp_is_configured(app, auth, client):
    from tests.coop_factory import make_cooperative

    with smtp_server() as (inbox, url):
        app.config["SMTP_URL"] = url
        auth.login_as(OFFICER, username="petugas")
        cooperative = make_cooperative()
        response = client.post(
            f"/kantor/koperasi/{cooperative.id}/undangan",
            data={"contact_name": "Bu Ketua", "email": "ketua@kop.example"},
        )
        assert response.status_code in (200, 303)
        body = inbox.body()
        assert "Bu Ketua" in body and "/portal/undangan/" in body


@pytest.mark.both_databases
def test_role_and_scope_change_deactivate_reactivate_are_audited(app, auth, client, db_kind):
    auth.login_as(SUPERADMIN, username="root")
    _create(client, username="tujuh", kecamatan=_kecamatan())
    user = db.session.scalar(select(User).where(User.username == "tujuh"))
    response = client.post(
        f"/kantor/pengguna/{user.id}",
        data={"full_name": "Tujuh", "email": "", "role": OFFICER, "kecamatan": ""},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, user.id).kecamatan_id is None
    update = _actions("user.update")[-1]
    assert update.before["kecamatan_id"] is not None and update.after["kecamatan_id"] is None
    client.post(
        f"/kantor/pengguna/{user.id}", data={"full_name": "Tujuh", "email": "", "role": EDITOR, "kecamatan": ""}
    )
    db.session.expire_all()
    assert db.session.get(User, user.id).role == EDITOR
    assert client.post(f"/kantor/pengguna/{user.id}/nonaktifkan").status_code == 303
    db.session.expire_all()
    assert db.session.get(User, user.id).is_active_account is False
    assert client.post(f"/kantor/pengguna/{user.id}/aktifkan").status_code == 303
    assert [e.action for e in _actions("user.deactivate") + _actions("user.reactivate")] == [
        "user.deactivate",
        "user.reactivate",
    ]


def test_bad_input_gets_a_422_with_messages_and_changes_nothing(app, auth, client):
    auth.login_as(SUPERADMIN, username="root")
    auth.create(OFFICER, username="sudahada")
    count = db.session.scalar(select(db.func.count(User.id)))
    cases = [
        ({"username": "a b", "full_name": "X", "role": OFFICER, "kecamatan": ""}, "Nama pengguna 3 sampai 80"),
        ({"username": "sudahada", "full_name": "X", "role": OFFICER, "kecamatan": ""}, "sudah dipakai"),
        ({"username": "baru", "full_name": "", "role": OFFICER, "kecamatan": ""}, "Nama lengkap wajib diisi."),
        ({"username": "baru", "full_name": "X", "role": "dewa", "kecamatan": ""}, "Peran"),
        ({"username": "baru", "full_name": "X", "role": EDITOR, "kecamatan": str(_kecamatan().id)}, "Hanya petugas"),
        ({"username": "baru", "full_name": "X", "role": OFFICER, "kecamatan": "999999"}, "Wilayah kerja"),
        ({"username": "baru", "full_name": "X", "role": OFFICER, "kecamatan": "", "email": "bukan-surel"}, "surel"),
    ]
    for data, message in cases:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.post("/kantor/pengguna/baru", data=data, headers=headers)
            assert response.status_code == 422, (data, response.status_code)
            assert message in response.get_data(as_text=True), data
    assert db.session.scalar(select(db.func.count(User.id))) == count


def test_the_last_superadmin_cannot_be_demoted_or_deactivated(app, auth, client):
    root = auth.login_as(SUPERADMIN, username="root")
    demote = client.post(
        f"/kantor/pengguna/{root.id}", data={"full_name": "Root", "email": "", "role": OFFICER, "kecamatan": ""}
    )
    assert demote.status_code == 422 and "satu-satunya superadmin" in demote.get_data(as_text=True)
    itself = client.post(f"/kantor/pengguna/{root.id}/nonaktifkan")
    assert itself.status_code == 422 and "akun Anda sendiri" in itself.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, root.id).role == SUPERADMIN and db.session.get(User, root.id).is_active_account


@pytest.mark.parametrize("role", [OFFICER, EDITOR])
def test_only_superadmins_manage_users(auth, client, role):
    auth.login_as(role)
    assert client.get("/kantor/pengguna/").status_code == 403
    assert _create(client).status_code == 403


def test_user_list_searches_and_shows_scope(auth, client):
    auth.login_as(SUPERADMIN, username="root")
    auth.create(OFFICER, username="budi.gambir", kecamatan_id=_kecamatan().id)
    page = client.get("/kantor/pengguna/?q=gambir").get_data(as_text=True)
    assert "budi.gambir" in page and "Gambir" in page and "root" not in page.split("<tbody>")[1]
    assert "<td>Petugas</td>" in page


def test_mail_goes_over_starttls_with_the_configured_ca(app, auth, client, tmp_path):
    cert, key = self_signed_certificate(tmp_path)
    with smtp_server("balai", "rahasia-smtp", tls_files=(cert, key)) as (inbox, url):
        app.config["SMTP_URL"] = url
        auth.login_as(SUPERADMIN, username="root")
        # The server's certificate is not one the system trusts: nothing is sent, the link is shown.
        untrusted = _create(client, username="delapan", email="delapan@kantor.example")
        assert untrusted.status_code == 200 and LINK.search(untrusted.get_data(as_text=True))
        assert inbox.messages == []
        app.config["SMTP_CA_FILE"] = str(cert)
        trusted = _create(client, username="sembilan", email="sembilan@kantor.example")
        assert trusted.status_code == 303
        assert inbox.authenticator.logins == ["balai"]
        assert "Nama pengguna: sembilan" in inbox.body()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example", "smtp:// or smtps://"),
        ("smtp://", "no host name"),
        ("smtp://mail.example:notaport", "invalid port"),
        ("smtps://mail.example?starttls=true", "not both"),
    ],
)
def test_a_bad_smtp_url_stops_start_up_with_one_line(app_config, url, message):
    from app import create_app
    from config import ConfigError

    with pytest.raises(ConfigError, match=re.escape(message)):
        create_app({**app_config, "SMTP_URL": url})


def test_a_bad_trusted_proxy_stops_start_up(app_config):
    from app import create_app
    from config import ConfigError

    with pytest.raises(ConfigError, match="TRUSTED_PROXIES: 'nginx' is not an IP address"):
        create_app({**app_config, "TRUSTED_PROXIES": "127.0.0.1, nginx"})
