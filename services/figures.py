"""The figures the government reports, computed from the live data and cached until the data changes.

The cache is per process: a version counter is bumped after any commit that touched a business,
cooperative or permit (a session event), and every entry also expires after a short TTL so that
other processes and bulk loads that bypass the ORM are picked up soon.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, exists, func, select
from sqlalchemy.orm import Session, aliased

from models.business import OPERATING, Business
from models.cooperative import ACTIVITY_STATUSES, Cooperative
from models.kbli import KbliCode, KbliSection
from models.permit import Permit
from models.region import KECAMATAN, Region
from services import clock, spreadsheets

WATCHED_TABLES = {"business", "cooperative", "permit", "rat_report"}
_lock = threading.Lock()
_state = {"version": 0}
_entries: dict[str, tuple[int, float, object]] = {}
T = TypeVar("T")


@dataclass
class Chart:
    """One figure: rows of (label, value), drawn as an SVG bar chart and offered as CSV."""

    key: str
    title: str
    description: str
    label_heading: str
    value_heading: str
    rows: list[tuple[str, int]] = field(default_factory=list)
    note: str | None = None
    # A chart of one month out of several: the months to choose from (newest first) and the one shown.
    months: list[str] = field(default_factory=list)
    month: str | None = None

    @property
    def total(self) -> int:
        return sum(value for _, value in self.rows)

    @property
    def maximum(self) -> int:
        return max((value for _, value in self.rows), default=0)


def data_version() -> int:
    return _state["version"]


def invalidate() -> None:
    """Forget every cached figure (called after commits that change the counted tables)."""
    with _lock:
        _state["version"] += 1
        _entries.clear()


def cached(key: str, compute: Callable[[], T], ttl_seconds: float) -> T:
    """Return the cached value for `key` unless the data changed or it is older than the TTL."""
    now = time.monotonic()
    entry = _entries.get(key)
    if entry is not None and entry[0] == _state["version"] and entry[1] > now:
        return entry[2]  # type: ignore[return-value]
    version = _state["version"]
    value = compute()
    with _lock:
        if version == _state["version"]:
            _entries[key] = (version, now + ttl_seconds, value)
    return value


@event.listens_for(Session, "after_flush")
def _note_counted_changes(session, _flush_context):
    for instance in (*session.new, *session.dirty, *session.deleted):
        if getattr(instance, "__tablename__", None) in WATCHED_TABLES:
            session.info["figures_changed"] = True
            return


@event.listens_for(Session, "after_commit")
def _invalidate_on_commit(session):
    if session.info.pop("figures_changed", False):
        invalidate()


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session):
    session.info.pop("figures_changed", None)


def _kecamatan_names(session: Session) -> dict[int, str]:
    rows = session.execute(select(Region.id, Region.name).where(Region.level == KECAMATAN))
    return {region_id: name for region_id, name in rows}


def _licensed():
    """SQL condition: an operating business holding an IUMK permit valid today."""
    today = clock.local_today(current_app.config["TIMEZONE"])
    return (Business.status == OPERATING) & exists().where(Permit.business_id == Business.id, Permit.valid_on(today))


def licensed_businesses_by_kecamatan(session: Session) -> Chart:
    """Operating businesses with a valid permit, per kecamatan (every kecamatan listed, zeros included)."""
    kelurahan = aliased(Region)
    counts = dict(
        session.execute(
            select(kelurahan.parent_id, func.count(Business.id))
            .join(kelurahan, kelurahan.id == Business.kelurahan_id)
            .where(_licensed())
            .group_by(kelurahan.parent_id)
        ).all()
    )
    names = _kecamatan_names(session)
    rows = sorted(((name, counts.get(region_id, 0)) for region_id, name in names.items()), key=lambda r: r[0])
    return Chart(
        key="usaha-per-kecamatan",
        title=str(_l("Usaha mikro berizin per kecamatan")),
        description=str(_l("Jumlah usaha mikro beroperasi yang memegang IUMK berlaku di setiap kecamatan.")),
        label_heading=str(_l("Kecamatan")),
        value_heading=str(_l("Jumlah usaha")),
        rows=rows,
    )


def licensed_businesses_by_kbli_section(session: Session) -> Chart:
    """Operating businesses with a valid permit per KBLI section (A–U), with the section's title."""
    rows = session.execute(
        select(KbliSection.letter, KbliSection.title, func.count(Business.id))
        .join(
            KbliCode,
            (KbliCode.version == Business.kbli_version) & (KbliCode.code == Business.kbli_code),
        )
        .join(KbliSection, (KbliSection.version == KbliCode.version) & (KbliSection.letter == KbliCode.section))
        .where(_licensed())
        .group_by(KbliSection.letter, KbliSection.title)
        .order_by(func.count(Business.id).desc(), KbliSection.letter)
    ).all()
    return Chart(
        key="usaha-per-kbli",
        title=str(_l("Usaha mikro berizin per bidang usaha (KBLI)")),
        description=str(_l("Jumlah usaha mikro beroperasi yang memegang IUMK berlaku, menurut kategori KBLI.")),
        label_heading=str(_l("Kategori KBLI")),
        value_heading=str(_l("Jumlah usaha")),
        rows=[(f"{letter} · {title}", count) for letter, title, count in rows],
    )


