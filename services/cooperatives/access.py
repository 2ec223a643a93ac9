"""Who sees which cooperative: an officer of one kecamatan only its own, a cooperative account only itself."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.cooperative import Cooperative
from models.region import Region
from models.user import COOPERATIVE, OFFICER, SUPERADMIN, User


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
