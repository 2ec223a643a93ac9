""" "Kabarkan": requests from the public about businesses without a permit, the officers' visits, and the
tracking page's progress (diterima → dijadwalkan → dikunjungi → izin terbit → diantar).

The reporter's name and phone are for officers only; nothing personal leaves through `progress`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from models.business import Business
from models.outreach import (
    DELIVERED,
    NOT_ELIGIBLE,
    VISIT_OUTCOMES,
    VISITED,
    Delivery,
    OutreachRequest,
)
from models.permit import Permit
from models.region import KELURAHAN, Region
from models.user import OFFICER, SUPERADMIN, User
from services import clock, permits
from services.audit import AuditAction, record
from services.authorization import covers_kelurahan, kecamatan_scope
from services.reasons import NOT_ELIGIBLE_REASONS
from services.transactions import owns_transaction

# No 0/O, 1/I/L: read aloud over the phone without confusion. 31^10 ≈ 8·10^14 codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


class OutreachError(ValueError):
    """A request or visit that cannot be recorded; the message is for the officer or resident."""


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str | None) -> str:
    """'abcd-efgh 23' -> 'ABCDEFGH23': what a resident might type or read out."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def kelurahan_choices(session: Session) -> list[Region]:
    """Every kelurahan of the municipality, by kecamatan and name (the public form's select)."""
    regions = session.scalars(select(Region).where(Region.level == KELURAHAN).options(joinedload(Region.parent)))
    return sorted(regions, key=lambda r: (r.parent.name if r.parent else "", r.name))


@owns_transaction
def submit(
    session: Session,
    *,
    business_name: str,
    activity: str,
    kelurahan_id: int,
    address: str,
    reporter_role: str,
    reporter_name: str,
    reporter_phone: str,
) -> OutreachRequest:
    """Record a report; returns it with its tracking code. Refuses a kelurahan outside the municipality."""
    region = session.get(Region, kelurahan_id)
    if region is None or region.level != KELURAHAN:
        raise OutreachError("Pilih kelurahan dari daftar.")
    request = OutreachRequest(
        code=new_code(),
        business_name=business_name,
        activity=activity,
        kelurahan_id=kelurahan_id,
        address=address,
        reporter_role=reporter_role,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        created_at=clock.now(),
    )
    session.add(request)
    session.flush()
    record(session, None, AuditAction.OUTREACH_REPORT, "outreach_request", request.id, summary=business_name[:255])
    session.commit()
    return request


def find_by_code(session: Session, code: str) -> OutreachRequest | None:
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return None
    return session.scalar(select(OutreachRequest).where(OutreachRequest.code == code))


@dataclass(frozen=True)
class Stage:
    key: str
    on: date | None


@dataclass(frozen=True)
class Progress:
    """What the tracking page may show: the business's name, its kelurahan, the stages' dates, and a
    closing outcome (not found / not eligible with its public reason). Nothing about the reporter."""

    business_name: str
    kelurahan: str
    kecamatan: str
    stages: list[Stage]
    closed_outcome: str | None
    closed_reason: str | None


def _delivered_on(session: Session, business_id: int, tz_name: str) -> date | None:
    moment = session.scalar(
        select(Delivery.delivered_at)
        .join(Permit, Delivery.permit_id == Permit.id)
        .where(Permit.business_id == business_id, Delivery.state == DELIVERED)
        .order_by(Delivery.delivered_at.desc())
        .limit(1)
    )
    return clock.utc_to_local(moment, tz_name).date() if moment else None


def progress(session: Session, request: OutreachRequest, tz_name: str) -> Progress:
    permit = permits.current_permit(session, request.business_id)
    issued_on = permit.issued_on if permit is not None else None
    delivered_on = _delivered_on(session, request.business_id, tz_name) if request.business_id else None
    visited = request.outcome == VISITED or request.business_id is not None
    closed = request.outcome if request.outcome in VISIT_OUTCOMES and request.outcome != VISITED else None
    stages = [
        Stage("diterima", clock.utc_to_local(request.created_at, tz_name).date()),
        Stage("dijadwalkan", request.visit_on),
        Stage("dikunjungi", (request.visited_on or request.visit_on) if visited else None),
        Stage("izin_terbit", issued_on),
        Stage("diantar", delivered_on),
    ]
    kelurahan = request.kelurahan
    return Progress(
        business_name=request.business_name,
        kelurahan=kelurahan.name,
        kecamatan=kelurahan.parent.name if kelurahan.parent else "",
        stages=stages,
        closed_outcome=closed,
        closed_reason=request.outcome_reason if closed == NOT_ELIGIBLE else None,
    )


# Back office -----------------------------------------------------------------------------------------


def scoped_requests(user: User) -> Select:
    """SELECT of the requests `user` may see: an officer limited to a kecamatan sees only that kecamatan's."""
    query = select(OutreachRequest).join(Region, OutreachRequest.kelurahan_id == Region.id)
    scope = kecamatan_scope(user)
    if scope is not None:
        query = query.where(Region.parent_id == scope)
    return query


QUEUE_STATES = ("baru", "dijadwalkan", "selesai", "semua")


