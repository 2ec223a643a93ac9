"""Registering and editing a cooperative's record: what an officer enters, and saving it checked and audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.cooperative import (
    PENGAWAS,
    PENGURUS,
    Cooperative,
    CooperativeFounder,
    CooperativeOfficial,
    Kampung,
    MemberCooperative,
)
from models.user import User
from services import clock
from services.audit import AuditAction, record
from services.cooperatives.rules import CooperativeRuleError, check_cooperative_rules
from services.labels import mask_nik
from services.transactions import owns_transaction


@dataclass
class FounderInput:
    full_name: str
    nik: str
    birth_place: str | None = None
    birth_date: date | None = None
    address: str | None = None


@dataclass
class OfficialInput:
    full_name: str
    title: str


@dataclass
class MemberInput:
    name: str
    legal_entity_number: str | None = None


@dataclass
class CooperativeInput:
    """Everything an officer enters for a cooperative, already parsed into Python values."""

    name: str
    kind: str
    level: str
    seat_address: str
    kelurahan_id: int
    kampung_names: list[str] = field(default_factory=list)
    founding_date: date | None = None
    deed_number: str | None = None
    deed_date: date | None = None
    notary_name: str | None = None
    notary_npak_decree: str | None = None
    legal_entity_number: str | None = None
    legal_entity_date: date | None = None
    nib: str | None = None
    nomor_induk_koperasi: str | None = None
    purpose: str | None = None
    business_fields: str | None = None
    duration: str | None = None
    simpanan_pokok_rupiah: int | None = None
    simpanan_wajib_rupiah: int | None = None
    member_count: int | None = None
    founders: list[FounderInput] = field(default_factory=list)
    board: list[OfficialInput] = field(default_factory=list)
    supervisors: list[OfficialInput] = field(default_factory=list)
    members: list[MemberInput] = field(default_factory=list)


SCALAR_FIELDS = (
    "name",
    "kind",
    "level",
    "seat_address",
    "kelurahan_id",
    "founding_date",
    "deed_number",
    "deed_date",
    "notary_name",
    "notary_npak_decree",
    "legal_entity_number",
    "legal_entity_date",
    "nib",
    "nomor_induk_koperasi",
    "purpose",
    "business_fields",
    "duration",
    "simpanan_pokok_rupiah",
    "simpanan_wajib_rupiah",
    "member_count",
)


def kampungs_by_name(session: Session, names: list[str]) -> list[Kampung]:
    """Find or create the kampungs named (case-insensitive, "Kampung " prefix kept as typed)."""
    result: list[Kampung] = []
    seen: set[str] = set()
    for raw in names:
        name = " ".join(raw.split())
        if not name or name.lower() in seen:
            continue
        seen.add(name.lower())
        kampung = session.scalar(select(Kampung).where(func.lower(Kampung.name) == name.lower()))
        if kampung is None:
            kampung = Kampung(name=name)
            session.add(kampung)
        result.append(kampung)
    return result


def audit_snapshot(cooperative: Cooperative) -> dict:
    """The record as the audit log keeps it: founders' NIK masked, no birth data or addresses."""
    snapshot = {}
    for name in SCALAR_FIELDS:
        value = getattr(cooperative, name)
        snapshot[name] = value.isoformat() if isinstance(value, date | datetime) else value
    snapshot["kampungs"] = [k.name for k in cooperative.kampungs]
    snapshot["founders"] = [f"{f.full_name} ({mask_nik(f.nik)})" for f in cooperative.founders]
    snapshot["board"] = [f"{o.title}: {o.full_name}" for o in cooperative.board]
    snapshot["supervisors"] = [f"{o.title}: {o.full_name}" for o in cooperative.supervisors]
    snapshot["members"] = [m.name for m in cooperative.member_cooperatives]
    return snapshot


def write_record(session: Session, data: CooperativeInput, cooperative: Cooperative | None = None) -> Cooperative:
    """Write a checked record onto `cooperative` (a new one when None) and flush; no audit, no commit: the
    caller checked the rules and owns the transaction (an officer's save, or an import of many)."""
    creating = cooperative is None
    if cooperative is None:
        cooperative = Cooperative()
        session.add(cooperative)
    for name in SCALAR_FIELDS:
        value = getattr(data, name)
        if isinstance(value, str):
            value = value.strip() or None
        setattr(cooperative, name, value)
    cooperative.name = data.name.strip()
    cooperative.kampungs = kampungs_by_name(session, data.kampung_names)
    # Old rows go first: a founder kept with the same NIK must not collide with itself.
    cooperative.founders.clear()
    cooperative.officials.clear()
    cooperative.member_cooperatives.clear()
    session.flush()
    cooperative.founders.extend(
        CooperativeFounder(
            position=index,
            full_name=f.full_name.strip(),
            nik=f.nik,
            birth_place=(f.birth_place or "").strip() or None,
            birth_date=f.birth_date,
            address=(f.address or "").strip() or None,
        )
        for index, f in enumerate(data.founders)
    )
    officials = [(PENGURUS, o) for o in data.board] + [(PENGAWAS, o) for o in data.supervisors]
    cooperative.officials.extend(
        CooperativeOfficial(body=body, position=index, full_name=o.full_name.strip(), title=o.title.strip())
        for index, (body, o) in enumerate(officials)
    )
    cooperative.member_cooperatives.extend(
        MemberCooperative(position=index, name=m.name.strip(), legal_entity_number=m.legal_entity_number or None)
        for index, m in enumerate(data.members)
    )
    if not creating:
        cooperative.updated_at = clock.now()
    session.flush()
    return cooperative


@owns_transaction
def save_cooperative(
    session: Session,
    actor: User | None,
    data: CooperativeInput,
    cooperative: Cooperative | None = None,
    ip_address: str | None = None,
) -> Cooperative:
    """Register a new cooperative or replace an existing one's record; checked, audited, committed."""
    errors = check_cooperative_rules(session, data, actor)
    if errors:
        raise CooperativeRuleError(errors)
    creating = cooperative is None
    before = None if cooperative is None else audit_snapshot(cooperative)
    cooperative = write_record(session, data, cooperative)
    record(
        session,
        actor,
        AuditAction.COOPERATIVE_CREATE if creating else AuditAction.COOPERATIVE_UPDATE,
        "cooperative",
        cooperative.id,
        summary=cooperative.name,
        before=before,
        after=audit_snapshot(cooperative),
        ip_address=ip_address,
    )
    session.commit()
    return cooperative
