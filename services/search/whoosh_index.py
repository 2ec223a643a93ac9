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
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.columns import VarBytesColumn
from whoosh.fields import COLUMN, ID, STORED, TEXT, Schema
from whoosh.index import LockError

from services import clock
from services.cooperatives import last_closed_financial_year, status_rules
from services.search.analysis import max_typos, query_identifier, tokens
from services.search.base import (
    FACETS,
    PERMIT_STATES,
    Hit,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    rebuild_without_replay,
)
from services.search.forgiving import EXACT_BONUS, SUGGESTIONS, fuzzy_allowed, is_last, plan, suggest, transpositions
from services.search.whoosh_arrays import RESULT_CACHE_ENTRIES, IndexArrays, SegmentCache, top
from services.search.whoosh_private import IndexingCodec, check_version

log = logging.getLogger(__name__)

POINTER = "CURRENT"
READ_ATTEMPTS = 3
# Per writer process: its postings are sorted in memory up to this size (Whoosh's estimate, ~175 bytes a
# posting, ~32 postings a document), beyond it in runs on disk merged at the end, which costs half as
# much time again. 1,024 keeps a 300,000-record rebuild on two processes in memory (~0.9 GB each).
WRITER_LIMIT_MB = 1024

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
MAX_SWAP_EXPANSIONS = 16  # completions of a prefix with two letters swapped, per field


def _prefix_terms(reader, field: str, word: str, limit: int) -> set[str]:
    terms = set()
    for count, term in enumerate(reader.expand_prefix(field, word)):
        if count >= limit:
            break
        terms.add(term if isinstance(term, str) else term.decode("utf-8"))
    return terms


def _expand(reader, field: str, word: str, last: bool, fuzzy: bool) -> tuple[set[str], set[str]]:
    """(close, fuzzy): the indexed terms a query word matches in one field, as itself or a completion
    (close), and with a typo or two adjacent letters swapped (fuzzy)."""
    close = {word} if reader.frequency(field, word) else set()
    if len(word) >= 3 or (last and len(word) >= 2) or (field == "id_words" and word.isdigit()):
        close |= _prefix_terms(reader, field, word, MAX_EXPANSIONS)
    near: set[str] = set()
    if fuzzy and field != "id_words":
        typos = max_typos(word)
        near.update(reader.terms_within(field, word, typos, prefix=1))
        for variant in transpositions(word):
            if reader.frequency(field, variant):
                near.add(variant)
            if last:
                near |= _prefix_terms(reader, field, variant, MAX_SWAP_EXPANSIONS)
            if typos > 1:  # a swap is one edit: one more is allowed from nine letters
                near.update(reader.terms_within(field, variant, typos - 1, prefix=1))
    return close, near - close


def _alternatives(reader, word: str, last: bool, fuzzy: bool) -> list[tuple[str, str, float, bool]]:
    """(field, term, boost, close) for every distinct indexed term a query word matches."""
    out: list[tuple[str, str, float, bool]] = []
    for field in (*WORD_FIELDS, "id_words"):
        close, near = _expand(reader, field, word, last, fuzzy)
        out.extend((field, term, 2.0 if term == word else 1.0, True) for term in sorted(close))
        out.extend((field, term, 1.0, False) for term in sorted(near))
    return out


def _known(reader, words: set[str]) -> set[str]:
    """The words the index holds as whole words (for splitting and joining)."""
    return {word for word in words if any(reader.frequency(field, word) for field in WORD_FIELDS)}


def _word_scores(arrays: IndexArrays, word: str, last: bool, fuzzy: bool) -> tuple[np.ndarray, np.ndarray]:
    """(BM25F scores, matched-exactly mask) of one query word over every document."""
    reader = arrays.reader
    alternatives = arrays.remember(
        ("expand", word, last, fuzzy), lambda: _alternatives(reader, word, last, fuzzy), reads_index=True
    )
    scores = np.zeros(arrays.size, dtype=np.float32)
    exact = np.zeros(arrays.size, dtype=bool)
    for field, term, boost, close in alternatives:
        arrays.term_scores(scores, field, term, boost)
        if close:
            exact[arrays.postings(field, term)[0]] = True
    return scores, exact