def queue(session: Session, user: User, state: str = "baru", limit: int = 200) -> list[OutreachRequest]:
    """Requests in `user`'s scope: new (no visit planned), planned (no outcome yet), done, or all; by date."""
    query = scoped_requests(user).options(joinedload(OutreachRequest.kelurahan).joinedload(Region.parent))
    if state == "baru":
        query = query.where(OutreachRequest.visit_on.is_(None), OutreachRequest.outcome.is_(None))
    elif state == "dijadwalkan":
        query = query.where(OutreachRequest.visit_on.is_not(None), OutreachRequest.outcome.is_(None))
    elif state == "selesai":
        query = query.where(OutreachRequest.outcome.is_not(None))
    order = OutreachRequest.visit_on.asc() if state == "dijadwalkan" else OutreachRequest.created_at.asc()
    return list(session.scalars(query.order_by(order, OutreachRequest.id).limit(limit)).unique())


def get_request(session: Session, user: User, request_id: int) -> OutreachRequest | None:
    """The request if `user` may see it, else None (the view answers 404)."""
    return session.scalar(scoped_requests(user).where(OutreachRequest.id == request_id))


def officer_choices(session: Session, request: OutreachRequest) -> list[User]:
    """Staff who may visit this request: officers of its kecamatan (or of the whole municipality), superadmins."""
    kecamatan_id = request.kelurahan.parent_id
    users = session.scalars(
        select(User)
        .where(User.is_active_account.is_(True), User.role.in_((OFFICER, SUPERADMIN)))
        .order_by(User.full_name)
    )
    return [u for u in users if u.role == SUPERADMIN or u.kecamatan_id in (None, kecamatan_id)]


@owns_transaction
def plan_visit(
    session: Session, request: OutreachRequest, visit_on: date, officer_id: int, actor: User, ip_address=None
) -> OutreachRequest:
    if request.outcome is not None:
        raise OutreachError("Kunjungan sudah dicatat; jadwal tidak dapat diubah lagi.")
    if visit_on < clock.today():
        raise OutreachError("Tanggal kunjungan tidak boleh sebelum hari ini.")
    if officer_id not in {u.id for u in officer_choices(session, request)}:
        raise OutreachError("Pilih petugas dari daftar.")
    before = {"visit_on": str(request.visit_on) if request.visit_on else None, "officer": request.visit_officer_id}
    request.visit_on = visit_on
    request.visit_officer_id = officer_id
    request.planned_at = clock.now()
    record(
        session,
        actor,
        AuditAction.OUTREACH_PLAN,
        "outreach_request",
        request.id,
        summary=request.business_name[:255],
        before=before,
        after={"visit_on": str(visit_on), "officer": officer_id},
        ip_address=ip_address,
    )
    session.commit()
    return request


@owns_transaction
def record_outcome(
    session: Session,
    request: OutreachRequest,
    outcome: str,
    visited_on: date,
    reason: str | None,
    actor: User,
    ip_address=None,
) -> OutreachRequest:
    if request.visit_on is None:
        raise OutreachError("Jadwalkan kunjungan terlebih dahulu.")
    if request.outcome is not None:
        raise OutreachError("Hasil kunjungan sudah dicatat.")
    if outcome not in VISIT_OUTCOMES:
        raise OutreachError("Pilih hasil kunjungan dari daftar.")
    if visited_on > clock.today():
        raise OutreachError("Tanggal kunjungan tidak boleh setelah hari ini.")
    if outcome == NOT_ELIGIBLE:
        if reason not in NOT_ELIGIBLE_REASONS:
            raise OutreachError("Pilih alasan dari daftar.")
    else:
        reason = None
    request.outcome = outcome
    request.outcome_reason = reason
    request.visited_on = visited_on
    request.outcome_at = clock.now()
    record(
        session,
        actor,
        AuditAction.OUTREACH_VISIT,
        "outreach_request",
        request.id,
        summary=request.business_name[:255],
        after={"outcome": outcome, "reason": reason, "visited_on": str(visited_on)},
        ip_address=ip_address,
    )
    session.commit()
    return request


def prefill(request: OutreachRequest) -> dict:
    """The business form's fields, filled from the request."""
    return {
        "name": request.business_name,
        "activity": request.activity,
        "kelurahan_id": request.kelurahan_id,
        "address": request.address,
    }


def registrable(session: Session, user: User, request_id: int | None) -> OutreachRequest | None:
    """The request a business may be registered from: visited, in scope, not yet linked."""
    if request_id is None:
        return None
    request = get_request(session, user, request_id)
    if request is None or request.outcome != VISITED or request.business_id is not None:
        return None
    return request


@owns_transaction
def link_business(session: Session, request: OutreachRequest, business: Business, actor: User) -> None:
    """The business registered from the request: its permit now drives the tracking page."""
    if not covers_kelurahan(session, actor, business.kelurahan_id):
        raise OutreachError("Usaha ini di luar cakupan Anda.")
    request.business_id = business.id
    record(
        session, actor, AuditAction.OUTREACH_REGISTER, "outreach_request", request.id, after={"business": business.id}
    )
    session.commit()


def request_of_business(session: Session, business_id: int) -> OutreachRequest | None:
    return session.scalar(select(OutreachRequest).where(OutreachRequest.business_id == business_id))
