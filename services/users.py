"""Accounts: creation, password hashing with Argon2, authentication."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.user import COOPERATIVE, OFFICER, ROLES, User
from services import clock
from services.audit import record

_hasher = PasswordHasher()
# Verifying against this keeps the time of a login for an unknown user like that of a known one.
_DUMMY_HASH = _hasher.hash("balai-dummy-password")
MIN_PASSWORD_LENGTH = 10


class UserError(ValueError):
    """A user cannot be created or changed as asked; the message is for the person."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter.")


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    full_name: str,
    kecamatan_id: int | None = None,
    cooperative_id: int | None = None,
    email: str | None = None,
) -> User:
    """Create an account after checking role, uniqueness and password strength."""
    username = username.strip()
    if role not in ROLES:
        raise UserError(f"Peran tidak dikenal: {role}. Pilih salah satu: {', '.join(ROLES)}.")
    if not username:
        raise UserError("Nama pengguna wajib diisi.")
    if find_user(session, username) is not None:
        raise UserError(f"Nama pengguna '{username}' sudah dipakai.")
    if role == COOPERATIVE and cooperative_id is None:
        raise UserError("Akun koperasi harus terhubung ke satu koperasi.")
    if role != OFFICER and kecamatan_id is not None:
        raise UserError("Hanya petugas yang dapat dibatasi ke satu kecamatan.")
    check_password_strength(password)
    user = User(
        username=username,
        full_name=full_name.strip() or username,
        email=email,
        password_hash=hash_password(password),
        role=role,
        kecamatan_id=kecamatan_id,
        cooperative_id=cooperative_id,
    )
    session.add(user)
    session.commit()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Return the active user with this username and password, or None."""
    user = find_user(session, username)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = clock.now()
    session.commit()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Change a password and end every session of the old one."""
    check_password_strength(password)
    user.password_hash = hash_password(password)
    user.session_version = (user.session_version or 1) + 1
    session.commit()


def load_user(session: Session, user_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session version so old sessions stop working."""
    ident, _, version = user_id.partition(":")
    if not ident.isdigit() or not version.isdigit():
        return None
    user = session.get(User, int(ident))
    if user is None or user.session_version != int(version):
        return None
    return user


def cooperative_accounts(session: Session, cooperative_id: int) -> list[User]:
    """The portal accounts of one cooperative, by username."""
    query = select(User).where(User.cooperative_id == cooperative_id, User.role == COOPERATIVE)
    return list(session.scalars(query.order_by(User.username)))


def record_login(session: Session, user: User, ip_address: str | None = None) -> None:
    """Every successful login is in the audit log."""
    record(session, user, "login", "user", user.id, ip_address=ip_address)
    session.commit()
