"""Loading and reading the region tree (kota/kabupaten → kecamatan → kelurahan)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from models.region import KECAMATAN, KELURAHAN, KOTA, Region
from services.municipality import Municipality, display_name, kemendagri_codes


def load_regions(session: Session, municipality: Municipality) -> dict[str, int]:
    """Insert or update the municipality's regions; safe to run again. Returns counts per level."""
    codes = kemendagri_codes()
    existing = {(r.level, r.parent_id, r.name): r for r in session.scalars(select(Region)).all()}

    def upsert(level: str, name: str, parent: Region | None, **fields) -> Region:
        region = existing.get((level, parent.id if parent else None, name))
        if region is None:
            region = Region(level=level, name=name, parent=parent)
            session.add(region)
        for key, value in fields.items():
            setattr(region, key, value)
        session.flush()
        existing[(level, region.parent_id, name)] = region
        return region

    for entry in municipality.kab_kota:
        kota = upsert(
            KOTA,
            display_name(entry["kab_kota"]),
            None,
            source_id=entry["id"],
            kemendagri_code=codes["kota"].get(entry["kab_kota"]),
        )
        for kec in entry["kecamatan"]:
            kecamatan = upsert(
                KECAMATAN,
                kec["kec"],
                kota,
                source_id=kec["id"],
                kemendagri_code=codes["kecamatan"].get(f"{entry['kab_kota']}/{kec['kec']}"),
            )
            for kel in kec["kelurahan"]:
                upsert(
                    KELURAHAN,
                    kel["kelu"],
                    kecamatan,
                    source_id=kel["id"],
                    postal_code=str(kel["pos"]) if kel.get("pos") else None,
                )
    session.commit()
    return region_counts(session)


def region_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Region.level, func.count()).group_by(Region.level)).all()
    counts = {KOTA: 0, KECAMATAN: 0, KELURAHAN: 0}
    counts.update(dict(rows))
    return counts


def regions_at(session: Session, level: str, parent_id: int | None = None) -> list[Region]:
    """Regions of one level, optionally under one parent, by name."""
    query = select(Region).where(Region.level == level).order_by(Region.name)
    if parent_id is not None:
        query = query.where(Region.parent_id == parent_id)
    return list(session.scalars(query))


def kelurahan_in_kecamatan(session: Session, kecamatan_id: int) -> list[int]:
    return list(session.scalars(select(Region.id).where(Region.level == KELURAHAN, Region.parent_id == kecamatan_id)))


def kelurahan_groups(session: Session, kecamatan_id: int | None = None) -> list[tuple[str, list[Region]]]:
    """Kelurahan grouped by kecamatan name (only those of `kecamatan_id` when given), each group by name."""
    query = select(Region).where(Region.level == KELURAHAN).options(selectinload(Region.parent))
    query = query.order_by(Region.parent_id, Region.name)
    if kecamatan_id is not None:
        query = query.where(Region.parent_id == kecamatan_id)
    groups: dict[str, list[Region]] = {}
    for kelurahan in session.scalars(query):
        groups.setdefault(kelurahan.parent.name, []).append(kelurahan)
    return sorted(groups.items())


def kecamatan_list(session: Session, kecamatan_id: int | None = None) -> list[Region]:
    """Every kecamatan by name, or only `kecamatan_id` when given (an officer's scope)."""
    query = select(Region).where(Region.level == KECAMATAN).order_by(Region.name)
    if kecamatan_id is not None:
        query = query.where(Region.id == kecamatan_id)
    return list(session.scalars(query))
