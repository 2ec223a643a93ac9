"""KBLI, the Indonesian standard business classification; each code is kept with its version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class KbliSection(Base):
    __tablename__ = "kbli_section"

    version: Mapped[str] = mapped_column(String(4), primary_key=True)
    letter: Mapped[str] = mapped_column(String(1), primary_key=True)
    title: Mapped[str] = mapped_column(String(255))


class KbliRelease(Base):
    """One version of the KBLI table as loaded (`flask kbli import`): where from, when, how many codes."""

    __tablename__ = "kbli_release"

    version: Mapped[str] = mapped_column(String(4), primary_key=True)
    source: Mapped[str | None] = mapped_column(String(255))
    code_count: Mapped[int] = mapped_column(Integer, default=0)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KbliCode(Base):
    __tablename__ = "kbli_code"

    version: Mapped[str] = mapped_column(String(4), primary_key=True)
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    section: Mapped[str] = mapped_column(String(1), index=True)
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    # Risk level of the activity under the risk-based licensing rules (PP 5/2021), when the agency
    # has loaded it: rendah, menengah_rendah, menengah_tinggi, tinggi.
    risk_level: Mapped[str | None] = mapped_column(String(20))

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
