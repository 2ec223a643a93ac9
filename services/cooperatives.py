"""Cooperatives: registration rules, kampungs served, RAT reports and the activity status derived from them.

The activity status is never stored. `activity_status` computes it for one loaded cooperative;
`status_expression` computes the same rule in SQL for counts and filters over many. Both use
`status_for_gap`, so the two cannot disagree.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app, has_app_context
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, extract, func, literal, select
from sqlalchemy.orm import Session, selectinload

from models.cooperative import (
    ACTIVE,
    AT_RISK,
    COOPERATIVE_KINDS,
    COOPERATIVE_LEVELS,
    DORMANT,
    PENGAWAS,
    PENGURUS,
    PRIMER,
    RAT_CONFIRMED,
    RAT_PENDING,
    RAT_REJECTED,
    SEKUNDER,
    Cooperative,
    CooperativeFounder,
    CooperativeOfficial,
    Kampung,
    MemberCooperative,
    RatReport,
)
from models.region import Region
from models.user import COOPERATIVE, OFFICER, SUPERADMIN, User
from services import clock, documents
from services.audit import record
from services.transactions import owns_transaction

ACTIVITY_STATUS_LABELS = {ACTIVE: _l("Aktif"), DORMANT: _l("Tidak aktif"), AT_RISK: _l("Berisiko")}
MIN_PRIMER_FOUNDERS = 9  # UU 25/1992 as amended by UU 11/2020 (was 20)
MIN_SEKUNDER_MEMBERS = 3
NIK_PATTERN = re.compile(r"^\d{16}$")


# --- Activity status ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusRules:
    """Years without a confirmed RAT after which a cooperative counts as dormant, then at risk."""

    dormant_after: int = 1
    at_risk_after: int = 2


def status_rules() -> StatusRules:
    """The thresholds from configuration (COOP_DORMANT_AFTER_YEARS, COOP_AT_RISK_AFTER_YEARS)."""
    if not has_app_context():
        return StatusRules()
    config = current_app.config
    return StatusRules(
        dormant_after=int(config.get("COOP_DORMANT_AFTER_YEARS", 1)),
        at_risk_after=int(config.get("COOP_AT_RISK_AFTER_YEARS", 2)),
    )


def last_closed_financial_year(today: date) -> int:
    """Financial years follow the calendar year: on any day of 2026 the last closed year is 2025."""
    return today.year - 1


def status_for_gap(years_without_rat: int | None, rules: StatusRules) -> str:
    """active / dormant / at_risk from the number of closed years since the last RAT (None: never, no founding)."""
    if years_without_rat is None or years_without_rat >= rules.at_risk_after:
        return AT_RISK
    if years_without_rat >= rules.dormant_after:
        return DORMANT
    return ACTIVE


@dataclass(frozen=True)
class ActivityStatus:
    status: str
    last_rat_year: int | None
    years_without_rat: int | None


def years_without_rat(last_rat_year: int | None, founding_date: date | None, today: date) -> int | None:
    """Closed financial years since the last confirmed RAT; a cooperative that never held one counts from
    the year before its founding (a cooperative founded this year is not yet late)."""
    if last_rat_year is not None:
        baseline = last_rat_year
    elif founding_date is not None:
        baseline = founding_date.year - 1
    else:
        return None
    return last_closed_financial_year(today) - baseline


def activity_status(cooperative: Cooperative, today: date | None = None, rules: StatusRules | None = None):
    """The activity status of one cooperative from its confirmed RAT reports. THE function views use."""
    today = today or clock.today()
    rules = rules or status_rules()
    confirmed = [r.financial_year for r in cooperative.rat_reports if r.status == RAT_CONFIRMED]
    last = max(confirmed) if confirmed else None
    gap = years_without_rat(last, cooperative.founding_date, today)
    return ActivityStatus(status_for_gap(gap, rules), last, gap)


def _last_rat_subquery():
    return (
        select(RatReport.cooperative_id, func.max(RatReport.financial_year).label("last_rat_year"))
        .where(RatReport.status == RAT_CONFIRMED)
        .group_by(RatReport.cooperative_id)
        .subquery("last_rat")
    )


def status_expression(today: date, rules: StatusRules | None = None):
    """(status column, last RAT year column, subquery to outer-join on cooperative.id): the same rule in SQL."""
    rules = rules or status_rules()
    last_rat = _last_rat_subquery()
    baseline = func.coalesce(last_rat.c.last_rat_year, extract("year", Cooperative.founding_date) - 1)
    gap = literal(last_closed_financial_year(today)) - baseline
    status = case(
        (baseline.is_(None), AT_RISK),
        (gap >= rules.at_risk_after, AT_RISK),
        (gap >= rules.dormant_after, DORMANT),
        else_=ACTIVE,
    )
    return status, last_rat.c.last_rat_year, last_rat


def cooperatives_with_status(today: date, rules: StatusRules | None = None) -> Select:
    """SELECT Cooperative, activity_status, last_rat_year; add filters with .where(...)."""
    status, last_year, last_rat = status_expression(today, rules)
    return (
        select(Cooperative, status.label("activity_status"), last_year.label("last_rat_year"))
        .outerjoin(last_rat, last_rat.c.cooperative_id == Cooperative.id)
        .order_by(Cooperative.name, Cooperative.id)
    )


def status_counts_by_kecamatan(session: Session, user: User | None, today: date) -> list[dict]:
    """Counts of cooperatives per kecamatan and activity status, one SQL query, scoped to the user."""
    status, _last, last_rat = status_expression(today)
    kelurahan = Region.__table__.alias("kel")
    kecamatan = Region.__table__.alias("kec")
    query = (
        select(kecamatan.c.name, status.label("status"), func.count(Cooperative.id))
        .select_from(Cooperative)
        .join(kelurahan, kelurahan.c.id == Cooperative.kelurahan_id)
        .join(kecamatan, kecamatan.c.id == kelurahan.c.parent_id)
        .outerjoin(last_rat, last_rat.c.cooperative_id == Cooperative.id)
        .group_by(kecamatan.c.name, status)
        .order_by(kecamatan.c.name)
    )
    query = scope_query(query, user)
    table: dict[str, dict] = {}
    for name, row_status, count in session.execute(query):
        row = table.setdefault(name, {"kecamatan": name, ACTIVE: 0, DORMANT: 0, AT_RISK: 0, "total": 0})
        row[row_status] += count
        row["total"] += count
    return list(table.values())


def status_totals(session: Session, user: User | None, today: date) -> dict[str, int]:
    """Cooperatives per activity status in the user's scope (everyone's for None), and "total": the one count
    the officers' dashboard and the public figures page both show."""
    totals = {ACTIVE: 0, DORMANT: 0, AT_RISK: 0, "total": 0}
    for row in status_counts_by_kecamatan(session, user, today):
        for key in totals:
            totals[key] += row[key]
    return totals


