"""The back office's views over many cooperatives: counts per kecamatan, the overdue list, the searchable list."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from models.cooperative import ACTIVE, AT_RISK, DORMANT, Cooperative
from models.region import Region
from models.user import User
from services.cooperatives.access import scope_query
from services.cooperatives.status import status_expression
from services.paging import Page, paginate


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


def search_cooperatives(
    session: Session,
    user: User | None,
    today: date,
    q: str | None = None,
    status: str | None = None,
    kecamatan_id: int | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """The back-office list: a page of rows (Cooperative, activity_status, last_rat_year), filtered in SQL."""
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
    query = query.options(selectinload(Cooperative.kelurahan).selectinload(Region.parent))
    return paginate(session, query.order_by(Cooperative.name, Cooperative.id), page, per_page, rows=True)
