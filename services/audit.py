"""The one audit call every change goes through, and the hash chain that makes the log tamper-evident."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from time import monotonic

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from models.audit import AuditEvent
from models.user import User
from services import clock
from services.paging import Page, paginate

# Any fixed number: the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK = 0x62616C61


class AuditAction(StrEnum):
    """Every action name the audit log may hold: the one list, one style, `<record>.<verb>`
    (tests/unit/test_layers.py checks each `record(...)` call names one of these). A new kind of change
    adds its name here and its label to ACTION_LABELS. Rows written before the names took this style
    keep their stored names (the chain hashes them); LEGACY_ACTIONS reads them as these."""

    ACCESS_FORBIDDEN = "access.forbidden"
    ACCESS_RATE_LIMITED = "access.rate_limited"
    BUSINESS_EDIT = "business.edit"
    BUSINESS_IMPORT = "business.import"
    BUSINESS_REGISTER = "business.register"
    CONTENT_ARCHIVE = "content.archive"
    CONTENT_CORRECT = "content.correct"
    CONTENT_DELETE = "content.delete"
    CONTENT_PUBLISH = "content.publish"
    CONTENT_PURGE = "content.purge"
    CONTENT_SCHEDULE = "content.schedule"
    CONTENT_UNARCHIVE = "content.unarchive"
    COOPERATIVE_ACCEPT_INVITATION = "cooperative.accept_invitation"
    COOPERATIVE_ATTACH_NOTARIAL_COPY = "cooperative.attach_notarial_copy"
    COOPERATIVE_CREATE = "cooperative.create"
    COOPERATIVE_DISSOLVE = "cooperative.dissolve"
    COOPERATIVE_IMPORT = "cooperative.import"
    COOPERATIVE_INVITE = "cooperative.invite"
    COOPERATIVE_RAT_CONFIRM = "cooperative.rat_confirm"
    COOPERATIVE_RAT_MINUTES = "cooperative.rat_minutes"
    COOPERATIVE_RAT_MINUTES_DOWNLOAD = "cooperative.rat_minutes_download"
    COOPERATIVE_RAT_RECORD = "cooperative.rat_record"
    COOPERATIVE_RAT_REJECT = "cooperative.rat_reject"
    COOPERATIVE_RAT_SUBMIT = "cooperative.rat_submit"
    COOPERATIVE_RECORD_AMENDMENT = "cooperative.record_amendment"
    COOPERATIVE_REVOKE_INVITATION = "cooperative.revoke_invitation"
    COOPERATIVE_SHOW_INVITATION = "cooperative.show_invitation"
    COOPERATIVE_UPDATE = "cooperative.update"
    COOPERATIVE_UPDATE_LEGAL_RECORD = "cooperative.update_legal_record"
    DEED_DOWNLOAD = "deed.download"
    DEED_HOLDER_CHECK = "deed.holder_check"
    DEED_ISSUE = "deed.issue"
    DEED_REISSUE = "deed.reissue"
    DELIVERY_RECORD = "delivery.record"
    DELIVERY_RUN = "delivery.run"
    MEDIA_DELETE = "media.delete"
    MEDIA_UPLOAD = "media.upload"
    NOTARIAL_COPY_DOWNLOAD = "notarial_copy.download"
    OUTREACH_PLAN = "outreach.plan"
    OUTREACH_REGISTER = "outreach.register"
    OUTREACH_REPORT = "outreach.report"
    OUTREACH_VISIT = "outreach.visit"
    PERMIT_BATCH_PRINT = "permit_batch.print"
    PERMIT_DOWNLOAD = "permit.download"
    PERMIT_HOLDER_CHECK = "permit.holder_check"
    PERMIT_ISSUE = "permit.issue"
    PERMIT_REISSUE = "permit.reissue"
    PERMIT_RENEW = "permit.renew"
    PERMIT_REVOKE = "permit.revoke"
    PERSON_EDIT = "person.edit"
    PERSON_NIK_CHECK = "person.nik_check"
    USER_CREATE = "user.create"
    USER_CREATE_PASSWORD_LINK = "user.create_password_link"  # noqa: S105 - an action name
    USER_DEACTIVATE = "user.deactivate"
    USER_ENABLE_TOTP = "user.enable_totp"
    USER_LOGIN = "user.login"
    USER_LOGIN_FAILED = "user.login_failed"
    USER_LOGOUT = "user.logout"
    USER_LOGOUT_EVERYWHERE = "user.logout_everywhere"
    USER_REACTIVATE = "user.reactivate"
    USER_REGENERATE_RECOVERY_CODES = "user.regenerate_recovery_codes"
    USER_RESET_TOTP = "user.reset_totp"
    USER_REVOKE_PASSWORD_LINK = "user.revoke_password_link"  # noqa: S105 - an action name
    USER_SET_PASSWORD = "user.set_password"  # noqa: S105 - an action name
    USER_SHOW_PASSWORD_LINK = "user.show_password_link"  # noqa: S105 - an action name
    USER_UPDATE = "user.update"
    USER_USE_RECOVERY_CODE = "user.use_recovery_code"


# What a superadmin reads in the audit log for each action.
ACTION_LABELS: dict[AuditAction, LazyString] = {
    AuditAction.ACCESS_FORBIDDEN: _l("Akses ditolak"),
    AuditAction.ACCESS_RATE_LIMITED: _l("Terlalu banyak permintaan"),
    AuditAction.BUSINESS_EDIT: _l("Data usaha diubah"),
    AuditAction.BUSINESS_IMPORT: _l("Usaha diimpor"),
    AuditAction.BUSINESS_REGISTER: _l("Usaha didaftarkan"),
    AuditAction.CONTENT_ARCHIVE: _l("Konten diarsipkan"),
    AuditAction.CONTENT_CORRECT: _l("Konten dikoreksi"),
    AuditAction.CONTENT_DELETE: _l("Konten dihapus"),
    AuditAction.CONTENT_PUBLISH: _l("Konten diterbitkan"),
    AuditAction.CONTENT_PURGE: _l("Konten dihapus permanen"),
    AuditAction.CONTENT_SCHEDULE: _l("Konten dijadwalkan"),
    AuditAction.CONTENT_UNARCHIVE: _l("Konten dikeluarkan dari arsip"),
    AuditAction.COOPERATIVE_ACCEPT_INVITATION: _l("Undangan pengurus koperasi diterima"),
    AuditAction.COOPERATIVE_ATTACH_NOTARIAL_COPY: _l("Salinan akta notaris dilampirkan"),
    AuditAction.COOPERATIVE_CREATE: _l("Koperasi didaftarkan"),
    AuditAction.COOPERATIVE_DISSOLVE: _l("Koperasi dibubarkan"),
    AuditAction.COOPERATIVE_IMPORT: _l("Koperasi diimpor"),
    AuditAction.COOPERATIVE_INVITE: _l("Pengurus koperasi diundang"),
    AuditAction.COOPERATIVE_RAT_CONFIRM: _l("Laporan RAT dikonfirmasi"),
    AuditAction.COOPERATIVE_RAT_MINUTES: _l("Notulen RAT dilampirkan"),
    AuditAction.COOPERATIVE_RAT_MINUTES_DOWNLOAD: _l("Notulen RAT diunduh"),
    AuditAction.COOPERATIVE_RAT_RECORD: _l("Laporan RAT dicatat petugas"),
    AuditAction.COOPERATIVE_RAT_REJECT: _l("Laporan RAT dikembalikan"),
    AuditAction.COOPERATIVE_RAT_SUBMIT: _l("Laporan RAT dikirim"),
    AuditAction.COOPERATIVE_RECORD_AMENDMENT: _l("Perubahan anggaran dasar dicatat"),
    AuditAction.COOPERATIVE_REVOKE_INVITATION: _l("Undangan pengurus koperasi dicabut"),
    AuditAction.COOPERATIVE_SHOW_INVITATION: _l("Tautan undangan ditampilkan lagi"),
    AuditAction.COOPERATIVE_UPDATE: _l("Data koperasi diubah"),
    AuditAction.COOPERATIVE_UPDATE_LEGAL_RECORD: _l("Data badan hukum koperasi diubah"),
    AuditAction.DEED_DOWNLOAD: _l("Akta pendirian diunduh"),
    AuditAction.DEED_HOLDER_CHECK: _l("Pemeriksaan pemegang akta"),
    AuditAction.DEED_ISSUE: _l("Akta pendirian diterbitkan"),
    AuditAction.DEED_REISSUE: _l("Akta pendirian diterbitkan ulang"),
    AuditAction.DELIVERY_RECORD: _l("Hasil pengantaran dicatat"),
    AuditAction.DELIVERY_RUN: _l("Rombongan antar dibuat"),
    AuditAction.MEDIA_DELETE: _l("Media dihapus"),
    AuditAction.MEDIA_UPLOAD: _l("Media diunggah"),
    AuditAction.NOTARIAL_COPY_DOWNLOAD: _l("Salinan akta notaris diunduh"),
    AuditAction.OUTREACH_PLAN: _l("Kunjungan jemput bola direncanakan"),
    AuditAction.OUTREACH_REGISTER: _l("Usaha dari laporan warga didaftarkan"),
    AuditAction.OUTREACH_REPORT: _l("Laporan warga diterima"),
    AuditAction.OUTREACH_VISIT: _l("Hasil kunjungan dicatat"),
    AuditAction.PERMIT_BATCH_PRINT: _l("Izin dicetak bersama"),
    AuditAction.PERMIT_DOWNLOAD: _l("Izin diunduh"),
    AuditAction.PERMIT_HOLDER_CHECK: _l("Pemeriksaan pemegang izin"),
    AuditAction.PERMIT_ISSUE: _l("Izin diterbitkan"),
    AuditAction.PERMIT_REISSUE: _l("Izin diterbitkan ulang"),
    AuditAction.PERMIT_RENEW: _l("Izin diperpanjang"),
    AuditAction.PERMIT_REVOKE: _l("Izin dicabut"),
    AuditAction.PERSON_EDIT: _l("Data orang diubah"),
    AuditAction.PERSON_NIK_CHECK: _l("Pemeriksaan NIK"),
    AuditAction.USER_CREATE: _l("Akun dibuat"),
    AuditAction.USER_CREATE_PASSWORD_LINK: _l("Tautan kata sandi dibuat"),
    AuditAction.USER_DEACTIVATE: _l("Akun dinonaktifkan"),
    AuditAction.USER_ENABLE_TOTP: _l("Verifikasi dua langkah diaktifkan"),
    AuditAction.USER_LOGIN: _l("Masuk berhasil"),
    AuditAction.USER_LOGIN_FAILED: _l("Masuk gagal"),
    AuditAction.USER_LOGOUT: _l("Keluar dari akun"),
    AuditAction.USER_LOGOUT_EVERYWHERE: _l("Keluar dari semua perangkat"),
    AuditAction.USER_REACTIVATE: _l("Akun diaktifkan kembali"),
    AuditAction.USER_REGENERATE_RECOVERY_CODES: _l("Kode pemulihan dibuat ulang"),
    AuditAction.USER_RESET_TOTP: _l("Verifikasi dua langkah diatur ulang"),
    AuditAction.USER_REVOKE_PASSWORD_LINK: _l("Tautan kata sandi dicabut"),
    AuditAction.USER_SET_PASSWORD: _l("Kata sandi ditetapkan"),
    AuditAction.USER_SHOW_PASSWORD_LINK: _l("Tautan kata sandi ditampilkan lagi"),
    AuditAction.USER_UPDATE: _l("Akun diubah"),
    AuditAction.USER_USE_RECOVERY_CODE: _l("Kode pemulihan dipakai"),
}

# The names rows were stored under before the one style, read as the enumeration. A name that several
# kinds of record shared ("create", "download") is told apart by the row's object type; None: any type.
LEGACY_ACTIONS: dict[tuple[str, str | None], AuditAction] = {
    ("accept_invitation", None): AuditAction.COOPERATIVE_ACCEPT_INVITATION,
    ("attach_notarial_copy", None): AuditAction.COOPERATIVE_ATTACH_NOTARIAL_COPY,
    ("create", "cooperative"): AuditAction.COOPERATIVE_CREATE,
    ("create", "user"): AuditAction.USER_CREATE,
    ("create_password_link", None): AuditAction.USER_CREATE_PASSWORD_LINK,
    ("deactivate", None): AuditAction.USER_DEACTIVATE,
    ("dissolve", None): AuditAction.COOPERATIVE_DISSOLVE,
    ("download", "founding_deed"): AuditAction.DEED_DOWNLOAD,
    ("download", "notarial_copy"): AuditAction.NOTARIAL_COPY_DOWNLOAD,
    ("download", "permit"): AuditAction.PERMIT_DOWNLOAD,
    ("edit", None): AuditAction.BUSINESS_EDIT,
    ("enable_totp", None): AuditAction.USER_ENABLE_TOTP,
    ("holder_check", "founding_deed"): AuditAction.DEED_HOLDER_CHECK,
    ("holder_check", "permit"): AuditAction.PERMIT_HOLDER_CHECK,
    ("import", "business"): AuditAction.BUSINESS_IMPORT,
    ("import", "cooperative"): AuditAction.COOPERATIVE_IMPORT,
    ("invite", None): AuditAction.COOPERATIVE_INVITE,
    ("issue", None): AuditAction.PERMIT_ISSUE,
    ("issue_deed", None): AuditAction.DEED_ISSUE,
    ("login", None): AuditAction.USER_LOGIN,
    ("login_failed", None): AuditAction.USER_LOGIN_FAILED,
    ("logout", None): AuditAction.USER_LOGOUT,
    ("logout_everywhere", None): AuditAction.USER_LOGOUT_EVERYWHERE,
    ("print", None): AuditAction.PERMIT_BATCH_PRINT,
    ("rat_confirm", None): AuditAction.COOPERATIVE_RAT_CONFIRM,
    ("rat_minutes", None): AuditAction.COOPERATIVE_RAT_MINUTES,
    ("rat_minutes_download", None): AuditAction.COOPERATIVE_RAT_MINUTES_DOWNLOAD,
    ("rat_record", None): AuditAction.COOPERATIVE_RAT_RECORD,
    ("rat_reject", None): AuditAction.COOPERATIVE_RAT_REJECT,
    ("rat_submit", None): AuditAction.COOPERATIVE_RAT_SUBMIT,
    ("reactivate", None): AuditAction.USER_REACTIVATE,
    ("record_amendment", None): AuditAction.COOPERATIVE_RECORD_AMENDMENT,
    ("regenerate_recovery_codes", None): AuditAction.USER_REGENERATE_RECOVERY_CODES,
    ("register", None): AuditAction.BUSINESS_REGISTER,
    ("reissue", None): AuditAction.PERMIT_REISSUE,
    ("reissue_deed", None): AuditAction.DEED_REISSUE,
    ("renew", None): AuditAction.PERMIT_RENEW,
    ("reset_totp", None): AuditAction.USER_RESET_TOTP,
    ("revoke", None): AuditAction.PERMIT_REVOKE,
    ("revoke_invitation", None): AuditAction.COOPERATIVE_REVOKE_INVITATION,
    ("revoke_password_link", None): AuditAction.USER_REVOKE_PASSWORD_LINK,
    ("set_password", None): AuditAction.USER_SET_PASSWORD,
    ("show_invitation", None): AuditAction.COOPERATIVE_SHOW_INVITATION,
    ("show_password_link", None): AuditAction.USER_SHOW_PASSWORD_LINK,
    ("update", "cooperative"): AuditAction.COOPERATIVE_UPDATE,
    ("update", "user"): AuditAction.USER_UPDATE,
    ("update_legal_record", None): AuditAction.COOPERATIVE_UPDATE_LEGAL_RECORD,
    ("use_recovery_code", None): AuditAction.USER_USE_RECOVERY_CODE,
}


def action_of(stored: str, object_type: str | None = None) -> AuditAction | None:
    """The enumeration member a stored row's action means (its own name, or a legacy name); None if unknown."""
    if stored in _VALUES:
        return AuditAction(stored)
    return LEGACY_ACTIONS.get((stored, object_type)) or LEGACY_ACTIONS.get((stored, None))


