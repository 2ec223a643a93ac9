"""Headline figures of the registry, computed from the live data (cached for the public home page)."""

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


HOME_COUNTS_SECONDS = 60


def public_registry_counts(session: Session, ttl_seconds: float = HOME_COUNTS_SECONDS) -> dict[str, int]:
    """`registry_counts` for the public home page, which need not count 300,000 rows per visit: kept
    per process until a commit changes businesses or cooperatives here (services.figures' version
    counter), and at most `ttl_seconds` so that changes made by other workers show soon."""
    from services.figures import cached

    key = f"{session.get_bind().engine.url}:registry-counts"
    return cached(key, lambda: registry_counts(session), ttl_seconds)