def overdue_cooperatives(session: Session, user: User | None, today: date, limit: int | None = None) -> list:
    """Cooperatives in scope that are dormant or at risk, the longest overdue first (at most `limit`)."""
    status, last_year, last_rat = status_expression(today)
    query = (
        select(Cooperative, status.label("activity_status"), last_year.label("last_rat_year"))
        .outerjoin(last_rat, last_rat.c.cooperative_id == Cooperative.id)
        .where(status != ACTIVE)
        .options(selectinload(Cooperative.kelurahan).selectinload(Region.parent))
        .order_by(last_year.is_(None).desc(), last_year, Cooperative.name)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(scope_query(query, user)))


# --- Who sees what -------------------------------------------------------------------------------


def scope_query(query, user: User | None):
    """Limit a query over Cooperative to what `user` may see (an officer of one kecamatan: only its own)."""
    if user is not None and user.role == OFFICER and user.kecamatan_id is not None:
        in_kecamatan = select(Region.id).where(Region.parent_id == user.kecamatan_id)
        query = query.where(Cooperative.kelurahan_id.in_(in_kecamatan))
    return query


def cooperative_for_officer(session: Session, user: User, cooperative_id: int) -> Cooperative | None:
    """The cooperative if this back-office user may see it, else None (the view answers 404)."""
    if user.role not in (SUPERADMIN, OFFICER):
        return None
    query = scope_query(select(Cooperative).where(Cooperative.id == cooperative_id), user)
    return session.scalar(query)