def _match(
    arrays: IndexArrays, text: str, conjunction: bool, places: frozenset[str] = frozenset()
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(mask of matching documents, their scores) for the query text; (None, None) means every document.

    A document's score is EXACT_BONUS per query unit it matches exactly (or as the prefix being
    typed), plus its BM25F scores: an exact word always outranks a fuzzy one."""
    words = tokens(text)
    if not words:
        return None, None
    units = arrays.remember(
        ("plan", tuple(words)), lambda: plan(words, lambda w: _known(arrays.reader, w)), reads_index=True
    )
    total_scores = np.zeros(arrays.size, dtype=np.float32)
    mask = None
    for unit_index, unit in enumerate(units):
        unit_mask = np.zeros(arrays.size, dtype=bool)
        unit_exact = np.zeros(arrays.size, dtype=bool)
        unit_scores = np.zeros(arrays.size, dtype=np.float32)
        for alternative in unit:
            alt_mask: np.ndarray | None = None
            alt_exact: np.ndarray | None = None
            alt_scores = np.zeros(arrays.size, dtype=np.float32)
            for position, word in enumerate(alternative):
                last = is_last(units, unit_index, alternative, position)
                scores, exact = _word_scores(arrays, word, last, fuzzy_allowed(word, places))
                matched = scores > 0
                alt_mask = matched if alt_mask is None else (alt_mask & matched)
                alt_exact = exact if alt_exact is None else (alt_exact & exact)
                alt_scores += scores
            assert alt_mask is not None and alt_exact is not None  # an alternative has at least one word
            unit_scores = np.where(alt_mask & (alt_scores > unit_scores), alt_scores, unit_scores)
            unit_mask |= alt_mask
            unit_exact |= alt_exact & alt_mask
        if mask is None:
            mask = unit_mask
        elif conjunction:
            mask &= unit_mask
        else:
            mask |= unit_mask
        total_scores += unit_scores + unit_exact * np.float32(EXACT_BONUS)
    identifier = query_identifier(text)
    if identifier:
        scores = np.zeros(arrays.size, dtype=np.float32)
        arrays.term_scores(scores, "id_words", identifier, 5.0)
        assert mask is not None  # words were planned into at least one unit
        mask |= scores > 0
        total_scores += scores + (scores > 0) * np.float32(EXACT_BONUS)
    return mask, total_scores


class WhooshBackend:
    """Satisfies services.search.base.SearchBackend."""

    def __init__(self, root: str | os.PathLike, result_cache: int = RESULT_CACHE_ENTRIES):
        check_version()
        self.root = Path(root)
        self.result_cache = result_cache  # searches kept per generation (0: none, as the benchmark runs)
        self._lock = threading.Lock()
        self._current: IndexArrays | None = None
        self._directory: Path | None = None
        self.segments = SegmentCache()  # what each segment holds, read once per process

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
            previous = arrays if arrays is not None and self._directory == directory else None
            # A new searcher, and the old one is not closed: threads still reading the previous generation
            # keep it until they finish, and it closes when the last of them lets go. (Whoosh's refresh()
            # would reuse no reader, as it looks readers up by segment id in a table keyed by generation,
            # and it closes the last segment reader under any thread still using it.) What was read of the
            # unchanged segments is kept in self.segments, so a new searcher costs a few file opens.
            searcher = whoosh_index.open_dir(directory).searcher()
            self._current = None
            fresh = IndexArrays(
                searcher,
                FACETS,
                (*WORD_FIELDS, "id_words"),
                "sort_name",
                columns=("status_year", "permit_until"),
                cache=self.segments,
                previous=previous,
            )
            self._current, self._directory = fresh, directory
            return fresh

    def _searcher(self):
        return self._arrays().searcher

    def query(self, query: SearchQuery) -> SearchResult:
        """Search; a reader that raced a writer (a segment merged away, a generation swapped out) opens
        the current generation and tries again before the index counts as unavailable."""
        for attempt in range(READ_ATTEMPTS):
            arrays = None
            try:
                arrays = self._arrays()
                return self._query(arrays, query)
            except SearchUnavailable:
                raise
            except Exception as exc:  # a racing commit, or a corrupt index: degrade, do not fail the page
                with self._lock:
                    if arrays is None or self._current is arrays:  # not merely an older generation's reader
                        self._current = None
                if attempt == READ_ATTEMPTS - 1:
                    raise SearchUnavailable(type(exc).__name__) from exc
                log.info("search read raced a writer (%s); reopening", type(exc).__name__)
        raise SearchUnavailable("unreachable")

    def _query(self, arrays: IndexArrays, query: SearchQuery) -> SearchResult:
        today, rules = clock.today(), status_rules()
        # The same search again (a popular word, a page reloaded) on the same index generation and day
        # has the same answer: kept in a small per-generation LRU, gone with the next commit.
        key: tuple = (query.text, tuple(sorted(query.filters.items())), query.sort, query.page, query.per_page)
        key += (query.places, today, rules)
        found = arrays.recent_result(key)
        if found is None:
            found = self._evaluate(arrays, query, today, rules)
            arrays.keep_result(key, found, self.result_cache)
        return replace(found, hits=list(found.hits))

    def _evaluate(self, arrays: IndexArrays, query: SearchQuery, today: date, rules) -> SearchResult:
        words = tokens(query.text)
        derived = arrays.remember(("derived", today, rules), lambda: _derive(arrays, today, rules))
        keep = arrays.filter_mask(query.filters, derived)
        places = query.places or frozenset()
        mask, scores = _match(arrays, query.text, conjunction=True, places=places)
        if mask is not None and len(words) > 1 and not (mask & arrays.live & (True if keep is None else keep)).any():
            # Nothing has every word: rank by the words that match (distinctive words first).
            mask, scores = _match(arrays, query.text, conjunction=False, places=places)
        if mask is None and keep is None:
            docnums = arrays.all_docs
        else:
            combined = arrays.live if mask is None else (mask & arrays.live)
            if keep is not None:
                combined = combined & keep
            docnums = np.flatnonzero(combined)
        start, stop = (query.page - 1) * query.per_page, query.page * query.per_page
        browse = mask is None and keep is None
        if browse:
            facets = arrays.remember(("browse", today, rules), lambda: arrays.facet_counts(docnums, derived))
        else:
            facets = arrays.facet_counts(docnums, derived)
        if query.sort == "name" or not words:
            page = top(docnums, arrays.name_rank[docnums], start, stop)
        else:
            assert scores is not None  # a text query scores every document it matches
            page = top(docnums, -scores[docnums], start, stop)
        with arrays.lock:
            hits = [_hit(arrays, derived, int(docnum)) for docnum in page]
        suggest = lambda: self._suggest(arrays, query.text)  # noqa: E731
        suggestion = arrays.remember(("suggest", query.text), suggest, reads_index=True)
        return SearchResult(hits=hits, total=len(docnums), facets=facets, suggestion=suggestion)

    def _suggest(self, arrays: IndexArrays, text: str) -> str | None:
        """ "Maksud Anda": each unknown word replaced by a near indexed word, proposed only when some
        document holds all the words together."""
        reader, searcher = arrays.reader, arrays.searcher

        def candidates(word: str) -> list[str]:
            found = [v for v in transpositions(word) if any(reader.frequency(f, v) for f in WORD_FIELDS)]
            for field in WORD_FIELDS:
                found.extend(searcher.corrector(field).suggest(word, limit=SUGGESTIONS, maxdist=2, prefix=1))
            return found

        def together(words: tuple[str, ...]) -> bool:
            mask = arrays.live.copy()
            for index, word in enumerate(words):
                holds = np.zeros(arrays.size, dtype=bool)
                for field in WORD_FIELDS:
                    for term in _expand(reader, field, word, index == len(words) - 1, fuzzy=False)[0]:
                        holds[arrays.postings(field, term)[0]] = True
                mask &= holds
            return bool(mask.any())

        def known(word: str, last: bool) -> bool:
            if any(reader.frequency(field, word) for field in WORD_FIELDS):
                return True
            # still being typed: a known prefix is fine
            return last and any(next(iter(reader.expand_prefix(field, word)), None) for field in WORD_FIELDS)

        return suggest(tokens(text), known, candidates, together)

    def keys(self) -> set[str]:
        return set(self.hashes())

    def hashes(self) -> dict[str, str]:
        """{key: content hash} of every indexed document."""
        arrays = self._arrays()
        with arrays.lock:
            return {fields["key"]: fields.get("content_hash", "") for fields in arrays.searcher.all_stored_fields()}

    def status(self) -> dict:
        """The index as this process serves it (cheap: /healthz asks on every call), else as opened now."""
        try:
            directory = _current_dir(self.root)
            with self._lock:
                arrays, serving = self._current, self._directory
            if directory is not None and arrays is not None and serving == directory and arrays.searcher.up_to_date():
                return {"status": "ok", "documents": len(arrays.all_docs)}
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
        return ix.writer(compound=False, timeout=timeout, codec=IndexingCodec())

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
        self.writer = self.index.writer(limitmb=WRITER_LIMIT_MB, compound=False, codec=IndexingCodec(), **options)
        self.swapped = False

    def add(self, document: dict) -> None:
        self.writer.add_document(**_stored(document))

    def finish(self) -> None:
        self.writer.commit()
        self.writer = None

    def apply(self, documents: list[dict], removed_keys: list[str], timeout: float = 0.0) -> None:
        _apply(self.index.writer(compound=False, codec=IndexingCodec()), documents, removed_keys)

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


def _label(facet: tuple, docnum: int) -> str:
    values, labels, _ids = facet
    return labels[values[docnum]]


def _hit(arrays: IndexArrays, derived: dict, docnum: int) -> Hit:
    fields = arrays.searcher.stored_fields(docnum)
    until = _label(arrays.facets["permit_until"], docnum)
    return Hit(
        kind=fields["kind"],
        record_id=int(fields["record_id"]),
        name=fields["name"],
        kelurahan=fields.get("kelurahan", ""),
        kecamatan=fields.get("kecamatan", ""),
        kota=fields.get("kota", ""),
        kbli_code=fields.get("kbli_code", ""),
        kbli_title=fields.get("kbli_title", ""),
        status=_label(derived["status"], docnum),
        permit=_label(derived["permit"], docnum),
        permit_until=date.fromisoformat(until) if until else None,
    )


def _derive(arrays: IndexArrays, today: date, rules) -> dict[str, tuple]:
    """The facets that depend on the day, as of `today`: a cooperative's activity status from its
    status year, a permit "expired" once its end date has passed. Same rules as the PostgreSQL SQL."""
    from models.cooperative import ACTIVE, AT_RISK, DORMANT

    def with_labels(facet: tuple, extra: tuple[str, ...]) -> tuple[np.ndarray, list[str], dict[str, int]]:
        values, labels, _ids = facet
        labels = [*labels, *(label for label in extra if label not in labels)]
        return values, labels, {label: index for index, label in enumerate(labels)}

    kind_values, _kind_labels, kind_ids = arrays.facets["kind"]
    cooperative = kind_values == kind_ids.get("cooperative", -1)
    status_values, status_labels, status_ids = with_labels(arrays.facets["status"], (ACTIVE, DORMANT, AT_RISK))
    year_values, year_labels, _ = arrays.facets["status_year"]
    never = -(10**6)  # no RAT and no founding date: at risk
    years = np.asarray([int(label) if label else never for label in year_labels], dtype=np.int64)[year_values]
    gap = last_closed_financial_year(today) - years
    computed = np.where(
        gap >= rules.at_risk_after,
        status_ids[AT_RISK],
        np.where(gap >= rules.dormant_after, status_ids[DORMANT], status_ids[ACTIVE]),
    )
    status = np.where(cooperative, computed, status_values).astype(np.int32)

    permit_values, permit_labels, permit_ids = with_labels(arrays.facets["permit"], PERMIT_STATES)
    until_values, until_labels, _ = arrays.facets["permit_until"]
    ordinals = np.asarray([date.fromisoformat(u).toordinal() if u else 0 for u in until_labels], dtype=np.int64)
    until = ordinals[until_values]
    expired = (permit_values == permit_ids["valid"]) & (until > 0) & (until < today.toordinal())
    permit = np.where(expired, permit_ids["expired"], permit_values).astype(np.int32)
    return {
        "status": (status, status_labels, status_ids),
        "permit": (permit, permit_labels, permit_ids),
    }


__all__ = ["LockError", "WhooshBackend", "open_index"]
