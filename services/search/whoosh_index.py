"""The Whoosh backend (default, embedded) in search_index/.

The index lives in a versioned sub-directory named by the CURRENT pointer file: a rebuild writes a
fresh directory and replaces the pointer atomically. Only the outbox writer writes (see
services.search.outbox); readers keep a per-thread searcher and refresh it to see new commits.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import uuid
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, ID, STORED, TEXT, Schema
from whoosh.index import LockError

from services.search.analysis import max_typos, query_identifier, tokens
from services.search.base import FACETS, Hit, SearchQuery, SearchResult, SearchUnavailable, rebuild_without_replay
from services.search.whoosh_arrays import IndexArrays, top

log = logging.getLogger(__name__)

POINTER = "CURRENT"
READ_ATTEMPTS = 3
WRITER_LIMIT_MB = 512  # per writer process: sorting postings in memory, not in merged runs on disk

# Text arrives already analysed (services.search.analysis): split on spaces, nothing more.
_words = SpaceSeparatedTokenizer()

# Lean on purpose, for indexing speed: no positions (no phrase queries), no sortable columns but the
# name (facets are counted from the posting lists, see whoosh_arrays), only what a hit shows stored.
SCHEMA = Schema(
    key=ID(stored=True, unique=True),
    kind=ID(stored=True),
    record_id=STORED,
    name=STORED,
    sort_name=COLUMN(VarBytesColumn()),
    name_words=TEXT(analyzer=_words, field_boost=4.0, phrase=False),
    form_words=TEXT(analyzer=_words, field_boost=0.5, phrase=False),
    text_words=TEXT(analyzer=_words, field_boost=1.0, phrase=False),
    id_words=TEXT(analyzer=_words, field_boost=3.0, phrase=False),
    kota_id=ID,
    kecamatan_id=ID,
    kelurahan_id=ID,
    kota=STORED,
    kecamatan=STORED,
    kelurahan=STORED,
    kbli_section=ID,
    kbli_code=ID(stored=True),
    kbli_title=STORED,
    status=ID(stored=True),
    status_year=ID,
    permit=ID,
    permit_until=ID,
    content_hash=STORED,
)
WORD_FIELDS = ("name_words", "form_words", "text_words")


def _cached_column_reader(self, fieldname, column):
    """W3PerDocReader._cached_reader that also remembers a missing column.

    Whoosh 2.7.4 looks up a document's field length for every posting it writes, and for a field
    without lengths (every ID field) that was a file-system stat per posting: a fifth of the indexing
    time. Segments are immutable once written, so a missing column stays missing."""
    try:
        return self._readers[fieldname]
    except KeyError:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        self._readers[fieldname] = reader
        return reader


W3PerDocReader._cached_reader = _cached_column_reader


def _current_dir(root: Path) -> Path | None:
    pointer = root / POINTER
    if not pointer.exists():
        return None
    target = root / pointer.read_text().strip()
    return target if target.is_dir() else None


def open_index(root: str | os.PathLike):
    """Open the current index, or None if there is none."""
    directory = _current_dir(Path(root))
    if directory is None or not whoosh_index.exists_in(directory):
        return None
    return whoosh_index.open_dir(directory)


MAX_EXPANSIONS = 64  # terms one short prefix may expand to, per field


def _expand(reader, field: str, word: str, last: bool) -> set[str]:
    """The indexed terms a query word matches in one field: itself, its completions, its near misses."""
    terms = {word} if reader.frequency(field, word) else set()
    if len(word) >= 3 or (last and len(word) >= 2) or (field == "id_words" and word.isdigit()):
        for count, term in enumerate(reader.expand_prefix(field, word)):
            if count >= MAX_EXPANSIONS:
                break
            terms.add(term if isinstance(term, str) else term.decode("utf-8"))
    typos = max_typos(word)
    if typos and field != "id_words":
        terms.update(reader.terms_within(field, word, typos, prefix=1))
    return terms


def _alternatives(reader, word: str, last: bool) -> list[tuple[str, str, float]]:
    """(field, term, boost) for every distinct indexed term a query word matches (exact ones weighted up)."""
    return [
        (field, term, 2.0 if term == word else 1.0)
        for field in (*WORD_FIELDS, "id_words")
        for term in sorted(_expand(reader, field, word, last))
    ]


def _term_query(reader, word: str, last: bool) -> wq.Query:
    """One query word as a flat union of the distinct terms it matches (exact ones weighted up)."""
    alternatives = [wq.Term(field, term, boost=boost) for field, term, boost in _alternatives(reader, word, last)]
    return wq.Or(alternatives) if alternatives else wq.NullQuery


def build_query(reader, text: str, conjunction: bool = True) -> wq.Query:
    """The same query as a Whoosh query object (for tools and debugging; searches use `_match`)."""
    words = tokens(text)
    if not words:
        return wq.Every()
    clauses = [_term_query(reader, word, index == len(words) - 1) for index, word in enumerate(words)]
    combined = wq.And(clauses) if conjunction else wq.Or(clauses)
    identifier = query_identifier(text)
    if identifier:
        combined = wq.Or([combined, wq.Term("id_words", identifier, boost=5.0)])
    return combined


def _match(arrays: IndexArrays, text: str, conjunction: bool) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(mask of matching documents, their scores) for the query text; (None, None) means every document."""
    words = tokens(text)
    if not words:
        return None, None
    reader = arrays.reader
    total_scores = np.zeros(arrays.size, dtype=np.float32)
    mask = None
    for index, word in enumerate(words):
        last = index == len(words) - 1
        alternatives = arrays.remember(("expand", word, last), lambda w=word, t=last: _alternatives(reader, w, t))
        scores = np.zeros(arrays.size, dtype=np.float32)
        for field, term, boost in alternatives:
            arrays.term_scores(scores, field, term, boost)
        matched = scores > 0
        if mask is None:
            mask = matched
        elif conjunction:
            mask &= matched
        else:
            mask |= matched
        total_scores += scores
    identifier = query_identifier(text)
    if identifier:
        scores = np.zeros(arrays.size, dtype=np.float32)
        arrays.term_scores(scores, "id_words", identifier, 5.0)
        mask |= scores > 0
        total_scores += scores
    return mask, total_scores


