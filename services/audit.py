"""The one audit call every change goes through."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.audit import AuditEvent
from models.user import User
from services import clock
from services.paging import Page, paginate


def record(
    session: Session,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: object = None,
    summary: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Add an audit event to the session; it is committed with the change it describes."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None and getattr(actor, "id", None) else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        summary=summary,
        before=before,
        after=after,
        ip_address=ip_address,
    )
    session.add(event)
    return event


def event_page(
    session: Session,
    *,
    action: str = "",
    object_type: str = "",
    actor: str = "",
    since: date | None = None,
    tz_name: str = "UTC",
    page: int = 1,
    per_page: int = 50,
) -> Page:
    """The audit log, newest first, filtered by action, kind of record, username and first day (in `tz_name`)."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action == action)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    if actor:
        query = query.join(User, AuditEvent.actor_id == User.id).where(func.lower(User.username) == actor.lower())
    if since is not None:
        query = query.where(AuditEvent.at >= clock.local_to_utc(datetime.combine(since, time.min), tz_name))
    return paginate(session, query, page, per_page)


def recorded_actions(session: Session) -> list[str]:
    """Every action name in the log, for the filter."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def recorded_object_types(session: Session) -> list[str]:
    """Every kind of record in the log, for the filter."""
    return list(session.scalars(select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type)))
