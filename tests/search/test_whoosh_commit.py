"""After an index commit, the next query reads only the new segment, not the whole index again.

The Whoosh backend keeps what it read from each segment (facet values, field lengths, name order,
posting lists); a commit adds a small segment, and the first query after it must not rebuild the
arrays of the segments that did not change (it used to: ~1.3 s at 300,000 documents). Counted, not
timed: `SegmentCache.built_documents` is how many documents' arrays were read from disk."""

from __future__ import annotations

from extensions import db
from models.business import Business
from services.search import SearchQuery, get_backend, rebuild_index, search
from services.search.whoosh_index import WhooshBackend
from tests.factories import make_business

ORIGINAL = 60


def _seed() -> None:
    for n in range(ORIGINAL):
        make_business(f"Warung Sari {n % 7}" if n % 3 else f"Toko Makmur {n:02d}", commit=False)
    db.session.commit()
    rebuild_index(db.session)


def _everything_by_name(backend) -> list[tuple[str, int]]:
    result = backend.query(SearchQuery(sort="name", per_page=500))
    return [(hit.name, hit.record_id) for hit in result.hits]


def test_a_commit_does_not_make_the_next_query_reread_the_index(app, client):
    _seed()
    assert client.get("/cari?q=warung").status_code == 200
    segments = get_backend().segments
    builds, documents = segments.builds, segments.built_documents
    assert documents >= ORIGINAL  # the first query of the process read the whole index once
    before = search(SearchQuery(text="warung sari")).total  # kept in the result cache until a commit

    new = make_business("Warung Sari 3")  # committed; the inline writer adds one small segment
    added = make_business("Abadi Jaya Tempe")
    response = client.get("/cari?q=warung+sari")
    assert response.status_code == 200 and "Warung Sari 3" in response.get_data(as_text=True)

    assert segments.builds - builds <= 2, "only the new segments are read"
    assert segments.built_documents - documents <= 2, "the unchanged segment was read again"
    names = [hit.name for hit in search(SearchQuery(text="abadi")).hits]
    assert names == ["Abadi Jaya Tempe"]
    assert search(SearchQuery(text="warung sari")).total == before + 1 == len([n for n in range(ORIGINAL) if n % 3]) + 1

    # The arrays put together from the cached parts equal those of a process that reads it all afresh.
    fresh = WhooshBackend(app.config["SEARCH_INDEX_DIR"])
    assert _everything_by_name(get_backend()) == _everything_by_name(fresh)
    assert _everything_by_name(fresh)[0] == ("Abadi Jaya Tempe", added.id)
    assert ("Warung Sari 3", new.id) in _everything_by_name(fresh)
    assert search(SearchQuery(text="warung")).facets == fresh.query(SearchQuery(text="warung")).facets


def test_a_removal_reads_nothing_again(app, client):
    _seed()
    assert search(SearchQuery(text="toko")).total == len(range(0, ORIGINAL, 3))
    segments = get_backend().segments
    documents = segments.built_documents

    gone = db.session.scalars(db.select(Business).order_by(Business.id).limit(1)).one()  # a "Toko"
    db.session.delete(gone)
    db.session.commit()

    assert search(SearchQuery(text="toko")).total == len(range(0, ORIGINAL, 3)) - 1
    assert segments.built_documents == documents