class WhooshBackend:
    """Satisfies services.search.base.SearchBackend."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._current: IndexArrays | None = None
        self._directory: Path | None = None

    # --- reading ------------------------------------------------------------------------------
    def _arrays(self) -> IndexArrays:
        """The process's arrays over the current index generation, rebuilt after a commit or a swap."""
        for _attempt in range(READ_ATTEMPTS):
            directory = _current_dir(self.root)
            if directory is not None and whoosh_index.exists_in(directory):
                break
            if _current_dir(self.root) == directory:  # not a swap under our feet: there is no index
                raise SearchUnavailable("no search index")
        else:
            raise SearchUnavailable("no search index")
        with self._lock:
            arrays = self._current
            if arrays is not None and self._directory == directory and arrays.searcher.up_to_date():
                return arrays
            if arrays is not None and self._directory == directory:
                # refresh() reuses the unchanged segment readers: the old searcher must not close them
                searcher = arrays.searcher.refresh()
            else:
                if arrays is not None:
                    arrays.searcher.close()
                searcher = whoosh_index.open_dir(directory).searcher()
            self._current = None
            fresh = IndexArrays(searcher, FACETS, (*WORD_FIELDS, "id_words"), "sort_name")
            self._current, self._directory = fresh, directory
            return fresh

    def _searcher(self):
        return self._arrays().searcher

    def query(self, query: SearchQuery) -> SearchResult:
        """Search; a reader that raced a writer (a segment merged away, a generation swapped out) opens
        the current generation and tries again before the index counts as unavailable."""
        for attempt in range(READ_ATTEMPTS):
            try:
                return self._query(query)
            except SearchUnavailable:
                raise
            except Exception as exc:  # a racing commit, or a corrupt index: degrade, do not fail the page
                with self._lock:
                    self._current = None
                if attempt == READ_ATTEMPTS - 1:
                    raise SearchUnavailable(type(exc).__name__) from exc
                log.info("search read raced a writer (%s); reopening", type(exc).__name__)
        raise SearchUnavailable("unreachable")

    def _query(self, query: SearchQuery) -> SearchResult:
        arrays = self._arrays()
        words = tokens(query.text)
        keep = arrays.filter_mask(query.filters)
        mask, scores = _match(arrays, query.text, conjunction=True)
        if mask is not None and len(words) > 1 and not (mask & arrays.live & (True if keep is None else keep)).any():
            # Nothing has every word: rank by the words that match (distinctive words first).
            mask, scores = _match(arrays, query.text, conjunction=False)
        if mask is None and keep is None:
            docnums = arrays.all_docs
        else:
            combined = arrays.live if mask is None else (mask & arrays.live)
            if keep is not None:
                combined = combined & keep
            docnums = np.flatnonzero(combined)
        start, stop = (query.page - 1) * query.per_page, query.page * query.per_page
        browse = mask is None and keep is None
        facets = arrays.browse_counts if browse else arrays.facet_counts(docnums)
        if query.sort == "name" or not words:
            page = top(docnums, arrays.name_rank[docnums], start, stop)
        else:
            page = top(docnums, -scores[docnums], start, stop)
        with arrays.lock:
            hits = [_hit(arrays.searcher.stored_fields(int(docnum))) for docnum in page]
            suggest = lambda: self._suggest(arrays.searcher, query.text)  # noqa: E731
            suggestion = arrays.remember(("suggest", query.text), suggest)
        return SearchResult(hits=hits, total=len(docnums), facets=facets, suggestion=suggestion)

    def _suggest(self, searcher, text: str) -> str | None:
        words = tokens(text)
        corrected, changed = [], False
        reader = searcher.reader()
        for index, word in enumerate(words):
            known = any(reader.frequency(field, word) for field in WORD_FIELDS)
            if not known and index == len(words) - 1:  # still being typed: a known prefix is fine
                known = any(next(iter(reader.expand_prefix(field, word)), None) for field in WORD_FIELDS)
            if known or word.isdigit():
                corrected.append(word)
                continue
            best = None
            for field in WORD_FIELDS:
                options = searcher.corrector(field).suggest(word, limit=1, maxdist=2, prefix=1)
                if options:
                    best = options[0]
                    break
            corrected.append(best or word)
            changed = changed or best is not None
        return " ".join(corrected) if changed else None

    def keys(self) -> set[str]:
        return set(self.hashes())

    def hashes(self) -> dict[str, str]:
        """{key: content hash} of every indexed document."""
        arrays = self._arrays()
        with arrays.lock:
            return {fields["key"]: fields.get("content_hash", "") for fields in arrays.searcher.all_stored_fields()}

    def status(self) -> dict:
        try:
            ix = open_index(self.root)
            if ix is None:
                return {"status": "missing"}
            with ix.searcher() as searcher:
                return {"status": "ok", "documents": searcher.doc_count()}
        except Exception as exc:  # a corrupt index must not take /healthz down with it
            return {"status": "broken", "error": type(exc).__name__}

    # --- writing (only the outbox writer and rebuild call these) -------------------------------
    def _writer(self, timeout: float = 0.0):
        ix = open_index(self.root)
        if ix is None:
            raise SearchUnavailable("no search index")
        # LockError if another process is still writing after `timeout`: the caller retries later
        return ix.writer(compound=False, timeout=timeout)

    def index(self, documents: list[dict]) -> None:
        if documents:
            self.apply(documents, [])

    def remove(self, keys: list[str]) -> None:
        if keys:
            self.apply([], keys)

    def apply(self, documents: list[dict], removed_keys: list[str], timeout: float = 0.0) -> None:
        """Upserts and removals in one index commit."""
        _apply(self._writer(timeout), documents, removed_keys)

    def builder(self, large: bool = False) -> WhooshBuilder:
        """A fresh index directory to fill, then swap in (see services.search.outbox.rebuild)."""
        return WhooshBuilder(self.root, large=large)

    def rebuild(self, documents, progress=None, large: bool = False) -> int:
        """Build a fresh index from `documents` and swap it in (no outbox replay: tools and tests)."""
        return rebuild_without_replay(self.builder(large=large), documents, progress)