def cooperative_for_account(session: Session, user: User) -> Cooperative | None:
    """The one cooperative a cooperative account belongs to."""
    if user.role != COOPERATIVE or user.cooperative_id is None:
        return None
    return session.get(Cooperative, user.cooperative_id)


def mask_nik(nik: str | None) -> str:
    """3171••••••••0003: enough to tell founders apart in a list, not enough to misuse."""
    if not nik:
        return ""
    if len(nik) < 8:
        return "•" * len(nik)
    return nik[:4] + "•" * (len(nik) - 8) + nik[-4:]


# --- Registering and editing ---------------------------------------------------------------------


@dataclass
class FounderInput:
    full_name: str
    nik: str
    birth_place: str | None = None
    birth_date: date | None = None
    address: str | None = None


@dataclass
class OfficialInput:
    full_name: str
    title: str


@dataclass
class MemberInput:
    name: str
    legal_entity_number: str | None = None


@dataclass
class CooperativeInput:
    """Everything an officer enters for a cooperative, already parsed into Python values."""

    name: str
    kind: str
    level: str
    seat_address: str
    kelurahan_id: int
    kampung_names: list[str] = field(default_factory=list)
    founding_date: date | None = None
    deed_number: str | None = None
    deed_date: date | None = None
    notary_name: str | None = None
    notary_npak_decree: str | None = None
    legal_entity_number: str | None = None
    legal_entity_date: date | None = None
    nib: str | None = None
    nomor_induk_koperasi: str | None = None
    purpose: str | None = None
    business_fields: str | None = None
    duration: str | None = None
    simpanan_pokok_rupiah: int | None = None
    simpanan_wajib_rupiah: int | None = None
    member_count: int | None = None
    founders: list[FounderInput] = field(default_factory=list)
    board: list[OfficialInput] = field(default_factory=list)
    supervisors: list[OfficialInput] = field(default_factory=list)
    members: list[MemberInput] = field(default_factory=list)


SCALAR_FIELDS = (
    "name",
    "kind",
    "level",
    "seat_address",
    "kelurahan_id",
    "founding_date",
    "deed_number",
    "deed_date",
    "notary_name",
    "notary_npak_decree",
    "legal_entity_number",
    "legal_entity_date",
    "nib",
    "nomor_induk_koperasi",
    "purpose",
    "business_fields",
    "duration",
    "simpanan_pokok_rupiah",
    "simpanan_wajib_rupiah",
    "member_count",
)


