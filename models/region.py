"""Administrative regions of the configured municipality: kota/kabupaten, kecamatan, kelurahan."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base

KOTA = "kota"
KECAMATAN = "kecamatan"
KELURAHAN = "kelurahan"
LEVELS = (KOTA, KECAMATAN, KELURAHAN)


class Region(Base):
    __tablename__ = "region"
    __table_args__ = (UniqueConstraint("parent_id", "name", "level", name="uq_region_parent_name_level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    level: Mapped[str] = mapped_column(String(10), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kemendagri_code: Mapped[str | None] = mapped_column(String(20))
    # A code the administrator sets for a kelurahan office, used in permit numbers in place of the
    # Kemendagri code (or where none is loaded).
    office_code: Mapped[str | None] = mapped_column(String(20))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    source_id: Mapped[int | None] = mapped_column()
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)

    parent: Mapped[Region | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Region]] = relationship(back_populates="parent", order_by="Region.name")

    @property
    def kecamatan(self) -> Region | None:
        """The kecamatan this region belongs to (itself for a kecamatan)."""
        if self.level == KECAMATAN:
            return self
        if self.level == KELURAHAN:
            return self.parent
        return None

    @property
    def kota(self) -> Region | None:
        node: Region | None = self
        while node is not None and node.level != KOTA:
            node = node.parent
        return node

    def __repr__(self) -> str:
        return f"<Region {self.level} {self.name}>"