class WhooshBuilder:
    """A new index generation in its own directory: filled, replayed into, then made current atomically.

    `large`: one writer process per core (Whoosh's multiprocessing writer), worth it from tens of
    thousands of records."""

    def __init__(self, root: Path, large: bool = False):
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.directory = self.root / f"index-{uuid.uuid4().hex[:12]}"
        self.directory.mkdir()
        procs = min(4, os.cpu_count() or 1) if large else 1
        options = {"procs": procs, "multisegment": True} if procs > 1 else {}
        self.index = whoosh_index.create_in(self.directory, SCHEMA)
        # Not a compound segment: Whoosh reads one of those by copying it whole into memory (BytesIO).
        self.writer = self.index.writer(limitmb=WRITER_LIMIT_MB, compound=False, **options)
        self.swapped = False

    def add(self, document: dict) -> None:
        self.writer.add_document(**_stored(document))

    def finish(self) -> None:
        self.writer.commit()
        self.writer = None

    def apply(self, documents: list[dict], removed_keys: list[str], timeout: float = 0.0) -> None:
        _apply(self.index.writer(compound=False), documents, removed_keys)

    def swap(self) -> None:
        """Point CURRENT at the new directory (atomic rename); keep the previous generation one round
        for readers still on it, remove older ones."""
        previous = _current_dir(self.root)
        tmp_pointer = self.root / f".{POINTER}.{uuid.uuid4().hex[:6]}"
        tmp_pointer.write_text(self.directory.name)
        os.replace(tmp_pointer, self.root / POINTER)
        self.swapped = True
        for old in self.root.glob("index-*"):
            if old not in (self.directory, previous):
                shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        if self.writer is not None:
            self.writer.cancel()
            self.writer = None
        if not self.swapped:
            shutil.rmtree(self.directory, ignore_errors=True)