class CooperativeRuleError(ValueError):
    """The record breaks a rule; `errors` maps a field name (or 'founders-3-nik') to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


def check_cooperative_rules(session: Session, data: CooperativeInput, user: User | None = None) -> dict:
    """Every rule a cooperative record must meet, with a message per field. Empty when all is well."""
    errors: dict[str, list[str]] = {}

    def fail(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if not data.name.strip():
        fail("name", _("Nama koperasi wajib diisi."))
    if data.kind not in COOPERATIVE_KINDS:
        fail("kind", _("Pilih jenis koperasi."))
    if data.level not in COOPERATIVE_LEVELS:
        fail("level", _("Pilih tingkat koperasi: primer atau sekunder."))
    kelurahan = session.get(Region, data.kelurahan_id) if data.kelurahan_id else None
    if kelurahan is None or kelurahan.level != "kelurahan":
        fail("kelurahan_id", _("Pilih kelurahan tempat kedudukan koperasi."))
    elif user is not None and user.role == OFFICER and user.kecamatan_id not in (None, kelurahan.parent_id):
        fail("kelurahan_id", _("Kelurahan ini di luar kecamatan Anda."))
    if not [name for name in data.kampung_names if name.strip()]:
        fail("kampungs", _("Isi paling sedikit satu kampung yang dilayani."))
    for name in ("simpanan_pokok_rupiah", "simpanan_wajib_rupiah"):
        value = getattr(data, name)
        if value is not None and value < 0:
            fail(name, _("Jumlah rupiah tidak boleh negatif."))
    if data.member_count is not None and data.member_count < 0:
        fail("member_count", _("Jumlah anggota tidak boleh negatif."))
    if data.founding_date and data.founding_date > clock.today():
        fail("founding_date", _("Tanggal pendirian tidak boleh di masa depan."))

    seen: dict[str, int] = {}
    for index, founder in enumerate(data.founders):
        if not founder.full_name.strip():
            fail(f"founders-{index}-full_name", _("Nama pendiri wajib diisi."))
        if not NIK_PATTERN.match(founder.nik or ""):
            fail(f"founders-{index}-nik", _("NIK harus 16 angka."))
        elif founder.nik in seen:
            fail(
                f"founders-{index}-nik",
                _("NIK ini sudah dipakai pendiri nomor %(number)d.", number=seen[founder.nik] + 1),
            )
        else:
            seen[founder.nik] = index
    if data.level == PRIMER and len(data.founders) < MIN_PRIMER_FOUNDERS:
        fail(
            "founders",
            _(
                "Koperasi primer didirikan oleh paling sedikit %(minimum)d orang; baru %(count)d pendiri diisi.",
                minimum=MIN_PRIMER_FOUNDERS,
                count=len(data.founders),
            ),
        )
    if data.level == SEKUNDER and len(data.members) < MIN_SEKUNDER_MEMBERS:
        fail(
            "members",
            _(
                "Koperasi sekunder beranggotakan paling sedikit %(minimum)d koperasi; baru %(count)d diisi.",
                minimum=MIN_SEKUNDER_MEMBERS,
                count=len(data.members),
            ),
        )
    return errors


def kampungs_by_name(session: Session, names: list[str]) -> list[Kampung]:
    """Find or create the kampungs named (case-insensitive, "Kampung " prefix kept as typed)."""
    result: list[Kampung] = []
    seen: set[str] = set()
    for raw in names:
        name = " ".join(raw.split())
        if not name or name.lower() in seen:
            continue
        seen.add(name.lower())
        kampung = session.scalar(select(Kampung).where(func.lower(Kampung.name) == name.lower()))
        if kampung is None:
            kampung = Kampung(name=name)
            session.add(kampung)
        result.append(kampung)
    return result


def audit_snapshot(cooperative: Cooperative) -> dict:
    """The record as the audit log keeps it: founders' NIK masked, no birth data or addresses."""
    snapshot = {}
    for name in SCALAR_FIELDS:
        value = getattr(cooperative, name)
        snapshot[name] = value.isoformat() if isinstance(value, date | datetime) else value
    snapshot["kampungs"] = [k.name for k in cooperative.kampungs]
    snapshot["founders"] = [f"{f.full_name} ({mask_nik(f.nik)})" for f in cooperative.founders]
    snapshot["board"] = [f"{o.title}: {o.full_name}" for o in cooperative.board]
    snapshot["supervisors"] = [f"{o.title}: {o.full_name}" for o in cooperative.supervisors]
    snapshot["members"] = [m.name for m in cooperative.member_cooperatives]
    return snapshot


@owns_transaction
def save_cooperative(
    session: Session,
    actor: User | None,
    data: CooperativeInput,
    cooperative: Cooperative | None = None,
    ip_address: str | None = None,
) -> Cooperative:
    """Register a new cooperative or replace an existing one's record; checked, audited, committed."""
    errors = check_cooperative_rules(session, data, actor)
    if errors:
        raise CooperativeRuleError(errors)
    creating = cooperative is None
    before = None if creating else audit_snapshot(cooperative)
    if creating:
        cooperative = Cooperative()
        session.add(cooperative)
    for name in SCALAR_FIELDS:
        value = getattr(data, name)
        if isinstance(value, str):
            value = value.strip() or None
        setattr(cooperative, name, value)
    cooperative.name = data.name.strip()
    cooperative.kampungs = kampungs_by_name(session, data.kampung_names)
    # Old rows go first: a founder kept with the same NIK must not collide with itself.
    cooperative.founders.clear()
    cooperative.officials.clear()
    cooperative.member_cooperatives.clear()
    session.flush()
    cooperative.founders.extend(
        CooperativeFounder(
            position=index,
            full_name=f.full_name.strip(),
            nik=f.nik,
            birth_place=(f.birth_place or "").strip() or None,
            birth_date=f.birth_date,
            address=(f.address or "").strip() or None,
        )
        for index, f in enumerate(data.founders)
    )
    officials = [(PENGURUS, o) for o in data.board] + [(PENGAWAS, o) for o in data.supervisors]
    cooperative.officials.extend(
        CooperativeOfficial(body=body, position=index, full_name=o.full_name.strip(), title=o.title.strip())
        for index, (body, o) in enumerate(officials)
    )
    cooperative.member_cooperatives.extend(
        MemberCooperative(position=index, name=m.name.strip(), legal_entity_number=m.legal_entity_number or None)
        for index, m in enumerate(data.members)
    )
    if not creating:
        cooperative.updated_at = clock.now()
    session.flush()
    record(
        session,
        actor,
        "create" if creating else "update",
        "cooperative",
        cooperative.id,
        summary=cooperative.name,
        before=before,
        after=audit_snapshot(cooperative),
        ip_address=ip_address,
    )
    session.commit()
    return cooperative


