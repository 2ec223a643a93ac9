"""What gets indexed for a business or a cooperative: public fields only, analysed once here."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from models.business import Business
from models.cooperative import Cooperative
from models.kbli import KbliCode
from models.region import Region
from services.search.analysis import identifier_tokens, sort_key, split_name, tokens


def _regions(kelurahan: Region | None) -> dict[str, str]:
    kecamatan = kelurahan.parent if kelurahan else None
    kota = kecamatan.parent if kecamatan else None
    return {
        "kelurahan_id": str(kelurahan.id) if kelurahan else "",
        "kecamatan_id": str(kecamatan.id) if kecamatan else "",
        "kota_id": str(kota.id) if kota else "",
        "kelurahan": kelurahan.name if kelurahan else "",
        "kecamatan": kecamatan.name if kecamatan else "",
        "kota": kota.name if kota else "",
    }


def _document(kind: str, record_id: int, name: str, text: list, identifiers: list, regions: dict, **facets) -> dict:
    distinctive, forms = split_name(name)
    place = (regions["kelurahan"], regions["kecamatan"], regions["kota"])
    document = {
        "key": f"{kind}:{record_id}",
        "kind": kind,
        "record_id": record_id,
        "name": name,
        "sort_name": sort_key(name),
        "name_words": " ".join(distinctive),
        "form_words": " ".join(forms),
        "text_words": " ".join(tokens(" ".join(filter(None, [*text, *place])))),
        "id_words": " ".join(identifier_tokens(filter(None, identifiers))),
        **regions,
        "kbli_section": facets.get("kbli_section") or "",
        "kbli_code": facets.get("kbli_code") or "",
        "kbli_title": facets.get("kbli_title") or "",
        "status": facets.get("status") or "",
        "status_year": facets.get("status_year"),
        "permit": facets.get("permit") or "",
        "permit_until": facets.get("permit_until"),
    }
    document["content_hash"] = content_hash(document)
    return document


def content_hash(document: dict) -> str:
    """A digest of everything indexed about a record: `flask search check` compares these."""
    fields = {name: value for name, value in document.items() if name != "content_hash"}
    encoded = json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")
    return hashlib.sha1(encoded, usedforsecurity=False).hexdigest()


def permit_fields(permits) -> dict:
    """A business's permit as the index stores it: (revoked_at, superseded_at, valid_until) per permit.

    "valid" with the end date of its current permit (expiry is decided at query time), "revoked" when
    its only unsuperseded permits were revoked, "none" when it never had one."""
    current = [(revoked_at, valid_until) for revoked_at, superseded, valid_until in permits if superseded is None]
    standing = [valid_until for revoked_at, valid_until in current if revoked_at is None]
    if standing:
        return {"permit": "valid", "permit_until": max(standing)}
    if current:
        return {"permit": "revoked", "permit_until": None}
    return {"permit": "none", "permit_until": None}


def _status_year(last_rat_year: int | None, founding_date: date | None) -> int | None:
    """The year a cooperative's years-without-RAT are counted from (see services.cooperatives)."""
    if last_rat_year is not None:
        return last_rat_year
    return founding_date.year - 1 if founding_date is not None else None


def business_document(business: Business, kbli: KbliCode | None = None) -> dict:
    """The index entry of a business. Nothing about its owner goes in."""
    kbli = kbli or business.kbli
    permit_numbers = [permit.number for permit in business.permits]
    return _document(
        "business",
        business.id,
        business.name,
        [business.activity, kbli.title if kbli else None, business.kbli_code],
        [business.nib, *permit_numbers],
        _regions(business.kelurahan),
        kbli_section=kbli.section if kbli else "",
        kbli_code=business.kbli_code,
        kbli_title=kbli.title if kbli else "",
        status=business.status,
        **permit_fields((p.revoked_at, p.superseded_at, p.valid_until) for p in business.permits),
    )


def cooperative_document(cooperative: Cooperative) -> dict:
    """The index entry of a cooperative: kind, kampungs served, legal numbers, activity status (all public).

    Its activity status is derived at query time from `status_year` (so it changes on 1 January by
    itself); `status` holds the status as of indexing, for tools that read the stored document."""
    from models.cooperative import RAT_CONFIRMED
    from services.cooperatives import activity_status

    confirmed = [r.financial_year for r in cooperative.rat_reports if r.status == RAT_CONFIRMED]
    return _document(
        "cooperative",
        cooperative.id,
        cooperative.name,
        [cooperative.kind.replace("_", " "), *(kampung.name for kampung in cooperative.kampungs)],
        [cooperative.legal_entity_number, cooperative.nib, cooperative.nomor_induk_koperasi],
        _regions(cooperative.kelurahan),
        status=activity_status(cooperative).status,
        status_year=_status_year(max(confirmed) if confirmed else None, cooperative.founding_date),
    )


def _region_options(model):
    return joinedload(model.kelurahan).joinedload(Region.parent).joinedload(Region.parent)


