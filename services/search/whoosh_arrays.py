"""Query evaluation over a Whoosh index with numpy arrays, built once per segment.

Whoosh stays the storage (term dictionary, posting lists, stored fields, prefix and fuzzy term
expansion); what it does per matching document in pure Python (scoring every match, counting every
facet through column lookups) is done here on whole arrays instead:

- posting lists are read a block at a time straight into arrays (ids and term frequencies), per
  segment, and the most recently used ones are kept in a cache bounded in bytes;
- a query word is the sum of BM25F scores of the terms it expands to (Whoosh's own formula:
  idf = log(N / (df + 1)) + 1, K1 = 1.2, B = 0.75, field boosts in the posting weights);
- each facet is one small-int array docnum -> value id, so the counts over any match set are
  one `np.bincount`; browse-all counts are computed once per generation;
- sorting by name is a precomputed rank array; relevance is a partial sort of the scores.

A segment never changes once written (only its deletions do), so what is read from it (facet
values, field lengths, name order, posting lists) is kept per segment in a `SegmentCache` shared by
the index generations of a process: after a commit, only the new (small) segment is read, and the
arrays of the whole index are put together from the cached parts with a few numpy operations. The
first query after a commit does not pay a rebuild of the whole index.
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_left
from collections import OrderedDict

import numpy as np
from whoosh.reading import TermNotFound

from services.search.whoosh_private import LENGTH_OF_BYTE, deleted_docnums, leaf_postings, length_bytes

K1, B = 1.2, 0.75
POSTINGS_CACHE_BYTES = 48 * 1024 * 1024
POSTINGS_CACHE_ENTRIES = 50_000  # empty lists (a term absent from a segment) take no bytes
SMALL_CACHE_ENTRIES = 4096
RESULT_CACHE_ENTRIES = 256  # whole search results (one page and its facet counts), most recent
# Up to this many documents in new segments, they are placed into the previous generation's name
# order by binary search; beyond it, every name is read and sorted afresh.
MERGE_BY_SEARCH = 20_000

_EMPTY = (np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32))


def _label(term) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else str(term)


def _segment_id(leaf) -> str:
    """Whoosh's id of a segment (random, unique); "" for the reader of an empty index."""
    segment = leaf.segment()
    return segment.segment_id() if segment is not None else ""


def _sort_keys(leaf, sort_field: str) -> list[str]:
    """Every document's sort key in one segment, in docnum order ("" when none)."""
    if not leaf.has_column(sort_field):
        return [""] * leaf.doc_count_all()
    return [_label(value) for value in leaf.column_reader(sort_field)]


class SegmentArrays:
    """What one segment contributes to the arrays, read once: facet values (per-segment labels)
    and field lengths."""

    def __init__(self, leaf, names: tuple[str, ...], text_fields: tuple[str, ...], sort_field: str):
        self.size = leaf.doc_count_all()
        self.facets: dict[str, tuple[np.ndarray, list[str]]] = {}
        for name in names:
            labels = [""]  # value id 0: no value
            values = np.zeros(self.size, dtype=np.int32)
            for term in leaf.lexicon(name):
                label = _label(term)
                if not label:  # an empty value is indexed as the empty term: it is "no value"
                    continue
                ids, _weights = leaf_postings(leaf.postings(name, label))
                values[ids] = len(labels)
                labels.append(label)
            self.facets[name] = (values, labels)
        self.lengths: dict[str, np.ndarray] = {}
        for field in text_fields:
            raw = length_bytes(leaf, field)
            lengths = np.zeros(self.size, dtype=np.uint8)
            if raw is not None:
                lengths[: len(raw)] = raw
            self.lengths[field] = lengths


