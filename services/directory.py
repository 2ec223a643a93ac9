"""The public directory: searching, the public view of a record, CSV rows. Nothing personal leaves here."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload

from models.business import Business
from models.cooperative import Cooperative
from models.kbli import KbliCode, KbliSection
from models.region import Region
from services import clock
from services.cooperatives import activity_status
from services.search import SearchQuery, SearchResult, SearchUnavailable, search
from services.search.analysis import sort_key
from services.search.base import FACETS, Hit

MAX_QUERY_LENGTH = 200
MAX_PER_PAGE = 100
EXPORT_LIMIT = 5000


@dataclass
class DirectoryResult:
    """A search result ready to show: facet values labelled, or a degraded fallback."""

    query: SearchQuery
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, str, int]]] = field(default_factory=dict)
    suggestion: str | None = None
    degraded: bool = False
    approximate: bool = False  # total and facet counts are estimates (a very large result, PostgreSQL)
    pageable: int | None = None  # how many hits the pages reach, when fewer than total

    @property
    def pages_total(self) -> int:
        """The count the pager divides into pages."""
        return min(self.total, self.pageable) if self.pageable is not None else self.total


def slug(name: str) -> str:
    """The readable part of a clean URL: 'Toko Kelontong Sari' -> 'toko-kelontong-sari'."""
    return sort_key(name).replace(" ", "-")[:80] or "-"


def make_query(text: str = "", filters: dict | None = None, sort: str = "relevance", page: int = 1, per_page: int = 20):
    """A SearchQuery with bounds applied: text length, page ≥ 1, per_page within 1..100, known facets only."""
    clean = {name: str(value) for name, value in (filters or {}).items() if name in FACETS and value}
    return SearchQuery(
        text=(text or "").strip()[:MAX_QUERY_LENGTH],
        filters=clean,
        sort=sort if sort in ("relevance", "name") else "relevance",
        page=max(1, page),
        per_page=max(1, min(per_page, MAX_PER_PAGE)),
    )


def search_directory(session: Session, query: SearchQuery) -> DirectoryResult:
    """Search the index; if it is missing or broken, fall back to a plain name match in the database."""
    try:
        result: SearchResult = search(query)
    except SearchUnavailable:
        return _fallback(session, query)
    return DirectoryResult(
        query=query,
        hits=result.hits,
        total=result.total,
        facets=_label_facets(session, result.facets),
        suggestion=result.suggestion,
        approximate=result.approximate,
        pageable=result.pageable,
    )


LABELS_SECONDS = 300  # region names and KBLI titles change a few times a year
_labels: dict[str, tuple[float, tuple[dict, dict, dict]]] = {}


def _facet_labels(session: Session, facets: dict[str, dict[str, int]]) -> tuple[dict, dict, dict]:
    """Region names, KBLI section and code titles: reference data, read once per process and kept
    for LABELS_SECONDS (not three queries on every search), or until a value has no label yet."""
    key = str(session.get_bind().engine.url)
    cached = _labels.get(key)
    if cached is not None and time.monotonic() - cached[0] < LABELS_SECONDS:
        regions, sections, codes = cached[1]
        if (
            all(int(v) in regions for name in ("kota_id", "kecamatan_id", "kelurahan_id") for v in facets.get(name, {}))
            and all(v in sections for v in facets.get("kbli_section", {}))
            and all(v in codes for v in facets.get("kbli_code", {}))
        ):
            return cached[1]
    regions = dict(session.execute(select(Region.id, Region.name)).tuples().all())
    sections = dict(session.execute(select(KbliSection.letter, KbliSection.title)).tuples().all())
    # One title per code; where KBLI releases differ, the newest release's title.
    codes = dict(session.execute(select(KbliCode.code, KbliCode.title).order_by(KbliCode.version)).tuples().all())
    _labels[key] = (time.monotonic(), (regions, sections, codes))
    return regions, sections, codes


def _label_facets(session: Session, facets: dict[str, dict[str, int]]) -> dict[str, list[tuple[str, str, int]]]:
    regions, sections, codes = _facet_labels(session, facets)
    labelled = {}
    for name in FACETS:
        values = facets.get(name, {})
        if name.endswith("_id"):
            items = [(value, regions.get(int(value), value), count) for value, count in values.items()]
            items.sort(key=lambda item: item[1])
        elif name == "kbli_section":
            items = sorted((v, f"{v} · {sections.get(v, '')}", n) for v, n in values.items())
        elif name == "kbli_code":
            items = sorted((v, f"{v} {codes.get(v, '')}", n) for v, n in values.items())
        else:
            items = sorted(((v, v, n) for v, n in values.items()), key=lambda item: -item[2])
        labelled[name] = items
    return labelled


def _fallback(session: Session, query: SearchQuery) -> DirectoryResult:
    """Degraded search: a case-insensitive name match straight from the database, no facets."""
    hits: list[Hit] = []
    pattern = f"%{query.text.lower()}%"
    for kind, model in (("business", Business), ("cooperative", Cooperative)):
        if query.filters.get("kind", kind) != kind:
            continue
        statement = (
            select(model)
            .options(joinedload(model.kelurahan).joinedload(Region.parent))
            .where(or_(model.name.ilike(pattern)))
            .order_by(model.name)
            .limit(query.page * query.per_page)
        )
        for record in session.scalars(statement):
            hits.append(_hit_from_record(kind, record))
    hits.sort(key=lambda hit: sort_key(hit.name))
    start = (query.page - 1) * query.per_page
    return DirectoryResult(
        query=query, hits=hits[start : start + query.per_page], total=len(hits), degraded=True, facets={}
    )


def _hit_from_record(kind: str, record) -> Hit:
    kelurahan = record.kelurahan
    kecamatan = kelurahan.parent if kelurahan else None
    return Hit(
        kind=kind,
        record_id=record.id,
        name=record.name,
        kelurahan=kelurahan.name if kelurahan else "",
        kecamatan=kecamatan.name if kecamatan else "",
        kota=kecamatan.parent.name if kecamatan and kecamatan.parent else "",
        kbli_code=getattr(record, "kbli_code", None) or "",
        status=getattr(record, "status", None) or "",
    )


def _place(kelurahan: Region | None) -> dict:
    kecamatan = kelurahan.parent if kelurahan else None
    kota = kecamatan.parent if kecamatan else None
    return {
        "kelurahan": kelurahan.name if kelurahan else None,
        "kecamatan": kecamatan.name if kecamatan else None,
        "kota": kota.name if kota else None,
    }


def public_business(session: Session, business_id: int) -> dict | None:
    """What anyone may see about a business: no owner, no address (it is often the owner's home)."""
    business = session.get(Business, business_id)
    return business_fields(business) if business is not None else None


def business_fields(business: Business) -> dict:
    """The public fields of a loaded business (detail page, API, open data)."""
    kbli = business.kbli
    today = clock.today()
    permits = [
        {
            "number": permit.number,
            "status": permit.status_on(today),
            "issued_on": _iso(permit.issued_on),
            "expires_on": _iso(permit.valid_until),
        }
        for permit in business.permits
    ]
    return {
        "id": business.id,
        "kind": "business",
        "name": business.name,
        "slug": slug(business.name),
        "status": business.status,
        "activity": business.activity,
        "kbli": {
            "version": business.kbli_version,
            "code": business.kbli_code,
            "title": kbli.title if kbli else None,
            "section": kbli.section if kbli else None,
        }
        if business.kbli_code
        else None,
        "nib": business.nib,
        "workers": business.workers,
        **_place(business.kelurahan),
        "permits": permits,
    }


def public_cooperative(session: Session, cooperative_id: int) -> dict | None:
    """What anyone may see about a cooperative: no founder or board member's personal data."""
    cooperative = session.get(Cooperative, cooperative_id)
    return cooperative_fields(cooperative) if cooperative is not None else None


def cooperative_fields(cooperative: Cooperative) -> dict:
    """The public fields of a loaded cooperative (detail page, API, open data)."""
    status = activity_status(cooperative, clock.today())
    return {
        "id": cooperative.id,
        "kind": "cooperative",
        "name": cooperative.name,
        "slug": slug(cooperative.name),
        "cooperative_kind": cooperative.kind,
        "level": cooperative.level,
        "activity_status": status.status,
        "last_rat_year": status.last_rat_year,
        "legal_entity_number": cooperative.legal_entity_number,
        "founding_date": _iso(cooperative.founding_date),
        "member_count": cooperative.member_count,
        "kampungs": [kampung.name for kampung in cooperative.kampungs],
        **_place(cooperative.kelurahan),
    }


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_hits(query: SearchQuery) -> list[Hit]:
    """The first EXPORT_LIMIT hits of a search, for the CSV download."""
    limited = SearchQuery(text=query.text, filters=query.filters, sort=query.sort, page=1, per_page=EXPORT_LIMIT)
    return search(limited).hits