# --- RAT reports ---------------------------------------------------------------------------------


@dataclass
class RatInput:
    financial_year: int
    meeting_date: date
    members_present: int
    shu_rupiah: int | None = None
    total_assets_rupiah: int | None = None


class RatError(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


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
        "rat_record" if status == RAT_CONFIRMED else "rat_submit",
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
        "rat_minutes",
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
        "rat_minutes_download",
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
        "rat_reject",
        "rat_report",
        report.id,
        summary=f"{report.cooperative.name}: RAT {report.financial_year}",
        before={"status": RAT_PENDING},
        after={"status": RAT_REJECTED, "reason": reason},
        ip_address=ip_address,
    )
    session.commit()
    return report


# --- Public facts ----------------------------------------------------------------------------------


def public_cooperative_view(cooperative: Cooperative, today: date | None = None) -> dict:
    """What the public directory may show of a cooperative: never founders or any personal data."""
    status = activity_status(cooperative, today)
    kelurahan = cooperative.kelurahan
    return {
        "id": cooperative.id,
        "name": cooperative.name,
        "kind": cooperative.kind,
        "level": cooperative.level,
        "kampungs": [k.name for k in cooperative.kampungs],
        "kelurahan": kelurahan.name if kelurahan else None,
        "kecamatan": kelurahan.parent.name if kelurahan and kelurahan.parent else None,
        "seat_address": cooperative.seat_address,
        "founding_date": cooperative.founding_date,
        "deed_number": cooperative.deed_number,
        "deed_date": cooperative.deed_date,
        "notary_name": cooperative.notary_name,
        "legal_entity_number": cooperative.legal_entity_number,
        "legal_entity_date": cooperative.legal_entity_date,
        "nib": cooperative.nib,
        "nomor_induk_koperasi": cooperative.nomor_induk_koperasi,
        "business_fields": cooperative.business_fields,
        "member_count": cooperative.member_count,
        "status": status.status,
        "last_rat_year": status.last_rat_year,
    }


def search_cooperatives(
    session: Session,
    user: User | None,
    today: date,
    q: str | None = None,
    status: str | None = None,
    kecamatan_id: int | None = None,
    page: int = 1,
    per_page: int = 20,
) -> tuple[list, int]:
    """The back-office list: (rows of Cooperative, activity_status, last_rat_year; total), filtered in SQL."""
    status_col, last_year, last_rat = status_expression(today)
    query = select(Cooperative, status_col.label("activity_status"), last_year.label("last_rat_year")).outerjoin(
        last_rat, last_rat.c.cooperative_id == Cooperative.id
    )
    if q:
        query = query.where(func.lower(Cooperative.name).contains(q.strip().lower(), autoescape=True))
    if status in (ACTIVE, DORMANT, AT_RISK):
        query = query.where(status_col == status)
    if kecamatan_id:
        query = query.where(Cooperative.kelurahan_id.in_(select(Region.id).where(Region.parent_id == kecamatan_id)))
    query = scope_query(query, user)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.options(selectinload(Cooperative.kelurahan).selectinload(Region.parent))
        .order_by(Cooperative.name, Cooperative.id)
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    ).all()
    return rows, total
