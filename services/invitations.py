"""Portal invitations: a single-use link, valid for a limited time, that lets a cooperative set its own password.

Only the SHA-256 of the token is stored: a copy of the database does not hold working links.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import cast

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from models.cooperative import Cooperative, CooperativeInvitation
from models.user import COOPERATIVE, User
from services import clock
from services.audit import record
from services.users import UserError, create_user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_lifetime_hours() -> int:
    """How long an invitation link works (COOP_INVITATION_HOURS)."""
    return current_app.config["COOP_INVITATION_HOURS"]


def invitation_lifetime() -> timedelta:
    return timedelta(hours=invitation_lifetime_hours())


def create_invitation(
    session: Session,
    officer: User,
    cooperative: Cooperative,
    contact_name: str,
    email: str | None = None,
    now: datetime | None = None,
    ip_address: str | None = None,
) -> tuple[CooperativeInvitation, str]:
    """Create an invitation; returns it and the raw token, which is shown once and never stored."""
    now = now or clock.now()
    token = secrets.token_urlsafe(32)
    invitation = CooperativeInvitation(
        cooperative=cooperative,
        token_sha256=_digest(token),
        contact_name=contact_name.strip(),
        email=(email or "").strip() or None,
        created_by_id=officer.id,
        created_at=now,
        expires_at=now + invitation_lifetime(),
    )
    session.add(invitation)
    session.flush()
    record(
        session,
        officer,
        "invite",
        "cooperative",
        cooperative.id,
        summary=f"{cooperative.name}: undangan untuk {invitation.contact_name}",
        after={"invitation_id": invitation.id, "expires_at": invitation.expires_at.isoformat()},
        ip_address=ip_address,
    )
    session.commit()
    return invitation, token


def open_invitation(session: Session, token: str, now: datetime | None = None) -> CooperativeInvitation | None:
    """The invitation for this token if it is unused and not expired, else None."""
    if not token or len(token) > 100:
        return None
    query = select(CooperativeInvitation).where(CooperativeInvitation.token_sha256 == _digest(token))
    invitation = session.scalar(query)
    now = now or clock.now()
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= now:
        return None
    return invitation


def accept_invitation(
    session: Session,
    token: str,
    username: str,
    password: str,
    now: datetime | None = None,
    ip_address: str | None = None,
) -> User:
    """Use the invitation once: create the cooperative account with the password its holder chose."""
    now = now or clock.now()
    invitation = open_invitation(session, token, now)
    if invitation is None:
        raise UserError(_("Tautan undangan tidak berlaku lagi. Minta petugas mengirim undangan baru."))
    # Claim the invitation with a conditional UPDATE so two simultaneous uses cannot both succeed.
    claimed = cast(  # an UPDATE's result is a CursorResult, which counts the rows it changed
        CursorResult,
        session.execute(
            update(CooperativeInvitation)
            .where(CooperativeInvitation.id == invitation.id, CooperativeInvitation.used_at.is_(None))
            .values(used_at=now)
        ),
    )
    if claimed.rowcount != 1:
        session.rollback()
        raise UserError(_("Tautan undangan tidak berlaku lagi. Minta petugas mengirim undangan baru."))
    try:
        user = create_user(
            session,
            username,
            password,
            COOPERATIVE,
            invitation.contact_name,
            cooperative_id=invitation.cooperative_id,
            email=invitation.email,
        )
    except UserError:
        session.rollback()
        raise
    claimed_invitation = session.get_one(CooperativeInvitation, invitation.id)
    claimed_invitation.user_id = user.id
    record(
        session,
        user,
        "accept_invitation",
        "cooperative",
        invitation.cooperative_id,
        summary=f"akun {user.username}",
        ip_address=ip_address,
    )
    session.commit()
    return user
