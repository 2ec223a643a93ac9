"""The Whoosh index in search_index/: built into a fresh directory and swapped in atomically."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload
from whoosh import index as whoosh_index
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.support.charset import accent_map

from models.business import Business
from models.cooperative import Cooperative
from models.region import Region

POINTER = "CURRENT"

# No stemming: Indonesian stemmers mangle names.
name_analyzer = RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)

SCHEMA = Schema(
    key=ID(stored=True, unique=True),
    kind=ID(stored=True),
    record_id=ID(stored=True),
    name=TEXT(analyzer=name_analyzer, stored=True, field_boost=3.0),
    text=TEXT(analyzer=name_analyzer),
    kota=KEYWORD(stored=True, commas=True),
    kecamatan=KEYWORD(stored=True, commas=True),
    kelurahan=KEYWORD(stored=True, commas=True),
    status=ID(stored=True),
)


def _current_dir(root: Path) -> Path | None:
    pointer = root / POINTER
    if not pointer.exists():
        return None
    target = root / pointer.read_text().strip()
    return target if target.is_dir() else None


def open_index(root: str | os.PathLike):
    """Open the current index for reading, or None if there is none."""
    directory = _current_dir(Path(root))
    if directory is None or not whoosh_index.exists_in(directory):
        return None
    return whoosh_index.open_dir(directory)


def _region_names(kelurahan: Region) -> dict[str, str]:
    kecamatan = kelurahan.parent
    kota = kecamatan.parent if kecamatan else None
    return {
        "kelurahan": kelurahan.name,
        "kecamatan": kecamatan.name if kecamatan else "",
        "kota": kota.name if kota else "",
    }


def business_document(business: Business) -> dict:
    """The public fields of a business, as indexed. Nothing personal goes in."""
    regions = _region_names(business.kelurahan)
    return {
        "key": f"business:{business.id}",
        "kind": "business",
        "record_id": str(business.id),
        "name": business.name,
        "text": " ".join(filter(None, [business.activity, business.kbli_code, business.nib, *regions.values()])),
        "status": business.status,
        **regions,
    }


def cooperative_document(cooperative: Cooperative) -> dict:
    regions = _region_names(cooperative.kelurahan)
    return {
        "key": f"cooperative:{cooperative.id}",
        "kind": "cooperative",
        "record_id": str(cooperative.id),
        "name": cooperative.name,
        "text": " ".join(filter(None, [cooperative.kind, cooperative.legal_entity_number, *regions.values()])),
        "status": "",
        **regions,
    }


def rebuild_index(session: Session, root: str | os.PathLike, progress=None) -> int:
    """Rebuild the whole index from the database into a new directory, then swap it in."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    build = root / f"index-{uuid.uuid4().hex[:12]}"
    build.mkdir()
    ix = whoosh_index.create_in(build, SCHEMA)
    writer = ix.writer(limitmb=128, procs=1)
    count = 0
    region_load = joinedload(Business.kelurahan).joinedload(Region.parent).joinedload(Region.parent)
    for business in session.scalars(select(Business).options(region_load)).yield_per(2000):
        writer.add_document(**business_document(business))
        count += 1
        if progress:
            progress(1)
    coop_load = joinedload(Cooperative.kelurahan).joinedload(Region.parent).joinedload(Region.parent)
    for cooperative in session.scalars(select(Cooperative).options(coop_load)).yield_per(2000):
        writer.add_document(**cooperative_document(cooperative))
        count += 1
        if progress:
            progress(1)
    writer.commit()
    previous = _current_dir(root)
    tmp_pointer = root / f".{POINTER}.{uuid.uuid4().hex[:6]}"
    tmp_pointer.write_text(build.name)
    os.replace(tmp_pointer, root / POINTER)
    for old in root.glob("index-*"):
        if old != build and (previous is None or old == previous or old.is_dir()):
            shutil.rmtree(old, ignore_errors=True)
    return count


def index_status(root: str | os.PathLike) -> dict:
    """What /healthz says about the index: ok with a document count, missing, or broken."""
    try:
        ix = open_index(root)
        if ix is None:
            return {"status": "missing"}
        with ix.searcher() as searcher:
            return {"status": "ok", "documents": searcher.doc_count()}
    except Exception as exc:  # a corrupt index must not take /healthz down with it
        return {"status": "broken", "error": type(exc).__name__}
