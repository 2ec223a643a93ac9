"""RAT reports (the annual members' meeting): recorded by an officer, or submitted by the cooperative and
confirmed or turned down by an officer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.cooperative import RAT_CONFIRMED, RAT_PENDING, Cooperative, RatReport
from models.user import COOPERATIVE, User
from services import clock
from services.audit import record
from services.cooperatives.access import cooperative_for_officer
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
    """A RAT is held after its financial year closes, not in the future, once per year."""
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
    if data.total_assets_rupiah is not None and data.total_assets_rupiah < 0:
        errors.setdefault("total_assets_rupiah", []).append(_("Jumlah rupiah tidak boleh negatif."))
    exists = session.scalar(
        select(RatReport.id).where(
            RatReport.cooperative_id == cooperative.id, RatReport.financial_year == data.financial_year
        )
    )
    if exists:
        errors.setdefault("financial_year", []).append(
            _("RAT tahun buku %(year)d sudah tercatat.", year=data.financial_year)
        )
    return errors


def _add_rat(session, actor, cooperative, data, today, status, ip_address) -> RatReport:
    errors = check_rat_rules(session, cooperative, data, today)
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
    session.add(report)
    session.flush()
    record(
        session,
        actor,
        "rat_record" if status == RAT_CONFIRMED else "rat_submit",
        "rat_report",
        report.id,
        summary=f"{cooperative.name}: RAT {data.financial_year}",
        after={"cooperative_id": cooperative.id, "financial_year": data.financial_year, "status": status},
        ip_address=ip_address,
    )
    session.commit()
    return report


@owns_transaction
def record_rat_report(session, officer: User, cooperative, data: RatInput, today=None, ip_address=None):
    """An officer records a RAT report; it counts at once (confirmed by the officer who recorded it)."""
    return _add_rat(session, officer, cooperative, data, today or clock.today(), RAT_CONFIRMED, ip_address)


@owns_transaction
def submit_rat_report(session, account: User, cooperative, data: RatInput, today=None, ip_address=None):
    """A cooperative account submits its RAT report; it counts once an officer confirms it."""
    return _add_rat(session, account, cooperative, data, today or clock.today(), RAT_PENDING, ip_address)


def confirm_rat_report(session: Session, officer: User, report: RatReport, ip_address=None) -> RatReport:
    """An officer confirms a submitted report, which then counts for the activity status."""
    report.status = RAT_CONFIRMED
    report.confirmed_by_id = officer.id
    report.confirmed_at = clock.now()
    record(
        session,
        officer,
        "rat_confirm",
        "rat_report",
        report.id,
        summary=f"{report.cooperative.name}: RAT {report.financial_year}",
        before={"status": RAT_PENDING},
        after={"status": RAT_CONFIRMED},
        ip_address=ip_address,
    )
    session.commit()
    return report


def rat_report_of(session: Session, cooperative: Cooperative, report_id: int) -> RatReport | None:
    """One RAT report of this cooperative (None for another cooperative's: the view answers 404)."""
    report = session.get(RatReport, report_id)
    return report if report is not None and report.cooperative_id == cooperative.id else None


def pending_rat_report(session: Session, user: User, report_id: int) -> RatReport | None:
    """A report awaiting confirmation, of a cooperative this back-office user may see; else None."""
    report = session.get(RatReport, report_id)
    if report is None or report.status != RAT_PENDING:
        return None
    return report if cooperative_for_officer(session, user, report.cooperative_id) is not None else None


def reject_rat_report(session: Session, officer: User, report: RatReport, ip_address=None) -> None:
    """An officer turns down a submitted report; the cooperative may submit it again, corrected."""
    record(
        session,
        officer,
        "rat_reject",
        "rat_report",
        report.id,
        summary=f"{report.cooperative.name}: RAT {report.financial_year}",
        before={"status": report.status, "financial_year": report.financial_year},
        ip_address=ip_address,
    )
    session.delete(report)
    session.commit()
