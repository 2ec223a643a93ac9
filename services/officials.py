"""Signing officials (lurah, camat, kepala dinas): who is in office for which region, and when.

The printed signer of a certificate is the official in office on its issue day for the kelurahan,
else its kecamatan, else the whole municipality (services.permits.signing_official). A region has
one official at a time: a new term starts only after the previous one has ended.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models.official import Official
from models.region import Region
from services.safe_text import problem

NIP = re.compile(r"\d{18}")


class OfficialError(Exception):
    """A request that would make the officials' record wrong; the message says what to fix."""


def find_region(session: Session, name: str | None) -> Region | None:
    """A kelurahan or kecamatan by name (case-insensitive); None for the whole municipality."""
    if not name:
        return None
    matches = session.scalars(
        select(Region).where(Region.level.in_(("kelurahan", "kecamatan")), func.lower(Region.name) == name.lower())
    ).all()
    if not matches:
        raise OfficialError(f"no kelurahan or kecamatan named '{name}' (run 'flask regions load' first?)")
    if len(matches) > 1:
        kelurahan = [r for r in matches if r.level == "kelurahan"]
        if len(kelurahan) == 1:
            return kelurahan[0]
        raise OfficialError(f"'{name}' names {len(matches)} regions; give the kecamatan's or kelurahan's exact name")
    return matches[0]


def in_office(session: Session, region_id: int | None, day: date) -> Official | None:
    clause = Official.region_id.is_(None) if region_id is None else Official.region_id == region_id
    return session.scalar(
        select(Official)
        .where(clause, Official.valid_from <= day, or_(Official.valid_to.is_(None), Official.valid_to >= day))
        .order_by(Official.valid_from.desc())
        .limit(1)
    )


def create_official(
    session: Session,
    *,
    name: str,
    position: str,
    region: Region | None,
    valid_from: date,
    nip: str | None = None,
    rank: str | None = None,
) -> Official:
    """Start an official's term; refused while another official's term for the region is open then."""
    name, position = (name or "").strip(), (position or "").strip()
    if not name or not position:
        raise OfficialError("name and position are required")
    for label, value in (("name", name), ("position", position), ("rank", rank)):
        message = problem(value, printed=True)
        if message is not None:
            raise OfficialError(f"{label}: {message}")
    if nip and not NIP.fullmatch(nip):
        raise OfficialError("NIP must be 18 digits")
    region_id = region.id if region else None
    overlapping = session.scalar(
        select(Official).where(
            Official.region_id.is_(None) if region_id is None else Official.region_id == region_id,
            or_(Official.valid_to.is_(None), Official.valid_to >= valid_from),
        )
    )
    if overlapping is not None:
        raise OfficialError(
            f"{overlapping.name} ({overlapping.position}, #{overlapping.id}) is in office for this region from "
            f"{overlapping.valid_from}{' to ' + str(overlapping.valid_to) if overlapping.valid_to else ''}; "
            f"end that term before {valid_from} first (flask officials end {overlapping.id} --on DATE)"
        )
    official = Official(
        name=name, position=position, region_id=region_id, valid_from=valid_from, nip=nip or None, rank=rank or None
    )
    session.add(official)
    session.commit()
    return official


def end_term(session: Session, official_id: int, last_day: date) -> Official:
    official = session.get(Official, official_id)
    if official is None:
        raise OfficialError(f"no official #{official_id}")
    if last_day < official.valid_from:
        raise OfficialError(f"the term cannot end ({last_day}) before it began ({official.valid_from})")
    official.valid_to = last_day
    session.commit()
    return official


def list_officials(session: Session, current_on: date | None = None) -> list[Official]:
    query = select(Official).order_by(Official.region_id.is_(None).desc(), Official.region_id, Official.valid_from)
    if current_on is not None:
        query = query.where(
            Official.valid_from <= current_on, or_(Official.valid_to.is_(None), Official.valid_to >= current_on)
        )
    return list(session.scalars(query))
