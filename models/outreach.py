""" "Jemput bola" outreach: requests reported by the public, the officers' visits, and AJIB delivery runs."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.business import Business
from models.permit import Permit
from models.region import Region
from models.user import User

# Who reported the business.
REPORTER_ROLES = ("pemilik", "pendamping", "tetangga")

# The outcome of a visit.
VISITED = "dikunjungi"
NOT_FOUND = "tidak_ditemukan"
NOT_ELIGIBLE = "tidak_memenuhi"
VISIT_OUTCOMES = (VISITED, NOT_FOUND, NOT_ELIGIBLE)

# The state of one permit in a delivery run.
PENDING = "menunggu"
DELIVERED = "diterima"
FAILED = "gagal"
DELIVERY_STATES = (PENDING, DELIVERED, FAILED)


class OutreachRequest(Base):
    """A business without a permit, reported by its owner, a mentor or a neighbour.

    The reporter's name and phone are personal data: shown to officers only, never on the tracking page.
    """

    __tablename__ = "outreach_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, read over the phone: what /lacak/<code> takes.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    business_name: Mapped[str] = mapped_column(String(200))
    activity: Mapped[str] = mapped_column(String(255))
    kelurahan_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    address: Mapped[str] = mapped_column(Text)
    reporter_role: Mapped[str] = mapped_column(String(12))
    reporter_name: Mapped[str] = mapped_column(String(150))
    reporter_phone: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    visit_on: Mapped[date | None] = mapped_column()
    visit_officer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_reason: Mapped[str | None] = mapped_column(String(30))
    visited_on: Mapped[date | None] = mapped_column()
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    business_id: Mapped[int | None] = mapped_column(ForeignKey("business.id"), unique=True)

    kelurahan: Mapped[Region] = relationship()
    visit_officer: Mapped[User | None] = relationship()
    business: Mapped[Business | None] = relationship()


class DeliveryRun(Base):
    """One courier's round of permits to hand over, along one route (a kecamatan, kelurahan by kelurahan)."""

    __tablename__ = "delivery_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    kecamatan_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    run_on: Mapped[date] = mapped_column()
    courier_name: Mapped[str] = mapped_column(String(150))
    courier_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    kecamatan: Mapped[Region] = relationship()
    deliveries: Mapped[list[Delivery]] = relationship(back_populates="run", order_by="Delivery.position")


class Delivery(Base):
    """One permit in a run: handed over (to whom, when) or failed (why) and rescheduled."""

    __tablename__ = "delivery"
    __table_args__ = (UniqueConstraint("run_id", "permit_id", name="uq_delivery_run_permit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("delivery_run.id"), index=True)
    permit_id: Mapped[int] = mapped_column(ForeignKey("permit.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(10), default=PENDING)
    received_by: Mapped[str | None] = mapped_column(String(150))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failure_reason: Mapped[str | None] = mapped_column(String(30))
    rescheduled_on: Mapped[date | None] = mapped_column()
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    run: Mapped[DeliveryRun] = relationship(back_populates="deliveries")
    permit: Mapped[Permit] = relationship()
