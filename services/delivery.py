"""AJIB (antar jemput izin bermotor): issued permits handed over by courier in runs along a route.

A run covers one kecamatan, its stops in route order (kelurahan, then address). The courier records
each stop on a phone: received by whom and when, or failed with a reason and a new date; a failed
permit goes into the next run again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, joinedload

from models.business import Business
from models.outreach import DELIVERED, FAILED, PENDING, Delivery, DeliveryRun
from models.permit import Permit
from models.region import KECAMATAN, Region
from models.user import OFFICER, SUPERADMIN, User
from services import clock
from services.audit import AuditAction, record
from services.authorization import kecamatan_scope
from services.documents import html_to_pdf, render_html
from services.locking import lock_row
from services.reasons import DELIVERY_FAILURE_REASONS
from services.transactions import owns_transaction


class DeliveryError(ValueError):
    """A run or a delivery that cannot be recorded; the message is for the officer or courier."""


def kecamatan_choices(session: Session, user: User) -> list[Region]:
    query = select(Region).where(Region.level == KECAMATAN).order_by(Region.name)
    scope = kecamatan_scope(user)
    if scope is not None:
        query = query.where(Region.id == scope)
    return list(session.scalars(query))


def courier_choices(session: Session, kecamatan_id: int | None = None) -> list[User]:
    users = session.scalars(
        select(User)
        .where(User.is_active_account.is_(True), User.role.in_((OFFICER, SUPERADMIN)))
        .order_by(User.full_name)
    )
    return [u for u in users if kecamatan_id is None or u.kecamatan_id in (None, kecamatan_id)]


def _in_hand():
    """SQL: the permit is on a run still pending, or already delivered."""
    return exists().where(Delivery.permit_id == Permit.id, Delivery.state.in_((PENDING, DELIVERED)))


def awaiting(session: Session, kecamatan_id: int) -> list[Permit]:
    """Current permits of the kecamatan not yet delivered nor on a pending run, in route order."""
    kelurahan = Region.__table__.alias("kel")
    query = (
        select(Permit)
        .join(kelurahan, Permit.kelurahan_id == kelurahan.c.id)
        .join(Business, Permit.business_id == Business.id)
        .where(
            kelurahan.c.parent_id == kecamatan_id,
            Permit.current(),
            ~_in_hand(),
        )
        .order_by(kelurahan.c.name, Business.address, Permit.id)
        .options(joinedload(Permit.business), joinedload(Permit.kelurahan))
    )
    return list(session.scalars(query))


def awaiting_counts(session: Session, user: User) -> list[tuple[Region, int]]:
    return [(k, len(awaiting(session, k.id))) for k in kecamatan_choices(session, user)]


@owns_transaction
def create_run(
    session: Session,
    user: User,
    *,
    kecamatan_id: int,
    run_on: date,
    courier_user_id: int | None,
    courier_name: str | None,
    ip_address: str | None = None,
) -> DeliveryRun:
    # One run at a time takes a kecamatan's permits: lock the kecamatan (row lock; SQLite's write lock).
    lock_row(session, Region, kecamatan_id)
    if kecamatan_id not in {k.id for k in kecamatan_choices(session, user)}:
        raise DeliveryError("Pilih kecamatan dari daftar.")
    if run_on < clock.today():
        raise DeliveryError("Tanggal pengantaran tidak boleh sebelum hari ini.")
    courier = None
    if courier_user_id:
        courier = next((u for u in courier_choices(session, kecamatan_id) if u.id == courier_user_id), None)
        if courier is None:
            raise DeliveryError("Pilih kurir dari daftar.")
    name = courier.full_name if courier is not None else (courier_name or "").strip()
    if not name:
        raise DeliveryError("Pilih kurir atau ketik namanya.")
    permits = awaiting(session, kecamatan_id)
    if not permits:
        raise DeliveryError("Tidak ada izin yang menunggu diantar di kecamatan ini.")
    run = DeliveryRun(
        kecamatan_id=kecamatan_id,
        run_on=run_on,
        courier_name=name,
        courier_user_id=courier.id if courier is not None else None,
        created_by_id=user.id,
        created_at=clock.now(),
    )
    run.deliveries = [Delivery(permit=p, position=i, state=PENDING) for i, p in enumerate(permits, start=1)]
    session.add(run)
    session.flush()
    record(
        session,
        user,
        AuditAction.DELIVERY_RUN,
        "delivery_run",
        run.id,
        summary=f"{len(permits)} izin",
        after={"kecamatan": kecamatan_id, "courier": name, "permits": [p.id for p in permits]},
        ip_address=ip_address,
    )
    session.commit()
    return run


def scoped_runs(user: User):
    query = select(DeliveryRun)
    scope = kecamatan_scope(user)
    if scope is not None:
        query = query.where(DeliveryRun.kecamatan_id == scope)
    return query


def runs(session: Session, user: User, limit: int = 100) -> list[DeliveryRun]:
    query = scoped_runs(user).options(joinedload(DeliveryRun.kecamatan), joinedload(DeliveryRun.deliveries))
    return list(session.scalars(query.order_by(DeliveryRun.run_on.desc(), DeliveryRun.id.desc()).limit(limit)).unique())


def get_run(session: Session, user: User, run_id: int) -> DeliveryRun | None:
    return session.scalar(scoped_runs(user).where(DeliveryRun.id == run_id))


def get_delivery(run: DeliveryRun, delivery_id: int) -> Delivery | None:
    return next((d for d in run.deliveries if d.id == delivery_id), None)


@owns_transaction
def record_delivery(
    session: Session,
    delivery: Delivery,
    actor: User,
    *,
    delivered: bool,
    received_by: str | None = None,
    received_at: datetime | None = None,
    reason: str | None = None,
    rescheduled_on: date | None = None,
    notes: str | None = None,
    ip_address: str | None = None,
) -> Delivery:
    """The courier's record of one stop. A stop already recorded is not recorded again."""
    if delivery.state != PENDING:
        raise DeliveryError("Pengantaran ini sudah dicatat.")
    if delivered:
        if not received_by:
            raise DeliveryError("Isi nama penerima.")
        if received_at is None:
            raise DeliveryError("Isi tanggal dan jam penerimaan.")
        if received_at > clock.now():
            raise DeliveryError("Tanggal dan jam penerimaan tidak boleh di masa depan.")
        delivery.state = DELIVERED
        delivery.received_by = received_by
        delivery.delivered_at = received_at
    else:
        if reason not in DELIVERY_FAILURE_REASONS:
            raise DeliveryError("Pilih alasan gagal dari daftar.")
        if rescheduled_on is None or rescheduled_on <= clock.today():
            raise DeliveryError("Isi tanggal antar ulang setelah hari ini.")
        delivery.state = FAILED
        delivery.failure_reason = reason
        delivery.rescheduled_on = rescheduled_on
    delivery.notes = notes
    delivery.recorded_at = clock.now()
    record(
        session,
        actor,
        AuditAction.DELIVERY_RECORD,
        "delivery",
        delivery.id,
        summary=delivery.permit.number,
        after={"state": delivery.state, "reason": delivery.failure_reason},
        ip_address=ip_address,
    )
    session.commit()
    return delivery


@dataclass(frozen=True)
class DeliveryState:
    state: str  # menunggu (on a run), diterima, gagal, or "belum" (on no run yet)
    delivery: Delivery | None


def state_of(session: Session, permit: Permit) -> DeliveryState:
    """The latest delivery of a permit, for the back office business page."""
    latest = session.scalar(
        select(Delivery)
        .where(Delivery.permit_id == permit.id)
        .order_by(Delivery.id.desc())
        .limit(1)
        .options(joinedload(Delivery.run))
    )
    return DeliveryState(latest.state if latest else "belum", latest)


def manifest_pdf(run: DeliveryRun, config: dict, municipality) -> bytes:
    """The printable manifest of a run, in route order (personal data: for the courier and the office only)."""
    html = render_html(
        "documents/delivery_run_manifest.html",
        run=run,
        municipality=municipality,
        printed_at=clock.utc_to_local(clock.now(), config.get("TIMEZONE", "Asia/Jakarta")),
    )
    return html_to_pdf(html, title=f"Daftar antar izin {run.id}")