class SegmentCache:
    """Per-segment arrays and posting lists, shared by every index generation of one process.

    Keyed by Whoosh's segment id (random, unique per segment). `builds` and `built_documents` count
    the segments read, for tests and benchmarks: a commit must not make the next query re-read the
    segments that did not change."""

    def __init__(self, postings_bytes: int = POSTINGS_CACHE_BYTES):
        self.lock = threading.RLock()  # Whoosh's files are read with seek+read: one reader at a time
        self.segments: dict[str, SegmentArrays] = {}
        self.postings_bytes = postings_bytes
        self._postings: OrderedDict = OrderedDict()
        self._bytes = 0
        self.builds = 0
        self.built_documents = 0

    def segment(self, leaf, names, text_fields, sort_field) -> SegmentArrays:
        key = _segment_id(leaf)
        with self.lock:
            found = self.segments.get(key) if key else None
            if found is None:
                found = SegmentArrays(leaf, names, text_fields, sort_field)
                if key:
                    self.segments[key] = found
                self.builds += 1
                self.built_documents += found.size
            return found

    def postings(self, leaf, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(local docnums, weights) of one term in one segment (deletions not applied), cached."""
        key = (_segment_id(leaf), field, term)
        with self.lock:
            cached = self._postings.get(key)
            if cached is not None:
                self._postings.move_to_end(key)
                return cached
            try:
                ids, weights = leaf_postings(leaf.postings(field, term))
                result = (ids.astype(np.int32), weights.astype(np.float32, copy=False))
            except TermNotFound:
                result = _EMPTY
            self._postings[key] = result
            self._bytes += result[0].nbytes + result[1].nbytes
            while len(self._postings) > 1 and (
                self._bytes > self.postings_bytes or len(self._postings) > POSTINGS_CACHE_ENTRIES
            ):
                _key, (old_ids, old_weights) = self._postings.popitem(last=False)
                self._bytes -= old_ids.nbytes + old_weights.nbytes
            return result

    def keep_only(self, segment_ids: set[str]) -> None:
        """Forget segments no longer in the index (merged away, or an older generation)."""
        with self.lock:
            for key in [key for key in self.segments if key not in segment_ids]:
                del self.segments[key]
            for key in [key for key in self._postings if key[0] not in segment_ids]:
                ids, weights = self._postings.pop(key)
                self._bytes -= ids.nbytes + weights.nbytes


class IndexArrays:
    """Everything a query needs from one index generation, as arrays. Shared by the threads of a process."""

    def __init__(
        self,
        searcher,
        facets: tuple[str, ...],
        text_fields: tuple[str, ...],
        sort_field: str,
        columns: tuple[str, ...] = (),
        cache: SegmentCache | None = None,
        previous: IndexArrays | None = None,
    ):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.leaves = list(self.reader.leaf_readers())
        self.size = self.reader.doc_count_all()
        self.cache = cache if cache is not None else SegmentCache()
        self.lock = self.cache.lock  # one lock per process: generations share segment readers
        self.small_cache: dict = {}
        self._results: OrderedDict = OrderedDict()
        self._results_lock = threading.Lock()
        names = (*facets, *columns)  # columns: per-document values read like facets, not counted
        with self.lock:
            parts = [self.cache.segment(leaf, names, text_fields, sort_field) for leaf, _base in self.leaves]
            self.cache.keep_only({_segment_id(leaf) for leaf, _base in self.leaves})

        self.live = np.ones(self.size, dtype=bool)
        for leaf, base in self.leaves:
            if leaf.has_deletions():
                self.live[base + deleted_docnums(leaf)] = False
        self.all_docs = np.flatnonzero(self.live)

        self.facets: dict[str, tuple[np.ndarray, list[str], dict[str, int]]] = {}
        for name in names:
            labels = sorted({label for part in parts for label in part.facets[name][1] if label})
            labels.insert(0, "")
            ids = {label: i for i, label in enumerate(labels)}
            dtype = np.int16 if len(labels) < 2**15 else np.int32
            values = np.zeros(self.size, dtype=dtype)
            for part, (_leaf, base) in zip(parts, self.leaves, strict=True):
                local, local_labels = part.facets[name]
                remap = np.asarray([ids[label] for label in local_labels], dtype=dtype)
                values[base : base + part.size] = remap[local]
            self.facets[name] = (values, labels, ids)

        self.lengths: dict[str, tuple[np.ndarray, float]] = {}
        for field in text_fields:
            lengths = np.zeros(self.size, dtype=np.uint8)
            for part, (_leaf, base) in zip(parts, self.leaves, strict=True):
                lengths[base : base + part.size] = part.lengths[field]
            average = (self.reader.field_length(field) / self.size) if self.size else 1.0
            self.lengths[field] = (lengths, average or 1.0)

        with self.lock:
            self.name_order = _name_order(self.leaves, sort_field, previous)
        self.name_rank = np.empty(self.size, dtype=np.int32)
        self.name_rank[self.name_order] = np.arange(self.size, dtype=np.int32)
        self.counted = tuple(facets)  # what facet_counts reports (helper columns may be read too)

    # --- posting lists ----------------------------------------------------------------------
    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, weights) of one term across segments (each segment's list cached)."""
        with self.lock:
            read = [(self.cache.postings(leaf, field, term), base) for leaf, base in self.leaves]
        parts = [((ids + base) if base else ids, weights) for (ids, weights), base in read if len(ids)]
        if not parts:
            return _EMPTY
        if len(parts) == 1:
            return parts[0]
        return np.concatenate([ids for ids, _w in parts]), np.concatenate([weights for _i, weights in parts])

    # --- scoring ----------------------------------------------------------------------------
    def term_scores(self, scores: np.ndarray, field: str, term: str, boost: float) -> None:
        """Add one term's BM25F scores (times the query boost) into `scores`."""
        ids, weights = self.postings(field, term)
        if not len(ids):
            return
        idf = math.log(self.size / (len(ids) + 1)) + 1.0
        lengths, average = self.lengths[field]
        norm = K1 * ((1 - B) + B * LENGTH_OF_BYTE[lengths[ids]] / average)
        scores[ids] += (boost * idf) * (weights * (K1 + 1)) / (weights + norm)

    # --- facets -----------------------------------------------------------------------------
    def facet_counts(self, docnums: np.ndarray, overrides: dict | None = None) -> dict[str, dict[str, int]]:
        """Counts per facet value over `docnums`; `overrides` replace facets computed at query time."""
        out = {}
        for name in self.counted:
            values, labels, _ids = (overrides or {}).get(name) or self.facets[name]
            counts = np.bincount(values[docnums], minlength=len(labels)) if len(docnums) else ()
            out[name] = {labels[i]: int(counts[i]) for i in np.flatnonzero(counts) if i} if len(docnums) else {}
        return out

    def filter_mask(self, filters: dict[str, str], overrides: dict | None = None) -> np.ndarray | None:
        mask = None
        for name, value in sorted(filters.items()):
            if name not in self.facets or not value:
                continue
            values, _labels, ids = (overrides or {}).get(name) or self.facets[name]
            value_id = ids.get(value)
            this = values == value_id if value_id else np.zeros(self.size, dtype=bool)
            mask = this if mask is None else (mask & this)
        return mask

    def recent_result(self, key):
        """A search result computed on this generation before, or None."""
        with self._results_lock:
            found = self._results.get(key)
            if found is not None:
                self._results.move_to_end(key)
            return found

    def keep_result(self, key, result, limit: int = RESULT_CACHE_ENTRIES) -> None:
        with self._results_lock:
            self._results[key] = result
            while self._results and len(self._results) > limit:
                self._results.popitem(last=False)

    def remember(self, key, compute, reads_index: bool = False):
        """A small per-generation memo (term expansions, suggestions), cleared when it grows too big.
        `reads_index`: `compute` reads Whoosh's files, which Whoosh reads by seek + read on file objects
        shared by the threads, so it runs under the process's index lock."""
        if key in self.small_cache:
            return self.small_cache[key]
        if reads_index:
            with self.lock:
                value = compute()
        else:
            value = compute()
        if len(self.small_cache) >= SMALL_CACHE_ENTRIES:
            self.small_cache.clear()
        self.small_cache[key] = value
        return value


def _name_order(leaves, sort_field: str, previous: IndexArrays | None) -> np.ndarray:
    """Every docnum in name order (ties by docnum).

    The segments the previous generation also had keep their order (renumbered); the documents of
    new segments (after a commit: a few) are placed into it by binary search on (name, docnum), each
    probe reading one name from its segment's column. Without a previous generation, or after a large
    change, every name is read and sorted."""
    ids = [_segment_id(leaf) for leaf, _base in leaves]
    kept_order = None
    if previous is not None:
        old_ids = [_segment_id(leaf) for leaf, _base in previous.leaves]
        old_bases = np.asarray([base for _leaf, base in previous.leaves], dtype=np.int64)
        new_base = {segment: base for segment, (_leaf, base) in zip(ids, leaves, strict=True) if segment}
        shift = np.asarray([new_base.get(segment, -1) for segment in old_ids], dtype=np.int64)
        new_documents = sum(
            leaf.doc_count_all() for segment, (leaf, _base) in zip(ids, leaves, strict=True) if segment not in old_ids
        )
        if len(old_ids) and new_documents <= MERGE_BY_SEARCH:
            order = previous.name_order.astype(np.int64)
            which = np.searchsorted(old_bases, order, side="right") - 1
            survives = shift[which] >= 0
            kept_order = (order - old_bases[which] + shift[which])[survives]
    if kept_order is None:
        keys = [key for leaf, _base in leaves for key in _sort_keys(leaf, sort_field)]
        return np.asarray(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int32)

    fresh = sorted(
        (key, base + docnum)
        for (leaf, base), segment in zip(leaves, ids, strict=True)
        if segment not in old_ids
        for docnum, key in enumerate(_sort_keys(leaf, sort_field))
    )
    if not fresh:
        return kept_order.astype(np.int32)
    bases = np.asarray([base for _leaf, base in leaves], dtype=np.int64)
    columns = [leaf.column_reader(sort_field) if leaf.has_column(sort_field) else None for leaf, _base in leaves]

    kept_docnums: np.ndarray = kept_order  # not None here; a name the class below can see as such

    class _Kept:  # (name, docnum) of the kept documents in name order, read on demand
        def __len__(self) -> int:
            return len(kept_docnums)

        def __getitem__(self, index: int) -> tuple[str, int]:
            docnum = int(kept_docnums[index])
            segment = int(np.searchsorted(bases, docnum, side="right")) - 1
            column = columns[segment]
            return (_label(column[docnum - int(bases[segment])]) if column is not None else "", docnum)

    kept = _Kept()
    positions = [bisect_left(kept, item) for item in fresh]
    merged = np.insert(kept_order, positions, np.asarray([docnum for _key, docnum in fresh], dtype=np.int64))
    return merged.astype(np.int32)


def top(docnums: np.ndarray, keys: np.ndarray, start: int, stop: int) -> np.ndarray:
    """docnums[start:stop] in ascending order of `keys` (ties by docnum), without a full sort."""
    if stop <= 0 or not len(docnums):
        return docnums[:0]
    if len(docnums) > stop:  # `docnums` ascend, so ties at the cut are kept in docnum order
        cut = np.partition(keys, stop - 1)[stop - 1]
        below = np.flatnonzero(keys < cut)
        at = np.flatnonzero(keys == cut)[: stop - len(below)]
        part = np.concatenate((below, at))
        docnums, keys = docnums[part], keys[part]
    order = np.lexsort((docnums, keys))
    return docnums[order[start:stop]]
