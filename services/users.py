"""Accounts: creation, passwords (Argon2, the password policy), log-in, role and scope, deactivation,
set-password links. Every change is written to the audit log in the same transaction."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import wraps

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models.region import Region
from models.user import COOPERATIVE, OFFICER, ROLES, SUPERADMIN, PasswordLink, User
from services import clock, links, sessions
from services.audit import AuditAction, record
from services.paging import Page, paginate
from services.passwords import PasswordRejected, check_password
from services.transactions import changed_rows

_hasher = PasswordHasher()
# Verifying against this keeps the time of a login for an unknown user like that of a known one.
_DUMMY_HASH = _hasher.hash("balai-dummy-password")
LINK_PURPOSE = "set-password"
USERNAME_PATTERN = r"^[A-Za-z0-9._-]{3,80}$"


class UserError(ValueError):
    """A user cannot be created or changed as asked; the message is for the person."""


class WrongPassword(UserError):
    """The current password given to confirm a change is wrong."""


def _refusal_rolls_back(function):
    """A refused change leaves nothing half-done in the session: it is rolled back before the error goes up."""

    @wraps(function)
    def wrapper(session: Session, *args, **kwargs):
        try:
            return function(session, *args, **kwargs)
        except UserError:
            session.rollback()
            raise

    return wrapper


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_password_link(session: Session, link_id: int) -> PasswordLink | None:
    return session.get(PasswordLink, link_id)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str, username: str | None = None, full_name: str | None = None) -> None:
    """The password policy (services/passwords.py), as a UserError."""
    try:
        check_password(password, username, full_name)
    except PasswordRejected as exc:
        raise UserError(str(exc)) from None


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.username) == (username or "").strip().lower()))


def _summary(user: User) -> dict:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "role": user.role,
        "kecamatan_id": user.kecamatan_id,
        "active": user.is_active_account,
    }


def _check_role_and_scope(session: Session, role: str, kecamatan_id: int | None, cooperative_id: int | None) -> None:
    if role not in ROLES:
        raise UserError(_("Peran tidak dikenal: %(role)s.", role=role))
    if role == COOPERATIVE and cooperative_id is None:
        raise UserError(_("Akun koperasi harus terhubung ke satu koperasi."))
    if role != OFFICER and kecamatan_id is not None:
        raise UserError(_("Hanya petugas yang dapat dibatasi ke satu kecamatan."))
    if kecamatan_id is not None:
        region = session.get(Region, kecamatan_id)
        if region is None or region.level != "kecamatan":
            raise UserError(_("Kecamatan tidak dikenal."))


@_refusal_rolls_back
def create_user(
    session: Session,
    username: str,
    password: str | None,
    role: str,
    full_name: str,
    kecamatan_id: int | None = None,
    cooperative_id: int | None = None,
    email: str | None = None,
    actor: User | None = None,
    ip_address: str | None = None,
) -> User:
    """Create an account after checking role, scope, uniqueness and the password policy.

    Without a password the account cannot log in until its holder uses a set-password link."""
    username = (username or "").strip()
    full_name = (full_name or "").strip() or username
    if not username:
        raise UserError(_("Nama pengguna wajib diisi."))
    _check_role_and_scope(session, role, kecamatan_id, cooperative_id)
    if find_user(session, username) is not None:
        raise UserError(_("Nama pengguna '%(username)s' sudah dipakai.", username=username))
    if password is not None:
        check_password_strength(password, username, full_name)
    user = User(
        username=username,
        full_name=full_name,
        email=(email or "").strip() or None,
        # No password yet: a random one nobody knows, so that no login can succeed.
        password_hash=hash_password(password if password is not None else secrets.token_urlsafe(32)),
        password_changed_at=clock.now() if password is not None else None,
        role=role,
        kecamatan_id=kecamatan_id,
        cooperative_id=cooperative_id,
        is_active_account=True,
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor,
        AuditAction.USER_CREATE,
        "user",
        user.id,
        summary=username,
        after=_summary(user),
        ip_address=ip_address,
    )
    session.commit()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Return the active user with this username and password, or None."""
    user = find_user(session, username or "")
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if user is None or not user.is_active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.commit()
    return user


