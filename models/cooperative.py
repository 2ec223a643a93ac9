"""Cooperatives (koperasi) of the municipality: record, people, kampungs served, RAT reports, deeds."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.region import Region
from models.search import SearchableMixin
from models.stored_document import StoredDocumentMixin

COOPERATIVE_KINDS = ("simpan_pinjam", "konsumen", "produsen", "pemasaran", "jasa")
COOPERATIVE_LEVELS = ("primer", "sekunder")
PRIMER = "primer"
SEKUNDER = "sekunder"

# Activity status is derived from RAT reports (services/cooperatives.py), never stored.
ACTIVE = "active"
DORMANT = "dormant"
AT_RISK = "at_risk"
ACTIVITY_STATUSES = (ACTIVE, DORMANT, AT_RISK)

PENGURUS = "pengurus"
PENGAWAS = "pengawas"
OFFICIAL_BODIES = (PENGURUS, PENGAWAS)

RAT_PENDING = "pending"
RAT_CONFIRMED = "confirmed"
# A rejected report is kept, with its reason, so that the cooperative sees why; it may submit again.
RAT_REJECTED = "rejected"
RAT_STATUSES = (RAT_PENDING, RAT_CONFIRMED, RAT_REJECTED)


cooperative_kampung = Table(
    "cooperative_kampung",
    Base.metadata,
    Column("cooperative_id", ForeignKey("cooperative.id", ondelete="CASCADE"), primary_key=True),
    Column("kampung_id", ForeignKey("kampung.id", ondelete="CASCADE"), primary_key=True),
)


class Kampung(Base):
    """A neighbourhood a cooperative serves; one cooperative may serve several, and the reverse."""

    __tablename__ = "kampung"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Kampung names are unique within the municipality in practice; the directory searches by them.
    name: Mapped[str] = mapped_column(String(120), unique=True)

    cooperatives: Mapped[list[Cooperative]] = relationship(
        secondary=cooperative_kampung, back_populates="kampungs", viewonly=True
    )

    def __str__(self) -> str:
        return self.name


class Cooperative(SearchableMixin, Base):
    __search_kind__ = "cooperative"
    __tablename__ = "cooperative"
    __table_args__ = (
        CheckConstraint("simpanan_pokok_rupiah IS NULL OR simpanan_pokok_rupiah >= 0", name="simpanan_pokok"),
        CheckConstraint("simpanan_wajib_rupiah IS NULL OR simpanan_wajib_rupiah >= 0", name="simpanan_wajib"),
        CheckConstraint("member_count IS NULL OR member_count >= 0", name="member_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(10), default="primer")
    seat_address: Mapped[str] = mapped_column(Text)
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    founding_date: Mapped[date | None] = mapped_column()
    deed_number: Mapped[str | None] = mapped_column(String(100))
    deed_date: Mapped[date | None] = mapped_column()
    notary_name: Mapped[str | None] = mapped_column(String(150))
    notary_npak_decree: Mapped[str | None] = mapped_column(String(150))
    # The two witnesses named in the notarial founding deed.
    founding_witness_1: Mapped[str | None] = mapped_column(String(150))
    founding_witness_2: Mapped[str | None] = mapped_column(String(150))
    # The notary's own signed PDF of the founding deed, when an officer attached it.
    founding_deed_copy_id: Mapped[int | None] = mapped_column(ForeignKey("notarial_copy.id"))
    legal_entity_number: Mapped[str | None] = mapped_column(String(100))
    legal_entity_date: Mapped[date | None] = mapped_column()
    legal_entity_ministry: Mapped[str | None] = mapped_column(String(200))
    # Dissolution (by the members' meeting or by government decision): the decree and its date.
    dissolved_on: Mapped[date | None] = mapped_column()
    dissolution_decree: Mapped[str | None] = mapped_column(String(200))
    nib: Mapped[str | None] = mapped_column(String(13))
    nomor_induk_koperasi: Mapped[str | None] = mapped_column(String(30))
    purpose: Mapped[str | None] = mapped_column(Text)
    business_fields: Mapped[str | None] = mapped_column(Text)
    duration: Mapped[str | None] = mapped_column(String(100))
    simpanan_pokok_rupiah: Mapped[int | None] = mapped_column(BigInteger)
    simpanan_wajib_rupiah: Mapped[int | None] = mapped_column(BigInteger)
    member_count: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    kelurahan: Mapped[Region] = relationship()
    kampungs: Mapped[list[Kampung]] = relationship(secondary=cooperative_kampung, order_by="Kampung.name")
    founders: Mapped[list[CooperativeFounder]] = relationship(
        back_populates="cooperative", cascade="all, delete-orphan", order_by="CooperativeFounder.position"
    )
    officials: Mapped[list[CooperativeOfficial]] = relationship(
        back_populates="cooperative", cascade="all, delete-orphan", order_by="CooperativeOfficial.position"
    )
    member_cooperatives: Mapped[list[MemberCooperative]] = relationship(
        back_populates="cooperative", cascade="all, delete-orphan", order_by="MemberCooperative.position"
    )
    rat_reports: Mapped[list[RatReport]] = relationship(
        back_populates="cooperative", cascade="all, delete-orphan", order_by="RatReport.financial_year.desc()"
    )
    deeds: Mapped[list[FoundingDeed]] = relationship(
        back_populates="cooperative",
        cascade="all, delete-orphan",
        order_by="FoundingDeed.version.desc()",
        foreign_keys="FoundingDeed.cooperative_id",
    )
    amendments: Mapped[list[DeedAmendment]] = relationship(
        back_populates="cooperative",
        cascade="all, delete-orphan",
        order_by=lambda: [DeedAmendment.deed_date, DeedAmendment.id],
    )
    founding_deed_copy: Mapped[NotarialCopy | None] = relationship(foreign_keys=[founding_deed_copy_id])

    @property
    def is_dissolved(self) -> bool:
        return self.dissolved_on is not None

    @property
    def board(self) -> list[CooperativeOfficial]:
        return [o for o in self.officials if o.body == PENGURUS]

    @property
    def supervisors(self) -> list[CooperativeOfficial]:
        return [o for o in self.officials if o.body == PENGAWAS]


class CooperativeFounder(Base):
    """A founder as written in the deed. Birth data, address and NIK are protected personal data."""

    __tablename__ = "cooperative_founder"
    __table_args__ = (UniqueConstraint("cooperative_id", "nik", name="uq_cooperative_founder_nik"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    full_name: Mapped[str] = mapped_column(String(150))
    birth_place: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date | None] = mapped_column()
    address: Mapped[str | None] = mapped_column(Text)
    nik: Mapped[str] = mapped_column(String(16))

    cooperative: Mapped[Cooperative] = relationship(back_populates="founders")


class CooperativeOfficial(Base):
    """A member of the board (pengurus) or of the supervisors (pengawas)."""

    __tablename__ = "cooperative_official"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(Integer, default=0)
    full_name: Mapped[str] = mapped_column(String(150))
    title: Mapped[str] = mapped_column(String(80))

    cooperative: Mapped[Cooperative] = relationship(back_populates="officials")


class MemberCooperative(Base):
    """A member of a sekunder cooperative: itself a cooperative, named as in the deed."""

    __tablename__ = "member_cooperative"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    legal_entity_number: Mapped[str | None] = mapped_column(String(100))

    cooperative: Mapped[Cooperative] = relationship(back_populates="member_cooperatives")


class RatReport(Base):
    """The annual member meeting (RAT) of one financial year. Only confirmed reports count for status.

    One pending or confirmed report per year; rejected ones stay beside the corrected resubmission.
    The minutes (notulen, a PDF) are stored once with their SHA-256 like every other document.
    """

    __tablename__ = "rat_report"
    __table_args__ = (
        Index(
            "uq_rat_report_year",
            "cooperative_id",
            "financial_year",
            unique=True,
            sqlite_where=text("status != 'rejected'"),
            postgresql_where=text("status != 'rejected'"),
        ),
        CheckConstraint("members_present >= 0", name="members_present"),
        CheckConstraint("total_assets_rupiah IS NULL OR total_assets_rupiah >= 0", name="total_assets"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    financial_year: Mapped[int] = mapped_column(Integer)
    meeting_date: Mapped[date] = mapped_column()
    members_present: Mapped[int] = mapped_column(Integer)
    # SHU may be negative: a loss is reported too.
    shu_rupiah: Mapped[int | None] = mapped_column(BigInteger)
    total_assets_rupiah: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default=RAT_CONFIRMED, index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    minutes_sha256: Mapped[str | None] = mapped_column(String(64))
    minutes_size: Mapped[int | None] = mapped_column(Integer)
    minutes_storage_key: Mapped[str | None] = mapped_column(String(255))
    # The PDF itself when no DOCUMENT_STORE is configured (else its file name is `minutes_storage_key`).
    minutes_pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    minutes_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cooperative: Mapped[Cooperative] = relationship(back_populates="rat_reports")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])
    rejected_by = relationship("User", foreign_keys=[rejected_by_id])

    @property
    def has_minutes(self) -> bool:
        return self.minutes_sha256 is not None

    def search_targets(self) -> list[tuple[str, int]]:
        """A RAT report changes its cooperative's activity status: reindex the cooperative."""
        return [("cooperative", self.cooperative_id)]