def _apply(writer, documents: list[dict], removed_keys: list[str]) -> None:
    """Upserts and removals in one index commit."""
    try:
        for key in removed_keys:
            writer.delete_by_term("key", key)
        for document in documents:
            writer.update_document(**_stored(document, writer.schema))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


_NAMES = tuple(SCHEMA.names())


def _stored(document: dict, schema=SCHEMA) -> dict:
    names = _NAMES if schema is SCHEMA else tuple(schema.names())
    fields = {name: document[name] for name in names if name in document}
    for name in ("status_year", "permit_until"):  # ID fields: text; no value is the empty term
        if name in fields:
            value = fields[name]
            fields[name] = "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else str(value))
    if "sort_name" in fields and isinstance(schema["sort_name"], COLUMN):  # a column-only field takes bytes
        fields["sort_name"] = fields["sort_name"].encode("utf-8")
    return fields


def _hit(fields) -> Hit:
    return Hit(
        kind=fields["kind"],
        record_id=int(fields["record_id"]),
        name=fields["name"],
        kelurahan=fields.get("kelurahan", ""),
        kecamatan=fields.get("kecamatan", ""),
        kota=fields.get("kota", ""),
        kbli_code=fields.get("kbli_code", ""),
        kbli_title=fields.get("kbli_title", ""),
        status=fields.get("status", ""),
    )


__all__ = ["LockError", "WhooshBackend", "open_index"]
