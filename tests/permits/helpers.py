"""Shared helpers for the permit tests: a signing official and a business ready for a permit."""

from __future__ import annotations

from datetime import date

from extensions import db
from models.business import Business, Person
from models.official import Official
from models.region import Region


def any_kelurahan(name: str | None = None) -> Region:
    query = db.select(Region).where(Region.level == "kelurahan").order_by(Region.id)
    if name:
        query = query.where(Region.name == name)
    return db.session.scalars(query.limit(1)).one()


def add_official(region: Region | None = None, **fields) -> Official:
    official = Official(
        name=fields.pop("name", "Budi Santoso, S.Sos."),
        rank=fields.pop("rank", "Penata Tk. I (III/d)"),
        nip=fields.pop("nip", "197805122005011003"),
        position=fields.pop("position", f"Lurah {region.name}" if region else "Kepala Dinas"),
        region_id=region.id if region else None,
        valid_from=fields.pop("valid_from", date(2020, 1, 1)),
        valid_to=fields.pop("valid_to", None),
    )
    db.session.add(official)
    db.session.commit()
    return official


def add_business(kelurahan: Region | None = None, *, nik: str = "3171014503850003", **fields) -> Business:
    kelurahan = kelurahan or any_kelurahan()
    owner = db.session.scalar(db.select(Person).where(Person.nik == nik))
    if owner is None:
        owner = Person(
            full_name="Siti Rahayu",
            nik=nik,
            phone="+6281234567890",
            home_address="Jl. Kebon Sirih No. 5, RT 003/RW 002",
            birth_date=date(1985, 3, 5),
        )
    business = Business(
        name=fields.pop("name", "Warung Makan Bu Siti"),
        owner=owner,
        address=fields.pop("address", "Jl. Kebon Sirih No. 5"),
        kelurahan=kelurahan,
        kbli_version=fields.pop("kbli_version", "2020"),
        kbli_code=fields.pop("kbli_code", "56102"),
        activity="Warung makan",
        premises="milik_sendiri",
        capital_rupiah=fields.pop("capital_rupiah", 25_000_000),
        **fields,
    )
    db.session.add(business)
    db.session.commit()
    return business


def issue(app, business, actor=None, **kwargs):
    from services.permits import issue_permit

    return issue_permit(
        db.session,
        business,
        actor,
        config=app.config,
        municipality=app.extensions["municipality"],
        instance_path=app.instance_path,
        **kwargs,
    )


def issue_with_damaged_key(app, tmp_path):
    """Issue a small document signed with a key and certificate that are not ones (a DocumentError)."""
    from services import documents

    (tmp_path / "key.pem").write_text("not a key")
    (tmp_path / "cert.pem").write_text("not a certificate")
    damaged = documents.SigningKey(tmp_path / "key.pem", tmp_path / "cert.pem", None, False)
    return documents.issue_pdf(
        "documents/delivery_manifest.html",
        {"rows": [], "today": "1 Desember 2026"},
        config=app.config,
        key=damaged,
        title="t",
        reason="r",
        location="l",
    )
