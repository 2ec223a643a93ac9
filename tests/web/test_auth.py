"""Login, logout, roles, throttling, CSRF and cookie flags."""

import pytest

from extensions import db
from models.user import COOPERATIVE, EDITOR, OFFICER, SUPERADMIN
from services.users import set_password


@pytest.mark.both_databases
def test_officer_logs_in_and_reaches_the_back_office(auth, client):
    auth.create(OFFICER, username="siti")
    response = auth.login("Siti")
    assert response.status_code == 303 and response.headers["Location"] == "/kantor/"
    page = client.get("/kantor/").get_data(as_text=True)
    assert "Selamat datang, Officer Test" in page
    assert "Keluar (siti)" in page


def test_wrong_password_and_unknown_user_get_the_same_message(auth):
    auth.create(OFFICER, username="budi")
    for username, password in (("budi", "wrong-password-1"), ("nobody", "whatever-123")):
        response = auth.login(username, password)
        assert response.status_code == 401
        assert "Nama pengguna atau kata sandi salah." in response.get_data(as_text=True)


def test_empty_login_form_explains_what_is_missing(client):
    response = client.post("/masuk/", data={"username": "", "password": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nama pengguna wajib diisi." in page and "Kata sandi wajib diisi." in page


def test_login_throttled_per_account(auth):
    auth.create(OFFICER, username="ani")
    for _ in range(5):
        assert auth.login("ani", "wrong-password-x").status_code == 401
    blocked = auth.login("ani")
    assert blocked.status_code == 429
    assert "Terlalu banyak permintaan" in blocked.get_data(as_text=True)
    assert "Retry-After" in blocked.headers


def test_successful_logins_do_not_count_towards_the_throttle(auth):
    auth.create(OFFICER, username="rudi")
    for _ in range(7):
        assert auth.login("rudi").status_code == 303
        auth.logout()


def test_login_throttled_per_ip_across_accounts(app, auth):
    app.config["LOGIN_LIMIT_PER_IP"] = "3 per 15 minutes"
    for number in range(3):
        assert auth.login(f"user{number}", "wrong-password-x").status_code == 401
    assert auth.login("user9", "wrong-password-x").status_code == 429


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/kantor/?tab=1", "/kantor/?tab=1"),
        ("//evil.example/", "/kantor/"),
        ("https://evil.example/", "/kantor/"),
        ("/\\evil.example", "/kantor/"),
        ("javascript:alert(1)", "/kantor/"),
    ],
)
def test_next_redirect_only_to_same_site_paths(auth, client, next_url, expected):
    auth.create(SUPERADMIN, username="root")
    response = client.post(
        "/masuk/", query_string={"next": next_url}, data={"username": "root", "password": "correct-horse-battery"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == expected


def test_post_without_csrf_token_is_refused(auth, client):
    auth.create(OFFICER, username="tono")
    response = client.post("/masuk/", data={"username": "tono", "password": "correct-horse-battery"}, csrf=False)
    assert response.status_code == 400
    assert "Formulir kedaluwarsa" in response.get_data(as_text=True)


def test_session_cookies_are_httponly_and_lax(auth, client):
    auth.create(OFFICER, username="dewi")
    response = client.post("/masuk/", data={"username": "dewi", "password": "correct-horse-battery", "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("session=", "remember_token="):
        cookie = next(c for c in cookies if c.startswith(name))
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_logout_ends_the_session(auth, client):
    auth.login_as(OFFICER)
    assert client.get("/kantor/").status_code == 200
    assert auth.logout().status_code == 303
    assert client.get("/kantor/").status_code == 302


def test_password_change_ends_other_sessions(app, auth, client):
    user = auth.login_as(OFFICER)
    set_password(db.session, user, "a-brand-new-password")
    response = client.get("/kantor/")
    assert response.status_code == 302 and "/masuk/" in response.headers["Location"]


def test_anonymous_user_is_sent_to_login_with_next(client):
    response = client.get("/kantor/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/masuk/?next=")


@pytest.mark.parametrize(("role", "status"), [(SUPERADMIN, 200), (OFFICER, 200), (EDITOR, 200), (COOPERATIVE, 403)])
def test_back_office_by_role(auth, client, role, status):
    auth.login_as(role)
    response = client.get("/kantor/")
    assert response.status_code == status
    if status == 403:
        assert "Akses ditolak" in response.get_data(as_text=True)


def test_back_office_and_login_pages_are_noindex(auth, client):
    assert "noindex" in client.get("/masuk/").headers["X-Robots-Tag"]
    auth.login_as(OFFICER)
    response = client.get("/kantor/")
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.get_data(as_text=True)


def test_passwords_are_stored_as_argon2(auth):
    user = auth.create(EDITOR, username="eka")
    assert user.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/", "/kantor/"),
        ("/admin", "/kantor/"),
        ("/admin/koperasi/?status=aktif", "/kantor/koperasi/?status=aktif"),
        ("/admin/konten/berita/baru", "/kantor/konten/berita/baru"),
    ],
)
def test_old_admin_urls_move_permanently_to_kantor(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response.headers["Location"] == new


def _client_at(app, address: str):
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = address
    return other


def test_failed_logins_block_the_attacking_client_not_the_owner(app, auth):
    auth.create(OFFICER, username="pemilik")
    attacker, owner = _client_at(app, "10.1.1.1"), _client_at(app, "10.2.2.2")
    for _ in range(5):
        assert auth.login("pemilik", "tebakan-salah-1", client=attacker).status_code == 401
    assert auth.login("pemilik", client=attacker).status_code == 429
    assert auth.login("pemilik", client=owner).status_code == 303


def test_json_and_multipart_login_bodies_count_too(app, auth):
    auth.create(OFFICER, username="json")
    attacker = _client_at(app, "10.3.3.3")
    for _ in range(3):
        response = attacker.post("/masuk/", json={"username": "json", "password": "tebakan-salah-1"})
        assert response.status_code == 401
    for _ in range(2):
        response = attacker.post(
            "/masuk/", data={"username": "json", "password": "tebakan-salah-1"}, content_type="multipart/form-data"
        )
        assert response.status_code == 401
    assert attacker.post("/masuk/", json={"username": "json", "password": "correct-horse-battery"}).status_code == 429


@pytest.mark.parametrize("body", [{"username": 5, "password": ["x"]}, {"username": None}, {"password": {"a": 1}}])
def test_odd_json_login_bodies_are_a_422_not_a_500(client, body):
    assert client.post("/masuk/", json=body).status_code == 422


def test_many_clients_on_one_account_slow_it_down_but_never_lock_the_owner_out(app, auth, monkeypatch):
    app.config["LOGIN_SLOWDOWN_PER_ACCOUNT"] = "4 per 15 minutes"
    waits: list[float] = []
    monkeypatch.setattr("blueprints.auth.throttle.time.sleep", waits.append)
    auth.create(OFFICER, username="diserbu")
    for number in range(4):
        assert auth.login("diserbu", "tebakan-salah-1", client=_client_at(app, f"10.9.0.{number}")).status_code == 401
    assert waits == []
    assert auth.login("diserbu", client=_client_at(app, "10.8.8.8")).status_code == 303
    assert waits == [app.config["LOGIN_SLOWDOWN_SECONDS"]]