def record_failed_login(
    session: Session, username: str, ip_address: str | None = None, request_id: str | None = None
) -> None:
    """A wrong user name or password, in the audit log with the name tried (never the password)."""
    record(
        session,
        None,
        AuditAction.USER_LOGIN_FAILED,
        "user",
        summary=(username or "").strip()[:80],
        ip_address=ip_address,
        request_id=request_id,
    )
    session.commit()


def log_in(
    session: Session,
    user: User,
    remember: bool,
    policy: sessions.SessionPolicy,
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> str:
    """Start a server-side session for a user who proved who they are; returns its token."""
    token = sessions.start_session(session, user, remember, policy, ip_address, user_agent)
    user.last_login_at = clock.now()
    record(
        session,
        user,
        AuditAction.USER_LOGIN,
        "user",
        user.id,
        summary="remember" if remember else None,
        ip_address=ip_address,
    )
    session.commit()
    user.session_token = token  # type: ignore[misc]  # per-request, on this loaded instance only
    return token


def log_out(session: Session, user: User | None, token: str | None, ip_address: str | None = None) -> None:
    """End this session on the server: its cookies, even copied, no longer work."""
    sessions.end_session(session, token, "logout")
    if user is not None:
        record(session, user, AuditAction.USER_LOGOUT, "user", user.id, ip_address=ip_address)
    session.commit()


def log_out_everywhere(session: Session, user: User, ip_address: str | None = None) -> int:
    """End every session of the user, this one included."""
    count = sessions.end_all_sessions(session, user, "logout_everywhere")
    record(
        session,
        user,
        AuditAction.USER_LOGOUT_EVERYWHERE,
        "user",
        user.id,
        after={"sessions": count},
        ip_address=ip_address,
    )
    session.commit()
    return count


@_refusal_rolls_back
def set_password(
    session: Session,
    user: User,
    password: str,
    actor: User | None = None,
    ip_address: str | None = None,
    keep_token: str | None = None,
) -> None:
    """Change a password under the policy and end every session (but `keep_token`'s) and open link."""
    check_password_strength(password, user.username, user.full_name)
    now = clock.now()
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    sessions.end_all_sessions(session, user, "password_changed", keep_token=keep_token)
    _revoke_open_links(session, user, now)
    record(
        session,
        actor or user,
        AuditAction.USER_SET_PASSWORD,
        "user",
        user.id,
        summary=user.username,
        ip_address=ip_address,
    )
    session.commit()


@_refusal_rolls_back
def change_own_password(
    session: Session, user: User, current: str, new: str, ip_address: str | None = None, keep_token: str | None = None
) -> None:
    """A user changes their own password: the current one first, then the policy; other sessions end."""
    try:
        _hasher.verify(user.password_hash, current or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise WrongPassword(_("Kata sandi saat ini salah.")) from None
    if current == new:
        raise UserError(_("Kata sandi baru harus berbeda dari yang sekarang."))
    set_password(session, user, new, actor=user, ip_address=ip_address, keep_token=keep_token)


# --- Managing accounts (superadmin) ---------------------------------------------------------------


def list_users(session: Session, page: int, per_page: int, query: str | None = None) -> Page:
    """Accounts by user name, optionally filtered by a piece of the user name or full name."""
    statement = select(User)
    if query:
        like = f"%{query.strip().lower()}%"
        statement = statement.where(func.lower(User.username).like(like) | func.lower(User.full_name).like(like))
    return paginate(session, statement.order_by(User.username), page, per_page)


def kecamatan_choices(session: Session) -> list[Region]:
    return list(session.scalars(select(Region).where(Region.level == "kecamatan").order_by(Region.name)))


def _active_superadmins(session: Session) -> int:
    query = select(func.count(User.id)).where(User.role == SUPERADMIN, User.is_active_account.is_(True))
    return session.scalar(query) or 0


@_refusal_rolls_back
def update_account(
    session: Session,
    actor: User,
    user: User,
    full_name: str,
    email: str | None,
    role: str,
    kecamatan_id: int | None,
    ip_address: str | None = None,
) -> None:
    """Change name, e-mail, role and kecamatan scope; the last active superadmin keeps the role."""
    if user.role == COOPERATIVE and role != COOPERATIVE or user.role != COOPERATIVE and role == COOPERATIVE:
        raise UserError(_("Akun koperasi tidak dapat diubah menjadi akun petugas, dan sebaliknya."))
    _check_role_and_scope(session, role, kecamatan_id, user.cooperative_id)
    if user.role == SUPERADMIN and role != SUPERADMIN and user.is_active_account and _active_superadmins(session) <= 1:
        raise UserError(_("Ini satu-satunya superadmin aktif; angkat superadmin lain terlebih dahulu."))
    before = _summary(user)
    user.full_name = (full_name or "").strip() or user.username
    user.email = (email or "").strip() or None
    user.role = role
    user.kecamatan_id = kecamatan_id
    after = _summary(user)
    if before == after:
        session.rollback()
        return
    record(
        session,
        actor,
        AuditAction.USER_UPDATE,
        "user",
        user.id,
        summary=user.username,
        before=before,
        after=after,
        ip_address=ip_address,
    )
    session.commit()


@_refusal_rolls_back
def set_active(session: Session, actor: User, user: User, active: bool, ip_address: str | None = None) -> None:
    """Deactivate (every session and open link ends at once) or reactivate an account."""
    if user.is_active_account == active:
        return
    if not active:
        if user.id == actor.id:
            raise UserError(_("Anda tidak dapat menonaktifkan akun Anda sendiri."))
        if user.role == SUPERADMIN and _active_superadmins(session) <= 1:
            raise UserError(_("Ini satu-satunya superadmin aktif; angkat superadmin lain terlebih dahulu."))
        sessions.end_all_sessions(session, user, "deactivated")
        _revoke_open_links(session, user, clock.now())
    user.is_active_account = active
    action = AuditAction.USER_REACTIVATE if active else AuditAction.USER_DEACTIVATE
    record(
        session, actor, action, "user", user.id, summary=user.username, after={"active": active}, ip_address=ip_address
    )
    session.commit()


def end_sessions_of(session: Session, actor: User, user: User, ip_address: str | None = None) -> int:
    """A superadmin logs a user out everywhere (a lost phone, a shared computer)."""
    count = sessions.end_all_sessions(session, user, "ended_by_admin")
    record(
        session,
        actor,
        AuditAction.USER_LOGOUT_EVERYWHERE,
        "user",
        user.id,
        summary=user.username,
        after={"sessions": count},
        ip_address=ip_address,
    )
    session.commit()
    return count


# --- Set-password links ---------------------------------------------------------------------------


def link_lifetime() -> timedelta:
    hours = int(current_app.config.get("PASSWORD_LINK_HOURS", 48)) if has_app_context() else 48
    return timedelta(hours=hours)


def link_is_open(link: PasswordLink, now: datetime | None = None) -> bool:
    now = now or clock.now()
    return link.used_at is None and link.revoked_at is None and link.expires_at > now


def _revoke_open_links(session: Session, user: User, now: datetime) -> None:
    session.execute(
        update(PasswordLink)
        .where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None), PasswordLink.revoked_at.is_(None))
        .values(revoked_at=now)
    )


