"""Second factor: an authenticator app (TOTP, RFC 6238, with pyotp) and one-time recovery codes.

Required for superadmins and officers when TOTP_REQUIRED is on (the default in production), optional
for everyone else. Recovery codes are shown once; only their SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import secrets

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models.user import OFFICER, SUPERADMIN, RecoveryCode, User
from services import clock
from services.audit import AuditAction, record
from services.transactions import changed_rows

RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def required_for(user: User, config=None) -> bool:
    """Must this user have an authenticator app to log in?"""
    config = config if config is not None else current_app.config
    return bool(config.get("TOTP_REQUIRED")) and user.role in (SUPERADMIN, OFFICER)


def _normalise(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def _digest(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode("utf-8")).hexdigest()


def pending_secret(session: Session, user: User) -> str:
    """The secret being enrolled (made on first call, kept until confirmed or replaced)."""
    if user.has_totp:
        raise ValueError("already enrolled")
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        session.commit()
    return user.totp_secret


def provisioning_uri(user: User, issuer: str) -> str:
    return pyotp.TOTP(user.totp_secret or "").provisioning_uri(name=user.username, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG (no image request, nothing leaves the page)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, title="QR")


def _accept_code(user: User, code: str) -> int | None:
    """The time step of a valid, not yet used code (one step of clock drift either way), else None."""
    code = _normalise(code)
    if not (code.isdigit() and len(code) == 6) or not user.totp_secret:
        return None
    totp = pyotp.TOTP(user.totp_secret)
    moment = clock.now()
    step_now = totp.timecode(moment)
    for offset in (0, -1, 1):
        step = step_now + offset
        if secrets.compare_digest(totp.generate_otp(step), code) and step > (user.totp_last_step or -1):
            return step
    return None


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user.id, code_sha256=_digest(raw)))
    return codes


def confirm_enrolment(session: Session, user: User, code: str, ip_address: str | None = None) -> list[str] | None:
    """Turn the app on if `code` matches the pending secret; returns the recovery codes (shown once)."""
    step = _accept_code(user, code)
    if step is None:
        return None
    user.totp_last_step = step
    user.totp_enabled_at = clock.now()
    codes = _new_recovery_codes(session, user)
    record(session, user, AuditAction.USER_ENABLE_TOTP, "user", user.id, summary=user.username, ip_address=ip_address)
    session.commit()
    return codes


def verify(session: Session, user: User, code: str, ip_address: str | None = None) -> bool:
    """Check a code from the app, or else a recovery code (which then stops working)."""
    if not user.has_totp:
        return False
    step = _accept_code(user, code)
    if step is not None:
        user.totp_last_step = step
        session.commit()
        return True
    used = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_sha256 == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=clock.now())
    )
    if changed_rows(used) == 1:
        record(
            session,
            user,
            AuditAction.USER_USE_RECOVERY_CODE,
            "user",
            user.id,
            summary=user.username,
            ip_address=ip_address,
        )
        session.commit()
        return True
    session.rollback()
    return False


def remaining_recovery_codes(session: Session, user: User) -> int:
    query = select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    return len(session.scalars(query).all())


def regenerate_recovery_codes(session: Session, user: User, ip_address: str | None = None) -> list[str]:
    codes = _new_recovery_codes(session, user)
    record(
        session,
        user,
        AuditAction.USER_REGENERATE_RECOVERY_CODES,
        "user",
        user.id,
        summary=user.username,
        ip_address=ip_address,
    )
    session.commit()
    return codes


def reset(session: Session, actor: User, user: User, ip_address: str | None = None) -> None:
    """Remove the app and recovery codes (a lost phone); the user enrols again at the next login."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record(session, actor, AuditAction.USER_RESET_TOTP, "user", user.id, summary=user.username, ip_address=ip_address)
    session.commit()
