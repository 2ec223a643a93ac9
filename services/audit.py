"""The one audit call every change goes through, and the hash chain that makes the log tamper-evident."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from time import monotonic

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from models.audit import AuditEvent
from models.user import User
from services import clock
from services.paging import Page, paginate

# Any fixed number: the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK = 0x62616C61


class AuditAction(StrEnum):
    """Every action name the audit log may hold: the one list (tests/unit/test_layers.py checks each
    `record(...)` call names one of these). A new kind of change adds its name here."""

    ACCEPT_INVITATION = "accept_invitation"
    ACCESS_FORBIDDEN = "access.forbidden"
    ACCESS_RATE_LIMITED = "access.rate_limited"
    ATTACH_NOTARIAL_COPY = "attach_notarial_copy"
    CONTENT_ARCHIVE = "content.archive"
    CONTENT_CORRECT = "content.correct"
    CONTENT_DELETE = "content.delete"
    CONTENT_PUBLISH = "content.publish"
    CONTENT_PURGE = "content.purge"
    CONTENT_SCHEDULE = "content.schedule"
    CONTENT_UNARCHIVE = "content.unarchive"
    CREATE = "create"
    CREATE_PASSWORD_LINK = "create_password_link"  # noqa: S105 - an action name
    DELIVERY_RECORD = "delivery.record"
    DELIVERY_RUN = "delivery.run"
    DISSOLVE = "dissolve"
    DOWNLOAD = "download"
    EDIT = "edit"
    ENABLE_TOTP = "enable_totp"
    HOLDER_CHECK = "holder_check"
    IMPORT = "import"
    INVITE = "invite"
    ISSUE = "issue"
    ISSUE_DEED = "issue_deed"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    LOGOUT_EVERYWHERE = "logout_everywhere"
    MEDIA_DELETE = "media.delete"
    MEDIA_UPLOAD = "media.upload"
    OUTREACH_PLAN = "outreach.plan"
    OUTREACH_REGISTER = "outreach.register"
    OUTREACH_REPORT = "outreach.report"
    OUTREACH_VISIT = "outreach.visit"
    PERSON_EDIT = "person.edit"
    PERSON_NIK_CHECK = "person.nik_check"
    PRINT = "print"
    RAT_CONFIRM = "rat_confirm"
    RAT_MINUTES = "rat_minutes"
    RAT_MINUTES_DOWNLOAD = "rat_minutes_download"
    RAT_RECORD = "rat_record"
    RAT_REJECT = "rat_reject"
    RAT_SUBMIT = "rat_submit"
    RECORD_AMENDMENT = "record_amendment"
    REGENERATE_RECOVERY_CODES = "regenerate_recovery_codes"
    REGISTER = "register"
    REISSUE = "reissue"
    REISSUE_DEED = "reissue_deed"
    RENEW = "renew"
    RESET_TOTP = "reset_totp"
    REVOKE = "revoke"
    REVOKE_INVITATION = "revoke_invitation"
    REVOKE_PASSWORD_LINK = "revoke_password_link"  # noqa: S105 - an action name
    SET_PASSWORD = "set_password"  # noqa: S105 - an action name
    SHOW_INVITATION = "show_invitation"
    SHOW_PASSWORD_LINK = "show_password_link"  # noqa: S105 - an action name
    UPDATE = "update"
    UPDATE_LEGAL_RECORD = "update_legal_record"
    USE_RECOVERY_CODE = "use_recovery_code"


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


# Refusals (403, 429) are recorded at most once a minute per client and kind, so that a flood of refused
# requests cannot flood the audit log; the application log still has one line per request.
REFUSAL_INTERVAL_SECONDS = 60
_last_refusal: dict[tuple[str | None, str, int], float] = {}


def record_refusal(
    session: Session,
    actor: User | None,
    status_code: int,
    method: str,
    route: str,
    ip_address: str | None,
    request_id: str | None,
) -> bool:
    """Record a refused request (403 forbidden, 429 too many requests); False when throttled or unrecordable."""
    key = (ip_address, route, status_code)
    moment = monotonic()
    if moment - _last_refusal.get(key, -REFUSAL_INTERVAL_SECONDS) < REFUSAL_INTERVAL_SECONDS:
        return False
    if len(_last_refusal) > 10_000:
        _last_refusal.clear()
    _last_refusal[key] = moment
    action = "access.forbidden" if status_code == 403 else "access.rate_limited"
    try:
        record(
            session, actor, action, "request", summary=f"{method} {route}", ip_address=ip_address, request_id=request_id
        )
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        return False
    return True


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


@dataclass(frozen=True)
class EventFilter:
    """What a superadmin narrows the audit log to; days are whole days in the municipality's zone."""

    action: str = ""
    object_type: str = ""
    actor: str = ""
    request_id: str = ""
    since: date | None = None
    until: date | None = None
    tz_name: str = "UTC"

    def query(self):
        query = select(AuditEvent).order_by(AuditEvent.id.desc())
        if self.action:
            query = query.where(AuditEvent.action == self.action)
        if self.object_type:
            query = query.where(AuditEvent.object_type == self.object_type)
        if self.actor:
            query = query.join(User, AuditEvent.actor_id == User.id).where(
                func.lower(User.username) == self.actor.lower()
            )
        if self.request_id:
            query = query.where(AuditEvent.request_id == self.request_id)
        if self.since is not None:
            query = query.where(
                AuditEvent.at >= clock.local_to_utc(datetime.combine(self.since, time.min), self.tz_name)
            )
        if self.until is not None:
            end = datetime.combine(self.until + timedelta(days=1), time.min)
            query = query.where(AuditEvent.at < clock.local_to_utc(end, self.tz_name))
        return query


def event_page(session: Session, filters: EventFilter, *, page: int = 1, per_page: int = 50) -> Page:
    """The audit log, newest first, as `filters` narrow it."""
    return paginate(session, filters.query(), page, per_page)


EXPORT_LIMIT = 100_000
EXPORT_HEADER = [
    "id",
    "waktu_utc",
    "pengguna",
    "tindakan",
    "jenis_data",
    "id_data",
    "ringkasan",
    "sebelum",
    "sesudah",
    "alamat_ip",
    "id_permintaan",
    "hash",
]


def export_rows(session: Session, filters: EventFilter, limit: int = EXPORT_LIMIT) -> Iterator[list]:
    """The filtered log as spreadsheet rows (newest first), with each entry's chain hash for checking."""
    query = filters.query().options(selectinload(AuditEvent.actor)).limit(limit)
    for event in session.scalars(query):
        yield [
            event.id,
            event.at.astimezone(UTC).isoformat(timespec="seconds"),
            event.actor.username if event.actor else "",
            event.action,
            event.object_type,
            event.object_id or "",
            event.summary or "",
            json.dumps(event.before, ensure_ascii=False) if event.before else "",
            json.dumps(event.after, ensure_ascii=False) if event.after else "",
            event.ip_address or "",
            event.request_id or "",
            event.entry_hash or "",
        ]


def recorded_actions(session: Session) -> list[str]:
    """Every action name in the log, for the filter."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def recorded_object_types(session: Session) -> list[str]:
    """Every kind of record in the log, for the filter."""
    return list(session.scalars(select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type)))
