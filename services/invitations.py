"""Portal invitations: a single-use link, valid for a limited time, that lets a cooperative set its own password.

Only the SHA-256 of the token and the nonce it is derived from are stored (services/links.py): a copy of
the database does not hold working links, yet the officer can show an unused link again or revoke it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.cooperative import Cooperative, CooperativeInvitation
from models.user import COOPERATIVE, User
from services import clock, links
from services.audit import AuditAction, record
from services.transactions import changed_rows
from services.users import UserError, create_user

LINK_PURPOSE = "cooperative-invitation"


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
    nonce = links.new_nonce()
    token = links.token_for(nonce, LINK_PURPOSE)
    invitation = CooperativeInvitation(
        cooperative=cooperative,
        nonce=nonce,
        token_sha256=links.digest(token),
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
        AuditAction.COOPERATIVE_INVITE,
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
    if not links.plausible(token):
        return None
    query = select(CooperativeInvitation).where(CooperativeInvitation.token_sha256 == links.digest(token))
    invitation = session.scalar(query)
    if invitation is None or not invitation_is_open(invitation, now):
        return None
    return invitation


def invitation_of(session: Session, cooperative: Cooperative, invitation_id: int) -> CooperativeInvitation | None:
    """One of this cooperative's invitations (another cooperative's id gives None)."""
    invitation = session.get(CooperativeInvitation, invitation_id)
    if invitation is None or invitation.cooperative_id != cooperative.id:
        return None
    return invitation


def invitation_is_open(invitation: CooperativeInvitation, now: datetime | None = None) -> bool:
    now = now or clock.now()
    return invitation.used_at is None and invitation.revoked_at is None and invitation.expires_at > now


def open_invitations(session: Session, cooperative: Cooperative) -> list[CooperativeInvitation]:
    """The cooperative's invitations that still work, newest first."""
    query = select(CooperativeInvitation).where(
        CooperativeInvitation.cooperative_id == cooperative.id,
        CooperativeInvitation.used_at.is_(None),
        CooperativeInvitation.revoked_at.is_(None),
        CooperativeInvitation.expires_at > clock.now(),
    )
    return list(session.scalars(query.order_by(CooperativeInvitation.created_at.desc())))


def invitation_link_token(
    session: Session, officer: User, invitation: CooperativeInvitation, ip_address: str | None = None
) -> str:
    """The token of an open invitation, shown again to an officer (audited)."""
    if not invitation_is_open(invitation) or not invitation.nonce:
        raise UserError(_("Undangan ini sudah dipakai, kedaluwarsa, atau dicabut."))
    record(
        session,
        officer,
        AuditAction.COOPERATIVE_SHOW_INVITATION,
        "cooperative",
        invitation.cooperative_id,
        after={"invitation_id": invitation.id},
        ip_address=ip_address,
    )
    session.commit()
    return links.token_for(invitation.nonce, LINK_PURPOSE)


def revoke_invitation(
    session: Session, officer: User, invitation: CooperativeInvitation, ip_address: str | None = None
) -> None:
    """Revoke an unused invitation: its link stops working at once."""
    if invitation.used_at is not None or invitation.revoked_at is not None:
        return
    invitation.revoked_at = clock.now()
    record(
        session,
        officer,
        AuditAction.COOPERATIVE_REVOKE_INVITATION,
        "cooperative",
        invitation.cooperative_id,
        summary=invitation.contact_name,
        after={"invitation_id": invitation.id},
        ip_address=ip_address,
    )
    session.commit()


def mark_invitation_emailed(session: Session, invitation: CooperativeInvitation) -> None:
    invitation.emailed_at = clock.now()
    session.commit()


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
    claimed = session.execute(
        update(CooperativeInvitation)
        .where(
            CooperativeInvitation.id == invitation.id,
            CooperativeInvitation.used_at.is_(None),
            CooperativeInvitation.revoked_at.is_(None),
        )
        .values(used_at=now)
    )
    if changed_rows(claimed) != 1:
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
        AuditAction.COOPERATIVE_ACCEPT_INVITATION,
        "cooperative",
        invitation.cooperative_id,
        summary=f"akun {user.username}",
        ip_address=ip_address,
    )
    session.commit()
    return user
