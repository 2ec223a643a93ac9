"""Headline figures of the registry, computed from the live data."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.business import OPERATING, Business
from models.cooperative import Cooperative
from models.region import KECAMATAN, KELURAHAN, Region


def registry_counts(session: Session) -> dict[str, int]:
    """Businesses (all and operating), cooperatives, kecamatan and kelurahan covered."""

    def count(query) -> int:
        return session.scalar(query) or 0

    return {
        "businesses": count(select(func.count()).select_from(Business)),
        "operating": count(select(func.count()).select_from(Business).where(Business.status == OPERATING)),
        "cooperatives": count(select(func.count()).select_from(Cooperative)),
        "kecamatan": count(select(func.count()).select_from(Region).where(Region.level == KECAMATAN)),
        "kelurahan": count(select(func.count()).select_from(Region).where(Region.level == KELURAHAN)),
    }
