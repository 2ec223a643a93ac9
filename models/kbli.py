"""KBLI, the Indonesian standard business classification; each code is kept with its version."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class KbliSection(Base):
    __tablename__ = "kbli_section"

    version: Mapped[str] = mapped_column(String(4), primary_key=True)
    letter: Mapped[str] = mapped_column(String(1), primary_key=True)
    title: Mapped[str] = mapped_column(String(255))


class KbliCode(Base):
    __tablename__ = "kbli_code"

    version: Mapped[str] = mapped_column(String(4), primary_key=True)
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    section: Mapped[str] = mapped_column(String(1), index=True)
    title: Mapped[str] = mapped_column(String(255))

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