def permits_issued_per_month(session: Session, months: int = 24) -> Chart:
    """Permits issued per calendar month (the WIB issue date), the last `months` months with any issue."""
    chart = Chart(
        key="izin-per-bulan",
        title=str(_l("Izin usaha mikro (IUMK) terbit per bulan")),
        description=str(_l("Jumlah sertifikat IUMK yang diterbitkan setiap bulan.")),
        label_heading=str(_l("Bulan")),
        value_heading=str(_l("Izin terbit")),
    )
    month = _month_of(session, Permit.issued_on)
    rows = session.execute(
        select(month.label("month"), func.count(Permit.id)).group_by("month").order_by(month.desc()).limit(months)
    ).all()
    chart.rows = [(label, count) for label, count in reversed(rows)]
    return chart


def _month_of(session: Session, column):
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


MONTH_KECAMATAN = "izin-per-kecamatan"


def permits_by_month_and_kecamatan(session: Session, months: int = 24) -> dict[str, dict[int, int]]:
    """Permits issued per month (WIB issue date) and kecamatan, over the `months` calendar months up to the
    newest issue: {"2026-11": {kecamatan_id: count}}. One GROUP BY (month, kelurahan) in SQL over the
    permits (no date condition: on SQLite an index range over most rows is three times slower than the
    scan); the months × kelurahan cells are then kept for the last `months` months and summed per kecamatan."""
    newest = session.scalar(select(func.max(Permit.issued_on)))
    if newest is None:
        return {}
    first_month = newest.year * 12 + newest.month - 1 - (months - 1)
    since = f"{first_month // 12:04d}-{first_month % 12 + 1:02d}"
    if session.get_bind().dialect.name == "sqlite":
        month = func.substr(Permit.issued_on, 1, 7)  # dates are stored as YYYY-MM-DD text
    else:
        month = func.to_char(Permit.issued_on, "YYYY-MM")
    rows = session.execute(
        select(month.label("month"), Permit.kelurahan_id, func.count()).group_by("month", Permit.kelurahan_id)
    ).all()
    parent = dict(session.execute(select(Region.id, Region.parent_id).where(Region.parent_id.is_not(None))).all())
    table: dict[str, dict[int, int]] = {}
    for label, kelurahan_id, count in rows:
        if label < since:
            continue
        cells = table.setdefault(label, {})
        kecamatan_id = parent.get(kelurahan_id)
        if kecamatan_id is not None:
            cells[kecamatan_id] = cells.get(kecamatan_id, 0) + count
    return table


def permits_per_kecamatan_in_month(
    session: Session, month: str | None = None, table: dict[str, dict[int, int]] | None = None
) -> Chart:
    """Permits issued in one month (default: the latest with any) per kecamatan, every kecamatan listed;
    `table` is permits_by_month_and_kecamatan's result when the caller has it (cached)."""
    table = permits_by_month_and_kecamatan(session) if table is None else table
    months = sorted(table, reverse=True)
    chosen = month if month in table else (months[0] if months else None)
    names = _kecamatan_names(session)
    counts = table.get(chosen, {}) if chosen else {}
    chart = Chart(
        key=f"{MONTH_KECAMATAN}-{chosen}" if chosen else MONTH_KECAMATAN,
        title=str(_l("Izin terbit per bulan per kecamatan")),
        description=str(_l("Jumlah sertifikat IUMK yang diterbitkan di setiap kecamatan pada bulan yang dipilih.")),
        label_heading=str(_l("Kecamatan")),
        value_heading=str(_l("Izin terbit")),
        months=months,
        month=chosen,
    )
    if chosen:
        chart.rows = sorted(((name, counts.get(region_id, 0)) for region_id, name in names.items()), key=lambda r: r[0])
    return chart


