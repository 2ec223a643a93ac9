"""Figures of the work the agency reports: requests received, visits done, permits issued and delivered.

Counted per day (the WIB date, from services.clock) and per kecamatan, over a recent range the officer
chooses, within the officer's scope (authorization.kecamatan_scope; None: the whole municipality). Each
measure is one GROUP BY (day, kecamatan) in SQL, so the cost does not grow with Python loops over rows;
the at most days × kecamatan cells are then summed per day and per kecamatan.

Timestamps are stored in UTC; the day of a moment is its date in the municipality's zone. Indonesian
zones have no daylight saving, so the zone's fixed offset is added in SQL on both databases.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, cast, func, literal_column, select
from sqlalchemy.orm import Session, aliased

from models.outreach import DELIVERED, Delivery, OutreachRequest
from models.permit import Permit
from models.region import KECAMATAN, Region
from services import clock, spreadsheets

RANGES = (7, 14, 30, 90)
DEFAULT_DAYS = 14
MEASURES = ("requests", "visits", "issued", "delivered")
LABELS = {
    "requests": _l("Permohonan diterima"),
    "visits": _l("Kunjungan dilakukan"),
    "issued": _l("Izin terbit"),
    "delivered": _l("Izin diantar"),
}


@dataclass
class WorkFigures:
    """The counts of one range and scope: cells[(day, kecamatan_id)][measure]."""

    first_day: date
    last_day: date
    kecamatan: dict[int, str]  # the kecamatan in scope, id → name
    cells: dict[tuple[date, int], dict[str, int]] = field(default_factory=dict)

    @property
    def days(self) -> list[date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.last_day - timedelta(days=offset) for offset in range(count)]

    def _sum(self, keys: Iterable[tuple[date, int]]) -> dict[str, int]:
        total = dict.fromkeys(MEASURES, 0)
        for key in keys:
            for measure, value in self.cells.get(key, {}).items():
                total[measure] += value
        return total

    def per_day(self) -> list[tuple[date, dict[str, int]]]:
        """Newest day first; every day of the range, zeros included."""
        return [(day, self._sum((day, k) for k in self.kecamatan)) for day in self.days]

    def per_kecamatan(self) -> list[tuple[str, dict[str, int]]]:
        """Every kecamatan in scope by name, summed over the range."""
        ordered = sorted(self.kecamatan.items(), key=lambda item: item[1])
        return [(name, self._sum((day, k) for day in self.days)) for k, name in ordered]

    def total(self) -> dict[str, int]:
        return self._sum(self.cells)

    def table_rows(self) -> list[list]:
        """One row per day and kecamatan with any work (the download): day, kecamatan, the four counts."""
        rows = []
        for (day, kecamatan_id), counts in sorted(
            self.cells.items(), key=lambda item: (item[0][0], self.kecamatan[item[0][1]])
        ):
            rows.append([day.isoformat(), self.kecamatan[kecamatan_id], *(counts.get(m, 0) for m in MEASURES)])
        return rows

    def header(self) -> list[str]:
        return [str(_l("Tanggal")), str(_l("Kecamatan")), *(str(LABELS[m]) for m in MEASURES)]


def clean_days(value: str | None) -> int:
    """The range asked for, when it is one of RANGES; else the default."""
    try:
        days = int(value or DEFAULT_DAYS)
    except ValueError:
        return DEFAULT_DAYS
    return days if days in RANGES else DEFAULT_DAYS


def _offset_minutes(tz_name: str, moment: datetime) -> int:
    offset = ZoneInfo(tz_name).utcoffset(moment.replace(tzinfo=None))
    return int(offset.total_seconds() // 60) if offset else 0


def _local_day(session: Session, column, minutes: int):
    """SQL: the local date of a UTC timestamp column (fixed offset: Indonesian zones have no DST)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column, f"{minutes:+d} minutes")
    return cast(func.timezone("UTC", column) + literal_column(f"interval '{minutes} minutes'"), Date)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def compute(session: Session, tz_name: str, days: int, scope: int | None) -> WorkFigures:
    """The four measures per day and kecamatan over the last `days` days (today included) in `scope`."""
    last_day = clock.local_today(tz_name)
    first_day = last_day - timedelta(days=days - 1)
    since = clock.local_to_utc(datetime.combine(first_day, time(0, 0)), tz_name)
    minutes = _offset_minutes(tz_name, since)
    kecamatan_query = select(Region.id, Region.name).where(Region.level == KECAMATAN)
    if scope is not None:
        kecamatan_query = kecamatan_query.where(Region.id == scope)
    result = WorkFigures(first_day, last_day, dict(session.execute(kecamatan_query).all()))
    kelurahan = aliased(Region)

    def add(measure: str, query) -> None:
        for day, kecamatan_id, count in session.execute(query):
            if kecamatan_id in result.kecamatan:
                cell = result.cells.setdefault((_as_date(day), kecamatan_id), dict.fromkeys(MEASURES, 0))
                cell[measure] += count

    def grouped(day, *where, joins=()):
        query = select(day.label("day"), kelurahan.parent_id, func.count())
        for target, on in joins:
            query = query.join(target, on)
        query = query.where(*where)
        if scope is not None:
            query = query.where(kelurahan.parent_id == scope)
        return query.group_by(day, kelurahan.parent_id)

    received = _local_day(session, OutreachRequest.created_at, minutes)
    add(
        "requests",
        grouped(
            received,
            OutreachRequest.created_at >= since,
            joins=[(kelurahan, kelurahan.id == OutreachRequest.kelurahan_id)],
        ),
    )
    add(
        "visits",
        grouped(
            OutreachRequest.visited_on,
            OutreachRequest.outcome.is_not(None),
            OutreachRequest.visited_on >= first_day,
            OutreachRequest.visited_on <= last_day,
            joins=[(kelurahan, kelurahan.id == OutreachRequest.kelurahan_id)],
        ),
    )
    add(
        "issued",
        grouped(
            Permit.issued_on,
            Permit.issued_on >= first_day,
            Permit.issued_on <= last_day,
            joins=[(kelurahan, kelurahan.id == Permit.kelurahan_id)],
        ),
    )
    handed = _local_day(session, Delivery.delivered_at, minutes)
    add(
        "delivered",
        grouped(
            handed,
            Delivery.state == DELIVERED,
            Delivery.delivered_at >= since,
            joins=[
                (Permit, Permit.id == Delivery.permit_id),
                (kelurahan, kelurahan.id == Permit.kelurahan_id),
            ],
        ),
    )
    return result


def download(figures: WorkFigures, fmt: str) -> tuple[bytes | str, str, str]:
    """The day × kecamatan table through the one safe writer: (body, mimetype, file name)."""
    name = f"angka-kerja-{figures.first_day.isoformat()}-{figures.last_day.isoformat()}.{fmt}"
    if fmt == "csv":
        return "\ufeff" + spreadsheets.csv_text(figures.header(), figures.table_rows()), "text/csv", name
    body = spreadsheets.xlsx_bytes(figures.header(), figures.table_rows(), title="Angka kerja")
    return body, spreadsheets.XLSX_MIMETYPE, name
