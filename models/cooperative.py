"""Cooperatives (koperasi) of the municipality."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.region import Region
from models.search import SearchableMixin

COOPERATIVE_KINDS = ("simpan_pinjam", "konsumen", "produsen", "pemasaran", "jasa")
COOPERATIVE_LEVELS = ("primer", "sekunder")


class Cooperative(SearchableMixin, Base):
    __search_kind__ = "cooperative"
    __tablename__ = "cooperative"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(10), default="primer")
    seat_address: Mapped[str] = mapped_column(Text)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    founding_date: Mapped[date | None] = mapped_column()
    legal_entity_number: Mapped[str | None] = mapped_column(String(100))
    nib: Mapped[str | None] = mapped_column(String(13))
    purpose: Mapped[str | None] = mapped_column(Text)
    member_count: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    kelurahan: Mapped[Region] = relationship()