def _verification_token() -> str:
    return secrets.token_urlsafe(24)


class NotarialCopy(Base):
    """A notary's own signed PDF of a notarial deed (founding or amendment), stored once by its SHA-256."""

    __tablename__ = "notarial_copy"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str | None] = mapped_column(String(255))
    document_pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


AMENDMENT_APPROVAL = "persetujuan"
AMENDMENT_NOTIFICATION = "pemberitahuan"
AMENDMENT_KINDS = (AMENDMENT_APPROVAL, AMENDMENT_NOTIFICATION)


class DeedAmendment(Base):
    """An amendment deed (akta perubahan anggaran dasar): its own number, date, notary and ministry act.

    The founding deed never changes; what the articles say now is the founding deed plus these.
    """

    __tablename__ = "deed_amendment"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(100))
    deed_date: Mapped[date] = mapped_column()
    notary_name: Mapped[str] = mapped_column(String(150))
    # Approval (persetujuan) or notification receipt (pemberitahuan) of the ministry, by number.
    ministry_act: Mapped[str] = mapped_column(String(20), default=AMENDMENT_APPROVAL)
    ministry_number: Mapped[str] = mapped_column(String(150))
    ministry_date: Mapped[date | None] = mapped_column()
    changes: Mapped[str] = mapped_column(Text)
    notary_copy_id: Mapped[int | None] = mapped_column(ForeignKey("notarial_copy.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    cooperative: Mapped[Cooperative] = relationship(back_populates="amendments")
    notary_copy: Mapped[NotarialCopy | None] = relationship()


# Why a registry copy version was issued.
FIRST_ISSUE = "first"
CORRECTION = "correction"  # a typo in the record fixed; the legal facts are unchanged
AMENDMENT = "amendment"  # an amendment deed was recorded
DISSOLUTION = "dissolution"
DEED_OCCASIONS = (FIRST_ISSUE, CORRECTION, AMENDMENT, DISSOLUTION)


class FoundingDeed(StoredDocumentMixin, Base):
    """One issued version of the Dinas' registry copy of a cooperative's legal record, as a stored PDF.

    The copy lists the notarial founding deed and its amendments in the Dinas' voice; it is not the
    notary's deed. A later version marks the one before as replaced (`superseded_at`, the one mark of
    "replaced", as for permits; `superseded_by_id` names the replacement); the old one still verifies,
    as "superseded". The PDF bytes are rendered and stored by the shared document pipeline
    (services/documents.py); what is kept of it are the columns of StoredDocumentMixin.
    """

    __tablename__ = "founding_deed"
    __table_args__ = (UniqueConstraint("cooperative_id", "version", name="uq_founding_deed_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # As printed on this version, so that verification matches the paper after later edits.
    cooperative_name: Mapped[str | None] = mapped_column(String(200))
    kelurahan_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The cooperative record's update time this version was drawn from ("diperbarui pada").
    record_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("founding_deed.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verification_token: Mapped[str] = mapped_column(String(64), unique=True, default=_verification_token)
    occasion: Mapped[str] = mapped_column(String(20), default=FIRST_ISSUE)
    correction_note: Mapped[str | None] = mapped_column(Text)
    # The articles of association as printed on this version (JSON), to tell a typo fix from a change of articles.
    articles_snapshot: Mapped[str | None] = mapped_column(Text)

    cooperative: Mapped[Cooperative] = relationship(back_populates="deeds", foreign_keys=[cooperative_id])
    superseded_by: Mapped[FoundingDeed | None] = relationship(remote_side=[id])
    kelurahan: Mapped[Region | None] = relationship()
    issued_by = relationship("User", foreign_keys=[issued_by_id])

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class CooperativeInvitation(Base):
    """A single-use link that lets a cooperative create its own portal account. Only the hash is kept."""

    __tablename__ = "cooperative_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    cooperative_id: Mapped[int] = mapped_column(ForeignKey("cooperative.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    contact_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The token is derived from this and SECRET_KEY, so an officer can show the link again (see services/links.py).
    nonce: Mapped[str | None] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cooperative: Mapped[Cooperative] = relationship()
