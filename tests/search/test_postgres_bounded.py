"""The PostgreSQL backend's bounded candidate set: beyond `candidate_cap` matches the page is ranked
among the candidates (exact matches taken first) and the total and facet counts are estimates,
labelled as such on the page and in the API. The cap is lowered here so that a handful of records
behaves like a city's worth."""

from __future__ import annotations

import pytest

from extensions import db
from services.search import SearchQuery, get_backend, rebuild_index, search
from tests.factories import kelurahan, make_business, other_kelurahan
from tests.support import create_postgres_database, drop_postgres_database, postgres_database_url


@pytest.fixture
def db_url(request):
    name = create_postgres_database(template=request.getfixturevalue("postgres_template"))
    try:
        yield postgres_database_url(name)
    finally:
        drop_postgres_database(name)


@pytest.fixture
def app_config(app_config):
    app_config["SEARCH_BACKEND"] = "postgres"
    return app_config


@pytest.fixture
def backend(app):
    rebuild_index(db.session)
    backend = get_backend()
    backend.candidate_cap = backend.max_candidates = 3
    return backend


def test_within_the_cap_everything_is_exact(backend):
    make_business("Sate Ayam Pak Kumis")
    make_business("Sate Kambing Bu Tini")
    result = search(SearchQuery(text="sate"))
    assert (result.total, result.approximate, result.pageable) == (2, False, None)
    assert result.facets["kind"] == {"business": 2}


def test_beyond_the_cap_counts_are_labelled_estimates_and_pages_stop_at_the_candidates(app, backend):
    here = kelurahan()
    there = other_kelurahan(here)
    for n in range(4):
        make_business(f"Sate Madura Cabang {n}", region=here, commit=False)
    make_business("Sate Padang Uda", region=there, commit=False, status="closed")
    db.session.commit()

    backend.max_candidates = 4  # what the deepest page or the CSV may read
    result = search(SearchQuery(text="sate", per_page=2))
    assert result.approximate and result.pageable == 4
    # A table this small is sampled whole, so the estimate is the true count.
    assert result.total == 5
    assert result.facets["kecamatan_id"] == {str(here.parent_id): 4, str(there.parent_id): 1}
    assert result.facets["status"] == {"operating": 4, "closed": 1}
    assert len(result.hits) == 2
    assert len(search(SearchQuery(text="sate", page=2, per_page=2)).hits) == 2  # reads 4 candidates
    assert search(SearchQuery(text="sate", page=3, per_page=2)).hits == []  # past the deepest page

    page = app.test_client().get("/cari?q=sate")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Sekitar 5 hasil" in text and "±4" in text
    assert "Jumlah ini perkiraan" in text
    listing = app.test_client().get("/api/v1/businesses?q=sate").get_json()
    assert listing["total"] == 5 and listing["total_is_estimate"] is True

    backend.max_candidates = 10
    deep = search(SearchQuery(text="sate", page=2, per_page=3))  # reads 6 candidates: all of them
    assert (deep.total, deep.approximate, len(deep.hits)) == (5, False, 2)


def test_an_exact_match_is_not_crowded_out_by_more_numerous_fuzzy_ones(backend):
    for n in range(5):
        make_business(f"Warung Makan Sederhana {n}", commit=False)
    db.session.commit()
    make_business("Bakso Mang Maman")  # stored after the fuzzy matches ("makan" is one edit from "maman")
    result = search(SearchQuery(text="maman"))
    assert result.hits[0].name == "Bakso Mang Maman"
    assert result.approximate


def test_sorting_by_name_pages_through_every_match_beyond_the_cap(backend):
    for word in ("Delta", "Alfa", "Echo", "Charlie", "Bravo"):
        make_business(f"Toko Roti {word}", commit=False)
    db.session.commit()
    first = search(SearchQuery(text="roti", sort="name", per_page=2))
    last = search(SearchQuery(text="roti", sort="name", page=3, per_page=2))
    assert [hit.name for hit in first.hits] == ["Toko Roti Alfa", "Toko Roti Bravo"]
    assert [hit.name for hit in last.hits] == ["Toko Roti Echo"]
    assert first.pageable is None


@pytest.mark.parametrize(("probe_rows", "probe_min_estimate"), [(2, 0), (100, 0)])
def test_reading_the_first_rows_before_the_index_finds_the_same_page(backend, probe_rows, probe_min_estimate):
    """A common query is first tried on the first rows in table order (the probe), a rarer one falls
    back to the full-text index: either way the user sees the same results."""
    here = kelurahan()
    for n in range(4):
        make_business(f"Sate Madura Cabang {n}", region=here, commit=False)
    make_business("Sate Padang Uda", commit=False, status="closed")
    make_business("Soto Betawi Haji", commit=False)
    db.session.commit()
    queries = [
        SearchQuery(text="sate"),
        SearchQuery(text="sate", page=2, per_page=2),
        SearchQuery(text="sate", filters={"kecamatan_id": str(here.parent_id)}),
        SearchQuery(text="betawy"),  # fuzzy: the exact tier is empty, the typo tier answers
    ]
    backend.probe_min_estimate = 10**9  # never probe
    plain = [search(query) for query in queries]
    backend.probe_rows, backend.probe_min_estimate = probe_rows, probe_min_estimate
    probed = [search(query) for query in queries]
    assert [(r.hits, r.total, r.facets) for r in probed] == [(r.hits, r.total, r.facets) for r in plain]
    assert [hit.name for hit in plain[3].hits] == ["Soto Betawi Haji"]
