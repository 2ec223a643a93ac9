"""The one audit call every change goes through."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.audit import AuditEvent
from models.user import User


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