def load_documents(session: Session, kind: str, ids: list[int]) -> tuple[list[dict], list[int]]:
    """Documents for the given records, and the ids that no longer exist (to remove)."""
    if kind == "business":
        records = session.scalars(
            select(Business)
            .options(_region_options(Business), joinedload(Business.kbli), selectinload(Business.permits))
            .where(Business.id.in_(ids))
        ).unique()
        documents = [business_document(record) for record in records]
    elif kind == "cooperative":
        cooperatives = session.scalars(
            select(Cooperative)
            .options(
                _region_options(Cooperative),
                selectinload(Cooperative.kampungs),
                selectinload(Cooperative.rat_reports),
            )
            .where(Cooperative.id.in_(ids))
        ).unique()
        documents = [cooperative_document(record) for record in cooperatives]
    else:
        return [], []
    found = {document["record_id"] for document in documents}
    return documents, [record_id for record_id in ids if record_id not in found]


def _all_regions(session: Session) -> dict[int, dict[str, str]]:
    """Every kelurahan's region fields (as `_regions` gives them), from one query."""
    rows = {
        region_id: (name, parent_id)
        for region_id, name, parent_id in session.execute(select(Region.id, Region.name, Region.parent_id))
    }
    out = {}
    for region_id, (name, parent_id) in rows.items():
        kecamatan = rows.get(parent_id) if parent_id else None
        kota_id = kecamatan[1] if kecamatan else None
        kota = rows.get(kota_id) if kota_id else None
        out[region_id] = {
            "kelurahan_id": str(region_id),
            "kecamatan_id": str(parent_id) if kecamatan else "",
            "kota_id": str(kota_id) if kota else "",
            "kelurahan": name,
            "kecamatan": kecamatan[0] if kecamatan else "",
            "kota": kota[0] if kota else "",
        }
    return out


_NO_REGION = _regions(None)


def iter_business_documents(session: Session, batch: int = 20_000):
    """Every business's document from plain rows (no ORM objects): the same as `business_document`.

    A full rebuild spends most of its time here otherwise."""
    from models.permit import Permit

    regions = _all_regions(session)
    kbli: dict[tuple[str | None, str | None], tuple[str | None, str | None]] = {
        (version, code): (title, section)
        for version, code, title, section in session.execute(
            select(KbliCode.version, KbliCode.code, KbliCode.title, KbliCode.section)
        )
    }
    columns = (
        Business.id,
        Business.name,
        Business.activity,
        Business.kbli_version,
        Business.kbli_code,
        Business.nib,
        Business.status,
        Business.kelurahan_id,
    )
    last = 0
    while True:
        rows = session.execute(select(*columns).where(Business.id > last).order_by(Business.id).limit(batch)).all()
        if not rows:
            break
        permits: dict[int, list[str]] = {}
        standing: dict[int, list[tuple]] = {}
        for business_id, number, revoked_at, superseded, valid_until in session.execute(
            select(Permit.business_id, Permit.number, Permit.revoked_at, Permit.superseded_at, Permit.valid_until)
            .where(Permit.business_id > last, Permit.business_id <= rows[-1][0])
            .order_by(Permit.business_id, Permit.issued_at)
        ):
            permits.setdefault(business_id, []).append(number)
            standing.setdefault(business_id, []).append((revoked_at, superseded, valid_until))
        for record_id, name, activity, version, code, nib, status, kelurahan_id in rows:
            title, section = kbli.get((version, code), (None, None))
            yield _document(
                "business",
                record_id,
                name,
                [activity, title, code],
                [nib, *permits.get(record_id, ())],
                regions.get(kelurahan_id, _NO_REGION) if kelurahan_id else _NO_REGION,
                kbli_section=section or "",
                kbli_code=code,
                kbli_title=title or "",
                status=status,
                **permit_fields(standing.get(record_id, ())),
            )
        last = rows[-1][0]


def iter_all_documents(session: Session, batch: int = 2000):
    """Every document, businesses then cooperatives, read in batches (for a full rebuild)."""
    yield from iter_business_documents(session)
    for kind, model in (("cooperative", Cooperative),):
        last = 0
        while True:
            ids = list(session.scalars(select(model.id).where(model.id > last).order_by(model.id).limit(batch)))
            if not ids:
                break
            documents, _missing = load_documents(session, kind, ids)
            yield from documents
            last = ids[-1]


def count_records(session: Session) -> int:
    from sqlalchemy import func

    return sum(session.scalar(select(func.count()).select_from(model)) or 0 for model in (Business, Cooperative))


def database_keys(session: Session) -> set[str]:
    keys = {f"business:{i}" for i in session.scalars(select(Business.id))}
    keys.update(f"cooperative:{i}" for i in session.scalars(select(Cooperative.id)))
    return keys


def iter_document_hashes(session: Session):
    """(key, content hash) of every record as it would be indexed now."""
    for document in iter_all_documents(session):
        yield document["key"], document["content_hash"]