def cooperatives_by_status(session: Session) -> Chart:
    """Cooperatives per activity status (active / dormant / at risk), derived from confirmed RAT reports by
    the same service function as the officers' dashboard, so the public and the office see the same numbers."""
    from services.cooperatives import ACTIVITY_STATUS_LABELS, status_totals

    totals = status_totals(session, None, clock.today())
    rows = [(str(ACTIVITY_STATUS_LABELS[status]), totals[status]) for status in ACTIVITY_STATUSES]
    return Chart(
        key="koperasi-per-status",
        title=str(_l("Koperasi menurut status keaktifan")),
        description=str(
            _l("Jumlah koperasi aktif, tidak aktif, dan berisiko, dihitung dari laporan RAT yang dikonfirmasi.")
        ),
        label_heading=str(_l("Status")),
        value_heading=str(_l("Jumlah koperasi")),
        rows=rows,
    )


def cooperatives_by_kecamatan(session: Session) -> Chart:
    """Cooperatives per kecamatan of their seat (kecamatan without any are left out)."""
    kelurahan = aliased(Region)
    counts = session.execute(
        select(kelurahan.parent_id, func.count(Cooperative.id))
        .join(kelurahan, kelurahan.id == Cooperative.kelurahan_id)
        .group_by(kelurahan.parent_id)
    ).all()
    names = _kecamatan_names(session)
    rows = sorted(((names.get(region_id or 0, "?"), count) for region_id, count in counts), key=lambda r: r[0])
    return Chart(
        key="koperasi-per-kecamatan",
        title=str(_l("Koperasi per kecamatan")),
        description=str(_l("Jumlah koperasi menurut kecamatan tempat kedudukannya.")),
        label_heading=str(_l("Kecamatan")),
        value_heading=str(_l("Jumlah koperasi")),
        rows=rows,
    )


CHARTS = {
    "usaha-per-kecamatan": licensed_businesses_by_kecamatan,
    "usaha-per-kbli": licensed_businesses_by_kbli_section,
    "izin-per-bulan": permits_issued_per_month,
    "koperasi-per-status": cooperatives_by_status,
    "koperasi-per-kecamatan": cooperatives_by_kecamatan,
}


def _cache_key(session: Session, key: str, locale: str) -> str:
    # One process may serve several databases (tests do): the database is part of the key.
    return f"{session.get_bind().engine.url}:{locale}:{key}"


def _month_chart(session: Session, month: str | None, locale: str, ttl_seconds: float) -> Chart:
    # One query serves every month's chart: the month × kecamatan table is cached on its own.
    table_key = _cache_key(session, f"{MONTH_KECAMATAN}:table", "")
    table = cached(table_key, partial(permits_by_month_and_kecamatan, session), ttl_seconds)
    # Cached per month that has permits (a month asked for that has none shows the latest): the cache
    # cannot be grown by asking for every month of ten thousand years.
    month = month if month in table else None
    compute = partial(permits_per_kecamatan_in_month, session, month, table)
    return cached(_cache_key(session, f"{MONTH_KECAMATAN}:{month}", locale), compute, ttl_seconds)


def all_charts(session: Session, locale: str, ttl_seconds: float, month: str | None = None) -> list[Chart]:
    """Every chart of the figures page, from the cache when the data has not changed; `month` (YYYY-MM)
    picks the month of the permits-per-kecamatan chart (default: the latest)."""
    charts = [
        cached(_cache_key(session, key, locale), partial(compute, session), ttl_seconds)
        for key, compute in CHARTS.items()
    ]
    after = list(CHARTS).index("izin-per-bulan") + 1
    charts.insert(after, _month_chart(session, month, locale, ttl_seconds))
    return charts


def chart(session: Session, key: str, locale: str, ttl_seconds: float) -> Chart | None:
    if key.startswith(MONTH_KECAMATAN + "-"):
        found = _month_chart(session, key.removeprefix(MONTH_KECAMATAN + "-"), locale, ttl_seconds)
        return found if found.key == key else None
    compute = CHARTS.get(key)
    if compute is None:
        return None
    return cached(_cache_key(session, key, locale), partial(compute, session), ttl_seconds)


def to_csv(chart_data: Chart) -> str:
    """The chart's numbers as CSV (UTF-8, header row)."""
    return spreadsheets.csv_text([chart_data.label_heading, chart_data.value_heading], chart_data.rows)