def action_name(stored: str, object_type: str | None = None) -> str:
    """The one-style name of a stored row's action (an unknown name as it was stored)."""
    action = action_of(stored, object_type)
    return str(action) if action is not None else stored


def action_label(stored: str, object_type: str | None = None) -> str:
    """What the audit log shows for a stored row's action, old rows as new."""
    action = action_of(stored, object_type)
    return str(ACTION_LABELS[action]) if action is not None else stored


def _stored_as(action: AuditAction):
    """The condition matching rows of `action`, stored under its name or a legacy one."""
    legacy = [
        AuditEvent.action == old
        if object_type is None
        else and_(AuditEvent.action == old, AuditEvent.object_type == object_type)
        for (old, object_type), new in LEGACY_ACTIONS.items()
        if new is action
    ]
    return or_(AuditEvent.action == action.value, *legacy)


_VALUES = frozenset(a.value for a in AuditAction)


def record(
    session: Session,
    actor: User | None,
    action: AuditAction,
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
    action = AuditAction.ACCESS_FORBIDDEN if status_code == 403 else AuditAction.ACCESS_RATE_LIMITED
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
            action = action_of(self.action, self.object_type or None)
            query = query.where(_stored_as(action) if action is not None else AuditEvent.action == self.action)
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
            action_name(event.action, event.object_type),
            event.object_type,
            event.object_id or "",
            event.summary or "",
            json.dumps(event.before, ensure_ascii=False) if event.before else "",
            json.dumps(event.after, ensure_ascii=False) if event.after else "",
            event.ip_address or "",
            event.request_id or "",
            event.entry_hash or "",
        ]


def recorded_actions(session: Session) -> list[tuple[str, str]]:
    """Every action in the log as (one-style name, label), for the filter; old rows count as their new name."""
    stored = session.execute(select(AuditEvent.action, AuditEvent.object_type).distinct()).all()
    names = {action_name(action, object_type) for action, object_type in stored}
    return sorted(((name, action_label(name)) for name in names), key=lambda pair: pair[1].lower())


def recorded_object_types(session: Session) -> list[str]:
    """Every kind of record in the log, for the filter."""
    return list(session.scalars(select(AuditEvent.object_type).distinct().order_by(AuditEvent.object_type)))
