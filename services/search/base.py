"""The one search interface every backend implements, and the values that cross it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

# Facets shown on the search page, in order; each is a stored field of every document.
FACETS = ("kind", "kota_id", "kecamatan_id", "kelurahan_id", "kbli_section", "kbli_code", "status", "permit")
# A business's permit as of today (computed at query time from the stored end date, in WIB).
PERMIT_STATES = ("valid", "expired", "revoked", "none")
SORTS = ("relevance", "name")
KINDS = ("business", "cooperative")


class SearchUnavailable(Exception):
    """The index is missing or broken: the site degrades, it does not fail."""


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    filters: dict[str, str] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    # Words of kecamatan and kelurahan names (matched exactly, never fuzzed); filled in by search().
    places: frozenset[str] | None = None


@dataclass(frozen=True)
class Hit:
    """What a result list shows: public fields only, straight from the index."""

    kind: str
    record_id: int
    name: str
    kelurahan: str = ""
    kecamatan: str = ""
    kota: str = ""
    kbli_code: str = ""
    kbli_title: str = ""
    status: str = ""
    permit: str = ""  # one of PERMIT_STATES for a business, "" for a cooperative
    permit_until: date | None = None  # the end of the current permit's validity


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    # True when the backend counted a sample rather than every match (total and facet counts are
    # estimates, shown as "sekitar"): the PostgreSQL backend beyond its candidate cap.
    approximate: bool = False
    # How many hits the pages reach, when fewer than total (relevance pages stop at the candidates).
    pageable: int | None = None


class SearchBackend(Protocol):
    """Whoosh and PostgreSQL full-text both satisfy this; the contract tests hold them to it."""

    def index(self, documents: list[dict]) -> None:
        """Add or replace these documents (see services.search.documents)."""

    def remove(self, keys: list[str]) -> None:
        """Remove the documents with these keys ("business:12"); unknown keys are ignored."""

    def query(self, query: SearchQuery) -> SearchResult:
        """Hits of one page, total, facet counts over all matches, a suggestion when nothing matched."""

    def keys(self) -> set[str]:
        """Every indexed key, to compare with the database."""

    def status(self) -> dict:
        """{"status": "ok", "documents": n} | {"status": "missing"} | {"status": "broken", ...}."""


def fill(builder, documents, progress=None) -> int:
    """Add every document to a backend's builder; returns how many."""
    count = 0
    for document in documents:
        builder.add(document)
        count += 1
        if progress:
            progress(1)
    return count


def rebuild_without_replay(builder, documents, progress=None) -> int:
    """Fill a builder and swap it in, with no outbox replay (tools and tests; see outbox.rebuild)."""
    try:
        count = fill(builder, documents, progress)
        builder.finish()
        builder.swap()
    except BaseException:
        builder.discard()
        raise
    return count
