"""Shared steps of the outreach tests: a report sent through the public form, a visited request."""

from __future__ import annotations

import re

from extensions import db
from models.outreach import OutreachRequest
from models.region import Region

PHONE_TYPED = "0812 7777 3141"
PHONE_STORED = "+6281277773141"
REPORTER = "Rahmat Tetangga Baik"


def kelurahan_in(kecamatan_id: int | None = None) -> Region:
    query = db.select(Region).where(Region.level == "kelurahan").order_by(Region.id)
    if kecamatan_id is not None:
        query = query.where(Region.parent_id == kecamatan_id)
    return db.session.scalars(query.limit(1)).one()


def other_kecamatan_id(than: Region) -> int:
    return db.session.scalar(
        db.select(Region.id).where(Region.level == "kecamatan", Region.id != than.parent_id).order_by(Region.id)
    )


def report_form(kelurahan: Region, **overrides) -> dict:
    data = {
        "business_name": "Warung Kopi Pak Darto",
        "activity": "warung kopi dan gorengan",
        "kelurahan_id": str(kelurahan.id),
        "address": "Jl. Melati No. 7, RT 002/RW 005",
        "reporter_role": "tetangga",
        "reporter_name": REPORTER,
        "reporter_phone": PHONE_TYPED,
    }
    data.update(overrides)
    return data


def send_report(client, kelurahan: Region, **overrides) -> OutreachRequest:
    response = client.post("/kabarkan", data=report_form(kelurahan, **overrides))
    assert response.status_code == 200, response.get_data(as_text=True)
    code = re.search(r'href="/lacak/([A-Z0-9]{10})"', response.get_data(as_text=True)).group(1)
    db.session.expire_all()
    return db.session.scalar(db.select(OutreachRequest).where(OutreachRequest.code == code))
