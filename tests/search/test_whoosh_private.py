"""The Whoosh internals Balai relies on (services/search/whoosh_private.py) still behave as assumed:
each fast path is compared with Whoosh's public answer, so a library change fails here, loudly."""

from __future__ import annotations

import numpy as np
import pytest
import whoosh
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.fields import ID, STORED, TEXT, Schema

from services.search import whoosh_private
from services.search.whoosh_private import (
    LENGTH_OF_BYTE,
    IndexingCodec,
    check_version,
    deleted_docnums,
    leaf_postings,
    length_bytes,
)

SCHEMA = Schema(key=ID(stored=True, unique=True), words=TEXT(stored=False), tag=ID, note=STORED)


@pytest.fixture
def small_index(tmp_path):
    """Two segments, several posting blocks (> 128 documents per term), some deletions."""
    ix = whoosh_index.create_in(tmp_path, SCHEMA)
    for start in (0, 400):
        writer = ix.writer(codec=IndexingCodec(), compound=False)
        for n in range(start, start + 400):
            words = " ".join(["umum"] * (1 + n % 5) + ([f"jarang{n % 7}"] if n % 3 == 0 else []))
            writer.add_document(key=str(n), words=words, tag=f"t{n % 4}", note=n)
        writer.commit(merge=False)
    writer = ix.writer(codec=IndexingCodec())
    for n in range(0, 800, 9):
        writer.delete_by_term("key", str(n))
    writer.commit(merge=False)
    return ix


def test_the_installed_whoosh_is_the_one_these_internals_were_written_for(monkeypatch):
    check_version()
    monkeypatch.setattr(whoosh, "__version__", (2, 7, 5))
    with pytest.raises(RuntimeError, match="review it and its tests"):
        check_version()


def test_block_postings_equal_the_public_matcher(small_index):
    with small_index.searcher() as searcher:
        leaves = list(searcher.reader().leaf_readers())
        assert len(leaves) == 2
        for leaf, _base in leaves:
            for field, term in (("words", "umum"), ("words", "jarang3"), ("tag", "t2")):
                ids, weights = leaf_postings(leaf.postings(field, term))
                public = leaf.postings(field, term)
                expected_ids, expected_weights = [], []
                while public.is_active():
                    if not leaf.is_deleted(public.id()):
                        expected_ids.append(public.id())
                        expected_weights.append(public.weight())
                    public.next()
                live = np.asarray([not leaf.is_deleted(int(i)) for i in ids], dtype=bool)
                assert ids[live].tolist() == expected_ids
                assert np.allclose(weights[live], expected_weights)


def test_deleted_documents_equal_the_public_check(small_index):
    with small_index.searcher() as searcher:
        for leaf, _base in searcher.reader().leaf_readers():
            expected = [d for d in range(leaf.doc_count_all()) if leaf.is_deleted(d)]
            assert deleted_docnums(leaf).tolist() == expected and expected


def test_field_length_bytes_decode_to_the_public_lengths(small_index):
    with small_index.searcher() as searcher:
        for leaf, _base in searcher.reader().leaf_readers():
            raw = length_bytes(leaf, "words")
            decoded = LENGTH_OF_BYTE[raw]
            expected = [leaf.doc_field_length(d, "words") for d in range(leaf.doc_count_all())]
            assert decoded.tolist() == expected
            assert length_bytes(leaf, "tag") is None  # an ID field has no lengths


def test_the_indexing_codec_changes_nothing_outside_our_writers(small_index):
    assert W3PerDocReader._cached_reader.__module__ == "whoosh.codec.whoosh3"  # not patched
    assert whoosh_private._PerDocReader._cached_reader is not W3PerDocReader._cached_reader
    with small_index.searcher() as searcher:  # any Whoosh reads what our writers wrote
        assert searcher.doc_count() == 800 - len(range(0, 800, 9))
        assert searcher.document(key="1")["note"] == 1
