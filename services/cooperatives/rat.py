"""RAT reports (the annual members' meeting): recorded by an officer, or submitted by the cooperative and
confirmed or rejected (with a reason, kept for the cooperative to read) by an officer; the minutes (a PDF)
attached, checked by content and stored once with their SHA-256."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from flask import current_app, has_app_context
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from models.cooperative import RAT_CONFIRMED, RAT_PENDING, RAT_REJECTED, Cooperative, RatReport
from models.region import Region
from models.user import COOPERATIVE, User
from services import clock, documents
from services.audit import AuditAction, record
from services.cooperatives.access import cooperative_for_officer, scope_query
from services.cooperatives.rules import CooperativeRuleError
from services.cooperatives.status import last_closed_financial_year
from services.transactions import owns_transaction


@dataclass
class RatInput:
    financial_year: int
    meeting_date: date
    members_present: int
    shu_rupiah: int | None = None
    total_assets_rupiah: int | None = None


class RatError(CooperativeRuleError):
    """A RAT report breaks a rule; `errors` maps a field name to messages (as for a cooperative's record)."""


def check_rat_rules(session: Session, cooperative: Cooperative, data: RatInput, today: date) -> dict:
    """A RAT is held after its financial year closes, not in the future, once per year, by at most
    as many members as the cooperative has."""
    errors: dict[str, list[str]] = {}
    if data.financial_year > last_closed_financial_year(today):
        errors.setdefault("financial_year", []).append(_("Tahun buku ini belum ditutup."))
    elif cooperative.founding_date and data.financial_year < cooperative.founding_date.year:
        errors.setdefault("financial_year", []).append(_("Tahun buku sebelum koperasi didirikan."))
    if data.meeting_date > today:
        errors.setdefault("meeting_date", []).append(_("Tanggal RAT tidak boleh di masa depan."))
    elif data.meeting_date.year <= data.financial_year:
        errors.setdefault("meeting_date", []).append(_("RAT diadakan setelah tahun buku berakhir."))
    if data.members_present < 0:
        errors.setdefault("members_present", []).append(_("Jumlah anggota hadir tidak boleh negatif."))
    elif cooperative.member_count is not None and data.members_present > cooperative.member_count:
        errors.setdefault("members_present", []).append(
            _(
                "Anggota hadir (%(present)s) melebihi jumlah anggota koperasi (%(members)s).",
                present=format_decimal(data.members_present),
                members=format_decimal(cooperative.member_count),
            )
        )
    if data.total_assets_rupiah is not None and data.total_assets_rupiah < 0:
        errors.setdefault("total_assets_rupiah", []).append(_("Jumlah rupiah tidak boleh negatif."))
    exists = session.scalar(
        select(RatReport.id).where(
            RatReport.cooperative_id == cooperative.id,
            RatReport.financial_year == data.financial_year,
            RatReport.status != RAT_REJECTED,
        )
    )
    if exists:
        errors.setdefault("financial_year", []).append(
            _("RAT tahun buku %(year)d sudah tercatat.", year=data.financial_year)
        )
    return errors


@dataclass(frozen=True)
class MinutesUpload:
    """The minutes (notulen) of a RAT as uploaded: the bytes and the name the sender gave the file."""

    data: bytes
    filename: str = ""


def minutes_max_bytes() -> int:
    if not has_app_context():
        return 5 * 1024 * 1024
    return int(current_app.config.get("RAT_MINUTES_MAX_BYTES", 5 * 1024 * 1024))


def check_minutes(upload: MinutesUpload) -> list[str]:
    """The minutes must be a readable, unencrypted PDF (judged by its content, not its name) within the size limit."""
    limit = minutes_max_bytes()
    if not upload.data:
        return [_("Berkas notulen kosong.")]
    if len(upload.data) > limit:
        return [_("Berkas notulen lebih dari %(mb)s MB.", mb=format_decimal(limit / (1024 * 1024)))]
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not upload.data.startswith(b"%PDF-"):
        return [_("Notulen harus berkas PDF.")]
    try:
        reader = PdfReader(io.BytesIO(upload.data))
        if reader.is_encrypted:
            return [_("Notulen PDF tidak boleh dikunci dengan kata sandi.")]
        if len(reader.pages) == 0:
            return [_("Notulen PDF tidak berisi halaman.")]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        return [_("Berkas notulen bukan PDF yang dapat dibaca.")]
    return []


def _store_minutes(report: RatReport, upload: MinutesUpload, config) -> None:
    stored = documents.store(upload.data, config)
    report.minutes_sha256 = stored.sha256
    report.minutes_size = stored.size
    report.minutes_storage_key = stored.path
    report.minutes_pdf = stored.blob
    report.minutes_uploaded_at = clock.now()


def _add_rat(session, actor, cooperative, data, today, status, ip_address, minutes, config) -> RatReport:
    errors = check_rat_rules(session, cooperative, data, today)
    if minutes is not None:
        problems = check_minutes(minutes)
        if problems:
            errors["minutes"] = problems
    if errors:
        raise RatError(errors)
    report = RatReport(
        cooperative=cooperative,
        financial_year=data.financial_year,
        meeting_date=data.meeting_date,
        members_present=data.members_present,
        shu_rupiah=data.shu_rupiah,
        total_assets_rupiah=data.total_assets_rupiah,
        status=status,
        recorded_by_id=actor.id,
        submitted_by_id=actor.id if actor.role == COOPERATIVE else None,
        confirmed_by_id=actor.id if status == RAT_CONFIRMED else None,
        confirmed_at=clock.now() if status == RAT_CONFIRMED else None,
    )
    if minutes is not None:
        _store_minutes(report, minutes, config if config is not None else current_app.config)
    session.add(report)
    session.flush()
    record(
        session,
        actor,
        AuditAction.COOPERATIVE_RAT_RECORD if status == RAT_CONFIRMED else AuditAction.COOPERATIVE_RAT_SUBMIT,
        "rat_report",
        report.id,
        summary=f"{cooperative.name}: RAT {data.financial_year}",
        after={
            "cooperative_id": cooperative.id,
            "financial_year": data.financial_year,
            "status": status,
            "minutes_sha256": report.minutes_sha256,
        },
        ip_address=ip_address,
    )
    session.commit()
    return report


@owns_transaction
def record_rat_report(
    session, officer: User, cooperative, data: RatInput, today=None, ip_address=None, minutes=None, config=None
):
    """An officer records a RAT report; it counts at once (confirmed by the officer who recorded it)."""
    today = today or clock.today()
    return _add_rat(session, officer, cooperative, data, today, RAT_CONFIRMED, ip_address, minutes, config)


@owns_transaction
def submit_rat_report(
    session, account: User, cooperative, data: RatInput, today=None, ip_address=None, minutes=None, config=None
):
    """A cooperative account submits its RAT report; it counts once an officer confirms it."""
    today = today or clock.today()
    return _add_rat(session, account, cooperative, data, today, RAT_PENDING, ip_address, minutes, config)


@owns_transaction
def attach_minutes(
    session: Session, actor: User, report: RatReport, minutes: MinutesUpload, config=None, ip_address=None
) -> RatReport:
    """Attach (or replace, while the report awaits confirmation) the minutes of a RAT; checked, stored, audited."""
    if report.status == RAT_REJECTED or (report.status == RAT_CONFIRMED and report.has_minutes):
        raise RatError({"minutes": [_("Notulen laporan ini tidak dapat diganti lagi.")]})
    problems = check_minutes(minutes)
    if problems:
        raise RatError({"minutes": problems})
    before = report.minutes_sha256
    _store_minutes(report, minutes, config if config is not None else current_app.config)
    record(
        session,
        actor,
        AuditAction.COOPERATIVE_RAT_MINUTES,
        "rat_report",
        report.id,
        summary=f"{report.cooperative.name}: RAT {report.financial_year}",
        before={"minutes_sha256": before},
        after={"minutes_sha256": report.minutes_sha256, "size": report.minutes_size},
        ip_address=ip_address,
    )
    session.commit()
    return report


def minutes_pdf(report: RatReport, config=None) -> bytes:
    """The stored minutes, checked against their SHA-256 (DocumentError when missing or damaged)."""
    return documents.load(
        config if config is not None else current_app.config,
        sha=report.minutes_sha256 or "",
        path=report.minutes_storage_key,
        blob=report.minutes_pdf,
    )


def rat_report_for_user(session: Session, user: User, report_id: int) -> RatReport | None:
    """A report the user may see: an officer's in scope, a cooperative account's own; else None (404)."""
    report = session.get(RatReport, report_id)
    if report is None:
        return None
    if user.role == COOPERATIVE:
        return report if user.cooperative_id == report.cooperative_id else None
    if cooperative_for_officer(session, user, report.cooperative_id) is None:
        return None
    return report


@owns_transaction
def record_minutes_download(session: Session, user: User, report: RatReport, ip_address=None) -> None:
    record(
        session,
        user,
        AuditAction.COOPERATIVE_RAT_MINUTES_DOWNLOAD,
        "rat_report",
        report.id,
        summary=f"{report.cooperative.name}: RAT {report.financial_year}",
        ip_address=ip_address,
    )
    session.commit()


def pending_rat_reports(session: Session, user: User | None) -> list[RatReport]:
    """The officer's queue: submitted reports awaiting confirmation in the user's scope, oldest first."""
    query = (
        select(RatReport)
        .join(Cooperative, Cooperative.id == RatReport.cooperative_id)
        .where(RatReport.status == RAT_PENDING)
        .options(
            selectinload(RatReport.cooperative).selectinload(Cooperative.kelurahan).selectinload(Region.parent),
            selectinload(RatReport.submitted_by),
        )
        .order_by(RatReport.created_at, RatReport.id)
    )
    return list(session.scalars(scope_query(query, user)))


def pending_rat_count(session: Session, user: User | None) -> int:
    query = (
        select(func.count(RatReport.id))
        .join(Cooperative, Cooperative.id == RatReport.cooperative_id)
        .where(RatReport.status == RAT_PENDING)
    )
    return session.scalar(scope_query(query, user)) or 0


@owns_transaction
def confirm_rat_report(session: Session, officer: User, report: RatReport, ip_address=None) -> RatReport:
    """An officer confirms a submitted report, which then counts for the activity status."""
    if report.status != RAT_PENDING:
        raise RatError({"status": [_("Laporan ini tidak lagi menunggu konfirmasi.")]})
    report.status = RAT_CONFIRMED
    report.confirmed_by_id = officer.id
    report.confirmed_at = clock.now()
    record(
        session,
        officer,
        AuditAction.COOPERATIVE_RAT_CONFIRM,
        "rat_report",
        report.id,
        summary=f"{report.cooperative.name}: RAT {report.financial_year}",
        before={"status": RAT_PENDING},
        after={"status": RAT_CONFIRMED},
        ip_address=ip_address,
    )
    session.commit()
    return report


REJECTION_REASON_MIN = 10
REJECTION_REASON_MAX = 1000


@owns_transaction
def reject_rat_report(session: Session, officer: User, report: RatReport, reason: str, ip_address=None) -> RatReport:
    """An officer turns down a submitted report with a reason; the report stays, as rejected, for the
    cooperative to read, and the cooperative may submit the year again, corrected."""
    reason = " ".join((reason or "").split())
    if report.status != RAT_PENDING:
        raise RatError({"status": [_("Laporan ini tidak lagi menunggu konfirmasi.")]})
    if not reason:
        raise RatError({"reason": [_("Tulis alasan penolakan; koperasi akan membacanya.")]})
    if len(reason) < REJECTION_REASON_MIN:
        raise RatError(
            {"reason": [_("Alasan penolakan terlalu singkat (paling sedikit %(n)d huruf).", n=REJECTION_REASON_MIN)]}
        )
    if len(reason) > REJECTION_REASON_MAX:
        raise RatError({"reason": [_("Alasan penolakan paling banyak %(n)d huruf.", n=REJECTION_REASON_MAX)]})
    report.status = RAT_REJECTED
    report.rejected_by_id = officer.id
    report.rejected_at = clock.now()
    report.rejection_reason = reason
    record(
        session,
        officer,
        AuditAction.COOPERATIVE_RAT_REJECT,
        "rat_report",
        report.id,
        summary=f"{report.cooperative.name}: RAT {report.financial_year}",
        before={"status": RAT_PENDING},
        after={"status": RAT_REJECTED, "reason": reason},
        ip_address=ip_address,
    )
    session.commit()
    return report
