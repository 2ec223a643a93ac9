"""Query evaluation over a Whoosh index with numpy arrays, built once per index generation.

Whoosh stays the storage (term dictionary, posting lists, stored fields, prefix and fuzzy term
expansion); what it does per matching document in pure Python (scoring every match, counting every
facet through column lookups) is done here on whole arrays instead:

- posting lists are read a block at a time straight into arrays (ids and term frequencies), and
  the most recently used ones are kept in a cache bounded in bytes;
- a query word is the sum of BM25F scores of the terms it expands to (Whoosh's own formula:
  idf = log(N / (df + 1)) + 1, K1 = 1.2, B = 0.75, field boosts in the posting weights);
- each facet is one small-int array docnum -> value id, so the counts over any match set are
  one `np.bincount`; browse-all counts are computed once per generation;
- sorting by name is a precomputed rank array; relevance is a partial sort of the scores.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict

import numpy as np
from whoosh.reading import TermNotFound

from services.search.whoosh_private import LENGTH_OF_BYTE, deleted_docnums, leaf_postings, length_bytes

K1, B = 1.2, 0.75
POSTINGS_CACHE_BYTES = 48 * 1024 * 1024
SMALL_CACHE_ENTRIES = 4096


class IndexArrays:
    """Everything a query needs from one index generation, as arrays. Shared by the threads of a process."""

    def __init__(
        self,
        searcher,
        facets: tuple[str, ...],
        text_fields: tuple[str, ...],
        sort_field: str,
        columns: tuple[str, ...] = (),
    ):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.leaves = list(self.reader.leaf_readers())
        self.size = self.reader.doc_count_all()
        self.lock = threading.RLock()  # Whoosh's files are read with seek+read: one reader at a time
        self._postings: OrderedDict = OrderedDict()
        self._postings_bytes = 0
        self.small_cache: dict = {}

        self.live = np.ones(self.size, dtype=bool)
        for leaf, base in self.leaves:
            if leaf.has_deletions():
                self.live[base + deleted_docnums(leaf)] = False
        self.all_docs = np.flatnonzero(self.live)

        self.facets: dict[str, tuple[np.ndarray, list[str], dict[str, int]]] = {}
        for name in (*facets, *columns):  # columns: per-document values read like facets, not counted
            labels = [""]  # value id 0: no value
            values = np.zeros(self.size, dtype=np.int32)
            for term in self.reader.lexicon(name):
                label = term.decode("utf-8") if isinstance(term, bytes) else str(term)
                if not label:  # an empty value is indexed as the empty term: it is "no value"
                    continue
                ids, _weights = self.postings(name, label, cache=False)
                values[ids] = len(labels)
                labels.append(label)
            dtype = np.int16 if len(labels) < 2**15 else np.int32
            self.facets[name] = (values.astype(dtype), labels, {label: i for i, label in enumerate(labels)})

        self.lengths: dict[str, tuple[np.ndarray, float]] = {}
        for field in text_fields:
            lengths = np.zeros(self.size, dtype=np.uint8)
            for leaf, base in self.leaves:
                raw = length_bytes(leaf, field)
                if raw is not None:
                    lengths[base : base + len(raw)] = raw
            average = (self.reader.field_length(field) / self.size) if self.size else 1.0
            self.lengths[field] = (lengths, average or 1.0)

        # Rank of each document in name order (ties by docnum), from the sortable column.
        keys: list[str] = []
        for leaf, _base in self.leaves:
            column = leaf.column_reader(sort_field) if leaf.has_column(sort_field) else None
            count = leaf.doc_count_all()
            if column is None:
                keys.extend([""] * count)
            else:
                keys.extend(value.decode("utf-8") if isinstance(value, bytes) else value for value in column)
        order = sorted(range(self.size), key=keys.__getitem__)
        del keys
        self.name_rank = np.empty(self.size, dtype=np.int32)
        self.name_rank[np.asarray(order, dtype=np.int64)] = np.arange(self.size, dtype=np.int32)
        self.name_order = np.asarray(order, dtype=np.int32)
        del order
        self.counted = tuple(facets)  # what facet_counts reports (helper columns may be read too)

    # --- posting lists ----------------------------------------------------------------------
    def postings(self, field: str, term: str, cache: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, weights) of one term across segments; recently used lists are cached."""
        with self.lock:
            return self._postings_locked(field, term, cache)

    def _postings_locked(self, field: str, term: str, cache: bool) -> tuple[np.ndarray, np.ndarray]:
        key = (field, term)
        cached = self._postings.get(key)
        if cached is not None:
            self._postings.move_to_end(key)
            return cached
        ids_parts, weight_parts = [], []
        for leaf, base in self.leaves:
            try:
                matcher = leaf.postings(field, term)
            except TermNotFound:
                continue
            ids, weights = leaf_postings(matcher)
            ids_parts.append(ids + base)
            weight_parts.append(weights)
        if ids_parts:
            result = (np.concatenate(ids_parts).astype(np.int32), np.concatenate(weight_parts))
        else:
            result = (np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32))
        if cache:
            self._postings[key] = result
            self._postings_bytes += result[0].nbytes + result[1].nbytes
            while self._postings_bytes > POSTINGS_CACHE_BYTES and len(self._postings) > 1:
                _key, (old_ids, old_weights) = self._postings.popitem(last=False)
                self._postings_bytes -= old_ids.nbytes + old_weights.nbytes
        return result

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

    def remember(self, key, compute):
        """A small per-generation memo (term expansions, suggestions), cleared when it grows too big."""
        if key in self.small_cache:
            return self.small_cache[key]
        value = compute()
        if len(self.small_cache) >= SMALL_CACHE_ENTRIES:
            self.small_cache.clear()
        self.small_cache[key] = value
        return value


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
