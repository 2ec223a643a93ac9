"""The one audit call every change goes through, and the hash chain that makes the log tamper-evident."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from models.audit import AuditEvent
from models.user import User
from services import clock
from services.paging import Page, paginate

# Any fixed number: the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK = 0x62616C61


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
    request_id: str | None = None,
) -> AuditEvent:
    """Append an audit event to the chain; it is committed with the change it describes."""
    event = AuditEvent(
        at=clock.now(),
        actor_id=actor.id if actor is not None and getattr(actor, "id", None) else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        summary=summary,
        before=before,
        after=after,
        ip_address=ip_address,
        request_id=request_id,
    )
    _lock_chain(session)
    session.add(event)
    session.flush()  # SQLite: the insert takes the database write lock, so no one appends in between
    event.entry_hash = entry_hash(_previous_hash(session, event.id), event)
    session.flush()
    return event


def _lock_chain(session: Session) -> None:
    """PostgreSQL: one appender at a time until commit, so two entries never chain to the same predecessor."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})


def _previous_hash(session: Session, event_id: int) -> str:
    previous = session.scalar(
        select(AuditEvent.entry_hash).where(AuditEvent.id < event_id).order_by(AuditEvent.id.desc()).limit(1)
    )
    return previous or ""


def entry_hash(previous_hash: str, event: AuditEvent) -> str:
    """SHA-256 of the previous entry's hash and this entry's content, in a canonical JSON form."""
    content = {
        "previous": previous_hash,
        "at": event.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "summary": event.summary,
        "before": event.before,
        "after": event.after,
        "ip_address": event.ip_address,
        "request_id": event.request_id,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainCheck:
    checked: int
    first_broken_id: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.first_broken_id is None


def verify_chain(session: Session, batch_size: int = 2000) -> ChainCheck:
    """Recompute every hash in id order; name the first entry whose stored hash does not follow."""
    previous = ""
    checked = 0
    for event in _in_order(session, batch_size):
        expected = entry_hash(previous, event)
        if event.entry_hash != expected:
            reason = "missing hash" if event.entry_hash is None else "content or order changed"
            return ChainCheck(checked, event.id, reason)
        previous = event.entry_hash
        checked += 1
    return ChainCheck(checked)


def _in_order(session: Session, batch_size: int) -> Iterator:
    """Rows (not tracked objects) in id order, a batch at a time, so a million entries fit in memory."""
    table = AuditEvent.__table__
    last_id = 0
    while True:
        batch = session.execute(select(table).where(table.c.id > last_id).order_by(table.c.id).limit(batch_size)).all()
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id


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
