"""IUMK permits, their gap-free number counters and reservations, and the stored certificate of each."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, and_, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.business import Business
from models.official import Official
from models.region import Region
from models.stored_document import StoredDocumentMixin
from models.user import User

VALID = "valid"
EXPIRED = "expired"
REVOKED = "revoked"
SUPERSEDED = "superseded"
PERMIT_STATUSES = (VALID, EXPIRED, REVOKED, SUPERSEDED)


# What a permit is: a first issue, a correction of a valid permit (keeps its validity end), a renewal.
NEW = "baru"
CORRECTION = "perbaikan"
RENEWAL = "perpanjangan"
PERMIT_KINDS = (NEW, CORRECTION, RENEWAL)

# "Current" = neither revoked nor replaced (it may have expired): at most one per business, by the database.
# `superseded_at` is the one mark of "replaced" (set before the replacement is inserted, so the index can
# hold); `superseded_by_id` only names the replacement. Permit.current(), Permit.is_current and
# status_on all read this same rule.
CURRENT_PERMIT_WHERE = "revoked_at IS NULL AND superseded_at IS NULL"


class PermitCounter(Base):
    """The last sequence number used in one series, year and scope (a kelurahan code, or '' for one
    sequence across the municipality); locked only while a number is drawn."""

    __tablename__ = "permit_counter"

    series: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(40), primary_key=True, default="")
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class PermitReservation(Base):
    """A number drawn for a permit being rendered and signed, outside any lock.

    While `business_id` is set the number is held for that business (and the business cannot draw a
    second one: unique). When rendering or signing fails, or the reservation is older than
    PERMIT_RESERVATION_MINUTES (a killed worker), `business_id` is cleared and the next permit of the
    series takes that number, so numbers stay gap-free.
    """

    __tablename__ = "permit_reservation"

    series: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(40), primary_key=True, default="")
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_id: Mapped[int | None] = mapped_column(ForeignKey("business.id", ondelete="CASCADE"), unique=True)
    reserved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Permit(StoredDocumentMixin, Base):
    __tablename__ = "permit"
    __table_args__ = (
        UniqueConstraint("series", "year", "sequence_scope", "seq", name="uq_permit_series_year_scope_seq"),
        Index(
            "uq_permit_one_current_per_business",
            "business_id",
            unique=True,
            sqlite_where=text(CURRENT_PERMIT_WHERE),
            postgresql_where=text(CURRENT_PERMIT_WHERE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(80), unique=True)
    series: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    sequence_scope: Mapped[str] = mapped_column(String(40), default="", server_default="")
    kind: Mapped[str] = mapped_column(String(12), default=NEW, server_default=NEW)
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
    # Set in the same transaction as superseded_by_id, before the replacement is inserted: the
    # one-current-permit index needs the old permit out of the way first.
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

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
    def current(cls):
        """SQL condition: neither revoked nor replaced (CURRENT_PERMIT_WHERE, the unique index's rule)."""
        return and_(cls.revoked_at.is_(None), cls.superseded_at.is_(None))

    @property
    def is_current(self) -> bool:
        return self.revoked_at is None and self.superseded_at is None

    @classmethod
    def valid_on(cls, day: date):
        """SQL condition: the permit is valid on `day` (the query form of status_on)."""
        return and_(cls.current(), cls.valid_until >= day)

    def status_on(self, day: date) -> str:
        """Status derived on read: an expired permit is expired without any job having run."""
        if self.revoked_at is not None:
            return REVOKED
        if self.superseded_at is not None:
            return SUPERSEDED
        if day > self.valid_until:
            return EXPIRED
        return VALID

    def __repr__(self) -> str:
        return f"<Permit {self.number}>"
