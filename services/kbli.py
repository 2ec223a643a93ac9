"""The KBLI reference: sections and the common micro-business codes, loaded from data/."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import BASE_DIR
from models.kbli import KbliCode, KbliSection


def load_kbli(session: Session) -> int:
    """Insert or update the KBLI reference shipped in data/; returns the number of codes."""
    total = 0
    for path in sorted((BASE_DIR / "data").glob("kbli_*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        version = data["version"]
        for section in data["sections"]:
            session.merge(KbliSection(version=version, letter=section["letter"], title=section["title"]))
        for code in data["codes"]:
            session.merge(KbliCode(version=version, code=code["code"], section=code["section"], title=code["title"]))
            total += 1
    session.commit()
    return total


def all_codes(session: Session) -> list[KbliCode]:
    return list(session.scalars(select(KbliCode).order_by(KbliCode.code)))
