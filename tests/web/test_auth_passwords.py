"""Passwords people can't guess (NIST SP 800-63B): length, common, sequences, the user name; no composition rules."""

from __future__ import annotations

import pytest

from models.user import OFFICER
from services.passwords import PasswordRejected, check_password, random_password


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("pendek-123", "minimal 12"),
        ("123456789012", "urutan"),
        ("1234567890", "minimal 12"),
        ("aaaaaaaaaaaa", "urutan"),
        ("abcdefghijklmn", "urutan"),
        ("qwertyuiopasdf", "urutan"),
        ("zyxwvutsrqponm", "urutan"),
        ("abcabcabcabc", "urutan"),
        ("121212121212", "urutan"),
        ("password1234", "sering dipakai"),
        ("Password2026!", "sering dipakai"),
        ("baseball1234", "sering dipakai"),
        ("iloveyou1234", "sering dipakai"),
        ("budi-santoso-rumah", "nama pengguna"),
        ("RumahBUDI_santoso", "nama pengguna"),
    ],
)
def test_guessable_passwords_are_refused_with_the_reason(password, reason):
    with pytest.raises(PasswordRejected) as refused:
        check_password(password, "budi_santoso" if "santoso" in password.lower() else "budi")
    assert reason in str(refused.value)


@pytest.mark.parametrize(
    "password",
    [
        "kuda makan rumput di sawah",  # a sentence: no capital, digit or symbol needed
        "lembayungsenja",
        "correct-horse-battery",
        "Ω mega ✓ kata sandi",
        "xxxywzQ7!pl0mm",
    ],
)
def test_long_uncommon_passwords_pass_without_composition_rules(password):
    check_password(password, "budi")


def test_random_demo_passwords_pass_the_policy():
    for _ in range(50):
        check_password(random_password("admin", "Admin Demo"), "admin", "Admin Demo")


def test_password_change_page_refuses_a_weak_password_and_changes_nothing(auth, client):
    user = auth.login_as(OFFICER, username="siti")
    before = user.password_hash
    response = client.post(
        "/akun/kata-sandi",
        data={
            "current_password": "correct-horse-battery",
            "password": "siti12345678",
            "password_again": "siti12345678",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "tidak boleh memuat nama pengguna" in page
    from extensions import db
    from models.user import User

    assert db.session.get(User, user.id).password_hash == before


def test_password_change_needs_the_current_password(auth, client):
    auth.login_as(OFFICER, username="tono")
    response = client.post(
        "/akun/kata-sandi",
        data={
            "current_password": "bukan-yang-benar",
            "password": "lembayung senja",
            "password_again": "lembayung senja",
        },
    )
    assert response.status_code == 422
    assert "Kata sandi saat ini salah." in response.get_data(as_text=True)


def test_htmx_password_change_error_is_a_422_fragment(auth, client):
    auth.login_as(OFFICER, username="hana")
    response = client.post(
        "/akun/kata-sandi",
        data={"current_password": "correct-horse-battery", "password": "aaaaaaaaaaaa", "password_again": "x"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith("<form") and "urutan" in page and "Kedua kata sandi tidak sama." in page


def test_cli_create_applies_the_policy(runner, monkeypatch):
    monkeypatch.setenv("WEAK", "password1234")
    result = runner.invoke(args=["users", "create", "andi", "--role", "officer", "--password-env", "WEAK"])
    assert result.exit_code != 0 and "sering dipakai" in result.output
    monkeypatch.setenv("GOOD", "pohon mangga berbuah lebat")
    result = runner.invoke(args=["users", "create", "andi", "--role", "officer", "--password-env", "GOOD"])
    assert result.exit_code == 0, result.output


def test_cli_prints_a_password_link_and_resets_the_authenticator(app, auth, runner):
    import pyotp

    from extensions import db
    from models.user import SUPERADMIN, User

    user = auth.create(SUPERADMIN, username="kunci")
    user.totp_secret, user.totp_enabled_at = pyotp.random_base32(), user.created_at
    db.session.commit()
    printed = runner.invoke(args=["users", "password-link", "kunci"])
    assert printed.exit_code == 0, printed.output
    url = printed.output.strip()
    assert url.startswith(app.config["PUBLIC_BASE_URL"] + "/masuk/kata-sandi/")
    holder = app.test_client()
    path = url[len(app.config["PUBLIC_BASE_URL"]) :]
    assert (
        holder.post(
            path, data={"password": "pohon mangga berbuah", "password_again": "pohon mangga berbuah"}
        ).status_code
        == 303
    )
    assert runner.invoke(args=["users", "reset-2fa", "kunci"]).exit_code == 0
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_enabled_at is None
    assert runner.invoke(args=["users", "password-link", "nobody"]).exit_code != 0
