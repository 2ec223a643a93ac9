"""Micro and small businesses and the people who own them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, ForeignKey, ForeignKeyConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.kbli import KbliCode
from models.region import Region
from models.search import SearchableMixin

if TYPE_CHECKING:
    from models.permit import Permit

OPERATING = "operating"
CLOSED = "closed"
BUSINESS_STATUSES = (OPERATING, CLOSED)

# Jakpreneur's "7P" stages, in order; only registration is mandatory.
JAKPRENEUR_STAGES = (
    "pendaftaran",
    "pelatihan",
    "pendampingan",
    "perizinan",
    "pemasaran",
    "pelaporan_keuangan",
    "permodalan",
)
CAPITAL_BANDS = ("lt_50jt", "50jt_500jt", "gt_500jt")
TURNOVER_BANDS = ("lt_300jt", "300jt_2_5m", "gt_2_5m")
PREMISES = ("milik_sendiri", "sewa", "pinjam_pakai", "lainnya")
LEGAL_FORMS = ("perseorangan", "ud", "cv", "firma", "pt_perorangan")


class Person(Base):
    """A business owner. Every field but the name is protected personal data (UU 27/2022)."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(150))
    nik: Mapped[str] = mapped_column(String(16), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    home_address: Mapped[str | None] = mapped_column(Text)
    birth_date: Mapped[date | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    businesses: Mapped[list[Business]] = relationship(back_populates="owner")


class Business(SearchableMixin, Base):
    __search_kind__ = "business"
    __tablename__ = "business"
    __table_args__ = (
        ForeignKeyConstraint(
            ["kbli_version", "kbli_code"],
            ["kbli_code.version", "kbli_code.code"],
            name="fk_business_kbli",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    legal_form: Mapped[str] = mapped_column(String(20), default="perseorangan")
    address: Mapped[str] = mapped_column(Text)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    kbli_version: Mapped[str | None] = mapped_column(String(4))
    kbli_code: Mapped[str | None] = mapped_column(String(5))
    # Nomor Induk Berusaha from OSS: 13 digits, one business each; None until the business has one.
    nib: Mapped[str | None] = mapped_column(String(13), unique=True)
    npwp: Mapped[str | None] = mapped_column(String(20))
    activity: Mapped[str | None] = mapped_column(String(255))
    premises: Mapped[str | None] = mapped_column(String(20))
    capital_rupiah: Mapped[int | None] = mapped_column(BigInteger)
    capital_band: Mapped[str | None] = mapped_column(String(20))
    turnover_band: Mapped[str | None] = mapped_column(String(20))
    workers: Mapped[int | None] = mapped_column(Integer)
    jakpreneur_stage: Mapped[str] = mapped_column(String(20), default="pendaftaran")
    status: Mapped[str] = mapped_column(String(10), default=OPERATING, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[Person] = relationship(back_populates="businesses")
    kelurahan: Mapped[Region] = relationship()
    kbli: Mapped[KbliCode | None] = relationship(viewonly=True)
    # The main KBLI is kbli_code above; these are the business's other activities, in the order given.
    other_kbli: Mapped[list[BusinessKbli]] = relationship(
        back_populates="business", cascade="all, delete-orphan", order_by="BusinessKbli.position"
    )
    permits: Mapped[list[Permit]] = relationship(back_populates="business", order_by="Permit.issued_at")


class BusinessKbli(Base):
    """A further KBLI code of a business beyond its main one (Business.kbli_code)."""

    __tablename__ = "business_kbli"
    __table_args__ = (
        ForeignKeyConstraint(
            ["kbli_version", "kbli_code"],
            ["kbli_code.version", "kbli_code.code"],
            name="fk_business_kbli_code",
        ),
    )

    business_id: Mapped[int] = mapped_column(ForeignKey("business.id", ondelete="CASCADE"), primary_key=True)
    kbli_version: Mapped[str] = mapped_column(String(4), primary_key=True)
    kbli_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    business: Mapped[Business] = relationship(back_populates="other_kbli")
    kbli: Mapped[KbliCode] = relationship(viewonly=True)
