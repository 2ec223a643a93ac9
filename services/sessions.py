"""Login sessions kept on the server, so that they can end: logout, "log out everywhere", password
change, deactivation, idle and absolute timeouts. The browser holds a random token; the database
holds its SHA-256 in `user_session`, and the user loader refuses a token whose row has ended.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.user import User, UserSession
from services import clock
from services.links import digest, plausible
from services.transactions import changed_rows

# last_seen_at is written at most this often: a page view is not a database write.
TOUCH_EVERY = timedelta(seconds=60)
MAX_REMEMBER_DAYS = 30


@dataclass(frozen=True)
class SessionPolicy:
    """How long sessions live. `idle_staff` / `idle_cooperative`: None for no idle limit."""

    idle_staff: timedelta | None = timedelta(minutes=30)
    idle_cooperative: timedelta | None = timedelta(hours=2)
    max_age: timedelta = timedelta(hours=12)
    remember: timedelta = timedelta(days=MAX_REMEMBER_DAYS)

    @classmethod
    def from_config(cls, config) -> SessionPolicy:
        def minutes(name: str, default: int) -> timedelta | None:
            value = int(config.get(name, default))
            return timedelta(minutes=value) if value > 0 else None

        return cls(
            idle_staff=minutes("SESSION_IDLE_MINUTES", 30),
            idle_cooperative=minutes("SESSION_IDLE_MINUTES_COOPERATIVE", 120),
            max_age=timedelta(hours=int(config.get("SESSION_MAX_HOURS", 12))),
            remember=timedelta(days=min(int(config.get("REMEMBER_DAYS", MAX_REMEMBER_DAYS)), MAX_REMEMBER_DAYS)),
        )

    def idle_for(self, user: User) -> timedelta | None:
        return self.idle_staff if user.is_staff else self.idle_cooperative


def start_session(
    session: Session,
    user: User,
    remember: bool,
    policy: SessionPolicy,
    ip_address: str | None = None,
    user_agent: str | None = None,
) -> str:
    """Open a session for `user` (not committed); returns the token for the browser, never stored."""
    now = clock.now()
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            user_id=user.id,
            token_sha256=digest(token),
            created_at=now,
            last_seen_at=now,
            remember_until=now + policy.remember if remember else None,
            ip_address=ip_address,
            user_agent=(user_agent or "")[:200] or None,
        )
    )
    user.session_token = token  # type: ignore[misc]  # per-request, on this loaded instance only
    return token


def _expiry_reason(row: UserSession, user: User, from_remember_cookie: bool, policy: SessionPolicy, now) -> str | None:
    if row.remember_until is not None:
        if now >= row.remember_until:
            return "expired"
    elif from_remember_cookie:
        return "not_remembered"
    elif now >= row.created_at + policy.max_age:
        return "expired"
    idle = policy.idle_for(user)
    if idle is not None and now - row.last_seen_at >= idle:
        return "idle"
    return None


def load_session_user(
    session: Session, user_id: str, from_remember_cookie: bool, policy: SessionPolicy, now: datetime | None = None
) -> User | None:
    """Flask-Login's loader: the user of a live session, or None (ended, expired, idle, deactivated)."""
    ident, _, token = (user_id or "").partition(":")
    if not ident.isdigit() or not plausible(token):
        return None
    row = session.scalar(select(UserSession).where(UserSession.token_sha256 == digest(token)))
    if row is None or row.user_id != int(ident) or row.ended_at is not None:
        return None
    user = row.user
    if not user.is_active:
        return None
    now = now or clock.now()
    reason = _expiry_reason(row, user, from_remember_cookie, policy, now)
    if reason == "not_remembered":
        return None
    if reason is not None:
        row.ended_at, row.ended_reason = now, reason
        session.commit()
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        session.commit()
    user.session_token = token  # type: ignore[misc]  # per-request, on this loaded instance only
    return user


def end_session(session: Session, token: str | None, reason: str = "logout") -> None:
    """End one session (not committed)."""
    if token is None or not plausible(token):
        return
    session.execute(
        update(UserSession)
        .where(UserSession.token_sha256 == digest(token), UserSession.ended_at.is_(None))
        .values(ended_at=clock.now(), ended_reason=reason)
    )


def end_all_sessions(session: Session, user: User, reason: str, keep_token: str | None = None) -> int:
    """End every live session of `user` except the one holding `keep_token` (not committed)."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep_token:
        query = query.where(UserSession.token_sha256 != digest(keep_token))
    return changed_rows(session.execute(query.values(ended_at=clock.now(), ended_reason=reason)))


def live_sessions(session: Session, user: User) -> list[UserSession]:
    """The user's sessions that have not been ended, newest first."""
    query = select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    return list(session.scalars(query.order_by(UserSession.last_seen_at.desc())))