@_refusal_rolls_back
def create_password_link(
    session: Session, actor: User | None, user: User, ip_address: str | None = None
) -> tuple[PasswordLink, str]:
    """A new single-use set-password link for `user` (earlier open ones are revoked); returns it and its token."""
    if not user.is_active_account:
        raise UserError(_("Akun ini nonaktif; aktifkan dahulu sebelum mengirim tautan."))
    now = clock.now()
    _revoke_open_links(session, user, now)
    nonce = links.new_nonce()
    token = links.token_for(nonce, LINK_PURPOSE)
    link = PasswordLink(
        user_id=user.id,
        nonce=nonce,
        token_sha256=links.digest(token),
        created_by_id=actor.id if actor is not None else None,
        created_at=now,
        expires_at=now + link_lifetime(),
    )
    session.add(link)
    session.flush()
    record(
        session,
        actor,
        AuditAction.USER_CREATE_PASSWORD_LINK,
        "user",
        user.id,
        summary=user.username,
        after={"link_id": link.id, "expires_at": link.expires_at.isoformat()},
        ip_address=ip_address,
    )
    session.commit()
    return link, token


def open_links(session: Session, user: User) -> list[PasswordLink]:
    """The user's links that still work, newest first."""
    query = select(PasswordLink).where(
        PasswordLink.user_id == user.id,
        PasswordLink.used_at.is_(None),
        PasswordLink.revoked_at.is_(None),
        PasswordLink.expires_at > clock.now(),
    )
    return list(session.scalars(query.order_by(PasswordLink.created_at.desc())))


