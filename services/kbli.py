"""The KBLI reference: the codes shipped in data/ (a few common ones, titles checked against KBLI 2020)
and the official table an agency loads with `flask kbli import FILE`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import BASE_DIR
from models.kbli import KbliCode, KbliRelease, KbliSection
from services.tables import TableError, read_table

RISK_LEVELS = ("rendah", "menengah_rendah", "menengah_tinggi", "tinggi")
# KBLI 2020 follows ISIC Rev. 4: the section of a code is given by its first two digits (the division).
SECTION_DIVISIONS = (
    ("A", 1, 3), ("B", 5, 9), ("C", 10, 33), ("D", 35, 35), ("E", 36, 39), ("F", 41, 43), ("G", 45, 47),
    ("H", 49, 53), ("I", 55, 56), ("J", 58, 63), ("K", 64, 66), ("L", 68, 68), ("M", 69, 75), ("N", 77, 82),
    ("O", 84, 84), ("P", 85, 85), ("Q", 86, 88), ("R", 90, 93), ("S", 94, 96), ("T", 97, 98), ("U", 99, 99),
)  # fmt: skip


class KbliImportError(ValueError):
    """The file cannot be loaded as a KBLI table; the message says why."""


@dataclass(frozen=True)
class ImportResult:
    version: str
    added: int
    updated: int
    sections: int
    skipped: list[str]


def section_of(code: str) -> str | None:
    division = int(code[:2])
    return next((letter for letter, low, high in SECTION_DIVISIONS if low <= division <= high), None)


def load_kbli(session: Session) -> int:
    """Insert the KBLI codes shipped in data/ (never overwriting a loaded official table); returns their number."""
    total = 0
    for path in sorted((BASE_DIR / "data").glob("kbli_*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        version = data["version"]
        for section in data["sections"]:
            if session.get(KbliSection, (version, section["letter"])) is None:
                session.add(KbliSection(version=version, letter=section["letter"], title=section["title"]))
        for code in data["codes"]:
            if session.get(KbliCode, (version, code["code"])) is None:
                session.add(KbliCode(version=version, code=code["code"], section=code["section"], title=code["title"]))
            total += 1
    session.commit()
    return total


def import_table(session: Session, path: str | Path, version: str, source: str | None = None) -> ImportResult:
    """Load the official KBLI table (CSV or XLSX: code, title, description; optional section and risk) as
    `version`; running it again with the same file changes nothing. Only five-digit codes (the level a
    business registers under) become codes; single letters become sections; other levels are skipped."""
    if not re.fullmatch(r"\d{4}", version or ""):
        raise KbliImportError("the KBLI version is a year of four digits, for example 2020")
    try:
        rows = read_table(path, ("code", "title"))
    except TableError as exc:
        raise KbliImportError(str(exc)) from None
    added = updated = sections = 0
    skipped: list[str] = []
    existing = {c.code: c for c in session.scalars(select(KbliCode).where(KbliCode.version == version))}
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        code, title = _code(row.get("code", "")), " ".join(row.get("title", "").split())
        description = row.get("description") or None
        if re.fullmatch(r"[A-Ua-u]", code) and title:
            section = session.get(KbliSection, (version, code.upper()))
            if section is None:
                session.add(KbliSection(version=version, letter=code.upper(), title=title[:255]))
                sections += 1
            elif section.title != title[:255]:
                section.title = title[:255]
                sections += 1
            continue
        if not re.fullmatch(r"\d{5}", code):
            continue
        risk = (row.get("risk") or row.get("risiko") or "").strip().lower().replace(" ", "_") or None
        if not title or len(title) > 255 or code in seen or (risk is not None and risk not in RISK_LEVELS):
            skipped.append(f"baris {number}: {code}")
            continue
        seen.add(code)
        values = {
            "section": (row.get("section") or section_of(code) or "").upper()[:1],
            "title": title,
            "description": description,
            "risk_level": risk,
        }
        current = existing.get(code)
        if current is None:
            session.add(KbliCode(version=version, code=code, **values))
            added += 1
        elif any(getattr(current, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(current, name, value)
            updated += 1
    if not seen:
        session.rollback()
        raise KbliImportError("the file has no five-digit KBLI codes with a title")
    release = session.get(KbliRelease, version) or KbliRelease(version=version)
    release.source = (source or Path(path).name)[:255]
    release.code_count = len(existing.keys() | seen)
    session.add(release)
    session.commit()
    return ImportResult(version, added, updated, sections, skipped)


def _code(raw: str) -> str:
    """A code as written in the table (keep the code column as text: 01111 stored as a number loses its 0)."""
    return raw.strip().removesuffix(".0")


def all_codes(session: Session) -> list[KbliCode]:
    return list(session.scalars(select(KbliCode).order_by(KbliCode.code)))
