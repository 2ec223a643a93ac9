"""Small builders for registry records used across the search, page and API tests."""

from __future__ import annotations

import itertools
from datetime import date

from extensions import db
from models.business import Business, Person
from models.cooperative import Cooperative
from models.region import Region

_sequence = itertools.count(1)
OWNER_NIK_PREFIX = "317101"


def kelurahan(name: str | None = None) -> Region:
    query = db.select(Region).where(Region.level == "kelurahan").order_by(Region.id)
    if name:
        query = query.where(Region.name == name)
    return db.session.scalars(query.limit(1)).one()


def other_kelurahan(than: Region) -> Region:
    """A kelurahan in another kecamatan."""
    return db.session.scalars(
        db.select(Region)
        .where(Region.level == "kelurahan", Region.parent_id != than.parent_id)
        .order_by(Region.id)
        .limit(1)
    ).one()


def make_business(name: str, *, region: Region | None = None, kbli: str = "47112", commit: bool = True, **fields):
    n = next(_sequence)
    owner = Person(
        full_name=fields.pop("owner_name", f"Pemilik Rahasia {n}"),
        nik=fields.pop("nik", f"{OWNER_NIK_PREFIX}{n:010d}"),
        phone=fields.pop("phone", f"+62812{n:07d}"),
        home_address=fields.pop("home_address", f"Jl. Rumah Pribadi No. {n}, RT 001/RW 002"),
        birth_date=date(1980, 1, 1),
    )
    business = Business(
        name=name,
        owner=owner,
        address=fields.pop("address", f"Jl. Usaha No. {n}"),
        kelurahan=region or kelurahan(),
        kbli_version="2020",
        kbli_code=kbli,
        activity=fields.pop("activity", "Perdagangan eceran"),
        **fields,
    )
    db.session.add(business)
    if commit:
        db.session.commit()
    return business


def make_cooperative(name: str, *, region: Region | None = None, kind: str = "simpan_pinjam", commit=True, **fields):
    cooperative = Cooperative(
        name=name,
        kind=kind,
        seat_address=fields.pop("seat_address", "Jl. Koperasi No. 1"),
        kelurahan=region or kelurahan(),
        **fields,
    )
    db.session.add(cooperative)
    if commit:
        db.session.commit()
    return cooperative
