"""IUMK permits, their gap-free number counters, and the stored certificate of each."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, and_
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.business import Business
from models.official import Official
from models.region import Region
from models.user import User

VALID = "valid"
EXPIRED = "expired"
REVOKED = "revoked"
SUPERSEDED = "superseded"
PERMIT_STATUSES = (VALID, EXPIRED, REVOKED, SUPERSEDED)


class PermitCounter(Base):
    """The last sequence number used in one series and year; locked while a permit is issued."""

    __tablename__ = "permit_counter"

    series: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class Permit(Base):
    __tablename__ = "permit"
    __table_args__ = (UniqueConstraint("series", "year", "seq", name="uq_permit_series_year_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(80), unique=True)
    series: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    # Random, ≥128 bits, unrelated to the number: what the QR code carries.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    # As printed on the certificate, so that verification matches the paper after later edits.
    business_name: Mapped[str] = mapped_column(String(200))
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("official.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    issued_on: Mapped[date] = mapped_column(index=True)  # local (WIB) date printed on the certificate
    valid_until: Mapped[date] = mapped_column()
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The public reason is a code from services/reasons.py; the free text is an internal note for staff only.
    revoke_reason_code: Mapped[str | None] = mapped_column(String(40))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("permit.id"))
    document_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    document_size: Mapped[int | None] = mapped_column(Integer)
    # The PDF itself, or its file name under DOCUMENT_STORE when one is configured.
    document_pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    document_path: Mapped[str | None] = mapped_column(String(255))
    demo_signature: Mapped[bool] = mapped_column(Boolean, default=False)

    business: Mapped[Business] = relationship(back_populates="permits")
    kelurahan: Mapped[Region] = relationship()
    official: Mapped[Official | None] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    superseded_by: Mapped[Permit | None] = relationship(remote_side=[id], foreign_keys=[superseded_by_id])

    def search_targets(self) -> list[tuple[str, int]]:
        """A permit's number is found through its business: reindex the business when it changes."""
        return [("business", self.business_id)]

    @classmethod
    def valid_on(cls, day: date):
        """SQL condition: the permit is valid on `day` (the query form of status_on)."""
        return and_(cls.revoked_at.is_(None), cls.superseded_by_id.is_(None), cls.valid_until >= day)

    def status_on(self, day: date) -> str:
        """Status derived on read: an expired permit is expired without any job having run."""
        if self.revoked_at is not None:
            return REVOKED
        if self.superseded_by_id is not None:
            return SUPERSEDED
        if day > self.valid_until:
            return EXPIRED
        return VALID

    def __repr__(self) -> str:
        return f"<Permit {self.number}>"
