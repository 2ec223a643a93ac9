"""Imports of existing registers: the column mapping remembered per source, and each file imported."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class ImportMapping(Base):
    """How the columns of one source (an agency's spreadsheet, named by the officer) map to Balai's fields."""

    __tablename__ = "import_mapping"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    columns: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ImportedFile(Base):
    """A file applied once (by the SHA-256 of its bytes): importing the same bytes again is refused."""

    __tablename__ = "imported_file"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    counts: Mapped[dict] = mapped_column(JSON)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
