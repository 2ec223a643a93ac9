"""Officials who sign certificates: data with validity dates, so that a reprint names the signer of the day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.region import Region


class Official(Base):
    __tablename__ = "official"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    rank: Mapped[str | None] = mapped_column(String(120))  # pangkat/golongan, e.g. "Penata Tk. I (III/d)"
    nip: Mapped[str | None] = mapped_column(String(18))
    position: Mapped[str] = mapped_column(String(150))  # e.g. "Lurah Gambir"
    # The office's region (kelurahan or kecamatan); None: signs for the whole municipality.
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    valid_from: Mapped[date] = mapped_column()
    valid_to: Mapped[date | None] = mapped_column()

    region: Mapped[Region | None] = relationship()

    def in_office_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def __repr__(self) -> str:
        return f"<Official {self.name} {self.position}>"
