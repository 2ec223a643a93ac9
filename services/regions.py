"""Loading and reading the region tree (kota/kabupaten → kecamatan → kelurahan) and its Kemendagri codes.

Names come from `areaid`, which carries no Kemendagri codes. The codes come from the official table
(code, name), loaded with `flask regions import-codes FILE`; the rows for DKI Jakarta and Kota Bekasi
are shipped in data/kemendagri_wilayah.csv (Kepmendagri No. 300.2.2-2138 Tahun 2025) and loaded with
the regions.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from config import BASE_DIR
from models.region import KECAMATAN, KELURAHAN, KOTA, Region
from services.municipality import Municipality, display_name, kemendagri_codes, normalise
from services.tables import read_table

SHIPPED_CODES = BASE_DIR / "data" / "kemendagri_wilayah.csv"
CODE_LEVELS = {
    re.compile(r"\d{2}\.\d{2}"): KOTA,
    re.compile(r"\d{2}\.\d{2}\.\d{2}"): KECAMATAN,
    re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}"): KELURAHAN,
}


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
    session.flush()
    if SHIPPED_CODES.exists():
        aliases = {k: v for k, v in codes.get("kelurahan_aliases", {}).items() if not k.startswith("_")}
        rows = read_table(SHIPPED_CODES, ("code", "name"))
        _apply_codes(session, [{**row, "name": aliases.get(row["code"], row["name"])} for row in rows])
    session.commit()
    return region_counts(session)


@dataclass
class CodeImport:
    """What `import_codes` did: codes set or changed per level, and rows under our regions it could not place."""

    updated: dict[str, int] = field(default_factory=lambda: {KOTA: 0, KECAMATAN: 0, KELURAHAN: 0})
    unmatched: list[str] = field(default_factory=list)


def import_codes(session: Session, path: str | Path) -> CodeImport:
    """Set Kemendagri codes from the official table (CSV or XLSX with columns code and name); idempotent.

    A region is matched by its parent's code and its name (case, punctuation, spaces and the
    "Adm."/"Administrasi" spelling folded); rows under codes of other municipalities are ignored.
    """
    result = _apply_codes(session, read_table(path, ("code", "name")))
    session.commit()
    return result


def _fold(name: str) -> str:
    """A name for matching: case, punctuation, spaces and areaid's "(Udik)"-style additions folded away."""
    return normalise(re.sub(r"\(.*?\)", " ", name)).replace(" ", "")


def _closest(name: str, candidates: dict[str, Region]) -> Region | None:
    """The one candidate whose folded name is nearly `name` (a spelling variant: Mulya/Mulia), else None."""
    close = difflib.get_close_matches(name, list(candidates), n=2, cutoff=0.85)
    return candidates[close[0]] if len(close) == 1 else None


def _apply_codes(session: Session, rows: list[dict[str, str]]) -> CodeImport:
    result = CodeImport()
    regions = list(session.scalars(select(Region)))
    by_parent: dict[tuple[int | None, str, str], Region] = {(r.parent_id, r.level, _fold(r.name)): r for r in regions}
    kotas = {_fold(r.name): r for r in regions if r.level == KOTA}
    by_code = {r.kemendagri_code: r for r in regions if r.kemendagri_code}
    for level in (KOTA, KECAMATAN, KELURAHAN):
        misses: list[tuple[str, str, Region]] = []
        for row in rows:
            code, name = row.get("code", ""), row.get("name", "")
            if not any(pattern.fullmatch(code) and lvl == level for pattern, lvl in CODE_LEVELS.items()):
                continue
            if level == KOTA:
                region = kotas.get(_fold(name))
            else:
                parent = by_code.get(code.rsplit(".", 1)[0])
                if parent is None:
                    continue
                region = by_parent.get((parent.id, level, _fold(name)))
                if region is None:
                    misses.append((code, name, parent))
                    continue
            if region is None:
                continue
            _set_code(region, code, result, by_code)
        # Spelling variants, only among the regions of the same parent that no exact name took.
        taken = {r.id for r in by_code.values()}
        for code, name, parent in misses:
            free = {_fold(r.name): r for r in parent.children if r.level == level and r.id not in taken}
            region = _closest(_fold(name), free)
            if region is None:
                result.unmatched.append(f"{code} {name}")
                continue
            _set_code(region, code, result, by_code)
            taken.add(region.id)
    session.flush()
    return result


def _set_code(region: Region, code: str, result: CodeImport, by_code: dict[str, Region]) -> None:
    if region.kemendagri_code != code:
        region.kemendagri_code = code
        result.updated[region.level] += 1
    by_code[code] = region


def set_office_code(
    session: Session, kelurahan_name: str, code: str | None, kecamatan_name: str | None = None
) -> Region:
    """Set (or clear, with None) the office code a kelurahan's permit numbers carry; ValueError if ambiguous."""
    query = select(Region).where(Region.level == KELURAHAN, func.lower(Region.name) == kelurahan_name.strip().lower())
    matches = [
        r
        for r in session.scalars(query)
        if kecamatan_name is None or (r.parent and r.parent.name.lower() == kecamatan_name.strip().lower())
    ]
    if not matches:
        raise ValueError(f"no kelurahan named {kelurahan_name!r}")
    if len(matches) > 1:
        raise ValueError(f"{len(matches)} kelurahan are named {kelurahan_name!r}: give --kecamatan")
    code = (code or "").strip() or None
    if code is not None and not re.fullmatch(r"[0-9A-Za-z.\-]{1,20}", code):
        raise ValueError("an office code has 1 to 20 letters, digits, dots or hyphens")
    matches[0].office_code = code
    session.commit()
    return matches[0]


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
        groups.setdefault(kelurahan.parent.name if kelurahan.parent else "", []).append(kelurahan)
    return sorted(groups.items())


def kecamatan_list(session: Session, kecamatan_id: int | None = None) -> list[Region]:
    """Every kecamatan by name, or only `kecamatan_id` when given (an officer's scope)."""
    query = select(Region).where(Region.level == KECAMATAN).order_by(Region.name)
    if kecamatan_id is not None:
        query = query.where(Region.id == kecamatan_id)
    return list(session.scalars(query))