@_refusal_rolls_back
def show_password_link(session: Session, actor: User, link: PasswordLink, ip_address: str | None = None) -> str:
    """The token of an open link, shown again to the officer (audited); a closed link has none."""
    if not link_is_open(link):
        raise UserError(_("Tautan ini sudah dipakai, kedaluwarsa, atau dicabut."))
    _record_link(session, actor, link, AuditAction.USER_SHOW_PASSWORD_LINK, ip_address)
    session.commit()
    return links.token_for(link.nonce, LINK_PURPOSE)


def revoke_password_link(session: Session, actor: User, link: PasswordLink, ip_address: str | None = None) -> None:
    """Revoke an unused link: it stops working at once."""
    if link.used_at is not None or link.revoked_at is not None:
        return
    link.revoked_at = clock.now()
    _record_link(session, actor, link, AuditAction.USER_REVOKE_PASSWORD_LINK, ip_address)
    session.commit()


def _record_link(
    session: Session, actor: User, link: PasswordLink, action: AuditAction, ip_address: str | None
) -> None:
    """The audit entry of something done to a set-password link (never its token)."""
    record(
        session,
        actor,
        action,
        "user",
        link.user_id,
        summary=link.user.username,
        after={"link_id": link.id},
        ip_address=ip_address,
    )


def mark_link_emailed(session: Session, link: PasswordLink) -> None:
    link.emailed_at = clock.now()
    session.commit()


def find_open_link(session: Session, token: str) -> PasswordLink | None:
    """The open link for this token, or None (unknown, used, expired, revoked, or account inactive)."""
    if not links.plausible(token):
        return None
    link = session.scalar(select(PasswordLink).where(PasswordLink.token_sha256 == links.digest(token)))
    if link is None or not link_is_open(link) or not link.user.is_active_account:
        return None
    return link


@_refusal_rolls_back
def use_password_link(session: Session, token: str, password: str, ip_address: str | None = None) -> User:
    """Set the password through a link, once: a second use, even at the same moment, is refused."""
    link = find_open_link(session, token)
    if link is None:
        raise UserError(_("Tautan ini tidak berlaku lagi. Minta superadmin mengirim tautan baru."))
    user = link.user
    check_password_strength(password, user.username, user.full_name)
    claimed = session.execute(
        update(PasswordLink)
        .where(PasswordLink.id == link.id, PasswordLink.used_at.is_(None), PasswordLink.revoked_at.is_(None))
        .values(used_at=clock.now())
    )
    if changed_rows(claimed) != 1:
        session.rollback()
        raise UserError(_("Tautan ini tidak berlaku lagi. Minta superadmin mengirim tautan baru."))
    set_password(session, user, password, actor=user, ip_address=ip_address)
    return user


def cooperative_accounts(session: Session, cooperative_id: int) -> list[User]:
    """The portal accounts of one cooperative, by username."""
    query = select(User).where(User.cooperative_id == cooperative_id, User.role == COOPERATIVE)
    return list(session.scalars(query.order_by(User.username)))
