"""Every use of Whoosh internals (private attributes, codec classes) in one place, nothing patched.

Whoosh 2.7.4 is unmaintained, so its internals no longer move; still, each function here has a
test (tests/search/test_whoosh_private.py) that compares it with Whoosh's public, slower answer and
checks the version, so that any change of the library fails loudly instead of answering wrongly.
"""

from __future__ import annotations

import numpy as np
import whoosh
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3LeafMatcher, W3PerDocReader
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import _length_byte_cache

SUPPORTED_VERSION = (2, 7, 4)

# Whoosh stores a field length as one byte; this decodes the byte to the length it stands for.
LENGTH_OF_BYTE = np.asarray(_length_byte_cache, dtype=np.float32)


def check_version() -> None:
    """Refuse to run on a Whoosh whose internals these functions were not written against."""
    if tuple(whoosh.__version__[:3]) != SUPPORTED_VERSION:
        raise RuntimeError(
            f"Whoosh {whoosh.versionstring()} found; services/search/whoosh_private.py is written for "
            f"{'.'.join(map(str, SUPPORTED_VERSION))}: review it and its tests before upgrading"
        )


def leaf_postings(matcher) -> tuple[np.ndarray, np.ndarray]:
    """(ids, weights) of one segment's posting list, read a block at a time (deletions not applied)."""
    if isinstance(matcher, FilterMatcher):  # deletions are applied by the caller's live mask instead
        matcher = matcher.child
    ids, weights = [], []
    if isinstance(matcher, W3LeafMatcher) and not matcher._byteids:
        while matcher.is_active():
            matcher._read_data()
            block_ids, block_weights = matcher._data[0], matcher._data[1]
            ids.append(np.cumsum(np.asarray(block_ids, dtype=np.int64)))
            count = matcher._blocklength
            if block_weights is None:
                weights.append(np.ones(count, dtype=np.float32))
            elif isinstance(block_weights, float):
                weights.append(np.full(count, block_weights, dtype=np.float32))
            else:
                weights.append(np.asarray(block_weights, dtype=np.float32))
            matcher._next_block()
    else:  # any other codec: the generic (slower) matcher interface
        id_list, weight_list = [], []
        while matcher.is_active():
            id_list.append(matcher.id())
            weight_list.append(matcher.weight())
            matcher.next()
        ids.append(np.asarray(id_list, dtype=np.int64))
        weights.append(np.asarray(weight_list, dtype=np.float32))
    if not ids:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    return np.concatenate(ids), np.concatenate(weights)


def deleted_docnums(leaf) -> np.ndarray:
    """The deleted document numbers of one segment, without visiting every document."""
    perdoc = getattr(leaf, "_perdoc", None)
    if perdoc is not None:
        return np.sort(np.fromiter(perdoc.deleted_docs(), dtype=np.int64))
    return np.asarray([d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d)], dtype=np.int64)


def length_bytes(leaf, field: str) -> np.ndarray | None:
    """One segment's encoded field lengths (one byte per document) read in one go, or None."""
    perdoc = getattr(leaf, "_perdoc", None)  # an empty index has no per-document data
    column = perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN) if perdoc else None
    if column is None:
        return None
    return np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)


class _PerDocReader(W3PerDocReader):
    """W3PerDocReader that also remembers a missing column.

    Whoosh 2.7.4 looks up a document's field length for every posting it writes, and for a field
    without lengths (every ID field) that was a file-system stat per posting: a fifth of the
    indexing time. Segments are immutable once written, so a missing column stays missing."""

    def _cached_reader(self, fieldname, column):
        try:
            return self._readers[fieldname]
        except KeyError:
            reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
            self._readers[fieldname] = reader
            return reader


class IndexingCodec(W3Codec):
    """The standard codec (same files, read by any Whoosh 2.7) for our own writers only: no
    process-wide change to Whoosh."""

    def per_document_reader(self, storage, segment):
        return _PerDocReader(storage, segment)
